import { Global, Module } from '@nestjs/common';
import { BrokerModule } from '../../broker/broker.module.js';
import { InFlightRequests } from './in-flight-requests.js';

/** Requests in flight, for every route: the shutdown drain, the per-connection limit, fetch answers' memory. */
@Global()
@Module({ imports: [BrokerModule], providers: [InFlightRequests], exports: [InFlightRequests] })
export class InFlightRequestsModule {}
