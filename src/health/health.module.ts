import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { ReadyController } from './ready.controller.js';
import { InFlightRequests } from '../common/http/in-flight-requests.js';

@Module({ imports: [BrokerModule], controllers: [ReadyController], providers: [InFlightRequests], exports: [InFlightRequests] })
export class HealthModule {}
