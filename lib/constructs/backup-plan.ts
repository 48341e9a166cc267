import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BACKUP_START_WINDOW_MINUTES, MIN_BACKUP_INTERVAL_SECONDS, recoveryPointAge } from '../backup/rpo';
import { CronError, formatDuration, scheduleGaps } from '../backup/schedule';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** A resource the plan backs up. Only DynamoDB exists today; a new type needs its own role permissions. */
export interface ProtectedResource {
  /** The resource ARN in the plan's region, e.g. the global table's `Arn`. */
  readonly arn: string;
  readonly resourceType: 'DynamoDB';
  /** The customer-managed key encrypting the resource (AWS Backup describes it and creates grants). */
  readonly encryptionKeyArn: string;
  /**
   * The resource's copies in other regions (a global table's replicas). The plan does not back them
   * up (it would duplicate the same data); the role may, so that during a long primary outage an
   * operator can start on-demand backups of the standby replica (docs/runbooks/restore.md).
   * @default - none
   */
  readonly replicas?: ReadonlyArray<{ readonly arn: string; readonly encryptionKeyArn: string }>;
}

/** When a rule runs and how long its recovery points are kept (in this vault and in the copy). */
export interface BackupRuleSchedule {
  /** EventBridge cron, UTC. At most hourly (AWS Backup's limit). */
  readonly schedule: string;
  readonly retentionDays: number;
}

/** The other region's vault, which receives a copy of every recovery point. */
export interface BackupCopyTarget {
  readonly region: string;
  /** Built from plain values (names.ts `backupVaultArn`): no cross-region reference. */
  readonly vaultArn: string;
  /** That vault's key (the backup key's replica); AWS Backup re-encrypts the copy with it. */
  readonly keyArn: string;
}

/** Props of {@link WalletBackupPlan}. */
export interface WalletBackupPlanProps {
  readonly planName: string;
  /** The vault in this region and its key. */
  readonly vaultName: string;
  readonly vaultArn: string;
  readonly vaultKeyArn: string;
  readonly copyTo: BackupCopyTarget;
  readonly frequent: BackupRuleSchedule;
  readonly daily: BackupRuleSchedule;
  /** Every stateful resource of the region; test/constructs/backup.suite.ts fails if one is missing. */
  readonly resources: readonly ProtectedResource[];
  /** Name of the role AWS Backup assumes to back up and copy. */
  readonly roleName: string;
  /**
   * The vaults' lock bounds; every rule's retention must lie within them or AWS Backup rejects
   * the job.
   * @default - not checked
   */
  readonly lockBounds?: { readonly minRetentionDays: number; readonly maxRetentionDays: number };
  /**
   * The backup RPO target (targets.backupRpoSeconds): the worst-case age of the newest recovery
   * point (lib/backup/rpo.ts) must fit it, including every rule keeping its points until the next exists.
   * @default - not checked
   */
  readonly rpoTargetSeconds?: number;
}

/** Completion windows: a job cancelled for running too long shows up as a failed/expired job alarm. */
export const COMPLETION_WINDOW_MINUTES = { frequent: 180, daily: 720 } as const;

/**
 * The backup plan (primary region): a frequent and a daily snapshot rule into the local vault,
 * each copied to the other region's vault with the same retention, and one selection naming every
 * stateful resource by ARN.
 *
 * No continuous-backup rule: AWS Backup's continuous backup (PITR) supports S3, RDS, Aurora and SAP
 * HANA, not DynamoDB. The ledger's point-in-time recovery is DynamoDB's own (35 days, on every
 * replica, lib/constructs/wallet-table.ts); AWS Backup adds immutable, cross-region, separately keyed
 * snapshots on top (docs/backup.md).
 */
export class WalletBackupPlan extends Construct {
  public readonly plan: backup.CfnBackupPlan;
  public readonly selection: backup.CfnBackupSelection;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WalletBackupPlanProps) {
    super(scope, id);
    throwIfProblems(this, 'WalletBackupPlan', backupPlanProblems(props));

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'AWS Backup: back up the wallet state and copy it to the other region',
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    });
    const statements: iam.PolicyStatement[] = [];
    const keyArns = unique([
      ...props.resources.flatMap((r) => [r.encryptionKeyArn, ...(r.replicas ?? []).map((x) => x.encryptionKeyArn)]),
      props.vaultKeyArn,
      props.copyTo.keyArn,
    ]);
    const tables = props.resources.filter((r) => r.resourceType === 'DynamoDB');
    if (tables.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          // Advanced DynamoDB backup only. dynamodb:CreateBackup is deliberately absent: without the
          // account's advanced-backup opt-in the job FAILS (and alarms) instead of silently writing
          // DynamoDB-managed backups that sit outside this vault's key and lock.
          sid: 'BackUpProtectedTables',
          actions: ['dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource', 'dynamodb:StartAwsBackupJob'],
          resources: tables.flatMap((t) => [t.arn, ...(t.replicas ?? []).map((r) => r.arn)]),
        }),
        new iam.PolicyStatement({
          // AWS's managed AWSBackupServiceRolePolicyForBackup grants this in its statement
          // `KMSDynamoDBPermissions` (kms:Decrypt and kms:GenerateDataKey, only through DynamoDB):
          // a table encrypted with a customer managed key is read through DynamoDB with the backup
          // role's credentials. Here scoped to the tables' own keys and to DynamoDB's endpoints.
          sid: 'UseTableKeysThroughDynamoDB',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: unique(
            tables.flatMap((t) => [t.encryptionKeyArn, ...(t.replicas ?? []).map((r) => r.encryptionKeyArn)]),
          ),
          conditions: { StringLike: { 'kms:ViaService': 'dynamodb.*.amazonaws.com' } },
        }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        // AWS Backup works with KMS keys through grants for AWS resources; the keys' policies accept
        // them only through AWS Backup (backup key) or for AWS resources (data key).
        sid: 'GrantsOnResourceAndVaultKeys',
        actions: ['kms:CreateGrant'],
        resources: keyArns,
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'DescribeResourceAndVaultKeys',
        actions: ['kms:DescribeKey'],
        resources: keyArns,
      }),
      new iam.PolicyStatement({
        sid: 'CopyIntoTheOtherRegionsVault',
        actions: ['backup:CopyIntoBackupVault'],
        resources: [props.copyTo.vaultArn],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeBothVaults',
        actions: ['backup:DescribeBackupVault'],
        resources: [props.vaultArn, props.copyTo.vaultArn],
      }),
    );
    // A customer managed policy, not an inline one (NIST/PCI/HIPAA IAMNoInlinePolicy) and not the
    // AWS managed AWSBackupServiceRolePolicyForBackup (every resource type, every resource).
    new iam.ManagedPolicy(this, 'Permissions', {
      description: 'AWS Backup: back up the wallet tables and copy recovery points to the other region',
      statements,
      roles: [this.role],
    });

    const rule = (
      ruleName: string,
      spec: BackupRuleSchedule,
      completionWindowMinutes: number,
    ): backup.CfnBackupPlan.BackupRuleResourceTypeProperty => ({
      ruleName,
      targetBackupVault: props.vaultName,
      scheduleExpression: spec.schedule,
      // Set explicitly: AWS Backup's default start window is 8 hours, which would break the RPO
      // arithmetic in lib/backup/rpo.ts.
      startWindowMinutes: BACKUP_START_WINDOW_MINUTES,
      completionWindowMinutes,
      lifecycle: { deleteAfterDays: spec.retentionDays },
      copyActions: [
        { destinationBackupVaultArn: props.copyTo.vaultArn, lifecycle: { deleteAfterDays: spec.retentionDays } },
      ],
    });
    this.plan = new backup.CfnBackupPlan(this, 'Plan', {
      backupPlan: {
        backupPlanName: props.planName,
        backupPlanRule: [
          rule('Frequent', props.frequent, COMPLETION_WINDOW_MINUTES.frequent),
          rule('Daily', props.daily, COMPLETION_WINDOW_MINUTES.daily),
        ],
      },
    });

    this.selection = new backup.CfnBackupSelection(this, 'Selection', {
      backupPlanId: this.plan.attrBackupPlanId,
      backupSelection: {
        selectionName: `${props.planName}-state`,
        iamRoleArn: this.role.roleArn,
        // Explicit ARNs, not tags: an explicitly assigned resource is backed up whatever the
        // region's resource-type opt-in says, and the role above is granted exactly these.
        resources: props.resources.map((r) => r.arn),
      },
    });
  }
}

const unique = (values: string[]): string[] => [...new Set(values)];

/** Every problem with the plan's props, at once. */
export function backupPlanProblems(props: WalletBackupPlanProps): PropProblem[] {
  const problems: PropProblem[] = [];
  if (props.resources.length === 0) {
    problems.push({
      prop: 'resources',
      message: 'is empty, so the plan would back up nothing',
      received: [],
      fix: 'list every stateful resource of the region (the ledger table at least)',
    });
  }
  for (const [name, spec] of [
    ['frequent', props.frequent],
    ['daily', props.daily],
  ] as const) {
    if (isResolved(spec.schedule)) {
      try {
        const gaps = scheduleGaps(spec.schedule);
        if (gaps.minGapSeconds < MIN_BACKUP_INTERVAL_SECONDS) {
          problems.push({
            prop: `${name}.schedule`,
            message: `runs ${formatDuration(gaps.minGapSeconds)} apart; AWS Backup rejects rules that run more often than hourly`,
            received: spec.schedule,
            fix: 'run at most hourly, e.g. "cron(0 * ? * * *)"',
          });
        }
      } catch (err) {
        if (!(err instanceof CronError)) throw err;
        problems.push({
          prop: `${name}.schedule`,
          message: `cannot be evaluated: ${err.message}`,
          received: spec.schedule,
          fix: 'use an EventBridge cron with "*" as the year and "?" in exactly one day field',
        });
      }
    }
    if (!isResolved(spec.retentionDays)) continue;
    if (!Number.isInteger(spec.retentionDays) || spec.retentionDays < 1) {
      problems.push({
        prop: `${name}.retentionDays`,
        message: 'must be a whole number of days, 1 or more',
        received: spec.retentionDays,
        fix: 'keep recovery points for at least 1 day',
      });
    } else if (props.lockBounds !== undefined) {
      const { minRetentionDays: min, maxRetentionDays: max } = props.lockBounds;
      if (spec.retentionDays < min || spec.retentionDays > max) {
        problems.push({
          prop: `${name}.retentionDays`,
          message: `is outside the vault lock's ${min}-${max} days, so AWS Backup would reject every job of this rule`,
          received: spec.retentionDays,
          fix: `keep ${name} recovery points between ${min} and ${max} days, or change the lock`,
        });
      }
    }
  }
  const target = props.rpoTargetSeconds;
  const timingKnown = [props.frequent, props.daily].every((r) => isResolved(r.schedule) && isResolved(r.retentionDays));
  if (target !== undefined && isResolved(target) && timingKnown && problems.length === 0) {
    const age = recoveryPointAge([
      { name: 'frequent', ...props.frequent },
      { name: 'daily', ...props.daily },
    ]);
    if (age.worstCaseSeconds > target) {
      const short = age.retentionTooShort.map((r) => `${r.rule}.retentionDays`);
      problems.push({
        prop: age.scheduleOnlySeconds > target || short.length === 0 ? 'frequent.schedule' : short.join(', '),
        message:
          age.scheduleOnlySeconds > target
            ? `lets the newest backup be ${formatDuration(age.scheduleOnlySeconds)} old (${age.arithmetic}), more than the RPO target ${target} s`
            : `is shorter than the RPO target allows: recovery points expire before the next one exists (${age.arithmetic}), against ${target} s`,
        received: age.scheduleOnlySeconds > target ? props.frequent.schedule : short.map((r) => r.split('.')[0]),
        fix: 'run the frequent rule more often, keep recovery points longer, or raise the RPO target',
      });
    }
  }
  return problems;
}
