import type { Provider } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PUSH_OUTCOMES } from '../push/push-outcome.js';
import { PushService } from '../push/push.service.js';

/** From a receiver on the same host (a millisecond) to the longest push.timeout-ms (two minutes). */
const PUSH_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Webhook subscriptions: each push request's outcome and time, and what waits to be pushed. */
export class PushMetrics {
  constructor(registry: Registry, push: PushService) {
    const registers = [registry];
    const requests = new Counter({
      name: 'gophermq_push_requests_total',
      help: 'Push requests (webhook subscriptions) by outcome: 2xx (acked), 3xx, 4xx, 5xx, timeout (push.timeout-ms) and error (connection failed); all but 2xx are retried with backoff.',
      labelNames: ['outcome'],
      registers,
    });
    const duration = new Histogram({
      name: 'gophermq_push_duration_seconds',
      help: 'Time of push requests, from the request to the answer (or the failure), whatever the outcome.',
      buckets: PUSH_DURATION_BUCKETS,
      registers,
    });
    for (const outcome of PUSH_OUTCOMES) requests.inc({ outcome }, 0);
    new Gauge({
      name: 'gophermq_push_waiting_messages',
      help: 'Messages pending (not yet taken) for the push subscribers this broker pushes, read at scrape (on a shared store every broker pushes, and reports, the same ones: take the max, not the sum).',
      registers,
      async collect() {
        this.set(await push.waitingMessages());
      },
    });
    new Gauge({
      name: 'gophermq_push_subscribers',
      help: 'Push subscribers this broker is pushing (on a shared store each broker pushes every one).',
      registers,
      collect() {
        this.set(push.subscribers);
      },
    });
    push.observer = {
      pushed(outcome, seconds) {
        requests.inc({ outcome });
        duration.observe(seconds);
      },
    };
  }
}

export const pushMetricsProvider: Provider = {
  provide: PushMetrics,
  inject: [Registry, PushService],
  useFactory: (registry: Registry, push: PushService) => new PushMetrics(registry, push),
};
