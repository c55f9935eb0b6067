import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { PushService } from './push.service.js';

/** Webhook subscriptions: the broker POSTs the messages of push subscribers (subscribe with pushUrl). */
@Module({ imports: [BrokerModule], providers: [PushService], exports: [PushService] })
export class PushModule {}
