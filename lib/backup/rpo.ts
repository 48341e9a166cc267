import { CronError, fireTimesOf, formatDuration, HORIZON, Memo } from './schedule';

/**
 * How old can the newest restorable backup be? This module answers that offline for a set of
 * AWS Backup rules, and is the single definition behind the config rule
 * "backup retention shorter than the RPO target allows" (lib/config/validate.ts), the backup
 * plan's start window, and the freshness alarm's period.
 *
 * Definition. At any instant t, the backup recovery point age is t minus the data time of the
 * newest recovery point that still exists at t. Its worst case over time must not exceed
 * `targets.backupRpoSeconds`. Worst case means:
 * - a job may start as late as the start window allows after its scheduled time (AWS Backup's
 *   minimum start window is 60 minutes), so the next point can hold data that late;
 * - the previous point holds data from exactly its scheduled time;
 * - a point is deleted `retentionDays` after its scheduled time, so a retention shorter than
 *   the gap to the next point leaves a period with NO recovery point (an unbounded age).
 * Not included: job duration and copy time to the other region (seconds to minutes for
 * DynamoDB); the freshness alarm measures them in production.
 */

/** AWS Backup cancels a job that has not started this long after its scheduled time (AWS minimum: 60). */
export const BACKUP_START_WINDOW_MINUTES = 60;

/** AWS Backup rejects rules that run more often than this (error: "interval ... less than 60 minutes"). */
export const MIN_BACKUP_INTERVAL_SECONDS = 3600;

/** The default `targets.backupRpoSeconds`: what hourly backups with a 60 min start window can promise. */
export const DEFAULT_BACKUP_RPO_SECONDS = 7200;

/** One backup rule as far as timing is concerned. */
export interface BackupRuleTiming {
  /** A name for messages, e.g. `frequent`. */
  readonly name: string;
  /** EventBridge cron, UTC. */
  readonly schedule: string;
  readonly retentionDays: number;
}

export interface RecoveryPointAge {
  /** Worst-case age of the newest recovery point (Infinity if there are times with none). */
  readonly worstCaseSeconds: number;
  /** The same without expiry: largest gap between runs of any rule + the start window. */
  readonly scheduleOnlySeconds: number;
  readonly startWindowSeconds: number;
  /** Rules whose retention is shorter than their own largest gap + start window. */
  readonly retentionTooShort: ReadonlyArray<{ rule: string; retentionDays: number; neededSeconds: number }>;
  /** e.g. `largest gap between backups 1 h + start window 1 h = 2 h`. */
  readonly arithmetic: string;
}

interface Point {
  readonly at: number;
  readonly expires: number;
}

const ageByRules = new Memo<RecoveryPointAge>();

/** Computes {@link RecoveryPointAge}; throws {@link CronError} naming the rule whose schedule is invalid. */
export function recoveryPointAge(
  rules: readonly BackupRuleTiming[],
  startWindowMinutes = BACKUP_START_WINDOW_MINUTES,
): RecoveryPointAge {
  // Memoised by value (see `Memo` in ./schedule.ts); the caller gets its own copy.
  const key = JSON.stringify([startWindowMinutes, rules.map((r) => [r.name, r.schedule, r.retentionDays])]);
  const age = ageByRules.get(key, () => computeRecoveryPointAge(rules, startWindowMinutes));
  return { ...age, retentionTooShort: age.retentionTooShort.map((r) => ({ ...r })) };
}

function computeRecoveryPointAge(rules: readonly BackupRuleTiming[], startWindowMinutes: number): RecoveryPointAge {
  const startWindowSeconds = startWindowMinutes * 60;
  const points: Point[] = [];
  const retentionTooShort: Array<{ rule: string; retentionDays: number; neededSeconds: number }> = [];
  for (const rule of rules) {
    let fires: readonly number[];
    try {
      fires = fireTimesOf(rule.schedule);
    } catch (err) {
      if (err instanceof CronError) throw new CronError(`${rule.name} schedule: ${err.message}`);
      throw err;
    }
    let ownMaxGap = fires.length < 2 ? Infinity : 0;
    for (let i = 1; i < fires.length; i++) ownMaxGap = Math.max(ownMaxGap, fires[i] - fires[i - 1]);
    const retentionSeconds = rule.retentionDays * 86400;
    if (retentionSeconds < ownMaxGap + startWindowSeconds) {
      retentionTooShort.push({
        rule: rule.name,
        retentionDays: rule.retentionDays,
        neededSeconds: ownMaxGap + startWindowSeconds,
      });
    }
    for (const at of fires) points.push({ at, expires: at + retentionSeconds });
  }
  points.sort((a, b) => a.at - b.at);
  // Points from before the horizon are not simulated; a point that finds no earlier point while
  // one from before the horizon could still exist is not evidence of a gap.
  const historyUntil = HORIZON.startEpochSeconds + Math.max(0, ...rules.map((r) => r.retentionDays * 86400));

  let worstCaseSeconds = 0;
  let scheduleOnlySeconds = 0;
  for (let i = 1; i < points.length; i++) {
    if (points[i].at === points[i - 1].at) continue;
    // Just before this point lands (at its latest: scheduled time + start window)...
    const landsAt = points[i].at + startWindowSeconds;
    scheduleOnlySeconds = Math.max(scheduleOnlySeconds, landsAt - points[i - 1].at);
    // ...the newest point that still exists is the latest earlier one not yet expired.
    let newest: Point | undefined;
    for (let j = i - 1; j >= 0; j--) {
      if (points[j].expires > landsAt) {
        newest = points[j];
        break;
      }
    }
    if (newest === undefined && landsAt < historyUntil) continue;
    worstCaseSeconds = Math.max(worstCaseSeconds, newest === undefined ? Infinity : landsAt - newest.at);
  }
  if (points.length < 2) {
    worstCaseSeconds = Infinity;
    scheduleOnlySeconds = Infinity;
  }
  const gap = scheduleOnlySeconds - startWindowSeconds;
  const arithmetic =
    `largest gap between backups ${formatDuration(gap)} + start window ${formatDuration(startWindowSeconds)}` +
    ` = ${formatDuration(scheduleOnlySeconds)}` +
    (worstCaseSeconds > scheduleOnlySeconds ? `; with expiry: ${formatDuration(worstCaseSeconds)}` : '');
  return { worstCaseSeconds, scheduleOnlySeconds, startWindowSeconds, retentionTooShort, arithmetic };
}
