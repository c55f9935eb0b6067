// Unit and e2e tests (`npm test`); jest.integration.config.mjs reuses this for the Prometheus tests.
const [major, minor] = process.versions.node.split('.').map(Number);

// Jest on Node 20 cannot require() an ES module, and two CommonJS packages we load do so
// (@fastify/static -> content-disposition, light-my-request -> cookie): ts-jest compiles those two
// to CommonJS. Jest 30 on Node 24.9+ loads such modules natively, and the compiled copies break it.
const compilesEsmDependencies = major < 24 || (major === 24 && minor < 9);
const esmDependencies = 'content-disposition|cookie';

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // The client's tests run its sources (the Node entry); test/client/package.e2e-spec.ts checks the built package.
  moduleNameMapper: { '^@gophermq/client$': '<rootDir>/client/src/node.ts', '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
    ...(compilesEsmDependencies && {
      [`^.+/node_modules/(${esmDependencies})/.+\\.js$`]: [
        'ts-jest',
        { useESM: false, tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', isolatedModules: true } },
      ],
    }),
  },
  transformIgnorePatterns: compilesEsmDependencies ? [`/node_modules/(?!(${esmDependencies})/)`] : ['/node_modules/'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // test/redis/ needs a redis-server: `npm run test:redis` (jest.redis.config.mjs) runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/redis/'],
  testTimeout: 20000,
};
