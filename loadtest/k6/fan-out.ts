/**
 * Fan-out: one subject with SUBSCRIBERS (default 1,000) subscribers; producers publish at RATE
 * messages/s (each message is stored once and delivered to every subscriber) while consumers take
 * turns fetching every subscriber's pending messages.
 *
 *   BASE_URL=http://127.0.0.1:8082 k6 run loadtest/k6/fan-out.ts          (SUBSCRIBERS=1000 RATE=200 DURATION=1m)
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { assertReady, envNumber, fetchPending, PAYLOAD_16B, publish, subscribe, thresholdsFor, type Subscription } from './lib/broker.ts';

const SUBJECT = 'load.fanout';
const SUBSCRIBERS = envNumber('SUBSCRIBERS', 1000);
const CONSUMERS = envNumber('CONSUMERS', 10);
const DURATION = __ENV.DURATION ?? '1m';

export const options: Options = {
  setupTimeout: '5m',
  scenarios: {
    producers: {
      executor: 'constant-arrival-rate',
      exec: 'producer',
      rate: envNumber('RATE', 200),
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: 20,
      maxVUs: 200,
    },
    consumers: { executor: 'constant-vus', exec: 'consumer', vus: CONSUMERS, duration: DURATION },
  },
  // A fetch here returns many messages at once: allow it more time than a publish.
  thresholds: { ...thresholdsFor(['publish']), ...thresholdsFor(['fetch'], envNumber('FETCH_P95_MS', 100), envNumber('FETCH_P99_MS', 400)) },
};

export function setup(): Subscription[] {
  assertReady();
  return Array.from({ length: SUBSCRIBERS }, () => subscribe(SUBJECT));
}

export function producer(): void {
  publish(SUBJECT, PAYLOAD_16B);
}

/** This consumer's number, fixed at its first iteration (VU ids are shared with the producers). */
let slot: number | undefined;

/** Consumer k of CONSUMERS fetches subscribers k, k + CONSUMERS, …, one per iteration. */
export function consumer(subscriptions: Subscription[]): void {
  const mine = Math.ceil(subscriptions.length / CONSUMERS);
  slot ??= exec.scenario.iterationInTest % CONSUMERS;
  const index = slot + CONSUMERS * (exec.vu.iterationInScenario % mine);
  const subscription = subscriptions[index];
  if (subscription) fetchPending(SUBJECT, subscription.id, { max: 10_000 });
}
