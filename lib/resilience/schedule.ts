/**
 * Schedules as AWS writes them (`rate(...)` and six-field EventBridge `cron(...)`, UTC), reduced to
 * the two numbers the report needs: the longest gap between two runs and the runs per month.
 *
 * Cron expressions are parsed and evaluated by the one cron evaluator, lib/backup/schedule.ts (the
 * same one the config and the backup constructs use, so the report and the synth agree on what a
 * schedule means and which expressions are refused); this module adds `rate(...)`, the runs per
 * month, and wraps its CronError in a ScheduleError naming the expression.
 */
import { CronError, fireTimes as cronFireTimes, HORIZON, parseCron } from '../backup/schedule';

/** Thrown for an expression this module cannot evaluate; the message says why. */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

export interface ScheduleTiming {
  readonly expression: string;
  /** Longest time between two consecutive runs, in seconds (Infinity for a one-off schedule). */
  readonly maxGapSeconds: number;
  /** Runs in an average month of {@link HOURS_PER_MONTH} hours. */
  readonly runsPerMonth: number;
}

/** AWS prices a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

/** Evaluates a `rate(...)` or `cron(...)` schedule. */
export function scheduleTiming(expression: string): ScheduleTiming {
  const text = expression.trim();
  if (text.startsWith('rate(')) return rateTiming(text);
  if (text.startsWith('cron(')) return cronTiming(text);
  throw new ScheduleError(`${JSON.stringify(expression)} is neither rate(...) nor cron(...)`);
}

function rateTiming(expression: string): ScheduleTiming {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (m === null)
    throw new ScheduleError(`${JSON.stringify(expression)} is not a rate expression such as rate(5 minutes)`);
  const n = Number(m[1]);
  const unit = m[2].startsWith('minute') ? 60 : m[2].startsWith('hour') ? 3600 : 86400;
  if (n === 0) {
    // Synthetics: rate(0 minutes) runs the canary once, when it starts.
    return { expression, maxGapSeconds: Infinity, runsPerMonth: 0 };
  }
  const period = n * unit;
  return { expression, maxGapSeconds: period, runsPerMonth: (HOURS_PER_MONTH * 3600) / period };
}

/** The cron evaluator's horizon; rate schedules are laid out over 31 days from its start. */
const HORIZON_START = HORIZON.startEpochSeconds * 1000;
const HORIZON_DAYS = HORIZON.days;

/**
 * Every run of a schedule over a fixed horizon (epoch seconds, ascending): for cron, the evaluator's
 * two-year HORIZON (2027-2028, with a leap day), so every weekday/month combination occurs; 31 days
 * from the same start for rate (its gaps are all equal).
 */
export function fireTimes(expression: string): number[] {
  const text = expression.trim();
  if (text.startsWith('rate(')) {
    const { maxGapSeconds } = rateTiming(text);
    if (!Number.isFinite(maxGapSeconds)) return [HORIZON_START / 1000];
    const out: number[] = [];
    for (let t = HORIZON_START / 1000; t < HORIZON_START / 1000 + 31 * 86400; t += maxGapSeconds) out.push(t);
    return out;
  }
  if (!text.startsWith('cron('))
    throw new ScheduleError(`${JSON.stringify(expression)} is neither rate(...) nor cron(...)`);
  try {
    return cronFireTimes(parseCron(text));
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    throw new ScheduleError(err.message.includes(text) ? err.message : `${JSON.stringify(expression)}: ${err.message}`);
  }
}

function cronTiming(expression: string): ScheduleTiming {
  const fires = fireTimes(expression);
  const runsPerMonth = (fires.length / (HORIZON_DAYS * 24)) * HOURS_PER_MONTH;
  if (fires.length < 2) return { expression, maxGapSeconds: Infinity, runsPerMonth };
  let maxGap = 0;
  for (let i = 1; i < fires.length; i++) maxGap = Math.max(maxGap, fires[i] - fires[i - 1]);
  return { expression, maxGapSeconds: maxGap, runsPerMonth };
}

/** Human-readable seconds: `90 s`, `2 h`, `1 d 6 h`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unbounded';
  if (seconds < 120) return `${round(seconds)} s`;
  if (seconds < 7200) return `${round(seconds / 60)} min`;
  if (seconds < 172800) return `${round(seconds / 3600)} h`;
  return `${round(seconds / 86400)} d`;
}

const round = (v: number): number => Math.round(v * 10) / 10;
