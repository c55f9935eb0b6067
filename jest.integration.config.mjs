// The Prometheus integration tests (`npm run test:integration`): the unit/e2e Jest setup, other files.
import { readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./jest.config.json', import.meta.url), 'utf8'));

export default {
  ...base,
  testMatch: ['<rootDir>/test/integration/**/*.integration-spec.ts'],
  testTimeout: 60000,
};
