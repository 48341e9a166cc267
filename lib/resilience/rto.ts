import { computeRtoBudget, RtoBudget } from '../failover/rto-budget';
import { createRng, Rng } from './random';

/**
 * RTO of the DNS failover path: the worst case (the same arithmetic as the synth-time budget in
 * lib/failover/rto-budget.ts, fed from the templates instead of the config) and simulated
 * percentiles behind a small interface, so the drill's Monte Carlo model can replace ours.
 */

/** The timing settings of one environment, as read from its templates. */
export interface FailoverTimingParams {
  /** Route 53 endpoint check request interval (10 or 30 s). */
  readonly intervalSeconds: number;
  /** Consecutive failed requests before a checker reports unhealthy. */
  readonly failureThreshold: number;
  /** Checker regions the endpoint check uses. */
  readonly checkerRegions: number;
  /** Seconds resolvers may keep the old answer (record TTL). */
  readonly ttlSeconds: number;
  /** The failover switch alarm's period. */
  readonly switchPeriodSeconds: number;
  /** The failover switch alarm's evaluation periods (1 for a Route 53 alarm health check). */
  readonly switchEvaluationPeriods: number;
  /**
   * Seconds between canary runs (the slowest canary), or null without canaries. Not part of the RTO
   * (a canary observes the cut-over, it does not cause it); a model may use it for "standby canary
   * green", as the drill's does.
   */
  readonly canaryPeriodSeconds: number | null;
}

/**
 * - `budget`: the synth-time budget's path: a failure found with endpoint-check timing, then the
 *   switch thrown, then resolver caches expire (both detection delays apply).
 * - `unplanned`: the primary stops answering; Route 53's endpoint checks find it.
 * - `planned`: an operator or the drill throws the switch.
 */
export type FailoverPath = 'budget' | 'unplanned' | 'planned';
export const FAILOVER_PATHS: readonly FailoverPath[] = ['budget', 'unplanned', 'planned'];

export interface RtoPercentiles {
  readonly runs: number;
  readonly seed: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Anything that turns timing settings into RTO percentiles (ours, or the drill's model). */
export interface RtoSimulator {
  /** Shown in the report next to the figures. */
  readonly name: string;
  /** Every assumption the model makes, printed in the report. */
  readonly assumptions: readonly string[];
  /** Worst case the model can produce beyond the template arithmetic, in seconds, for a path. */
  allowanceSeconds(params: FailoverTimingParams, path: FailoverPath): number;
  simulate(params: FailoverTimingParams, path: FailoverPath, runs: number, seed: number): RtoPercentiles;
}

/** What our Monte Carlo assumes where AWS publishes no number (aligned with the drill's defaults). */
export interface MonteCarloAssumptions {
  /** Health checkers per checker region. */
  readonly checkersPerRegion: number;
  /** Each checker's request may drift this many seconds either way. */
  readonly checkJitterSeconds: number;
  /** Health-status change reaching Route 53's DNS answers. */
  readonly propagationSeconds: { readonly min: number; readonly max: number };
  /** Delay after a CloudWatch period closes before the alarm (and Route 53) evaluates it. */
  readonly alarmEvaluationDelaySeconds: { readonly min: number; readonly max: number };
}

export const DEFAULT_MONTE_CARLO: MonteCarloAssumptions = {
  checkersPerRegion: 2,
  checkJitterSeconds: 1,
  propagationSeconds: { min: 0, max: 5 },
  alarmEvaluationDelaySeconds: { min: 0, max: 15 },
};

/** Route 53 calls an endpoint healthy while MORE than 18% of its checkers report it healthy. */
export const ROUTE53_HEALTHY_FRACTION = 0.18;

/** How many of `n` checkers must report unhealthy before Route 53 calls the endpoint unhealthy. */
export function checkersNeededToFail(n: number): number {
  for (let unhealthy = 0; unhealthy <= n; unhealthy++) {
    if ((n - unhealthy) / n <= ROUTE53_HEALTHY_FRACTION) return unhealthy;
  }
  return n;
}

/**
 * Our Monte Carlo model. Per run: the failure (or the switch) happens at a uniformly random moment;
 * each checker has a random phase in its interval plus jitter and flips after `threshold` failed
 * requests; Route 53 flips when enough checkers have (18% rule); the switch's data point waits for
 * its period to close plus an evaluation delay; the status change propagates; and each client's
 * resolver holds the old answer for the rest of its TTL (uniform over the TTL).
 */
export function monteCarloSimulator(a: MonteCarloAssumptions = DEFAULT_MONTE_CARLO): RtoSimulator {
  const endpoint = (p: FailoverTimingParams, rng: Rng): number => {
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
  const uniform = (r: { min: number; max: number }, rng: Rng) => r.min + (r.max - r.min) * rng();
  const switchDelay = (p: FailoverTimingParams, rng: Rng): number =>
    (1 - rng()) * p.switchPeriodSeconds +
    (p.switchEvaluationPeriods - 1) * p.switchPeriodSeconds +
    uniform(a.alarmEvaluationDelaySeconds, rng);
  const one = (p: FailoverTimingParams, path: FailoverPath, rng: Rng): number => {
    const detect =
      path === 'unplanned'
        ? endpoint(p, rng)
        : path === 'planned'
          ? switchDelay(p, rng)
          : endpoint(p, rng) + switchDelay(p, rng);
    return detect + uniform(a.propagationSeconds, rng) + rng() * p.ttlSeconds;
  };
  return {
    name: 'resilience-report Monte Carlo (lib/resilience/rto.ts)',
    assumptions: [
      `${a.checkersPerRegion} health checkers per checker region, each with a random phase and up to ±${a.checkJitterSeconds} s jitter per request`,
      `Route 53 marks the endpoint unhealthy once ${Math.round((1 - ROUTE53_HEALTHY_FRACTION) * 100)}% or more of checkers do (the 18% rule)`,
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
      const rng = createRng(seed);
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

/** Nearest-rank percentile of an ascending sample. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (v: number): number => Math.round(v * 10) / 10;

/** The worst case of each path, from the template settings alone (no model allowances). */
export interface WorstCases {
  /** The synth-time budget's arithmetic (endpoint detection + switch + TTL). */
  readonly budget: RtoBudget;
  readonly unplannedSeconds: number;
  readonly plannedSeconds: number;
}

export function worstCases(p: FailoverTimingParams, rtoTargetSeconds: number): WorstCases {
  const switchSeconds = p.switchPeriodSeconds * p.switchEvaluationPeriods;
  return {
    budget: computeRtoBudget({
      intervalSeconds: p.intervalSeconds,
      failureThreshold: p.failureThreshold,
      ttlSeconds: p.ttlSeconds,
      rtoTargetSeconds,
      switchDetectionSeconds: switchSeconds,
    }),
    unplannedSeconds: p.intervalSeconds * p.failureThreshold + p.ttlSeconds,
    plannedSeconds: switchSeconds + p.ttlSeconds,
  };
}
