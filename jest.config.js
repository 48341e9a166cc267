/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  snapshotSerializers: ['<rootDir>/test/helpers/asset-hash-serializer.ts'],
  // Removes each test file's temp dirs. Files that use the SDK mock matchers import
  // aws-sdk-client-mock-jest themselves (loading it everywhere cost 45 ms per file).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanup.ts'],
  // One moto_server for every integration suite (test/helpers/moto.ts, sharedMoto).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // CDK synthesis is CPU-bound; one worker per core.
  maxWorkers: 2,
  testTimeout: 60000,
};
