import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { ReadyController } from './ready.controller.js';
import { ShutdownDrain } from './shutdown-drain.js';

@Module({ imports: [BrokerModule], controllers: [ReadyController], providers: [ShutdownDrain], exports: [ShutdownDrain] })
export class HealthModule {}
