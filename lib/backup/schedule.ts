/**
 * The one evaluator of EventBridge six-field cron expressions in this repository: small and strict
 * (`cron(minutes hours day-of-month month day-of-week year)`), the syntax AWS Backup and restore
 * testing use. It answers one question offline: when does a schedule fire, and so what is the
 * longest (and shortest) time between two runs? Its users: the config validation, the backup and
 * restore-testing constructs, the RPO arithmetic (./rpo.ts) and the resilience report
 * (lib/resilience/schedule.ts adds `rate(...)` on top of it).
 *
 * Supported in every field: numbers, names (JAN-DEC, SUN-SAT), `*`, `a-b`, steps (`* /n`, `a/n`,
 * `a-b/n`) and comma lists; `?` in day-of-month or day-of-week. Not supported (rejected with a
 * message, never guessed): `L`, `W`, `#`, and a year other than `*` (a fixed year makes backups
 * stop silently when it ends).
 */

/** Thrown when an expression is malformed or uses a feature this evaluator does not model. */
export class CronError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronError';
  }
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
// EventBridge numbers days of the week 1 (SUN) to 7 (SAT).
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES },
];

/** A parsed schedule: the allowed values of each field; `undefined` day field means `?`. */
export interface CronSchedule {
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth?: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek?: ReadonlySet<number>;
}

function parseValue(text: string, spec: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) {
    throw new CronError(`${spec.name} value "${text}" is not a number${spec.names ? ' or a name' : ''}`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new CronError(`${spec.name} value ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (m) => (spec.names?.includes(m.toUpperCase()) ? '' : m)))) {
    throw new CronError(
      `${spec.name} "${text}" uses L, W or #, which this evaluator does not model; use numbers, ranges, lists and steps`,
    );
  }
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') throw new CronError(`${spec.name} "${part}" is malformed`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new CronError(`${spec.name} step "${stepText}" is not a positive whole number`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      from = parseValue(a, spec);
      to = parseValue(b, spec);
      if (from > to) throw new CronError(`${spec.name} range "${range}" runs backwards`);
    } else {
      from = parseValue(range, spec);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses `cron(...)`; throws {@link CronError} with what is wrong. */
export function parseCron(expression: string): CronSchedule {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  if (match === null) throw new CronError(`"${expression}" is not of the form cron(...)`);
  const parts = match[1].trim().split(/\s+/);
  if (parts.length !== 6) throw new CronError(`"${expression}" has ${parts.length} fields; EventBridge cron has 6`);
  const [minutes, hours, dom, month, dow, year] = parts;
  if (year !== '*') {
    throw new CronError(`year "${year}" is not "*": a schedule limited to some years stops firing when they end`);
  }
  if ((dom === '?') === (dow === '?')) {
    throw new CronError('exactly one of day-of-month and day-of-week must be "?"');
  }
  return {
    expression,
    minutes: parseField(minutes, FIELDS[0]),
    hours: parseField(hours, FIELDS[1]),
    daysOfMonth: dom === '?' ? undefined : parseField(dom, FIELDS[2]),
    months: parseField(month, FIELDS[3]),
    daysOfWeek: dow === '?' ? undefined : parseField(dow, FIELDS[4]),
  };
}

const DAY_SECONDS = 86400;

/**
 * The evaluation horizon: two whole calendar years including a leap year (2027-2028, UTC), long
 * enough to see every month length and weekday alignment a cron expression can depend on.
 */
export const HORIZON = {
  startEpochSeconds: Date.UTC(2027, 0, 1) / 1000,
  days: 731,
} as const;

/** Every fire time (epoch seconds, ascending) of a schedule within {@link HORIZON}. */
export function fireTimes(schedule: CronSchedule): number[] {
  const out: number[] = [];
  const hours = [...schedule.hours].sort((a, b) => a - b);
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  for (let d = 0; d < HORIZON.days; d++) {
    const dayStart = HORIZON.startEpochSeconds + d * DAY_SECONDS;
    const date = new Date(dayStart * 1000);
    if (!schedule.months.has(date.getUTCMonth() + 1)) continue;
    const dayMatches =
      schedule.daysOfMonth !== undefined
        ? schedule.daysOfMonth.has(date.getUTCDate())
        : (schedule.daysOfWeek as ReadonlySet<number>).has(date.getUTCDay() + 1);
    if (!dayMatches) continue;
    for (const h of hours) for (const m of minutes) out.push(dayStart + h * 3600 + m * 60);
  }
  return out;
}

/** The shortest and longest time between two consecutive runs of a schedule. */
export interface ScheduleGaps {
  readonly minGapSeconds: number;
  readonly maxGapSeconds: number;
  readonly firesInHorizon: number;
}

/**
 * A small memo for answers that are pure functions of their text input (an expression, a rule set):
 * every `validateConfig` call evaluates the backup schedules over the two-year horizon (17,544 fire
 * times for an hourly rule), and a test file or a synth validates the same config many times. It
 * holds only successful answers (an error is computed again, so its message is always fresh) and
 * forgets the oldest entry beyond `limit`. Callers receive copies, never the stored value.
 */
export class Memo<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly limit = 64) {}
  get(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }
}

const fireTimesByExpression = new Memo<readonly number[]>();

/** {@link fireTimes} of `parseCron(expression)`, memoised (read-only: never hand it out to be modified). */
export function fireTimesOf(expression: string): readonly number[] {
  return fireTimesByExpression.get(expression, () => Object.freeze(fireTimes(parseCron(expression))));
}

const gapsByExpression = new Memo<ScheduleGaps>();

/** Gaps between consecutive runs over {@link HORIZON}; throws {@link CronError} if it runs fewer than twice. */
export function scheduleGaps(expression: string): ScheduleGaps {
  return { ...gapsByExpression.get(expression, () => computeScheduleGaps(expression)) };
}

function computeScheduleGaps(expression: string): ScheduleGaps {
  const fires = fireTimesOf(expression);
  if (fires.length < 2) {
    throw new CronError(`"${expression}" fires ${fires.length === 0 ? 'never' : 'only once'} in two years`);
  }
  let minGapSeconds = Infinity;
  let maxGapSeconds = 0;
  for (let i = 1; i < fires.length; i++) {
    const gap = fires[i] - fires[i - 1];
    minGapSeconds = Math.min(minGapSeconds, gap);
    maxGapSeconds = Math.max(maxGapSeconds, gap);
  }
  return { minGapSeconds, maxGapSeconds, firesInHorizon: fires.length };
}

/** `3600` -> `1 h`, `5400` -> `1 h 30 min`, `172800` -> `2 d`; seconds are shown only below a minute. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unbounded';
  if (seconds < 60) return `${seconds} s`;
  const d = Math.floor(seconds / DAY_SECONDS);
  const h = Math.floor((seconds % DAY_SECONDS) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}
