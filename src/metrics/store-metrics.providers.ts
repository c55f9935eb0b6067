import type { Provider } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BrokerService } from '../broker/broker.service.js';

/** From 100 µs (a local Redis) to the longest redis.command-timeout-ms. */
const STORE_CALL_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60];

/**
 * Calls to a store backed by a server (Redis): their time, their failures, and whether the last
 * one worked. On the memory store nothing is observed and the store is always up.
 */
export class StoreMetrics {
  constructor(registry: Registry, broker: BrokerService) {
    const registers = [registry];
    const duration = new Histogram({
      name: 'gophermq_store_call_duration_seconds',
      help: 'Time of calls to the store (Redis), by operation: one per API operation, round trips included.',
      labelNames: ['operation'],
      buckets: STORE_CALL_BUCKETS,
      registers,
    });
    const errors = new Counter({
      name: 'gophermq_store_errors_total',
      help: 'Calls to the store (Redis) that failed or timed out, by operation; each answered 503 "store unavailable".',
      labelNames: ['operation'],
      registers,
    });
    const up = new Gauge({
      name: 'gophermq_store_up',
      help: '1 when the last call to the store (Redis) succeeded, 0 when it failed; always 1 on the memory store.',
      registers,
    });
    const sweepFailures = new Counter({
      name: 'gophermq_store_sweep_failures_total',
      help: 'Subjects a background sweep of the store (Redis) skipped because their call failed, by sweep (redelivery, expiry); each is tried again later, the others go on.',
      labelNames: ['sweep'],
      registers,
    });
    for (const sweep of ['redelivery', 'expiry']) sweepFailures.inc({ sweep }, 0);
    up.set(1);
    broker.store.observer = {
      call(operation, seconds, failed) {
        duration.observe({ operation }, seconds);
        up.set(failed ? 0 : 1);
        if (failed) errors.inc({ operation });
      },
      sweepFailed(sweep) {
        sweepFailures.inc({ sweep });
      },
    };
  }
}

export const storeMetricsProvider: Provider = {
  provide: StoreMetrics,
  inject: [Registry, BrokerService],
  useFactory: (registry: Registry, broker: BrokerService) => new StoreMetrics(registry, broker),
};
