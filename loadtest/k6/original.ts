/**
 * The original GopherMQ load test, kept in shape: setup subscribes to `load.test`; every iteration
 * publishes ":(" then fetches with that id, checks both for 200, and sleeps 1 s, while the number
 * of virtual users ramps up to 1,000 (about 40 minutes; PROFILE=short ramps in about 4).
 *
 *   BASE_URL=http://127.0.0.1:8082 k6 run loadtest/k6/original.ts
 *   BASE_URL=http://127.0.0.1:8082 PROFILE=short k6 run loadtest/k6/original.ts
 */
import { sleep } from 'k6';
import type { Options, Stage } from 'k6/options';
import { assertReady, fetchPending, publish, subscribe, thresholdsFor, type Subscription } from './lib/broker.ts';

const SUBJECT = 'load.test';

const FULL_STAGES: Stage[] = [
  { duration: '2m', target: 50 },
  { duration: '5m', target: 100 },
  { duration: '5m', target: 250 },
  { duration: '5m', target: 500 },
  { duration: '5m', target: 750 },
  { duration: '5m', target: 1000 },
  { duration: '10m', target: 1000 },
  { duration: '3m', target: 0 },
];

const SHORT_STAGES: Stage[] = [
  { duration: '30s', target: 50 },
  { duration: '1m', target: 500 },
  { duration: '1m', target: 1000 },
  { duration: '1m', target: 1000 },
  { duration: '30s', target: 0 },
];

export const options: Options = {
  scenarios: {
    original: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: __ENV.PROFILE === 'short' ? SHORT_STAGES : FULL_STAGES,
      gracefulRampDown: '10s',
    },
  },
  // The original's clients see every request answered, quickly, at 1,000 users: no errors at all.
  thresholds: { ...thresholdsFor(['publish', 'fetch']), http_req_failed: ['rate==0'], checks: ['rate==1'] },
};

export function setup(): Subscription {
  assertReady();
  return subscribe(SUBJECT);
}

export default function (subscription: Subscription): void {
  publish(SUBJECT, ':(');
  fetchPending(SUBJECT, subscription.id);
  sleep(1);
}
