import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { ReadyController } from './ready.controller.js';

@Module({ imports: [BrokerModule], controllers: [ReadyController] })
export class HealthModule {}
