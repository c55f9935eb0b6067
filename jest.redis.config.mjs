// The e2e suites again with `broker.store: redis` (`npm run test:redis`), on a redis-server of their own,
// and the suites about Redis itself (test/redis/): instances sharing a store, Redis down, Redis Cluster.
import base from './jest.config.mjs';

/** The e2e suites whose behaviour must not depend on the store (the rest are about files, docs or the CLI). */
const storeSuites = ['ack', 'admin', 'api', 'async-publish', 'consumer-controls', 'hostile-input', 'key-isolation', 'lean-fetch', 'limits', 'metrics', 'named-subscribers', 'push', 'retention', 'shutdown', 'stream', 'wildcards', 'wildcard-replay', 'client/consumer'];

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: [...storeSuites.map((suite) => `<rootDir>/test/${suite}.e2e-spec.ts`), '<rootDir>/test/redis/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/redis-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/redis-global-teardown.ts',
  testTimeout: 30000,
};
