/**
 * Schedules as AWS writes them (`rate(...)` and six-field EventBridge `cron(...)`, UTC), reduced to
 * the two numbers the report needs: the longest gap between two runs and the runs per month.
 *
 * Cron support: numbers, names (JAN-DEC, SUN-SAT; day-of-week 1 = SUN), `*`, `?`, ranges, steps
 * and lists. `L`, `W` and `#` are rejected with a message rather than guessed. The backup branch
 * (lib/backup/schedule.ts) has a stricter evaluator; the two agree on every expression both accept.
 */

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

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
];

function value(text: string, f: Field): number {
  const named = f.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) throw new ScheduleError(`${f.name} value "${text}" is not a number`);
  const v = Number(text);
  if (v < f.min || v > f.max) throw new ScheduleError(`${f.name} value ${v} is outside ${f.min}-${f.max}`);
  return v;
}

/** The set of values a field allows, or undefined for `?`. */
function parseField(text: string, f: Field): Set<number> | undefined {
  if (text === '?') {
    if (f.name !== 'day-of-month' && f.name !== 'day-of-week') throw new ScheduleError(`? is not allowed in ${f.name}`);
    return undefined;
  }
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (m) => (f.names?.includes(m.toUpperCase()) ? 'x' : m)))) {
    throw new ScheduleError(`${f.name} "${text}" uses L, W or #, which this report does not evaluate`);
  }
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new ScheduleError(`${f.name} step "${stepText}" is not a positive integer`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = f.min;
      hi = f.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a, f);
      hi = value(b, f);
    } else {
      lo = value(range, f);
      hi = stepText === undefined ? lo : f.max;
    }
    if (lo > hi) throw new ScheduleError(`${f.name} range "${range}" runs backwards`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Days evaluated: two years from a fixed start, so every weekday/month combination occurs. */
const HORIZON_DAYS = 731;
const HORIZON_START = Date.UTC(2025, 0, 1);

/**
 * Every run of a schedule over a fixed horizon (epoch seconds, ascending): two years for cron,
 * so every weekday/month combination occurs; 31 days for rate (its gaps are all equal).
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
  const m = /^cron\((.*)\)$/.exec(text);
  const fields = m?.[1].trim().split(/\s+/) ?? [];
  if (fields.length !== 6) {
    throw new ScheduleError(
      `${JSON.stringify(expression)} needs six fields (minutes hours day-of-month month day-of-week year)`,
    );
  }
  if (fields[5] !== '*') {
    throw new ScheduleError(
      `${JSON.stringify(expression)} fixes the year (${fields[5]}): the schedule stops when it ends`,
    );
  }
  const [minutes, hours, dom, months, dow] = FIELDS.map((f, i) => parseField(fields[i], f));
  if (minutes === undefined || hours === undefined || months === undefined) {
    throw new ScheduleError(`${JSON.stringify(expression)}: ? is only allowed in day-of-month or day-of-week`);
  }
  if ((dom === undefined) === (dow === undefined)) {
    throw new ScheduleError(`${JSON.stringify(expression)}: exactly one of day-of-month and day-of-week must be ?`);
  }
  const fires: number[] = [];
  const mins = [...minutes].sort((a, b) => a - b);
  const hrs = [...hours].sort((a, b) => a - b);
  for (let d = 0; d < HORIZON_DAYS; d++) {
    const day = new Date(HORIZON_START + d * 86400_000);
    if (!months.has(day.getUTCMonth() + 1)) continue;
    if (dom !== undefined && !dom.has(day.getUTCDate())) continue;
    if (dow !== undefined && !dow.has(day.getUTCDay() + 1)) continue;
    for (const h of hrs) for (const mi of mins) fires.push(day.getTime() / 1000 + h * 3600 + mi * 60);
  }
  return fires;
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
