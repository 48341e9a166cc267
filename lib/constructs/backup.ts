import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { scheduleGaps } from '../backup/schedule';
import {
  backupPlanName,
  backupRoleName,
  backupVaultArn,
  backupVaultName,
  restoredTablePrefix,
  restoreRoleName,
  restoreTestingPlanName,
} from '../contract/names';
import { MAX_FRESHNESS_WINDOW_SECONDS, WalletBackupAlarms } from './backup-alarms';
import { BackupRuleSchedule, ProtectedResource, WalletBackupPlan } from './backup-plan';
import { VaultLockProps, WalletBackupVault } from './backup-vault';
import { WalletRestoreTesting } from './restore-testing';

/** The plan half of {@link WalletBackupProps}: only the region that runs the backup plan has it. */
export interface WalletBackupPlanOptions {
  readonly frequent: BackupRuleSchedule;
  readonly daily: BackupRuleSchedule;
  /** Every stateful resource of this region. */
  readonly resources: readonly ProtectedResource[];
  /** The other region, whose vault receives a copy of every recovery point. */
  readonly copyToRegion: string;
  /** The backup key's ARN in that region (the multi-region key's replica; same key id). */
  readonly copyToKeyArn: string;
  /** targets.backupRpoSeconds: the backup freshness alarm fires when no backup completed this long. */
  readonly rpoSeconds: number;
}

/** Props of {@link WalletBackup}. */
export interface WalletBackupProps {
  readonly envName: string;
  readonly breakGlassRoleArn: string;
  /** The backup key in this region (primary or replica). */
  readonly vaultKey: kms.IKey;
  /** The data key in this region: restored tables are encrypted with it. */
  readonly dataKey: kms.IKey;
  readonly lock: VaultLockProps;
  /** The region's alerts topic. */
  readonly topic: sns.ITopic;
  /** EventBridge cron of the restore tests, at least daily. */
  readonly restoreTestSchedule: string;
  /**
   * The backup plan, in the primary region only.
   * @default - no plan: this region's vault receives copies
   */
  readonly plan?: WalletBackupPlanOptions;
}

/**
 * Backups of one region (docs/backup.md): a locked, separately keyed vault; in the primary region
 * the plan that fills it and copies every recovery point to the other region's vault; in both
 * regions a daily restore test of the newest recovery point; and alarms on failed and missing jobs.
 */
export class WalletBackup extends Construct {
  public readonly vault: WalletBackupVault;
  public readonly plan?: WalletBackupPlan;
  public readonly restoreTesting: WalletRestoreTesting;
  public readonly alarms: WalletBackupAlarms;

  constructor(scope: Construct, id: string, props: WalletBackupProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.vault = new WalletBackupVault(this, 'Vault', {
      vaultName: backupVaultName(props.envName),
      encryptionKey: props.vaultKey,
      breakGlassRoleArn: props.breakGlassRoleArn,
      lock: props.lock,
      notificationTopic: props.topic,
    });

    if (props.plan !== undefined) {
      this.plan = new WalletBackupPlan(this, 'Plan', {
        planName: backupPlanName(props.envName),
        vaultName: this.vault.vaultName,
        vaultArn: this.vault.vaultArn,
        vaultKeyArn: props.vaultKey.keyArn,
        copyTo: {
          region: props.plan.copyToRegion,
          vaultArn: backupVaultArn(stack.partition, props.plan.copyToRegion, stack.account, props.envName),
          keyArn: props.plan.copyToKeyArn,
        },
        frequent: props.plan.frequent,
        daily: props.plan.daily,
        resources: props.plan.resources,
        roleName: backupRoleName(props.envName, stack.region),
        lockBounds: props.lock,
        rpoTargetSeconds: props.plan.rpoSeconds,
      });
    }

    this.restoreTesting = new WalletRestoreTesting(this, 'RestoreTesting', {
      planName: restoreTestingPlanName(props.envName),
      schedule: props.restoreTestSchedule,
      vaultArn: this.vault.vaultArn,
      vaultKey: props.vaultKey,
      dataKey: props.dataKey,
      roleName: restoreRoleName(props.envName, stack.region),
      manualRestoreTablePrefix: restoredTablePrefix(props.envName),
    });

    this.alarms = new WalletBackupAlarms(this, 'Alarms', {
      alarmNamePrefix: `${props.envName}-wallet-backup`,
      vaultName: backupVaultName(props.envName),
      topic: props.topic,
      // Targets beyond CloudWatch's 7-day window alarm after 7 days, earlier than the target.
      backupFreshnessSeconds:
        props.plan === undefined ? undefined : Math.min(props.plan.rpoSeconds, MAX_FRESHNESS_WINDOW_SECONDS),
      restoreFreshnessSeconds: restoreFreshnessSeconds(props.restoreTestSchedule),
    });
  }
}

/**
 * The restore-test freshness window: the schedule's largest gap plus a day for the start window
 * and the restore itself, i.e. "a whole test was missed" (48 h for daily tests).
 */
export function restoreFreshnessSeconds(schedule: string): number {
  return Math.min(scheduleGaps(schedule).maxGapSeconds + 86400, MAX_FRESHNESS_WINDOW_SECONDS);
}
