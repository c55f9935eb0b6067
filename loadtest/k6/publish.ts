/**
 * Publish only, as fast as the virtual users can: one subscriber on the subject, which a second
 * scenario drains so the broker never reaches its limits (a 429 counts as a failure).
 *
 *   BASE_URL=http://127.0.0.1:8082 k6 run loadtest/k6/publish.ts          (VUS=50 DURATION=1m)
 */
import { sleep } from 'k6';
import type { Options } from 'k6/options';
import { assertReady, envNumber, fetchPending, PAYLOAD_16B, publish, subscribe, thresholdsFor, type Subscription } from './lib/broker.ts';

const SUBJECT = 'load.publish';
const DURATION = __ENV.DURATION ?? '1m';

export const options: Options = {
  scenarios: {
    publishers: { executor: 'constant-vus', exec: 'publisher', vus: envNumber('VUS', 50), duration: DURATION },
    drain: { executor: 'constant-vus', exec: 'drainer', vus: 1, duration: DURATION },
  },
  thresholds: thresholdsFor(['publish', 'fetch']),
};

export function setup(): Subscription {
  assertReady();
  return subscribe(SUBJECT);
}

export function publisher(): void {
  publish(SUBJECT, PAYLOAD_16B);
}

export function drainer(subscription: Subscription): void {
  const taken = fetchPending(SUBJECT, subscription.id, { max: 10_000 });
  if (taken && taken.remaining === 0) sleep(0.05);
}
