import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module.js';
import { BrokerModule } from '../../broker/broker.module.js';
import { InFlightRequests } from './in-flight-requests.js';
import { StalledAnswers } from './stalled-answers.js';

/**
 * Requests in flight, for every route: the shutdown drain, the per-connection limit, fetch answers'
 * memory and its fair shares, and answers cut after broker.write-timeout without progress.
 */
@Global()
@Module({ imports: [BrokerModule, AuthModule], providers: [InFlightRequests, StalledAnswers], exports: [InFlightRequests] })
export class InFlightRequestsModule {}
