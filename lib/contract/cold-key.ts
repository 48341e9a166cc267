/**
 * Names of the optional cold KMS key (issue 21, docs/cold-key.md), shared by the CDK app (the keys
 * stacks create them), the promote-keys drill (it promotes the cold key's standby replica too when one
 * exists) and operators (the runbook signs with them). A name here is a contract: renaming the alias
 * or an output breaks whoever looks the key up.
 *
 * The cold key exists only with `security.coldKey.enabled`; otherwise the cold signer is external (a
 * hardware wallet or a multisig) and the blueprint knows only `spending.cold.coldAddress`.
 */

/** The `wallet:key-purpose` tag value on both copies of the cold key. */
export const COLD_KEY_PURPOSE = 'cold';

/** The cold key's alias; aliases are regional, so the primary and the standby replica each carry it. */
export const coldKeyAlias = (envName: string): string => `alias/${envName}-wallet-cold`;

/**
 * The one IAM role that may sign with the cold key (roles are global: one role for both copies). Only
 * the configured treasury principals may assume it, with MFA; no service principal, so no Lambda
 * function can ever run as it. The key policy names it by `aws:PrincipalArn`.
 */
export const coldSignerRoleName = (envName: string): string => `${envName}-wallet-cold-signer`;

export const coldSignerRoleArn = (partition: string, account: string, envName: string): string =>
  `arn:${partition}:iam::${account}:role/${coldSignerRoleName(envName)}`;

/** Matches the cold signer role's name (for the Wallet rules, which see templates, not the config). */
export const COLD_SIGNER_ROLE_NAME = /-wallet-cold-signer$/;

/** Stack outputs of the cold key: in the keys stack (primary) and the keys-replica stack (standby). */
export const COLD_KEY_OUTPUTS = {
  /** ARN of this region's copy of the cold key. */
  keyArn: 'ColdKeyArn',
  /** The multi-region key id (`mrk-...`), the same in both regions. */
  keyId: 'ColdKeyId',
  /** The alias ({@link coldKeyAlias}). */
  keyAlias: 'ColdKeyAlias',
  /** ARN of the cold signer role (keys stack only). */
  signerRoleArn: 'ColdSignerRoleArn',
} as const;

/** Everything a tool needs to find the cold key of an environment without the config. */
export interface ColdKeyNames {
  readonly alias: string;
  readonly signerRoleName: string;
  readonly outputs: typeof COLD_KEY_OUTPUTS;
}

export const coldKeyNames = (envName: string): ColdKeyNames => ({
  alias: coldKeyAlias(envName),
  signerRoleName: coldSignerRoleName(envName),
  outputs: COLD_KEY_OUTPUTS,
});

/** Default (and largest sensible) age of the MFA behind a cold signing session, in seconds. */
export const DEFAULT_COLD_MAX_SESSION_SECONDS = 3600;
/** AssumeRole's shortest session (DurationSeconds minimum). */
export const MIN_COLD_SESSION_SECONDS = 900;
/** IAM's longest role session (MaxSessionDuration maximum). */
export const MAX_COLD_SESSION_SECONDS = 43200;
