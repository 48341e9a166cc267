/**
 * Service level objectives and their error-budget alerting: the SLOs, the multi-window multi-burn-rate
 * policy (Google SRE workbook, "Alerting on SLOs": page at 14.4x over 1 h and 5 min and at 6x over 6 h and
 * 30 min; ticket at 1x over 3 days and 6 h), the minimum-traffic guard, and every alarm name. Owned here and
 * imported by the CDK construct (lib/constructs/slo-alarms.ts) and the KPI report (lib/drill/kpi/).
 */

/** The SLOs of the public API, intake and signing. */
export const SLO_NAMES = ['api-availability', 'api-latency', 'intake-availability', 'time-to-sign'] as const;
export type SloName = (typeof SLO_NAMES)[number];

/** Where an SLO's good/bad events come from (the construct turns each into CloudWatch metrics). */
export type SloSource =
  /** API Gateway stage metrics: bad = 5XXError, total = Count. */
  | { readonly kind: 'api-errors'; readonly method?: { readonly resource: string; readonly httpMethod: string } }
  /** API Gateway stage Latency: bad = requests slower than the threshold (percentile rank), total = SampleCount. */
  | { readonly kind: 'api-latency'; readonly thresholdMs: number }
  /** The transaction canary's sign latency: bad = signings slower than the bound, total = SampleCount. */
  | { readonly kind: 'canary-sign-latency'; readonly thresholdMs: number };

export interface SloSpec {
  readonly name: SloName;
  readonly description: string;
  /** The fraction of good events promised over the SLO window (e.g. 0.999). */
  readonly objective: number;
  readonly source: SloSource;
  /**
   * The minimum-traffic guard: a window with fewer events than this burns nothing (a quiet hour with one
   * failed request out of two is not an outage). Per window, scaled by the window length (see {@link minEvents}).
   */
  readonly minEventsPerHour: number;
}

/** The public API's availability objective: also the SLA the risk forecast checks (lib/resilience/risk.ts). */
export const API_AVAILABILITY_OBJECTIVE = 0.999;

/** The SLO window: error budgets are spent and reported over 30 days. */
export const SLO_WINDOW_DAYS = 30;

/** Defaults; the latency and sign thresholds come from config (canary.maxLatencyMs, canary.signBoundMs). */
export function sloSpecs(opts: {
  readonly latencyThresholdMs: number;
  readonly signBoundMs: number;
}): readonly SloSpec[] {
  return [
    {
      name: 'api-availability',
      description: 'Requests to the public API that do not fail with a 5xx',
      objective: API_AVAILABILITY_OBJECTIVE,
      source: { kind: 'api-errors' },
      minEventsPerHour: 60,
    },
    {
      name: 'api-latency',
      description: `Requests to the public API answered within ${opts.latencyThresholdMs} ms`,
      objective: 0.99,
      source: { kind: 'api-latency', thresholdMs: opts.latencyThresholdMs },
      minEventsPerHour: 60,
    },
    {
      name: 'intake-availability',
      description: 'Transaction submissions (POST /v1/wallets/{walletId}/transactions) that do not fail with a 5xx',
      objective: 0.999,
      source: {
        kind: 'api-errors',
        method: { resource: '/v1/wallets/{walletId}/transactions', httpMethod: 'POST' },
      },
      minEventsPerHour: 12,
    },
    {
      name: 'time-to-sign',
      description: `Canary transactions signed within ${opts.signBoundMs} ms of submission`,
      objective: 0.99,
      source: { kind: 'canary-sign-latency', thresholdMs: opts.signBoundMs },
      // The canary signs about once a minute: below half of that the canary itself is not running.
      minEventsPerHour: 30,
    },
  ];
}

/** One burn-rate window: its length and its CloudWatch period (the whole window is one datapoint). */
export interface BurnWindow {
  readonly name: string;
  readonly seconds: number;
}

/** An alert: a long and a short window that must both burn at least `burnRate` times the budget rate. */
export interface BurnRateAlert {
  readonly severity: 'page' | 'ticket';
  readonly name: 'page-fast' | 'page-slow' | 'ticket';
  readonly burnRate: number;
  readonly long: BurnWindow;
  readonly short: BurnWindow;
}

const minutes = (m: number): number => m * 60;
const hours = (h: number): number => h * 3600;

/**
 * The Google SRE workbook's recommended policy for a 30-day SLO. 14.4x over 1 h spends 2 % of the budget;
 * 6x over 6 h spends 5 %; 1x over 3 days spends 10 %. The short window (1/12 of the long) makes the alert
 * reset soon after the burn stops.
 */
export const BURN_RATE_ALERTS: readonly BurnRateAlert[] = [
  {
    severity: 'page',
    name: 'page-fast',
    burnRate: 14.4,
    long: { name: '1h', seconds: hours(1) },
    short: { name: '5m', seconds: minutes(5) },
  },
  {
    severity: 'page',
    name: 'page-slow',
    burnRate: 6,
    long: { name: '6h', seconds: hours(6) },
    short: { name: '30m', seconds: minutes(30) },
  },
  {
    severity: 'ticket',
    name: 'ticket',
    burnRate: 1,
    long: { name: '3d', seconds: hours(72) },
    short: { name: '6h', seconds: hours(6) },
  },
];

/**
 * CloudWatch's limits on an alarm's evaluation range (PutMetricAlarm, Period): "An alarm's total current
 * evaluation period can be no longer than seven days, so Period multiplied by EvaluationPeriods can't be
 * more than 604,800 seconds. For alarms with a period of less than one hour (3,600 seconds), the total
 * evaluation period can't be longer than one day (86,400 seconds)." Every window here is one period
 * evaluated once, so the 3-day window (259,200 s, a period over an hour) is within the seven days.
 */
export const MAX_EVALUATION_SECONDS = 604800;
export const MAX_SUB_HOUR_EVALUATION_SECONDS = 86400;

/** Problems with a window as a CloudWatch alarm period (empty when CloudWatch accepts it). */
export function windowProblems(w: BurnWindow): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(w.seconds) || w.seconds < 60 || w.seconds % 60 !== 0) {
    problems.push(`window ${w.name} is ${w.seconds} s; a period must be a multiple of 60 s`);
  }
  const limit = w.seconds < 3600 ? MAX_SUB_HOUR_EVALUATION_SECONDS : MAX_EVALUATION_SECONDS;
  if (w.seconds > limit) {
    problems.push(`window ${w.name} is ${w.seconds} s; CloudWatch evaluates at most ${limit} s`);
  }
  return problems;
}

/** Problems with the alerting policy: a missing window, a short window not shorter, a burn rate that never fires. */
export function policyProblems(alerts: readonly BurnRateAlert[]): string[] {
  const problems: string[] = [];
  for (const expected of ['page-fast', 'page-slow', 'ticket'] as const) {
    if (!alerts.some((a) => a.name === expected)) problems.push(`the ${expected} alert is missing`);
  }
  for (const a of alerts) {
    if (a.long === undefined || a.short === undefined) {
      problems.push(`the ${a.name} alert needs a long and a short window`);
      continue;
    }
    problems.push(...windowProblems(a.long), ...windowProblems(a.short));
    if (a.short.seconds >= a.long.seconds) {
      problems.push(
        `the ${a.name} alert's short window (${a.short.name}) must be shorter than its long window (${a.long.name})`,
      );
    }
    if (!(a.burnRate > 0)) problems.push(`the ${a.name} alert's burn rate is ${a.burnRate}; it must be above 0`);
  }
  return problems;
}

/** The minimum events a window needs before it may burn: the hourly guard scaled by the window, at least 1. */
export const minEvents = (spec: SloSpec, window: BurnWindow): number =>
  Math.max(1, Math.ceil((spec.minEventsPerHour * window.seconds) / 3600));

/** The error budget: the fraction of events allowed to be bad. */
/** Rounded to 10 places, so 1 - 0.999 is written 0.001 in the alarm expression. */
export const errorBudget = (spec: SloSpec): number => Number((1 - spec.objective).toFixed(10));

/**
 * Burn rate of a window from its counts, with the minimum-traffic guard: the same rule the alarm's metric
 * math computes (`IF(total >= min, (bad / total) / budget, 0)`), for the KPI report and the simulated AWS.
 */
export function burnRate(spec: SloSpec, window: BurnWindow, bad: number, total: number): number {
  if (total < minEvents(spec, window) || total <= 0) return 0;
  return bad / total / errorBudget(spec);
}

/** Whether an alert fires: both its windows burn at least its rate. */
export const alertFires = (a: BurnRateAlert, longBurn: number, shortBurn: number): boolean =>
  longBurn >= a.burnRate && shortBurn >= a.burnRate;

/** Alarm names (regional: `<env>-wallet-<region>-slo-...`). */
export const sloWindowAlarmName = (
  envName: string,
  region: string,
  slo: SloName,
  alert: BurnRateAlert,
  w: 'long' | 'short',
): string => `${envName}-wallet-${region}-slo-${slo}-${alert.name}-${alert[w].name}`;
export const sloAlertAlarmName = (envName: string, region: string, slo: SloName, alert: BurnRateAlert): string =>
  `${envName}-wallet-${region}-slo-${slo}-${alert.name}`;
export const errorBudgetDashboardName = (envName: string, region: string): string =>
  `${envName}-wallet-${region}-error-budget`;
