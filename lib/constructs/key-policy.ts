import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What a key protects decides which statements its policy gets:
 * - `signing`: the wallet's secp256k1 key; only named signer roles sign;
 * - `data`: tables, queues, topics, logs; used through IAM by the account's roles;
 * - `backup`: AWS Backup vaults; usable ONLY through AWS Backup (`kms:ViaService`), so no role can
 *   decrypt a backup directly, and losing or disabling the data key does not lose the backups.
 * - `cold`: the optional cold secp256k1 key (docs/cold-key.md); only the ColdSigner role signs, and
 *   only in a session authenticated with MFA no longer ago than `coldMaxMfaAgeSeconds`.
 */
export type KeyPurpose = 'signing' | 'data' | 'backup' | 'cold';

export interface WalletKeyPolicyProps {
  /** `signing` (secp256k1 SIGN_VERIFY), `data` (tables, queues, topics, logs) or `backup` (backup vaults). */
  readonly purpose: KeyPurpose;
  /** AWS partition of the account, e.g. `aws`. */
  readonly partition: string;
  /** The account that owns the key. */
  readonly account: string;
  /** The region of this copy of the multi-region key (primary or replica). */
  readonly region: string;
  /** The only principal that may delete, disable, move the primary of, or replicate the key elsewhere. */
  readonly breakGlassRoleArn: string;
  /**
   * Regions CloudFormation may replicate the key into (the standby region). Replication to any
   * other region is denied to everyone but the break-glass role.
   */
  readonly allowedReplicaRegions: readonly string[];
  /**
   * Signing keys only: roles allowed to call `kms:Sign` and `kms:GetPublicKey`. Every other
   * principal is explicitly denied `kms:Sign`, whatever its IAM policies say.
   * @default - nobody can sign
   */
  readonly signerRoleArns?: readonly string[];
  /**
   * Signing keys only: roles allowed to read the public key (health checks, address derivation).
   * @default - only the signer roles
   */
  readonly publicKeyReaderRoleArns?: readonly string[];
  /**
   * Data keys only: AWS service principals (e.g. `logs.us-east-2.amazonaws.com`) that encrypt with
   * the key on the account's behalf.
   * @default - none
   */
  readonly serviceUsers?: readonly DataKeyServiceUser[];
  /**
   * Backup keys only (required there): the AWS service endpoints through which this account may
   * use the key, e.g. `backup.us-east-2.amazonaws.com`. There is no other way to use it: a role
   * allowed `kms:Decrypt` on every key still cannot decrypt a backup by calling KMS itself.
   * @default - none
   */
  readonly keyUseViaServices?: readonly string[];
  /**
   * Cold keys only (required there): the one role allowed `kms:Sign` (the ColdSigner role, which only
   * MFA-authenticated treasury officers can assume). Every other principal is explicitly denied Sign.
   * @default - none
   */
  readonly coldSignerRoleArn?: string;
  /**
   * Cold keys only (required there): the oldest MFA (seconds, `aws:MultiFactorAuthAge`) a signing
   * session may rest on; older sessions are denied `kms:Sign`.
   * @default - none
   */
  readonly coldMaxMfaAgeSeconds?: number;
}

/** A service principal allowed to use a data key, optionally bound to an encryption context. */
export interface DataKeyServiceUser {
  readonly servicePrincipal: string;
  readonly actions: readonly string[];
  /** Conditions that bind the grant to this account's resources. */
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * Actions the account (through IAM) may use to administer a wallet key. Deliberately no
 * wildcards and no cryptographic operation: signing is granted only to named signer roles, and
 * `kms:CreateGrant` is absent from signing keys so there is no side door around this policy.
 *
 * It must hold every action CloudFormation's handlers call with the deploying role, or the key
 * policy locks the deployer out: `AWS::KMS::Key`'s create handler calls `kms:EnableKeyRotation`
 * right after `CreateKey` when `EnableKeyRotation` is true, and an IAM allow is useless where the key
 * policy does not delegate the action ("Enable automatic key rotation", KMS Developer Guide; the
 * handler permissions are in lib/security/deployer/facts/cloudformation-handler-permissions.json and
 * the DeployerNotLockedOut rule checks every one of them). The rotation actions
 * (`EnableKeyRotation`, `DisableKeyRotation`, `RotateKeyOnDemand`, `ListKeyRotations`) are therefore
 * delegated on every key; on the asymmetric signing key KMS itself refuses them.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListKeyRotations',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
] as const;

/** Destructive actions only the break-glass role may take. */
export const BREAK_GLASS_ONLY_ACTIONS = [
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:UpdatePrimaryRegion',
] as const;

/** Data-plane actions the account may delegate through IAM for a data key. */
export const DATA_KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

/**
 * `kms:ViaService` values of AWS Backup in the given regions. A backup key lists both regions:
 * backups are written in one and copied into the other.
 */
export function awsBackupViaServices(regions: readonly string[]): string[] {
  return regions.map((region) => `backup.${region}.amazonaws.com`);
}

/** Actions of a signer role on the signing key: exactly these two. */
export const SIGNER_ACTIONS = ['kms:GetPublicKey', 'kms:Sign'] as const;

/**
 * Builds the key policy for one copy (primary or replica) of a wallet multi-region key.
 *
 * Multi-region keys do not share key policies: the primary and each replica carry their own, so
 * this function is called once per region with that region's service principals.
 */
export function walletKeyPolicy(props: WalletKeyPolicyProps): iam.PolicyDocument {
  const root = new iam.ArnPrincipal(`arn:${props.partition}:iam::${props.account}:root`);
  const notBreakGlass = { ArnNotEquals: { 'aws:PrincipalArn': props.breakGlassRoleArn } };
  const statements: iam.PolicyStatement[] = [
    new iam.PolicyStatement({
      sid: 'KeyAdministrationThroughIam',
      principals: [root],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyDestructiveActionsExceptBreakGlass',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...BREAK_GLASS_ONLY_ACTIONS],
      resources: ['*'],
      conditions: notBreakGlass,
    }),
    new iam.PolicyStatement({
      sid: 'DenyReplicationOutsideStandbyExceptBreakGlass',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ReplicateKey'],
      resources: ['*'],
      conditions:
        props.allowedReplicaRegions.length > 0
          ? { ...notBreakGlass, StringNotEquals: { 'kms:ReplicaRegion': [...props.allowedReplicaRegions] } }
          : notBreakGlass,
    }),
    new iam.PolicyStatement({
      // Control Tower CT.KMS.PR.3: grants only for AWS services acting on AWS resources.
      sid: 'DenyGrantsExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  ];

  if (props.purpose === 'backup') {
    const via = [...(props.keyUseViaServices ?? [])];
    if (via.length === 0) {
      throw new Error(
        'walletKeyPolicy: a backup key needs keyUseViaServices (e.g. ["backup.us-east-2.amazonaws.com"]); received none. ' +
          'Without them nobody, not even AWS Backup, could use the key.',
      );
    }
    const throughAwsBackup = { StringEquals: { 'kms:ViaService': via, 'kms:CallerAccount': props.account } };
    statements.push(
      new iam.PolicyStatement({
        sid: 'BackupKeyUseOnlyThroughAwsBackup',
        principals: [root],
        actions: [...DATA_KEY_USE_ACTIONS],
        resources: ['*'],
        conditions: throughAwsBackup,
      }),
      new iam.PolicyStatement({
        sid: 'BackupKeyGrantsOnlyThroughAwsBackup',
        principals: [root],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { ...throughAwsBackup, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
  } else if (props.purpose === 'cold') {
    statements.push(...coldKeyStatements(props, root));
  } else if (props.purpose === 'signing') {
    const signers = [...(props.signerRoleArns ?? [])];
    const readers = [...new Set([...signers, ...(props.publicKeyReaderRoleArns ?? [])])];
    if (signers.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'SignOnlyByNamedSignerRoles',
          principals: [root],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': signers } },
        }),
      );
    }
    if (readers.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadPublicKeyByNamedRoles',
          principals: [root],
          actions: ['kms:GetPublicKey'],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': readers } },
        }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenySignToEveryoneElse',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: signers.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': signers } } : undefined,
      }),
      new iam.PolicyStatement({
        sid: 'DenyGrantsOnSigningKey',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
      }),
    );
  } else {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DataKeyUseThroughIam',
        principals: [root],
        actions: [...DATA_KEY_USE_ACTIONS],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'GrantsOnlyForAwsResources',
        principals: [root],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    for (const user of props.serviceUsers ?? []) {
      statements.push(
        new iam.PolicyStatement({
          sid: `ServiceUse${user.servicePrincipal.split('.')[0].replace(/[^A-Za-z0-9]/g, '')}`,
          principals: [new iam.ServicePrincipal(user.servicePrincipal)],
          actions: [...user.actions],
          resources: ['*'],
          conditions: user.conditions,
        }),
      );
    }
  }
  return new iam.PolicyDocument({ statements });
}

/**
 * The cold key's own statements (on top of the shared administration, break-glass, replication and
 * grant statements). Sign is allowed only to the ColdSigner role in an MFA session, and denied three
 * ways so that no IAM policy, however broad, can reach it:
 * - to every principal that is not the ColdSigner role (`aws:PrincipalArn`);
 * - to any request without MFA: `BoolIfExists` false also catches a request where the key is absent,
 *   which is every request made with long-term credentials. IAM User Guide, "Configuring
 *   MFA-protected API access": the user calls AssumeRole (or GetSessionToken) with the MFA device's
 *   serial number and code and "gets back temporary security credentials"; requests made with them
 *   carry `aws:MultiFactorAuthPresent` true. AWS re:Post ("MFA condition ... AWS CLI"): "the
 *   aws:MultiFactorAuthPresent key doesn't exist in long-term credentials requests", hence IfExists;
 * - to a session whose MFA is older than `coldMaxMfaAgeSeconds` (`aws:MultiFactorAuthAge`).
 * No `kms:CreateGrant` at all: a grant would be a second way to sign that this policy does not see.
 */
function coldKeyStatements(props: WalletKeyPolicyProps, root: iam.IPrincipal): iam.PolicyStatement[] {
  const signer = props.coldSignerRoleArn;
  const maxAge = props.coldMaxMfaAgeSeconds;
  if (signer === undefined || maxAge === undefined) {
    throw new Error(
      `walletKeyPolicy: a cold key needs coldSignerRoleArn and coldMaxMfaAgeSeconds; received ${JSON.stringify({ coldSignerRoleArn: signer, coldMaxMfaAgeSeconds: maxAge })}. ` +
        'Without them nobody could sign with the key, or a stale session could.',
    );
  }
  const readers = [...new Set([signer, ...(props.publicKeyReaderRoleArns ?? [])])];
  return [
    new iam.PolicyStatement({
      sid: 'SignOnlyByColdSignerWithMfa',
      principals: [root],
      actions: ['kms:Sign'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': signer }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadColdPublicKeyByNamedRoles',
      principals: [root],
      actions: ['kms:GetPublicKey'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': readers } },
    }),
    new iam.PolicyStatement({
      sid: 'DenySignToEveryoneButColdSigner',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': signer } },
    }),
    new iam.PolicyStatement({
      sid: 'DenySignWithoutMfa',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    }),
    new iam.PolicyStatement({
      sid: 'DenySignWithStaleMfa',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign'],
      resources: ['*'],
      conditions: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': String(maxAge) } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyGrantsOnColdKey',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
    }),
  ];
}
