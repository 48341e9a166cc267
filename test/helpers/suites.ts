import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Runs `*.suite.ts` files inside one jest test file, each in a describe block named by its path.
 *
 * Why: every jest test file gets a fresh module registry, so each file that builds the CDK app pays
 * again for loading aws-cdk-lib and lib/ and for V8 warming up (about 1.3 s of a 1.8 s first build;
 * a second build in the same registry takes 0.45 s). The CDK suites run in two aggregates
 * (test/cdk-constructs.test.ts, test/cdk-app.test.ts) instead of one file each. Suites are found by
 * name, so a new `*.suite.ts` always runs; run one alone by its path,
 * `npx jest test/stacks/dns-stack.suite.ts` (jest.config.js then collects suites as test files,
 * wrapped in the same describe block, with the aggregate's snapshots).
 *
 * Two things an aggregate changes, guarded here: a `.only` in one suite would skip every other suite
 * of its aggregate (so runSuites refuses a suite that contains one), and the suites are loaded by
 * path, so jest's `--watch`, `-o` and `--findRelatedTests` do not see them: run the aggregates.
 */
const TEST_ROOT = path.join(__dirname, '..');

export function suiteFiles(): string[] {
  return (readdirSync(TEST_ROOT, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.suite.ts'))
    .map((f) =>
      f
        .split(path.sep)
        .join('/')
        .replace(/\.suite\.ts$/, ''),
    )
    .sort();
}

export function runSuites(include: (name: string) => boolean): string[] {
  const loaded: string[] = [];
  for (const name of suiteFiles().filter(include)) {
    const file = path.join(TEST_ROOT, `${name}.suite.ts`);
    const focused = readFileSync(file, 'utf8').match(/\b(describe|test|it)\.only\(/);
    if (focused !== null) {
      throw new Error(
        `${name}.suite.ts uses ${focused[1]}.only: in an aggregate that skips every other suite. ` +
          `Run one suite with \`npx jest test/${name}.suite.ts\` instead, and remove the .only.`,
      );
    }
    describe(name, () => {
      // Loading the suite registers its tests (and hooks) inside this describe block.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    });
    loaded.push(name);
  }
  return loaded;
}

/** The partition the two aggregates use: construct suites, and everything else. */
export const isConstructSuite = (name: string): boolean => name.startsWith('constructs/');
