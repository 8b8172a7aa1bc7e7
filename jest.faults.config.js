/**
 * `npm run test:faults`: scripts that start real service processes (and their own PostgreSQL and
 * Redis where they stop them), break something, and assert on the database afterwards. One at a
 * time: they measure recovery, and two cores shared between them would blur every timing.
 */
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {}],
    // NestJS 12 ships ES modules only; see scripts/jest-esm-transform.js.
    '^.+\\.js$': '<rootDir>/scripts/jest-esm-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@standard-schema)/)'],
  testEnvironment: 'node',
  testTimeout: 300000,
  maxWorkers: 1,
};
