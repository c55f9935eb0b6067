import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { BrokerModule } from '../broker/broker.module.js';
import { StreamController } from './stream.controller.js';
import { StreamHub } from './stream-hub.js';
import { StreamMetrics } from './stream-metrics.js';

/** GET /api/stream: a subscriber's messages pushed over one HTTP answer (SSE or NDJSON). */
@Module({ imports: [BrokerModule, AuthModule], controllers: [StreamController], providers: [StreamHub, StreamMetrics], exports: [StreamHub] })
export class StreamModule {}
