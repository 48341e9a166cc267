const path = require('node:path');

/**
 * Used only when a suite is run by its path (see jest.config.js): a `*.suite.ts` file's snapshots
 * live in its aggregate's snapshot file (test/__snapshots__/cdk-app.test.ts.snap or
 * cdk-constructs.test.ts.snap), where `npm test` keeps them.
 */
const TEST_ROOT = path.join(__dirname, '..');
const SNAPSHOTS = path.join(TEST_ROOT, '__snapshots__');
const aggregateOf = (name) => (name.startsWith('constructs/') ? 'cdk-constructs' : 'cdk-app');

module.exports = {
  resolveSnapshotPath(testPath, extension) {
    if (testPath.endsWith('.suite.ts')) {
      const name = path.relative(TEST_ROOT, testPath).split(path.sep).join('/');
      return path.join(SNAPSHOTS, `${aggregateOf(name)}.test.ts${extension}`);
    }
    return path.join(path.dirname(testPath), '__snapshots__', `${path.basename(testPath)}${extension}`);
  },
  resolveTestPath(snapshotPath, extension) {
    return path.join(path.dirname(path.dirname(snapshotPath)), path.basename(snapshotPath, extension));
  },
  testPathForConsistencyCheck: path.join(TEST_ROOT, 'example.test.ts'),
};
