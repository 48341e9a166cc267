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

/**
 * Which failover record Route 53 answers with, from the two records' health. Route 53 API Reference,
 * ResourceRecordSet, Failover: "When the primary resource record set is healthy, Route 53 responds to
 * DNS queries with the applicable value from the primary resource record set regardless of the health
 * of the secondary resource record set. When the primary resource record set is unhealthy and the
 * secondary resource record set is healthy, Route 53 responds to DNS queries with the applicable value
 * from the secondary resource record set. When the secondary resource record set is unhealthy, Route 53
 * responds to DNS queries with the applicable value from the primary resource record set regardless of
 * the health of the primary resource record set." Both unhealthy therefore answers the PRIMARY, which is
 * why the secondary's check must not follow the lease and why `bothRegionsUnhealthy` pages a human.
 */
export function failoverAnswer(records: {
  readonly primaryHealthy: boolean;
  readonly secondaryHealthy: boolean;
}): 'primary' | 'standby' {
  if (records.primaryHealthy) return 'primary';
  return records.secondaryHealthy ? 'standby' : 'primary';
}

/**
 * The PRIMARY record's CALCULATED check (health threshold: all children): healthy only while its
 * endpoint check (`/health`) is healthy AND its lease check (`/health?lease=held`: the primary's
 * replica shows the lease here) is healthy AND the switch is not thrown. Without the lease check
 * (`leaseHere` undefined) it is the endpoint AND the switch.
 */
export function primaryRecordHealthy(children: {
  readonly endpointHealthy: boolean;
  readonly leaseHere?: boolean;
  readonly switchNotThrown: boolean;
}): boolean {
  return children.endpointHealthy && (children.leaseHere ?? true) && children.switchNotThrown;
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
  /**
   * MREC only: how long a lease write in the standby takes to reach the primary's replica, where the
   * primary's `/health?lease=held` reads it. ASSUMPTION (DynamoDB documents no bound; its
   * ReplicationLatency is typically about a second). A longer lag (a partition) only slows the lease
   * path: the planned failover then waits for the switch, which the model also counts (the min of both).
   * Under MRSC the health endpoint's strongly consistent read sees the move at once, or fails (and a
   * failed lease read answers unhealthy), so the lag is 0.
   */
  readonly mrecLeaseLagSeconds: SecondsRange;
  /**
   * The transient failures the false-failover estimate assumes: blips of the primary's `/health` (a cold
   * start behind a throttle, a DynamoDB or API Gateway 5xx burst, a lease read that times out) this long,
   * this many a month. ASSUMPTION: AWS publishes no blip rate; measure yours from the HealthCheckStatus
   * metric and the health function's errors, and pass them to `wallet-drill simulate --blip-seconds
   * --blips-per-month`.
   */
  readonly transientFailure: TransientFailure;
}

/** Transient failures of the primary's health endpoint: each lasts `seconds`, `perMonth` of them a month. */
export interface TransientFailure {
  readonly seconds: number;
  readonly perMonth: number;
}

export const DEFAULT_ASSUMPTIONS: ModelAssumptions = {
  checkersPerRegion: 2,
  checkJitterSeconds: 1,
  propagationSeconds: { min: 0, max: 5 },
  alarmEvaluationDelaySeconds: { min: 0, max: 15 },
  canaryRunSeconds: 5,
  mrecLeaseLagSeconds: { min: 0.3, max: 1.5 },
  transientFailure: { seconds: 12, perMonth: 2 },
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
  /**
   * The ledger's consistency: under MREC the lease path waits for the lease to replicate to the
   * primary ({@link ModelAssumptions.mrecLeaseLagSeconds}). @default 'MRSC'
   */
  readonly consistency?: 'MRSC' | 'MREC';
  /**
   * The primary record's endpoint check asks `/health?lease=held`, so moving the lease fails it
   * (lib/contract/health.ts PRIMARY_HEALTH_RESOURCE_PATH). @default true
   */
  readonly leaseFollowingCheck?: boolean;
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

/**
 * Lease detection (the planned path's fast half): the primary's `/health?lease=held` answers
 * unhealthy once its replica shows the lease elsewhere, and Route 53's endpoint checks find that like
 * any failure: the lease lag (MREC only) plus endpoint detection.
 */
export function leaseDetection(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoTerm {
  const endpoint = endpointDetection(s, a);
  const lag = s.consistency === 'MREC' ? a.mrecLeaseLagSeconds : { min: 0, max: 0 };
  return {
    name: 'lease detection',
    bestSeconds: lag.min + endpoint.bestSeconds,
    worstSeconds: lag.max + endpoint.worstSeconds,
    why:
      (s.consistency === 'MREC'
        ? `the lease reaches the primary's replica (${lag.min}-${lag.max} s, MREC), then `
        : "the primary's strongly consistent lease read sees the move at once (MRSC), then ") + endpoint.why,
  };
}

/**
 * Planned detection: the primary record's CALCULATED check needs BOTH children healthy, so it fails
 * on whichever child fails first: the lease-following endpoint check or the switch. The worst case of
 * the earlier of two is at most the smaller of their worst cases; without the lease-following check it
 * is the switch alone.
 */
export function plannedDetection(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoTerm {
  const sw = switchDetection(s, a);
  if (s.leaseFollowingCheck === false) return sw;
  const lease = leaseDetection(s, a);
  return {
    name: 'planned detection',
    bestSeconds: Math.min(sw.bestSeconds, lease.bestSeconds),
    worstSeconds: Math.min(sw.worstSeconds, lease.worstSeconds),
    why: `the earlier of lease detection (${lease.why}) and switch detection (${sw.why})`,
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

/**
 * Planned failover (a drill, or an operator's decision): the lease moves and the failover switch is
 * thrown; the primary record fails on whichever Route 53 sees first ({@link plannedDetection}).
 */
export function plannedRto(s: ResilienceSettings, a: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoEstimate {
  return estimate('planned', [plannedDetection(s, a), propagation(a), dnsCache(s)]);
}

/** What the false-failover estimate needs of the endpoint checks. */
export interface CheckerSettings {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  /** Health checkers in all (checker regions x checkers per region). */
  readonly checkers: number;
}

/** The chance that transient failures fail the primary over although it recovers by itself. */
export interface FalseFailoverEstimate {
  readonly transient: TransientFailure;
  /** One checker sees `threshold` consecutive failures during one blip. */
  readonly perCheckerProbability: number;
  /** Enough checkers do (the 18% rule) during one blip: Route 53 calls the primary unhealthy. */
  readonly perBlipProbability: number;
  /** Expected false failovers a month. */
  readonly expectedPerMonth: number;
  /** At least one false failover in a month (blips arrive as a Poisson process). */
  readonly perMonthProbability: number;
  readonly why: string;
}

/**
 * The probability of a false failover per month from transient failures of the primary's health
 * endpoint, `transient.seconds` long, `transient.perMonth` a month.
 *
 * A checker whose requests are `interval` apart at a uniformly random phase (Route 53's checkers "don't
 * coordinate with one another") makes at least `threshold` requests inside a blip of length L with
 * probability clamp((L - (threshold - 1) x interval) / interval, 0, 1); checkers are independent. Route 53
 * calls the endpoint unhealthy when {@link checkersNeededToFail} of them do (the 18% rule), so a blip fails
 * over with the binomial tail P(X >= need), X ~ Bin(checkers, p). Blips are a Poisson process, so a month
 * sees at least one false failover with probability 1 - exp(-rate x P). Jitter (about a second) is ignored.
 */
export function falseFailoverProbability(
  s: CheckerSettings,
  transient: TransientFailure = DEFAULT_ASSUMPTIONS.transientFailure,
): FalseFailoverEstimate {
  const problems: string[] = [];
  if (!(s.intervalSeconds > 0)) problems.push(`intervalSeconds must be > 0; received ${s.intervalSeconds}`);
  if (!Number.isInteger(s.failureThreshold) || s.failureThreshold < 1) {
    problems.push(`failureThreshold must be a whole number >= 1; received ${s.failureThreshold}`);
  }
  if (!Number.isInteger(s.checkers) || s.checkers < 1) {
    problems.push(`checkers must be a whole number >= 1; received ${s.checkers}`);
  }
  if (!(transient.seconds >= 0)) problems.push(`transient seconds must be >= 0; received ${transient.seconds}`);
  if (!(transient.perMonth >= 0)) problems.push(`transient perMonth must be >= 0; received ${transient.perMonth}`);
  if (problems.length > 0) throw new Error(`falseFailoverProbability: ${problems.join('; ')}.`);
  const p = Math.min(
    1,
    Math.max(0, (transient.seconds - (s.failureThreshold - 1) * s.intervalSeconds) / s.intervalSeconds),
  );
  const need = checkersNeededToFail(s.checkers);
  let perBlip = 0;
  for (let k = need; k <= s.checkers; k++) perBlip += binomial(s.checkers, k) * p ** k * (1 - p) ** (s.checkers - k);
  const expectedPerMonth = transient.perMonth * perBlip;
  return {
    transient,
    perCheckerProbability: p,
    perBlipProbability: perBlip,
    expectedPerMonth,
    perMonthProbability: 1 - Math.exp(-expectedPerMonth),
    why:
      `${transient.perMonth} blips/month of ${transient.seconds} s; a checker fails one with p = ${round(p, 3)} ` +
      `(${s.failureThreshold} requests ${s.intervalSeconds} s apart inside it); ${need} of ${s.checkers} checkers must`,
  };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
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
