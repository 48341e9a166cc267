import { isConstructSuite, runSuites, suiteFiles } from './helpers/suites';

// Every other CDK suite (*.suite.ts outside test/constructs) in one module registry; see
// test/helpers/suites.ts.
const loaded = runSuites((name) => !isConstructSuite(name));

test('this aggregate loaded every suite file outside test/constructs (the other aggregate runs those)', () => {
  expect(loaded).toEqual(suiteFiles().filter((n) => !n.startsWith('constructs/')));
  expect(loaded.length).toBeGreaterThanOrEqual(10);
});
