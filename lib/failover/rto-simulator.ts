import { computeRtoBudget, RtoBudget } from './rto-budget';

/**
 * The interface the resilience report runs a failover-timing model through (the drill's simulated
 * AWS, lib/drill/resilience-simulator.ts, wired in bin/resilience-report.ts), and the worst case of
 * each path from the template settings alone: the same arithmetic as the synth-time budget
 * (./rto-budget.ts), fed from the templates instead of the config.
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
  /**
   * The primary record's endpoint check asks `/health?lease=held` (its ResourcePath), so a planned
   * failover that moves the lease fails the primary by endpoint detection, whichever comes first of
   * that and the switch. @default false (the planned path waits for the switch)
   */
  readonly leaseFollowingCheck?: boolean;
}

/**
 * - `budget`: the synth-time budget's path: a failure found with endpoint-check timing, then the
 *   switch thrown, then resolver caches expire (both detection delays apply).
 * - `unplanned`: the primary stops answering; Route 53's endpoint checks find it.
 * - `planned`: an operator or the drill moves the lease and throws the switch.
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

/** Anything that turns timing settings into RTO percentiles (the drill's simulated AWS, or the reference model in test/). */
export interface RtoSimulator {
  /** Shown in the report next to the figures. */
  readonly name: string;
  /** Every assumption the model makes, printed in the report. */
  readonly assumptions: readonly string[];
  /** Worst case the model can produce beyond the template arithmetic, in seconds, for a path. */
  allowanceSeconds(params: FailoverTimingParams, path: FailoverPath): number;
  simulate(params: FailoverTimingParams, path: FailoverPath, runs: number, seed: number): RtoPercentiles;
}

/** The worst case of each path, from the template settings alone (no model allowances). */
export interface WorstCases {
  /** The synth-time budget's arithmetic (endpoint detection + switch + TTL). */
  readonly budget: RtoBudget;
  readonly unplannedSeconds: number;
  readonly plannedSeconds: number;
}

export function worstCases(p: FailoverTimingParams, rtoTargetSeconds: number): WorstCases {
  const budget = computeRtoBudget({
    intervalSeconds: p.intervalSeconds,
    failureThreshold: p.failureThreshold,
    ttlSeconds: p.ttlSeconds,
    rtoTargetSeconds,
    switchDetectionSeconds: p.switchPeriodSeconds * p.switchEvaluationPeriods,
  });
  return {
    budget,
    unplannedSeconds: budget.endpointDetectionSeconds + budget.dnsCacheSeconds,
    // The earlier of the two children of the CALCULATED check (lib/failover/timing.ts plannedDetection).
    plannedSeconds:
      (p.leaseFollowingCheck === true
        ? Math.min(budget.switchDetectionSeconds, budget.endpointDetectionSeconds)
        : budget.switchDetectionSeconds) + budget.dnsCacheSeconds,
  };
}
