import * as path from 'node:path';

/**
 * The run order (test/helpers/sequencer.js): with no timings (a cold cache, as in CI) the two CDK
 * aggregates start first, weighed by the suites they load; with timings, or after a failure, jest's
 * own rules decide.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WalletSequencer = require('../helpers/sequencer') as new (o: object) => {
  sort(tests: FakeTest[]): FakeTest[];
};

interface FakeTest {
  path: string;
  duration?: number;
  context: { config: { cache: boolean }; hasteFS: { getSize(p: string): number } };
}

const TEST = path.join(__dirname, '..');
const SIZES: Record<string, number> = {
  [path.join(TEST, 'cdk-app.test.ts')]: 400,
  [path.join(TEST, 'cdk-constructs.test.ts')]: 380,
  [path.join(TEST, 'config', 'validate.test.ts')]: 30_000,
  [path.join(TEST, 'drill', 'cli.test.ts')]: 20_000,
  [path.join(TEST, 'contract', 'policy.test.ts')]: 2_000,
};
// config.cache false: the sequencer reads no timing file, as on a fresh clone.
const context = { config: { cache: false }, hasteFS: { getSize: (p: string) => SIZES[p] } };
const tests = (): FakeTest[] => Object.keys(SIZES).map((p) => ({ path: p, context }));
const names = (ts: FakeTest[]) => ts.map((t) => path.relative(TEST, t.path).split(path.sep).join('/'));

/** A sequencer whose timing cache holds these [failed?, seconds] entries (jest's own format). */
function withTimings(entries: Record<string, [0 | 1, number]>) {
  const seq = new WalletSequencer({});
  const cache = Object.fromEntries(Object.entries(entries).map(([k, v]) => [path.join(TEST, k), v]));
  (seq as unknown as { _cache: Map<unknown, unknown> })._cache.set(context, cache);
  return seq;
}

test('no timings: the two aggregates run first (they weigh their suites), then the rest by size', () => {
  const order = names(new WalletSequencer({}).sort(tests()));
  expect(order).toEqual([
    expect.stringMatching(/^cdk-(app|constructs)\.test\.ts$/),
    expect.stringMatching(/^cdk-(app|constructs)\.test\.ts$/),
    'config/validate.test.ts',
    'drill/cli.test.ts',
    'contract/policy.test.ts',
  ]);
});

test('with timings: slowest first, as jest does (the aggregates are not forced ahead of a slower file)', () => {
  const seq = withTimings({
    'cdk-app.test.ts': [1, 50],
    'cdk-constructs.test.ts': [1, 40],
    'config/validate.test.ts': [1, 60],
    'drill/cli.test.ts': [1, 5],
    'contract/policy.test.ts': [1, 1],
  });
  expect(names(seq.sort(tests()))).toEqual([
    'config/validate.test.ts',
    'cdk-app.test.ts',
    'cdk-constructs.test.ts',
    'drill/cli.test.ts',
    'contract/policy.test.ts',
  ]);
});

test('a file that failed last time runs first, ahead of the aggregates', () => {
  const seq = withTimings({ 'contract/policy.test.ts': [0, 1] });
  expect(names(seq.sort(tests()))[0]).toBe('contract/policy.test.ts');
});
