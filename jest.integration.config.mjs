// The Prometheus integration tests (`npm run test:integration`): the unit/e2e Jest setup, other files.
import base from './jest.config.mjs';

export default {
  ...base,
  testMatch: ['<rootDir>/test/integration/**/*.integration-spec.ts'],
  testTimeout: 60000,
};
