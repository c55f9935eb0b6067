/**
 * Long-poll consumers: CONSUMERS (default 100) subscribers, each on its own subject, wait in
 * POST /api/fetch with waitMs while producers publish RATE (default 1,000) messages/s spread over
 * those subjects. Each message carries its publish time, so the `delivery_latency` trend is the
 * end-to-end time from publish to delivery (k6 clocks have millisecond resolution).
 *
 *   BASE_URL=http://127.0.0.1:8082 k6 run loadtest/k6/long-poll.ts        (CONSUMERS=100 RATE=1000 DURATION=1m)
 */
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { assertReady, envNumber, fetchPending, publish, subscribe, thresholdsFor, type Subscription } from './lib/broker.ts';

const CONSUMERS = envNumber('CONSUMERS', 100);
const WAIT_MS = envNumber('WAIT_MS', 20_000);
const DURATION = __ENV.DURATION ?? '1m';
/** Producers start once every consumer is parked in its fetch, and consumers outlast them by as much. */
const PARK_S = 2;

const deliveryLatency = new Trend('delivery_latency', true);

export const options: Options = {
  setupTimeout: '2m',
  scenarios: {
    producers: {
      executor: 'constant-arrival-rate',
      exec: 'producer',
      rate: envNumber('RATE', 1000),
      timeUnit: '1s',
      startTime: `${PARK_S}s`,
      duration: DURATION,
      preAllocatedVUs: 50,
      maxVUs: 500,
    },
    // Exactly one waiting fetch per subscriber, so each VU owns one subscriber.
    consumers: { executor: 'constant-vus', exec: 'consumer', vus: CONSUMERS, duration: `${durationSeconds(DURATION) + PARK_S}s`, gracefulStop: `${Math.ceil(WAIT_MS / 1000) + 5}s` },
  },
  thresholds: {
    ...thresholdsFor(['publish']),
    // Issue 5's target: p99 under 5 ms from publish to delivery at 1,000 messages/s, 100 consumers.
    delivery_latency: [`p(50)<${envNumber('E2E_P50_MS', 2)}`, `p(99)<${envNumber('E2E_P99_MS', 5)}`],
  },
};

export function setup(): Subscription[] {
  assertReady();
  return Array.from({ length: CONSUMERS }, (_, i) => subscribe(`load.longpoll.c${i}`));
}

export function producer(subscriptions: Subscription[]): void {
  const { subject } = subscriptions[exec.scenario.iterationInTest % subscriptions.length];
  publish(subject, String(Date.now()));
}

/** This VU's subscriber, fixed at its first iteration (VU ids are shared with the producers). */
let slot: number | undefined;

export function consumer(subscriptions: Subscription[]): void {
  slot ??= exec.scenario.iterationInTest % subscriptions.length;
  const { subject, id } = subscriptions[slot];
  const taken = fetchPending(subject, id, { waitMs: WAIT_MS });
  if (!taken) return;
  const now = Date.now();
  for (const sentAt of taken.data) deliveryLatency.add(now - Number(sentAt));
}

/** Seconds in a k6 duration such as "90s", "1m" or "1h2m3s". */
function durationSeconds(duration: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`DURATION must look like 90s, 1m or 1h2m3s, got "${duration}"`);
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return hours * 3600 + minutes * 60 + seconds;
}
