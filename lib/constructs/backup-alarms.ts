import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { formatDuration } from '../backup/schedule';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** Props of {@link WalletBackupAlarms}. */
export interface WalletBackupAlarmsProps {
  /** Alarm names start with this, e.g. `example-wallet-backup`. */
  readonly alarmNamePrefix: string;
  /** The vault in this region; AWS/Backup publishes job metrics per `BackupVaultName`. */
  readonly vaultName: string;
  /** The region's alerts topic: ALARM and OK both notify. */
  readonly topic: sns.ITopic;
  /**
   * Where the backup plan runs (primary): alarm on failed, expired or aborted backup jobs, failed
   * copy jobs, and on no backup completing within this many seconds (the backup RPO target).
   * @default - no backup-job alarms (a region without a plan)
   */
  readonly backupFreshnessSeconds?: number;
  /** Alarm when no restore test completed in this many seconds (one missed daily test plus slack). */
  readonly restoreFreshnessSeconds: number;
}

/** CloudWatch's limit for alarms with hourly periods: period x evaluation periods <= 7 days. */
export const MAX_FRESHNESS_WINDOW_SECONDS = 7 * 86400;

/**
 * Backup alarms of one region, on AWS/Backup job metrics (dimension `BackupVaultName`), each
 * notifying the region's alerts topic on ALARM and OK.
 *
 * Why metric alarms rather than EventBridge rules on job state changes: alarms have a state the
 * drill CLI's "alarms quiet" pre-check and the dashboards read, they show in the same place as every
 * other alarm, and a freshness alarm can detect the absence of jobs, which no event can. The vault's
 * own notifications add per-job detail for failed copies (backup-vault.ts).
 *
 * Missing data, chosen per alarm:
 * - failure alarms: NOT_BREACHING. AWS Backup publishes job counts only when jobs run; no data
 *   means no failed job.
 * - freshness alarms: BREACHING. No data means nothing completed, which is exactly the condition.
 *   They fire after a first deploy until the first backup / restore test completes (expected).
 */
export class WalletBackupAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: WalletBackupAlarmsProps) {
    super(scope, id);
    throwIfProblems(this, 'WalletBackupAlarms', backupAlarmProblems(props));
    const action = new actions.SnsAction(props.topic);
    const jobs = (metricName: string, period = Duration.hours(1)) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Backup',
        metricName,
        dimensionsMap: { BackupVaultName: props.vaultName },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, { actionsEnabled: true, ...alarmProps });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      return alarm;
    };
    const failures = (alarmId: string, name: string, description: string, metric: cloudwatch.IMetric) =>
      add(alarmId, {
        alarmName: `${props.alarmNamePrefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const freshness = (alarmId: string, name: string, description: string, metricName: string, seconds: number) => {
      // Hourly buckets; ALARM only when EVERY bucket of the window is empty ("nothing completed").
      const hours = Math.ceil(seconds / 3600);
      return add(alarmId, {
        alarmName: `${props.alarmNamePrefix}-${name}`,
        alarmDescription: `${description} (no completed job in the last ${formatDuration(hours * 3600)}).`,
        metric: jobs(metricName),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    };

    if (props.backupFreshnessSeconds !== undefined) {
      failures(
        'BackupJobsFailed',
        'jobs-failed',
        'A backup job failed, expired (never started within its window) or was aborted: a recovery point is missing. ' +
          'Runbook: docs/runbooks/restore.md, "When a backup alarm fires".',
        new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(expired, 0) + FILL(aborted, 0)',
          usingMetrics: {
            failed: jobs('NumberOfBackupJobsFailed'),
            expired: jobs('NumberOfBackupJobsExpired'),
            aborted: jobs('NumberOfBackupJobsAborted'),
          },
          period: Duration.hours(1),
          label: 'Failed, expired and aborted backup jobs',
        }),
      );
      failures(
        'CopyJobsFailed',
        'copy-jobs-failed',
        'A copy of a recovery point to the other region failed: that region has no copy of it. ' +
          'Runbook: docs/runbooks/restore.md, "When a backup alarm fires".',
        jobs('NumberOfCopyJobsFailed'),
      );
      freshness(
        'BackupStale',
        'stale',
        'No backup has completed within the backup RPO target, targets.backupRpoSeconds',
        'NumberOfBackupJobsCompleted',
        props.backupFreshnessSeconds,
      );
    }
    failures(
      'RestoreJobsFailed',
      'restore-jobs-failed',
      'A restore job (a scheduled restore test or a manual restore) failed: a backup may not be restorable. ' +
        'Runbook: docs/runbooks/restore.md, "When a backup alarm fires".',
      jobs('NumberOfRestoreJobsFailed'),
    );
    freshness(
      'RestoreTestStale',
      'restore-test-stale',
      'No restore test has completed: restorability of the backups in this region is unproven',
      'NumberOfRestoreJobsCompleted',
      props.restoreFreshnessSeconds,
    );
  }
}

/** Every problem with the props, at once. */
export function backupAlarmProblems(props: WalletBackupAlarmsProps): PropProblem[] {
  const problems: PropProblem[] = [];
  for (const [prop, value] of [
    ['backupFreshnessSeconds', props.backupFreshnessSeconds],
    ['restoreFreshnessSeconds', props.restoreFreshnessSeconds],
  ] as const) {
    if (!isResolved(value)) continue;
    const seconds = value as number;
    if (!(seconds >= 3600 && seconds <= MAX_FRESHNESS_WINDOW_SECONDS)) {
      problems.push({
        prop,
        message: `must be from 3600 (one hourly bucket) to ${MAX_FRESHNESS_WINDOW_SECONDS} (CloudWatch evaluates hourly alarms over at most 7 days)`,
        received: seconds,
        fix: 'pass a window between 1 hour and 7 days',
      });
    }
  }
  return problems;
}
