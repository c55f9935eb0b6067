/**
 * Many subjects: SUBJECTS (default 1,000) subjects with one subscriber each; every iteration picks
 * a subject at random, publishes to it and fetches it, so the subject map and its lookups carry
 * the load rather than one hot queue.
 *
 *   BASE_URL=http://127.0.0.1:8082 k6 run loadtest/k6/many-subjects.ts     (SUBJECTS=1000 VUS=100 DURATION=1m)
 */
import type { Options } from 'k6/options';
import { assertReady, envNumber, fetchPending, PAYLOAD_16B, publish, subscribe, thresholdsFor, type Subscription } from './lib/broker.ts';

const SUBJECTS = envNumber('SUBJECTS', 1000);

export const options: Options = {
  setupTimeout: '5m',
  scenarios: {
    many_subjects: { executor: 'constant-vus', vus: envNumber('VUS', 100), duration: __ENV.DURATION ?? '1m' },
  },
  thresholds: thresholdsFor(['publish', 'fetch']),
};

export function setup(): Subscription[] {
  assertReady();
  return Array.from({ length: SUBJECTS }, (_, i) => subscribe(`load.subjects.s${i}`));
}

export default function (subscriptions: Subscription[]): void {
  const { id, subject } = subscriptions[Math.floor(Math.random() * subscriptions.length)];
  publish(subject, PAYLOAD_16B);
  fetchPending(subject, id);
}
