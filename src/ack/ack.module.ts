import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { AckController } from './ack.controller.js';

@Module({ imports: [BrokerModule], controllers: [AckController] })
export class AckModule {}
