const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

/**
 * CDK suites (`*.suite.ts`) normally run inside the two aggregates (test/cdk-constructs.test.ts,
 * test/cdk-app.test.ts; see test/helpers/suites.ts for why). When the command line names a suite
 * file or a folder under test/, jest also collects `*.suite.ts` as test files, so
 * `npx jest test/constructs/wallet-alarms.suite.ts` runs exactly that suite and
 * `npx jest test/constructs` runs every file in that folder; the aggregates are then left out so no
 * suite runs twice. A plain `npm test` is unchanged.
 */
function namesSuites(arg) {
  if (arg.startsWith('-')) return false;
  if (/\.suite(\.ts)?$/.test(arg)) return true;
  const abs = path.resolve(arg);
  const testRoot = path.join(__dirname, 'test');
  return abs.startsWith(testRoot + path.sep) && existsSync(abs) && statSync(abs).isDirectory();
}
const suitesTargeted = process.argv.slice(2).some(namesSuites);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: suitesTargeted ? ['**/*.test.ts', '**/*.suite.ts'] : ['**/*.test.ts'],
  testPathIgnorePatterns: suitesTargeted
    ? ['/node_modules/', '<rootDir>/test/cdk-(app|constructs)\\.test\\.ts$']
    : ['/node_modules/'],
  // esbuild, not ts-jest: the same CommonJS output for about a twentieth of the transform's CPU (see
  // test/helpers/esbuild-transform.js); `npm run typecheck` does the type checking.
  transform: suitesTargeted
    ? {
        '^.+\\.suite\\.ts$': ['<rootDir>/test/helpers/suite-transform.js', { tsconfig: 'tsconfig.json' }],
        '^.+\\.ts$': ['<rootDir>/test/helpers/esbuild-transform.js', { tsconfig: 'tsconfig.json' }],
      }
    : { '^.+\\.ts$': ['<rootDir>/test/helpers/esbuild-transform.js', { tsconfig: 'tsconfig.json' }] },
  ...(suitesTargeted ? { snapshotResolver: '<rootDir>/test/helpers/suite-snapshot-resolver.js' } : {}),
  snapshotSerializers: ['<rootDir>/test/helpers/asset-hash-serializer.ts'],
  // Removes each test file's temp dirs. Files that use the SDK mock matchers import
  // aws-sdk-client-mock-jest themselves (loading it everywhere cost 45 ms per file).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanup.ts'],
  // One moto_server for every integration suite (test/helpers/moto.ts, sharedMoto).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // On a cold cache (CI) the two CDK aggregates start first instead of last (test/helpers/sequencer.js).
  testSequencer: '<rootDir>/test/helpers/sequencer.js',
  // CDK synthesis is CPU-bound; one worker per core.
  maxWorkers: 2,
  testTimeout: 60000,
};
