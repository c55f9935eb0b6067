import { randomUUID } from 'node:crypto';

/**
 * The store the e2e suites run on: `memory` under `npm test`; `redis` under `npm run test:redis`, whose
 * globalSetup starts a redis-server and puts its URL in GOPHERMQ_TEST_REDIS_URL.
 */
export const testRedisUrl = process.env.GOPHERMQ_TEST_REDIS_URL;
export const testStore: 'memory' | 'redis' = testRedisUrl ? 'redis' : 'memory';

/** A Redis key prefix no other broker of the run uses (brokers that share a store pass the same one). */
export function uniqueKeyPrefix(): string {
  // Random, not a counter: Jest runs many test files in one worker process, each with fresh modules.
  return `gmqtest:${randomUUID().slice(0, 13)}:`;
}

/**
 * The GOPHERMQ_ environment of a broker with these settings (e.g. { BROKER_MAX__PENDING: '5' }), on the
 * test store: under test:redis, the shared Redis and a fresh key prefix, unless the settings say otherwise.
 */
export function brokerEnv(settings: Record<string, string>): Record<string, string> {
  // A generous command timeout: a loaded CI machine can take seconds to move a 30 MB answer.
  const redis = { BROKER_STORE: 'redis', REDIS_URL: testRedisUrl!, REDIS_KEY__PREFIX: uniqueKeyPrefix(), REDIS_COMMAND__TIMEOUT__MS: '10000' };
  const onStore = testRedisUrl ? { ...redis, ...settings } : settings;
  return Object.fromEntries(Object.entries(onStore).map(([name, value]) => [`GOPHERMQ_${name}`, value]));
}

/** `it` for a test about the in-memory store itself; skipped under `npm run test:redis`. */
export const itOnMemory: jest.It = testStore === 'memory' ? it : it.skip;
