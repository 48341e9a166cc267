import { parseCron, fireTimes as cronFireTimes } from '../../lib/backup/schedule';
import { backupAge } from '../../lib/resilience/data-protection';
import { BackupPlanFact } from '../../lib/resilience/facts';
import { fireTimes, scheduleTiming, ScheduleError } from '../../lib/resilience/schedule';

const plan = (schedule: string): BackupPlanFact => ({
  stack: 'Example-Primary',
  logicalId: 'Plan',
  rules: [{ schedule, scheduleDefaulted: false, startWindowMinutes: 60, continuous: false, copyActions: [] }],
});

/** The resilience report's schedules: rate(...) here, cron(...) through the one cron evaluator. */
describe('schedules', () => {
  test.each([
    ['rate(1 minute)', 60, 43_800],
    ['rate(5 minutes)', 300, 8_760],
    ['rate(1 hour)', 3_600, 730],
    ['cron(0 * ? * * *)', 3_600, 730],
    ['cron(0 0/4 ? * * *)', 4 * 3_600, 730 / 4],
    ['cron(0 5 ? * * *)', 86_400, 730 / 24],
    // Friday 05:00 to Monday 05:00.
    ['cron(0 5 ? * MON-FRI *)', 3 * 86_400, ((730 / 24) * 5) / 7],
  ])('%s: longest gap %s s, %s runs per 730-hour month', (expression, gap, runs) => {
    const t = scheduleTiming(expression);
    expect(t.maxGapSeconds).toBe(gap);
    // Cron runs are counted over a two-year horizon, so weekday schedules land within 0.05.
    expect(t.runsPerMonth).toBeCloseTo(runs, 1);
  });

  test.each([
    ['cron(0 5 L * ? *)', 'L, W or #'],
    ['cron(0 5 ? * 2#1 *)', 'L, W or #'],
    ['cron(0 5 ? * * 2027)', 'stops firing when they end'],
    ['cron(0 5 * * * *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 5 ? *)', 'has 4 fields; EventBridge cron has 6'],
    // Refused by the one cron evaluator (lib/backup/schedule.ts); the report's own parser let these through.
    ['cron(0/5/2 * ? * * *)', '"cron(0/5/2 * ? * * *)": minutes "0/5/2" is malformed'],
    ['cron(0,,5 * ? * * *)', 'minutes "" is malformed'],
    ['cron(60 * ? * * *)', '"cron(60 * ? * * *)": minutes value 60 is outside 0-59'],
    ['rate(5 fortnights)', 'is not a rate expression'],
    ['every 5 minutes', 'neither rate(...) nor cron(...)'],
  ])('fails on %s', (expression, message) => {
    expect(() => scheduleTiming(expression)).toThrow(ScheduleError);
    expect(() => scheduleTiming(expression)).toThrow(message);
  });
});

describe('one cron evaluator', () => {
  test.each(['cron(0 5 ? * MON-FRI *)', 'cron(0 0/4 ? * * *)', 'cron(30 2 1,15 * ? *)', 'cron(0 5 ? JAN,JUL SUN *)'])(
    '%s: the report fires exactly when the backup evaluator does',
    (expression) => {
      expect(fireTimes(expression)).toEqual(cronFireTimes(parseCron(expression)));
    },
  );

  test('backup age (data protection) reports a cron it refuses instead of guessing', () => {
    const age = backupAge([plan('cron(0 5 L * ? *)')]);
    expect(age.seconds).toBe(Infinity);
    expect(age.basis).toContain('schedule not evaluated');
    expect(age.basis).toContain('uses L, W or #');
  });

  test('backup age of a daily cron is the day plus the start window', () => {
    const age = backupAge([plan('cron(0 5 ? * * *)')]);
    expect(age.seconds).toBe(86_400 + 3_600);
  });
});
