import { isConstructSuite, runSuites, suiteFiles } from './helpers/suites';

// Every other CDK suite (*.suite.ts outside test/constructs) in one module registry; see
// test/helpers/suites.ts.
runSuites((name) => !isConstructSuite(name));

test('the two aggregates run every suite file exactly once between them', () => {
  const files = suiteFiles();
  expect(files.length).toBeGreaterThanOrEqual(21);
  expect(files.filter(isConstructSuite).length + files.filter((n) => !isConstructSuite(n)).length).toBe(files.length);
});
