import { isConstructSuite, runSuites, suiteFiles } from './helpers/suites';

// The construct suites (test/constructs/*.suite.ts) in one module registry; see test/helpers/suites.ts.
const loaded = runSuites(isConstructSuite);

test('this aggregate loaded every construct suite file (test/constructs/*.suite.ts)', () => {
  expect(loaded).toEqual(suiteFiles().filter((n) => n.startsWith('constructs/')));
  expect(loaded.length).toBeGreaterThanOrEqual(12);
});
