import {
  BACKUP_START_WINDOW_MINUTES,
  DEFAULT_BACKUP_RPO_SECONDS,
  MIN_BACKUP_INTERVAL_SECONDS,
  recoveryPointAge,
} from '../../lib/backup/rpo';
import {
  CronError,
  fireTimes,
  fireTimesOf,
  formatDuration,
  Memo,
  parseCron,
  scheduleGaps,
} from '../../lib/backup/schedule';

const H = 3600;
const D = 86400;

describe('EventBridge cron evaluation', () => {
  test.each([
    ['hourly on the hour', 'cron(0 * ? * * *)', H, H],
    ['daily at 05:00', 'cron(0 5 ? * * *)', D, D],
    ['every 4 hours', 'cron(0 */4 ? * * *)', 4 * H, 4 * H],
    ['twice an hour', 'cron(0/30 * ? * * *)', 1800, 1800],
    ['weekdays every 3 hours (weekend gap)', 'cron(15 */3 ? * MON-FRI *)', 3 * H, 2 * D + 3 * H],
    ['weekly on Monday (names)', 'cron(0 6 ? * MON *)', 7 * D, 7 * D],
    ['weekly on Monday (number 2 = MON)', 'cron(0 6 ? * 2 *)', 7 * D, 7 * D],
    ['every other day of the month (31 -> 1)', 'cron(0 0 */2 * ? *)', D, 2 * D],
    ['the 29th (skips February in a common year)', 'cron(0 0 29 * ? *)', 29 * D, 59 * D],
    ['a list of hours', 'cron(0 1,13 ? * * *)', 12 * H, 12 * H],
    ['a range with a step', 'cron(0 8-20/6 ? * * *)', 6 * H, 12 * H],
  ])('%s: %s', (_name, expression, minGap, maxGap) => {
    const gaps = scheduleGaps(expression);
    expect([gaps.minGapSeconds, gaps.maxGapSeconds]).toEqual([minGap, maxGap]);
  });

  test.each([
    ['not cron(...)', 'rate(1 hour)', 'is not of the form cron(...)'],
    ['five fields', 'cron(0 * ? * *)', 'has 5 fields'],
    ['a fixed year', 'cron(0 5 ? * * 2027)', 'stops firing'],
    ['both day fields set', 'cron(0 5 1 * MON *)', 'exactly one of day-of-month and day-of-week'],
    ['neither day field "?"', 'cron(0 5 * * * *)', 'exactly one of day-of-month and day-of-week'],
    ['last day of month (L)', 'cron(0 5 L * ? *)', 'uses L, W or #'],
    ['nth weekday (#)', 'cron(0 5 ? * MON#1 *)', 'uses L, W or #'],
    ['minute out of range', 'cron(60 * ? * * *)', 'minutes value 60 is outside 0-59'],
    ['backwards range', 'cron(0 10-2 ? * * *)', 'runs backwards'],
    ['an unknown name', 'cron(0 5 ? * FUN *)', 'is not a number or a name'],
    ['a schedule that never fires', 'cron(0 0 31 2 ? *)', 'fires never'],
  ])('fails on %s', (_name, expression, message) => {
    expect(() => scheduleGaps(expression)).toThrow(CronError);
    expect(() => scheduleGaps(expression)).toThrow(message);
  });

  test('month and day names are case-insensitive and WED/JUL are not mistaken for W/L', () => {
    expect(parseCron('cron(0 5 ? jul wed *)').daysOfWeek).toEqual(new Set([4]));
    expect(parseCron('cron(0 5 ? JUL WED *)').months).toEqual(new Set([7]));
  });

  test.each([
    [59, '59 s'],
    [3600, '1 h'],
    [5400, '1 h 30 min'],
    [183600, '2 d 3 h'],
    [Infinity, 'unbounded'],
  ])('formats %s s as "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('recovery point age (the backup RPO arithmetic)', () => {
  const example = [
    { name: 'frequent', schedule: 'cron(0 * ? * * *)', retentionDays: 7 },
    { name: 'daily', schedule: 'cron(0 5 ? * * *)', retentionDays: 35 },
  ];

  test('hourly + daily backups: worst case is the 1 h gap + the 1 h start window = 2 h, the default target', () => {
    const age = recoveryPointAge(example);
    expect(age.worstCaseSeconds).toBe(2 * H);
    expect(age.worstCaseSeconds).toBe(DEFAULT_BACKUP_RPO_SECONDS);
    expect(age.arithmetic).toBe('largest gap between backups 1 h + start window 1 h = 2 h');
    expect(age.retentionTooShort).toEqual([]);
  });

  test('the start window is the AWS minimum and hourly is the AWS maximum frequency', () => {
    expect(BACKUP_START_WINDOW_MINUTES).toBe(60);
    expect(MIN_BACKUP_INTERVAL_SECONDS).toBe(H);
  });

  test('the largest gap is taken over the union of both rules', () => {
    // every 4 h (00, 04, 08 ...) plus 05:00 daily: the largest gap is still 4 h
    const age = recoveryPointAge([
      { name: 'frequent', schedule: 'cron(0 */4 ? * * *)', retentionDays: 7 },
      { name: 'daily', schedule: 'cron(0 5 ? * * *)', retentionDays: 35 },
    ]);
    expect(age.worstCaseSeconds).toBe(5 * H);
  });

  test('a retention shorter than the gap to the next point leaves times with no recovery point at all', () => {
    const age = recoveryPointAge([
      { name: 'frequent', schedule: 'cron(0 0 */2 * ? *)', retentionDays: 1 },
      { name: 'daily', schedule: 'cron(0 5 1 * ? *)', retentionDays: 1 },
    ]);
    expect(age.scheduleOnlySeconds).toBe(2 * D + H);
    expect(age.worstCaseSeconds).toBe(Infinity);
    expect(age.retentionTooShort.map((r) => r.rule)).toEqual(['frequent', 'daily']);
    expect(age.arithmetic).toContain('with expiry: unbounded');
  });

  test('a short-lived rule is harmless when the other rule keeps points long enough', () => {
    const age = recoveryPointAge([
      { name: 'frequent', schedule: 'cron(0 0 */2 * ? *)', retentionDays: 1 },
      { name: 'daily', schedule: 'cron(0 5 ? * * *)', retentionDays: 35 },
    ]);
    expect(age.worstCaseSeconds).toBe(age.scheduleOnlySeconds);
  });

  test('fails naming the rule whose schedule cannot be evaluated', () => {
    expect(() => recoveryPointAge([{ name: 'daily', schedule: 'cron(0 5 L * ? *)', retentionDays: 1 }])).toThrow(
      'daily schedule: day-of-month "L" uses L, W or #',
    );
  });
});

describe('the memo behind the schedule arithmetic (validateConfig evaluates the same schedules many times)', () => {
  const short = [
    { name: 'frequent', schedule: 'cron(0 0 */2 * ? *)', retentionDays: 1 },
    { name: 'daily', schedule: 'cron(0 5 1 * ? *)', retentionDays: 1 },
  ];

  test('a repeated question gets an equal answer in a fresh object, so a caller cannot change the next answer', () => {
    const first = recoveryPointAge(short);
    (first.retentionTooShort as unknown as Array<{ rule: string }>)[0].rule = 'changed';
    (first.retentionTooShort as unknown[]).length = 1;
    const second = recoveryPointAge(short);
    expect(second.retentionTooShort.map((r) => r.rule)).toEqual(['frequent', 'daily']);
    const gaps = scheduleGaps('cron(0 5 ? * * *)') as { maxGapSeconds: number };
    gaps.maxGapSeconds = 1;
    expect(scheduleGaps('cron(0 5 ? * * *)').maxGapSeconds).toBe(D);
  });

  test('the answer depends on every input: retention, schedule and start window', () => {
    const base = recoveryPointAge(short);
    expect(recoveryPointAge([{ ...short[0], retentionDays: 35 }, short[1]]).worstCaseSeconds).not.toBe(
      base.worstCaseSeconds,
    );
    expect(recoveryPointAge([{ ...short[0], schedule: 'cron(0 * ? * * *)' }, short[1]]).scheduleOnlySeconds).toBe(
      2 * H,
    );
    expect(recoveryPointAge(short, 120).startWindowSeconds).toBe(7200);
    expect(recoveryPointAge(short).startWindowSeconds).toBe(3600);
  });

  test('fails again on every call with an invalid schedule (errors are not remembered)', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => scheduleGaps('cron(0 5 L * ? *)')).toThrow(CronError);
      expect(() => recoveryPointAge([{ name: 'daily', schedule: 'cron(0 5 L * ? *)', retentionDays: 1 }])).toThrow(
        'daily schedule',
      );
    }
  });

  test('the stored fire times cannot be modified', () => {
    const fires = fireTimesOf('cron(0 5 ? * * *)');
    expect(Object.isFrozen(fires)).toBe(true);
    expect(fires).toEqual(fireTimes(parseCron('cron(0 5 ? * * *)')));
  });

  test('forgets the oldest answer beyond its limit and computes it again', () => {
    const memo = new Memo<number>(2);
    let computed = 0;
    const get = (key: string) => memo.get(key, () => ++computed);
    expect([get('a'), get('b'), get('a')]).toEqual([1, 2, 1]);
    get('c'); // evicts 'a', the oldest
    expect(get('b')).toBe(2);
    expect(get('a')).toBe(4);
  });
});
