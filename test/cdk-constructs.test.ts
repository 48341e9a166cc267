import { isConstructSuite, runSuites } from './helpers/suites';

// The construct suites (test/constructs/*.suite.ts) in one module registry; see test/helpers/suites.ts.
runSuites(isConstructSuite);
