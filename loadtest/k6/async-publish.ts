/**
 * Async publish (POST /api/publish/async) at full speed, drained by one consumer. A 429 (async
 * queue full or broker overflow) counts as a failure.
 *
 *   BASE_URL=http://127.0.0.1:8082 k6 run loadtest/k6/async-publish.ts   (VUS=50 DURATION=1m)
 */
import { sleep } from 'k6';
import type { Options } from 'k6/options';
import { assertReady, envNumber, fetchPending, PAYLOAD_16B, publishAsync, subscribe, thresholdsFor, type Subscription } from './lib/broker.ts';

const SUBJECT = 'load.async';
const DURATION = __ENV.DURATION ?? '1m';

export const options: Options = {
  scenarios: {
    publishers: { executor: 'constant-vus', exec: 'publisher', vus: envNumber('VUS', 50), duration: DURATION },
    drain: { executor: 'constant-vus', exec: 'drainer', vus: 1, duration: DURATION },
  },
  thresholds: thresholdsFor(['publish_async', 'fetch']),
};

export function setup(): Subscription {
  assertReady();
  return subscribe(SUBJECT);
}

export function publisher(): void {
  publishAsync(SUBJECT, PAYLOAD_16B);
}

export function drainer(subscription: Subscription): void {
  const taken = fetchPending(SUBJECT, subscription.id, { max: 10_000 });
  if (taken && taken.remaining === 0) sleep(0.05);
}
