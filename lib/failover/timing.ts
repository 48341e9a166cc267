import { FAILOVER_SWITCH_ALARM } from '../contract/failover-switch';

/**
 * The resilience model of the DNS failover path: how long Route 53 takes to notice, how long the
 * failover switch takes, how long resolvers keep the old answer, and how those add up to an RTO.
 *
 * Pure functions and constants only (no I/O, no clock), so the synth-time budget (./rto-budget.ts),
 * the Wallet rule RtoBudgetFits, the drill (its plan, its simulated AWS and its Monte Carlo) and the
 * resilience report share one arithmetic: Route 53 facts, the assumptions, the statistics and the
 * RTO terms live here and nowhere else. The simulator interface the report runs is ./rto-simulator.ts. Facts from AWS
 * documentation are marked as such; everything else is an ASSUMPTION, named, with its default in
 * {@link DEFAULT_ASSUMPTIONS}, and printed in every report that uses it.
 */

/**
 * Route 53 considers an endpoint healthy while MORE than 18% of its health checkers report it
 * healthy, and unhealthy at 18% or less (Route 53 Developer Guide, "How Amazon Route 53 determines
 * whether a health check is healthy").
 */
export const ROUTE53_HEALTHY_CHECKER_FRACTION = 0.18;

/** Route 53's verdict for an endpoint check from its checkers' current reports (the 18% rule). */
export function route53EndpointHealthy(healthyCheckers: number, totalCheckers: number): boolean {
  if (totalCheckers <= 0) return false;
  return healthyCheckers / totalCheckers > ROUTE53_HEALTHY_CHECKER_FRACTION;
}

/** How many of `totalCheckers` must report unhealthy before Route 53 calls the endpoint unhealthy. */
export function checkersNeededToFail(totalCheckers: number): number {
  for (let unhealthy = 0; unhealthy <= totalCheckers; unhealthy++) {
    if (!route53EndpointHealthy(totalCheckers - unhealthy, totalCheckers)) return unhealthy;
  }
  return totalCheckers;
}

/** A range of seconds. */
export interface SecondsRange {
  readonly min: number;
  readonly max: number;
}

/**
 * What the model assumes where AWS publishes no number. Each is a parameter of the simulated AWS
 * and of the Monte Carlo estimate; change them with care and say why.
 */
export interface ModelAssumptions {
  /**
   * Health checkers per checker region. ASSUMPTION: GetHealthCheckStatus typically lists about two
   * observations per selected region.
   */
  readonly checkersPerRegion: number;
  /**
   * Each checker's requests drift by up to this many seconds either way. FACT (qualitative): Route 53
   * checkers "don't coordinate with one another"; the size is an ASSUMPTION.
   */
  readonly checkJitterSeconds: number;
  /** ASSUMPTION: time for a health-check status change to reach Route 53's DNS answers. */
  readonly propagationSeconds: SecondsRange;
  /**
   * ASSUMPTION: delay after a CloudWatch period closes before the alarm (and Route 53, which reads the
   * same metric stream) evaluates it.
   */
  readonly alarmEvaluationDelaySeconds: SecondsRange;
  /** ASSUMPTION: how long one canary run takes before it reports. */
  readonly canaryRunSeconds: number;
}

export const DEFAULT_ASSUMPTIONS: ModelAssumptions = {
  checkersPerRegion: 2,
  checkJitterSeconds: 1,
  propagationSeconds: { min: 0, max: 5 },
  alarmEvaluationDelaySeconds: { min: 0, max: 15 },
  canaryRunSeconds: 5,
};

/** The settings of one environment that the model depends on. */
export interface ResilienceSettings {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly ttlSeconds: number;
  readonly checkerRegions: number;
  /** Seconds between canary runs (from `canary.schedule`). */
  readonly canaryPeriodSeconds: number;
  /** The switch alarm's period x evaluation periods. @default from the switch contract */
  readonly switchPeriodSeconds?: number;
}

const switchPeriod = (s: ResilienceSettings): number =>
  s.switchPeriodSeconds ?? FAILOVER_SWITCH_ALARM.periodSeconds * FAILOVER_SWITCH_ALARM.evaluationPeriods;

/** One term of an RTO sum, with its best and worst case in seconds. */
export interface RtoTerm {
  readonly name: string;
  readonly bestSeconds: number;
  readonly worstSeconds: number;
  readonly why: string;
}

/** An RTO estimate for one failover path: its terms and their sums. */
export interface RtoEstimate {
  readonly path: 'unplanned' | 'planned';
  readonly terms: readonly RtoTerm[];
  readonly bestSeconds: number;
  readonly worstSeconds: number;
  /** The worst-case sum written out. */
  readonly arithmetic: string;
}

/**
 * Endpoint detection: from the moment the endpoint fails until Route 53 calls it unhealthy. Each
 * checker needs `threshold` consecutive failed requests, `interval` apart; its first failed request
 * comes up to one interval (plus jitter) after the failure.
 */
export function endpointDetection(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoTerm {
  const best = Math.max(0, (s.failureThreshold - 1) * s.intervalSeconds - a.checkJitterSeconds);
  const worst = s.failureThreshold * s.intervalSeconds + 2 * a.checkJitterSeconds;
  return {
    name: 'endpoint detection',
    bestSeconds: best,
    worstSeconds: worst,
    why: `${s.failureThreshold} consecutive failed checks ${s.intervalSeconds} s apart at more than ${Math.round(
      (1 - ROUTE53_HEALTHY_CHECKER_FRACTION) * 100,
    )}% of checkers (jitter ${a.checkJitterSeconds} s)`,
  };
}

/**
 * Switch detection: from the PutMetricData until the switch alarm's period closes and is evaluated.
 * The data point lands in the current period; it counts once that period closes.
 */
export function switchDetection(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoTerm {
  const period = switchPeriod(s);
  return {
    name: 'switch detection',
    bestSeconds: a.alarmEvaluationDelaySeconds.min,
    worstSeconds: period + a.alarmEvaluationDelaySeconds.max,
    why: `the data point's ${period} s period must close, then the alarm is evaluated (${a.alarmEvaluationDelaySeconds.min}-${a.alarmEvaluationDelaySeconds.max} s)`,
  };
}

export function propagation(a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoTerm {
  return {
    name: 'propagation to DNS',
    bestSeconds: a.propagationSeconds.min,
    worstSeconds: a.propagationSeconds.max,
    why: 'Route 53 health status reaching its name servers (assumption)',
  };
}

/** Resolvers that cached the old answer keep it for up to the TTL. */
export function dnsCache(s: ResilienceSettings): RtoTerm {
  return {
    name: 'resolver cache',
    bestSeconds: 0,
    worstSeconds: s.ttlSeconds,
    why: `resolvers keep the old answer for up to the record TTL (${s.ttlSeconds} s)`,
  };
}

/** The canary sees the cut-over at its next run: a measurement delay, not part of the RTO. */
export function canaryObservation(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoTerm {
  return {
    name: 'canary observation',
    bestSeconds: a.canaryRunSeconds,
    worstSeconds: s.canaryPeriodSeconds + a.canaryRunSeconds,
    why: `the next canary run (every ${s.canaryPeriodSeconds} s, ${a.canaryRunSeconds} s each)`,
  };
}

function estimate(path: RtoEstimate['path'], terms: RtoTerm[]): RtoEstimate {
  const bestSeconds = terms.reduce((sum, t) => sum + t.bestSeconds, 0);
  const worstSeconds = terms.reduce((sum, t) => sum + t.worstSeconds, 0);
  return {
    path,
    terms,
    bestSeconds,
    worstSeconds,
    arithmetic: `${terms.map((t) => `${t.name} ${round(t.worstSeconds)} s`).join(' + ')} = ${round(worstSeconds)} s`,
  };
}

/** Unplanned failover: the primary fails and Route 53's endpoint checks find it. */
export function unplannedRto(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoEstimate {
  return estimate('unplanned', [endpointDetection(s, a), propagation(a), dnsCache(s)]);
}

/** Planned failover (a drill, or an operator's decision): the failover switch is thrown. */
export function plannedRto(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoEstimate {
  return estimate('planned', [switchDetection(s, a), propagation(a), dnsCache(s)]);
}

/** Percentiles and extremes of a sample. */
export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending-sorted sample. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile: the sample is empty');
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((x, y) => x - y);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    count: sorted.length,
    min: round(sorted[0]),
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

export const round = (v: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
