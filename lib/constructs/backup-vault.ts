import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** AWS Backup Vault Lock limits (PutBackupVaultLockConfiguration). */
export const VAULT_LOCK_LIMITS = { minChangeableForDays: 3, maxDays: 36500 } as const;

/**
 * Vault Lock (WORM) settings.
 * - `governance`: recovery points cannot be deleted or shortened before `minRetentionDays`, but a
 *   principal allowed `backup:DeleteBackupVaultLockConfiguration` can remove the lock (our vault
 *   policy denies that to everyone but break-glass).
 * - `compliance`: after `changeableForDays` the lock is IMMUTABLE: nobody, not AWS, not the root
 *   user, can remove it or delete a recovery point early, and the vault cannot be deleted until every
 *   recovery point has expired. Read docs/backup.md before choosing it.
 */
export interface VaultLockProps {
  readonly mode: 'governance' | 'compliance';
  readonly minRetentionDays: number;
  readonly maxRetentionDays: number;
  /**
   * Compliance mode only: the cooling-off period (at least 3 days) during which the lock can still
   * be removed. AWS Backup treats a lock with this set as compliance mode.
   * @default - none (governance mode)
   */
  readonly changeableForDays?: number;
}

/** Props of {@link WalletBackupVault}. */
export interface WalletBackupVaultProps {
  /** Vault name, unique per account and region; the same name in both regions. */
  readonly vaultName: string;
  /** The backup key in this region (a dedicated key, never the data key: docs/backup.md). */
  readonly encryptionKey: kms.IKey;
  /** The only principal that may delete recovery points, change their lifecycle or remove the lock. */
  readonly breakGlassRoleArn: string;
  readonly lock: VaultLockProps;
  /** The region's alerts topic; receives failed copies and changed recovery points. */
  readonly notificationTopic: sns.ITopic;
}

/**
 * Actions on a vault and its recovery points that only break-glass may take. Deleting or
 * disassociating a recovery point, shortening its lifecycle, or removing the lock, the access
 * policy, the notifications or the vault itself are all ways to destroy backups or hide it.
 */
export const BREAK_GLASS_ONLY_VAULT_ACTIONS = [
  'backup:DeleteBackupVault',
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:DeleteBackupVaultLockConfiguration',
  'backup:DeleteBackupVaultNotifications',
  'backup:DeleteRecoveryPoint',
  'backup:DisassociateRecoveryPoint',
  'backup:UpdateRecoveryPointLifecycle',
] as const;

/**
 * Vault events sent to the alerts topic: a failed copy (the standby loses its copy of a point) and
 * a changed recovery point (lifecycle edits are a tampering signal). Job completions are not sent:
 * hourly e-mails would bury the alarms (failures and staleness are alarms, lib/constructs/backup-alarms.ts).
 */
export const VAULT_NOTIFICATION_EVENTS = ['COPY_JOB_FAILED', 'RECOVERY_POINT_MODIFIED'] as const;

/** Validates the lock settings; every problem at once. */
export function vaultLockProblems(lock: VaultLockProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const { mode, minRetentionDays: min, maxRetentionDays: max, changeableForDays } = lock;
  const wholeDays = (prop: string, value: number | undefined, low: number) => {
    if (value === undefined || !isResolved(value)) return;
    if (!Number.isInteger(value) || value < low || value > VAULT_LOCK_LIMITS.maxDays) {
      problems.push({
        prop,
        message: `must be a whole number of days from ${low} to ${VAULT_LOCK_LIMITS.maxDays}`,
        received: value,
        fix: `use ${low} or more days`,
      });
    }
  };
  wholeDays('lock.minRetentionDays', min, 1);
  wholeDays('lock.maxRetentionDays', max, 1);
  if (isResolved(min) && isResolved(max) && min > max) {
    problems.push({
      prop: 'lock.minRetentionDays',
      message: `is greater than lock.maxRetentionDays (${max}), so no retention satisfies the lock`,
      received: min,
      fix: 'make minRetentionDays less than or equal to maxRetentionDays',
    });
  }
  if (mode === 'compliance') {
    if (changeableForDays === undefined) {
      problems.push({
        prop: 'lock.changeableForDays',
        message: 'is required in compliance mode (the cooling-off period before the lock becomes immutable)',
        received: changeableForDays,
        fix: `set it to ${VAULT_LOCK_LIMITS.minChangeableForDays} or more days, after reading the compliance-lock warning in docs/backup.md`,
      });
    } else if (isResolved(changeableForDays) && changeableForDays < VAULT_LOCK_LIMITS.minChangeableForDays) {
      problems.push({
        prop: 'lock.changeableForDays',
        message: `is under the ${VAULT_LOCK_LIMITS.minChangeableForDays}-day cooling-off minimum AWS Backup enforces for compliance mode`,
        received: changeableForDays,
        fix: `set it to ${VAULT_LOCK_LIMITS.minChangeableForDays} or more days`,
      });
    } else {
      wholeDays('lock.changeableForDays', changeableForDays, VAULT_LOCK_LIMITS.minChangeableForDays);
    }
  } else if (mode === 'governance') {
    if (changeableForDays !== undefined) {
      problems.push({
        prop: 'lock.changeableForDays',
        message: 'turns the lock into compliance mode; it is not valid with mode "governance"',
        received: changeableForDays,
        fix: 'remove changeableForDays, or set mode to "compliance" if an irreversible lock is intended',
      });
    }
  } else {
    problems.push({
      prop: 'lock.mode',
      message: 'is not a vault lock mode',
      received: mode,
      fix: 'use "governance" or "compliance"',
    });
  }
  return problems;
}

/**
 * One region's AWS Backup vault: encrypted with the dedicated backup key, an access policy that
 * denies destroying or tampering with recovery points to everyone but break-glass, Vault Lock from
 * config, notifications to the alerts topic, and RETAIN. The construct id `Vault` is a contract:
 * renaming it replaces the vault (and its recovery points cannot move).
 */
export class WalletBackupVault extends Construct {
  public readonly vault: backup.CfnBackupVault;
  public readonly vaultName: string;
  public readonly vaultArn: string;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: WalletBackupVaultProps) {
    super(scope, id);
    throwIfProblems(this, 'WalletBackupVault', vaultLockProblems(props.lock));

    const accessPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyDestroyingBackupsExceptBreakGlass',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...BREAK_GLASS_ONLY_VAULT_ACTIONS],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.breakGlassRoleArn } },
        }),
      ],
    });

    this.vault = new backup.CfnBackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKeyArn: props.encryptionKey.keyArn,
      accessPolicy: accessPolicy.toJSON(),
      lockConfiguration: {
        minRetentionDays: props.lock.minRetentionDays,
        maxRetentionDays: props.lock.maxRetentionDays,
        changeableForDays: props.lock.mode === 'compliance' ? props.lock.changeableForDays : undefined,
      },
      notifications: {
        backupVaultEvents: [...VAULT_NOTIFICATION_EVENTS],
        snsTopicArn: props.notificationTopic.topicArn,
      },
    });
    this.vault.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // AWS Backup publishes the vault events; the topic's key already lets it (data-key-users.ts).
    props.notificationTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAwsBackupVaultNotificationsFromThisAccount',
        principals: [new iam.ServicePrincipal('backup.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.notificationTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': props.notificationTopic.stack.account } },
      }),
    );

    this.vaultName = this.vault.attrBackupVaultName;
    this.vaultArn = this.vault.attrBackupVaultArn;
    this.encryptionKey = props.encryptionKey;
  }
}
