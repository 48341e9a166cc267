import { removeTrackedTempDirs } from './temp-dirs';

// setupFilesAfterEnv: at the root of every test file, so a suite file run inside an aggregate
// (test/helpers/suites.ts) cannot scope the cleanup to its own describe block.
afterAll(removeTrackedTempDirs);
