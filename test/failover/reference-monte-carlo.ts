import { createRng } from '../../lib/failover/random';
import {
  checkersNeededToFail,
  ModelAssumptions,
  percentile,
  round,
  ROUTE53_HEALTHY_CHECKER_FRACTION,
  DEFAULT_ASSUMPTIONS,
} from '../../lib/failover/timing';
import type { FailoverPath, FailoverTimingParams, RtoSimulator } from '../../lib/failover/rto-simulator';

/**
 * A REFERENCE model, for the cross-check test only (test/failover/rto-cross-check.test.ts): an
 * independently written Monte Carlo of the DNS failover path (written for the resilience report
 * before the drill's simulated AWS could serve it). The report runs the drill's model
 * (lib/drill/resilience-simulator.ts, wired in bin/resilience-report.ts); this one shares only the
 * Route 53 facts, assumptions and statistics of lib/failover/timing.ts, and its own arithmetic must
 * agree with the drill's within the stated allowances.
 */
/**
 * Our Monte Carlo model. Per run: the failure (or the switch) happens at a uniformly random moment;
 * each checker has a random phase in its interval plus jitter and flips after `threshold` failed
 * requests; Route 53 flips when enough checkers have (18% rule); the switch's data point waits for
 * its period to close plus an evaluation delay; the status change propagates; and each client's
 * resolver holds the old answer for the rest of its TTL (uniform over the TTL).
 */
export function referenceMonteCarlo(a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoSimulator {
  const endpoint = (p: FailoverTimingParams, rng: () => number): number => {
    const n = Math.max(1, p.checkerRegions * a.checkersPerRegion);
    const flips: number[] = [];
    for (let i = 0; i < n; i++) {
      const phase = rng() * p.intervalSeconds;
      const jitter = (rng() * 2 - 1) * a.checkJitterSeconds;
      flips.push(Math.max(0, phase + (p.failureThreshold - 1) * p.intervalSeconds + jitter));
    }
    flips.sort((x, y) => x - y);
    return flips[checkersNeededToFail(n) - 1];
  };
  const uniform = (r: { min: number; max: number }, rng: () => number) => r.min + (r.max - r.min) * rng();
  const switchDelay = (p: FailoverTimingParams, rng: () => number): number =>
    (1 - rng()) * p.switchPeriodSeconds +
    (p.switchEvaluationPeriods - 1) * p.switchPeriodSeconds +
    uniform(a.alarmEvaluationDelaySeconds, rng);
  const one = (p: FailoverTimingParams, path: FailoverPath, rng: () => number): number => {
    const detect =
      path === 'unplanned'
        ? endpoint(p, rng)
        : path === 'planned'
          ? switchDelay(p, rng)
          : endpoint(p, rng) + switchDelay(p, rng);
    return detect + uniform(a.propagationSeconds, rng) + rng() * p.ttlSeconds;
  };
  return {
    name: 'reference Monte Carlo (test/failover/reference-monte-carlo.ts)',
    assumptions: [
      `${a.checkersPerRegion} health checkers per checker region, each with a random phase and up to ±${a.checkJitterSeconds} s jitter per request`,
      `Route 53 marks the endpoint unhealthy once ${Math.round((1 - ROUTE53_HEALTHY_CHECKER_FRACTION) * 100)}% or more of checkers do (the 18% rule)`,
      `the switch's data point counts once its alarm period closes, then ${a.alarmEvaluationDelaySeconds.min}-${a.alarmEvaluationDelaySeconds.max} s until the alarm is evaluated`,
      `${a.propagationSeconds.min}-${a.propagationSeconds.max} s for a health-status change to reach Route 53's answers`,
      "each client's resolver cached the old answer at a uniformly random moment, so it keeps it for 0 to TTL seconds",
    ],
    allowanceSeconds(_p, path) {
      const detection =
        path === 'unplanned'
          ? a.checkJitterSeconds
          : path === 'planned'
            ? a.alarmEvaluationDelaySeconds.max
            : a.checkJitterSeconds + a.alarmEvaluationDelaySeconds.max;
      return detection + a.propagationSeconds.max;
    },
    simulate(p, path, runs, seed) {
      if (!Number.isInteger(runs) || runs < 1)
        throw new Error(`runs must be a whole number of 1 or more; received ${runs}`);
      const rng = createRng(seed).next;
      const values: number[] = [];
      for (let i = 0; i < runs; i++) values.push(one(p, path, rng));
      values.sort((x, y) => x - y);
      return {
        runs,
        seed,
        min: round(values[0]),
        p50: round(percentile(values, 50)),
        p95: round(percentile(values, 95)),
        p99: round(percentile(values, 99)),
        max: round(values[values.length - 1]),
      };
    },
  };
}
