import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { PushModule } from '../push/push.module.js';
import { SubscribeController } from './subscribe.controller.js';

@Module({ imports: [BrokerModule, PushModule], controllers: [SubscribeController] })
export class SubscribeModule {}
