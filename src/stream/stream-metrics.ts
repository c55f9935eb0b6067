import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { StreamHub } from './stream-hub.js';

/**
 * The streams' series, in the metrics' registry when monitoring is on (it is absent otherwise).
 * Read from the hub when Prometheus scrapes: nothing is counted on the stream's path but one sum.
 */
@Injectable()
export class StreamMetrics {
  constructor(hub: StreamHub, @Optional() registry?: Registry) {
    if (!registry) return;
    new Gauge({
      name: 'gophermq_streams_open',
      help: 'Event streams (GET /api/stream) open on this instance; at broker.max-streams, new ones get 429.',
      registers: [registry],
      collect() {
        this.set(hub.size);
      },
    });
    new Counter({
      name: 'gophermq_stream_messages_total',
      help: 'Messages written to event streams (also counted in gophermq_messages_delivered_total).',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(hub.messagesSent);
      },
    });
  }
}
