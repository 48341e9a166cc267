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
