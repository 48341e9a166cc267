import { drillRtoSimulator } from '../../lib/drill/resilience-simulator';
import { FailoverTimingParams, worstCases } from '../../lib/failover/rto-simulator';
import { referenceMonteCarlo } from '../failover/reference-monte-carlo';

/**
 * The drill's model plugged into the resilience report's RtoSimulator interface (issue 9), checked
 * against the independently written reference Monte Carlo (test/failover/reference-monte-carlo.ts): two models of the same AWS
 * behaviour should agree.
 */
const example: FailoverTimingParams = {
  intervalSeconds: 10,
  failureThreshold: 3,
  checkerRegions: 3,
  ttlSeconds: 60,
  switchPeriodSeconds: 60,
  switchEvaluationPeriods: 1,
  canaryPeriodSeconds: 60,
};
const drill = drillRtoSimulator();
const report = referenceMonteCarlo();
const RUNS = 300;

test.each(['unplanned', 'planned'] as const)('%s: the two models agree on the median and the tail', (path) => {
  const ours = drill.simulate(example, path, RUNS, 3);
  const theirs = report.simulate(example, path, 2000, 3);
  expect(Math.abs(ours.p50 - theirs.p50)).toBeLessThan(8);
  expect(Math.abs(ours.p95 - theirs.p95)).toBeLessThan(10);
});

test.each(['budget', 'unplanned', 'planned'] as const)(
  '%s: every run within the template worst case plus the allowance',
  (path) => {
    const w = worstCases(example, 300);
    const worst =
      path === 'budget' ? w.budget.worstCaseSeconds : path === 'unplanned' ? w.unplannedSeconds : w.plannedSeconds;
    const r = drill.simulate(example, path, RUNS, 4);
    expect(r.runs).toBe(RUNS);
    expect(r.max).toBeLessThanOrEqual(worst + drill.allowanceSeconds(example, path));
    expect(r.min).toBeGreaterThan(0);
  },
);

test('the budget path is slower than either path alone', () => {
  const budget = drill.simulate(example, 'budget', 100, 5);
  expect(budget.p50).toBeGreaterThan(drill.simulate(example, 'planned', 100, 5).p50);
  expect(budget.p50).toBeGreaterThan(drill.simulate(example, 'unplanned', 100, 5).p50);
});

test('seeded: the same seed gives the same percentiles', () => {
  expect(drill.simulate(example, 'unplanned', 50, 9)).toEqual(drill.simulate(example, 'unplanned', 50, 9));
});

test('fails on a switch alarm the model does not have, naming it', () => {
  expect(() => drill.simulate({ ...example, switchPeriodSeconds: 300 }, 'planned', 10, 1)).toThrow(
    "drillRtoSimulator: the simulated switch alarm is the contract's (60 s, 1 period); received 300 s x 1.",
  );
});
