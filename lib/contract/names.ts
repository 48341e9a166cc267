/**
 * Names shared by the CDK app and the runtime code (Lambda handlers, drill CLI). A name here is
 * a contract: renaming a stateful resource's name replaces the resource.
 */

/** Tag keys applied to every resource of an environment. */
export const TAG_KEYS = {
  environment: 'wallet:environment',
  role: 'wallet:region-role',
  dataClass: 'wallet:data-classification',
  /** `signing` or `data` on every copy of a wallet KMS key (primary and replicas). */
  keyPurpose: 'wallet:key-purpose',
} as const;

/** The role a region plays in the active-passive pair. */
export type RegionRole = 'primary' | 'standby';

/** CloudFormation stack names of one environment, in deploy order. */
export function stackNames(envName: string) {
  return {
    keys: `${envName}-wallet-keys`,
    keysReplica: `${envName}-wallet-keys-replica`,
    primary: `${envName}-wallet-primary`,
    standby: `${envName}-wallet-standby`,
    dns: `${envName}-wallet-dns`,
  } as const;
}

/** The global table holding every piece of wallet state (single-table design, docs/data-model.md). */
export const ledgerTableName = (envName: string): string => `${envName}-wallet-ledger`;

/** KMS aliases; aliases are regional, so each region declares its own. */
export const signingKeyAlias = (envName: string): string => `alias/${envName}-wallet-signing`;
export const dataKeyAlias = (envName: string): string => `alias/${envName}-wallet-data`;

/**
 * The signer Lambda's role name in a region. The signing key's policy names these roles (by
 * `aws:PrincipalArn`), so only they can ever call `kms:Sign`.
 */
export const signerRoleName = (envName: string, region: string): string => `${envName}-wallet-signer-${region}`;

export const signerRoleArn = (partition: string, account: string, envName: string, region: string): string =>
  `arn:${partition}:iam::${account}:role/${signerRoleName(envName, region)}`;

/** AWS Backup vault of an environment; the same name in each region (vault names are regional). */
export const backupVaultName = (envName: string): string => `${envName}-wallet-backups`;

/** A vault's ARN from plain values: the primary's copy rule names the standby vault without a cross-region reference. */
export const backupVaultArn = (partition: string, region: string, account: string, envName: string): string =>
  `arn:${partition}:backup:${region}:${account}:backup-vault:${backupVaultName(envName)}`;

export const backupKeyAlias = (envName: string): string => `alias/${envName}-wallet-backup`;

export const backupPlanName = (envName: string): string => `${envName}-wallet-backups`;

/** Restore testing names allow only letters, digits and underscores. */
export const restoreTestingPlanName = (envName: string): string => `${envName.replace(/-/g, '_')}_wallet_restore_test`;

/** The role AWS Backup assumes to back up and copy (the plan's selection role), per region. */
export const backupRoleName = (envName: string, region: string): string => `${envName}-wallet-backup-${region}`;

/** The role AWS Backup assumes to restore (restore tests and docs/runbooks/restore.md), per region. */
export const restoreRoleName = (envName: string, region: string): string => `${envName}-wallet-restore-${region}`;

/**
 * AWS Backup restore testing names every table it restores with this prefix, and its
 * service-linked role deletes only tables with this prefix (AWSServiceRolePolicyForBackupRestoreTesting).
 */
export const RESTORE_TEST_TABLE_PREFIX = 'awsbackup-restore-test-';

/** Tables restored by hand (docs/runbooks/restore.md) start with this; the restore role writes only to these and to restore-test tables. */
export const restoredTablePrefix = (envName: string): string => `${envName}-wallet-restored-`;

/**
 * The health Lambda's role name in a region. The signing key's policy lets it (and the signer)
 * read the public key for `/health/deep`; it is denied `kms:Sign` like every other principal.
 */
export const healthRoleName = (envName: string, region: string): string => `${envName}-wallet-health-${region}`;

export const healthRoleArn = (partition: string, account: string, envName: string, region: string): string =>
  `arn:${partition}:iam::${account}:role/${healthRoleName(envName, region)}`;

/**
 * The chain watcher's role name in a region (issue 16): the signing key's policy lets it read the
 * public key (the signing address whose transactions it tracks); it is denied `kms:Sign` like
 * every other principal.
 */
export const chainWatcherRoleName = (envName: string, region: string): string =>
  `${envName}-wallet-chain-watcher-${region}`;

export const chainWatcherRoleArn = (partition: string, account: string, envName: string, region: string): string =>
  `arn:${partition}:iam::${account}:role/${chainWatcherRoleName(envName, region)}`;

/**
 * The remediation Lambda's role name in a region. The standby's signing-key replica lets it read the
 * public key (to find the signing lease by address); it is denied `kms:Sign` like every other principal.
 */
export const remediationRoleName = (envName: string, region: string): string =>
  `${envName}-wallet-remediation-${region}`;

export const remediationRoleArn = (partition: string, account: string, envName: string, region: string): string =>
  `arn:${partition}:iam::${account}:role/${remediationRoleName(envName, region)}`;

/** The regional Lambda functions: the workload's three and the remediation function. */
export type WalletFunctionPurpose =
  | 'api'
  | 'health'
  | 'signer'
  | 'remediation'
  | 'switch-republisher'
  | 'status-updater'
  | 'status-webhooks'
  | 'chain-watcher'
  | 'sweeper';

/** A Lambda function's name (functions are regional, so the name is the same in both regions). */
export const walletFunctionName = (envName: string, purpose: WalletFunctionPurpose): string =>
  `${envName}-wallet-${purpose}`;

/** The queue receiving remediation events that failed every retry (its on-failure destination), per region. */
export const remediationDeadLetterQueueName = (envName: string): string => `${envName}-wallet-remediation-dlq`;

/** The signing queue (FIFO, grouped by wallet) and its dead-letter queue, per region. */
export const signingQueueName = (envName: string): string => `${envName}-wallet-signing.fifo`;
export const signingDeadLetterQueueName = (envName: string): string => `${envName}-wallet-signing-dlq.fifo`;

/** WAF delivers logs to CloudWatch only into log groups whose name starts with `aws-waf-logs-`. */
export const wafLogGroupName = (envName: string): string => `aws-waf-logs-${envName}-wallet`;
