import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { SubscribeController } from './subscribe.controller.js';

@Module({ imports: [BrokerModule], controllers: [SubscribeController] })
export class SubscribeModule {}
