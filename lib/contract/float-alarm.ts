import type { AlarmEvaluation } from './alarms';

/**
 * The `float-above-ceiling` alarm's evaluation (issue 21): pure arithmetic from the sweeper's interval,
 * owned here because two sides need it. The construct renders the alarm with it
 * (lib/constructs/wallet-alarms.ts `sweepAlarms`), and the config refuses a `spending.cold.checkEvery`
 * no alarm can watch (lib/config/spending-cold.ts), with every other config problem, before synth.
 * Constructs never import lib/config, and the config cannot import a construct module, so the one
 * definition lives in the contract both may import.
 */

/**
 * CloudWatch's limit on period x evaluation periods (PutMetricAlarm, `Period`): "An alarm's total current
 * evaluation period can be no longer than seven days, so Period multiplied by EvaluationPeriods can't be
 * more than 604,800 seconds. For alarms with a period of less than one hour (3,600 seconds), the total
 * evaluation period can't be longer than one day (86,400 seconds)."
 */
export const CLOUDWATCH_EVALUATION_LIMITS = {
  /** Periods of at least one hour: 7 days. */
  seconds: 604_800,
  /** Periods shorter than one hour: 1 day. */
  subHourPeriodSeconds: 86_400,
} as const;

/** The longest period x evaluation periods CloudWatch accepts for an alarm of this period. */
export const evaluationLimitSeconds = (periodSeconds: number): number =>
  periodSeconds < 3600 ? CLOUDWATCH_EVALUATION_LIMITS.subHourPeriodSeconds : CLOUDWATCH_EVALUATION_LIMITS.seconds;

/** The float alarm's shape, with the reasons. */
export const FLOAT_ALARM_DEFAULTS = {
  /** Consecutive periods the float must be above its ceiling (or unreadable) in. */
  periods: 6,
  /** Sweeper runs each period must hold at least (a run late by seconds never leaves a period empty). */
  runsPerPeriod: 2,
  /** The shortest period (5 minutes: a sweep normally confirms within it). */
  minPeriodSeconds: 300,
} as const;

/** The longest sweeper interval the float alarm can watch (two runs in one period of at most 7 days): 84 hours. */
export const FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS =
  CLOUDWATCH_EVALUATION_LIMITS.seconds / FLOAT_ALARM_DEFAULTS.runsPerPeriod;

/**
 * `float-above-ceiling`'s evaluation from the sweeper's interval: a period of at least two runs
 * (`max(5 min, 2 x checkEvery)`; with one run per period, a run a few seconds late leaves a period
 * without a point, and missing data is not breaching, so the count would start again), 6 of 6
 * consecutive periods, fewer only where CloudWatch's evaluation limit forces it (a sweeper that runs
 * every 14 hours or less keeps 6). The default `rate(5 minutes)` gives 6 periods of 10 minutes: one hour.
 * Undefined when no period of two runs fits CloudWatch's 7 days ({@link FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS}).
 */
export function floatAlarmEvaluation(checkEverySeconds: number): AlarmEvaluation | undefined {
  const f = FLOAT_ALARM_DEFAULTS;
  const periodSeconds = Math.max(f.minPeriodSeconds, f.runsPerPeriod * checkEverySeconds);
  const evaluationPeriods = Math.min(f.periods, Math.floor(evaluationLimitSeconds(periodSeconds) / periodSeconds));
  if (evaluationPeriods < 1) return undefined;
  return { periodSeconds, evaluationPeriods, datapointsToAlarm: evaluationPeriods };
}
