/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/support/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {}],
    // NestJS 12 ships ES modules only; see scripts/jest-esm-transform.js.
    '^.+\\.js$': '<rootDir>/scripts/jest-esm-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@standard-schema)/)'],
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Every exchange of the in-process test apps is checked against the OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/test/support/contract-setup.ts'],
  testTimeout: 60000,
};
