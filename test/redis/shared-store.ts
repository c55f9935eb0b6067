import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { MetricsScrape } from '../metrics-scrape.js';
import { redisCli } from '../support/redis-server.js';
import type { TestBroker } from '../support/test-broker.js';
import { testRedisUrl, uniqueKeyPrefix } from '../support/test-store.js';

/** The redis-server of `npm run test:redis` (jest.redis.config.mjs starts it). */
export function runRedisUrl(): string {
  if (!testRedisUrl) throw new Error('GOPHERMQ_TEST_REDIS_URL is not set: run these with `npm run test:redis`');
  return testRedisUrl;
}

/** Settings of brokers that share one store: Redis at `url` (the run's by default) under one fresh key prefix. */
export function sharedStore(settings: Record<string, string> = {}, url = runRedisUrl()): Record<string, string> {
  return { BROKER_STORE: 'redis', REDIS_URL: url, REDIS_KEY__PREFIX: uniqueKeyPrefix(), ...settings };
}

/** Every key of the Redis at `url` that starts with `prefix`. */
export async function keysUnder(prefix: string, url = runRedisUrl()): Promise<string[]> {
  const output = await redisCli(Number(new URL(url).port), '--scan', '--pattern', `${prefix}*`);
  return output === '' ? [] : output.split('\n');
}

/** One scrape of the broker's /metrics. */
export function scrape(broker: TestBroker): Promise<MetricsScrape> {
  return MetricsScrape.of(broker.get(MetricsServer).url);
}

/** The sum of `name` over the /metrics of every broker: what a cluster-wide Prometheus query sees. */
export async function sumOver(brokers: TestBroker[], name: string): Promise<number> {
  const scrapes = await Promise.all(brokers.map(scrape));
  return scrapes.reduce((total, one) => total + one.sum(name), 0);
}
