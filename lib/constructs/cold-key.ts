import { CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  COLD_KEY_OUTPUTS,
  COLD_SIGNER_ROLE_NAME,
  MAX_COLD_SESSION_SECONDS,
  MIN_COLD_SESSION_SECONDS,
} from '../contract/cold-key';
import { SIGNER_ACTIONS } from './key-policy';
import { WalletPrimaryKey, WalletReplicaKey } from './multi-region-key';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** IAM's shortest MaxSessionDuration of a role (the session itself may be shorter). */
const ROLE_MIN_MAX_SESSION_SECONDS = 3600;

/** An IAM user or role ARN, optionally with a path (what a trust policy can name as a person). */
const PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(user|role)\/[\w+=,.@/-]{1,512}$/;

/** Options both copies of the cold key share. */
interface ColdKeyCopyOptions {
  /** The key's alias in this region, e.g. `alias/prod-wallet-cold` (lib/contract/cold-key.ts). */
  readonly alias: string;
  /** The only principal that may delete, disable, move the primary of, or replicate the key elsewhere. */
  readonly breakGlassRoleArn: string;
  /**
   * The oldest MFA (seconds since the officer's MFA check) a signing session may rest on; older
   * sessions are denied `kms:Sign` by the key policy. Between 900 and 43200.
   */
  readonly maxSessionSeconds: number;
}

/** Props of {@link ColdKey}. */
export interface ColdKeyProps extends ColdKeyCopyOptions {
  /**
   * Name of the ColdSigner role (global: one role for both copies), e.g. `prod-wallet-cold-signer`.
   * It must end in `-wallet-cold-signer` so the Wallet rules recognise it (lib/contract/cold-key.ts).
   */
  readonly signerRoleName: string;
  /**
   * The treasury officers' IAM users or roles: the only principals that may assume the ColdSigner
   * role, each only with MFA (`aws:MultiFactorAuthPresent` true, `aws:MultiFactorAuthAge` below
   * `maxSessionSeconds`). No account root, no service principal, no wildcard.
   */
  readonly signerPrincipalArns: readonly string[];
  /** The standby region, the only one the key may be replicated into (its replica lives there). */
  readonly standbyRegion: string;
  /**
   * Other roles allowed to read the cold public key (to derive the cold address).
   * @default - only the ColdSigner role
   */
  readonly publicKeyReaderRoleArns?: readonly string[];
}

/**
 * The optional cold key (issue 21, docs/cold-key.md), primary copy: a multi-region
 * `ECC_SECG_P256K1` / `SIGN_VERIFY` key (RETAIN, 30-day deletion window, an alias) and the
 * `ColdSigner` role, the only principal its policy lets sign.
 *
 * - ColdSigner trust: only the configured officers, with MFA; no service principal can assume it, so
 *   no Lambda function ever runs as it (the Wallet rule `ColdKeyOnlyMfaRole` checks the whole app).
 * - ColdSigner permissions: exactly `kms:Sign` and `kms:GetPublicKey` on the two copies of this key.
 * - Key policy (`walletKeyPolicy`, purpose `cold`): Sign allowed only to the ColdSigner role in an
 *   MFA session, and explicitly denied to every other principal, without MFA and with a stale MFA;
 *   no grants; destructive actions and replication outside the standby only for break-glass. The
 *   account's administration through IAM never includes Sign.
 *
 * The replica lives in the standby region ({@link ColdKeyReplica}); its ARN is built from the
 * multi-region key id, so the role's policy names it without a cross-region reference.
 */
export class ColdKey extends Construct {
  /** The primary copy of the key. */
  public readonly key: WalletPrimaryKey;
  /** The ColdSigner role. */
  public readonly signerRole: iam.Role;
  /** The multi-region key id (`mrk-...`), the same in both regions. */
  public readonly keyId: string;
  /** ARN of the primary copy. */
  public readonly keyArn: string;
  /** ARN of the standby replica (built from the key id). */
  public readonly replicaKeyArn: string;

  constructor(scope: Construct, id: string, props: ColdKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwIfProblems(this, 'ColdKey', coldKeyProblems(stack, props));
    const signerRoleArn = `arn:${stack.partition}:iam::${stack.account}:role/${props.signerRoleName}`;

    this.key = new WalletPrimaryKey(this, 'Key', {
      purpose: 'cold',
      alias: props.alias,
      description: 'Wallet cold key (secp256k1, multi-region primary): signs only by the MFA-only ColdSigner role',
      breakGlassRoleArn: props.breakGlassRoleArn,
      allowedReplicaRegions: [props.standbyRegion],
      coldSignerRoleArn: signerRoleArn,
      coldMaxMfaAgeSeconds: props.maxSessionSeconds,
      publicKeyReaderRoleArns: props.publicKeyReaderRoleArns,
    });
    this.keyId = this.key.keyId;
    this.keyArn = this.key.keyArn;
    this.replicaKeyArn = `arn:${stack.partition}:kms:${props.standbyRegion}:${stack.account}:key/${this.keyId}`;

    const mfa = {
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': String(props.maxSessionSeconds) },
    };
    this.signerRole = new iam.Role(this, 'SignerRole', {
      roleName: props.signerRoleName,
      description: 'Cold signer: treasury officers with MFA sign prepared top-ups with the cold key (docs/cold-key.md)',
      // One trust statement per officer, each carrying the MFA conditions; no service principal.
      assumedBy: new iam.PrincipalWithConditions(
        new iam.CompositePrincipal(...props.signerPrincipalArns.map((arn) => new iam.ArnPrincipal(arn))),
        mfa,
      ),
      maxSessionDuration: Duration.seconds(Math.max(ROLE_MIN_MAX_SESSION_SECONDS, props.maxSessionSeconds)),
    });
    // Every permission in one customer-managed policy (no inline policy: NIST/PCI/HIPAA IAMNoInlinePolicy).
    new iam.ManagedPolicy(this, 'SignerPolicy', {
      description: 'Cold signer: kms:Sign and kms:GetPublicKey on the two copies of the cold key, nothing else',
      roles: [this.signerRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'SignWithColdKey',
          actions: [...SIGNER_ACTIONS],
          resources: [this.keyArn, this.replicaKeyArn],
        }),
      ],
    });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description }).overrideLogicalId(key);
    output(COLD_KEY_OUTPUTS.keyArn, this.keyArn, 'Cold key ARN (primary copy)');
    output(COLD_KEY_OUTPUTS.keyId, this.keyId, 'Cold key multi-region id (the same in both regions)');
    output(COLD_KEY_OUTPUTS.keyAlias, props.alias, 'Cold key alias (the same in both regions)');
    output(COLD_KEY_OUTPUTS.signerRoleArn, this.signerRole.roleArn, 'ColdSigner role: assume with MFA to sign');
  }
}

/** Props of {@link ColdKeyReplica}. */
export interface ColdKeyReplicaProps extends ColdKeyCopyOptions {
  /** ARN of the primary cold key (primary region). */
  readonly primaryKeyArn: string;
  /** ARN of the ColdSigner role (lib/contract/cold-key.ts `coldSignerRoleArn`). */
  readonly signerRoleArn: string;
  /** Regions the replica may be replicated into by anyone but break-glass (the standby region). */
  readonly allowedReplicaRegions: readonly string[];
  /**
   * Other roles allowed to read the cold public key.
   * @default - only the ColdSigner role
   */
  readonly publicKeyReaderRoleArns?: readonly string[];
}

/**
 * The standby replica of the cold key: the same key material (so the same cold address after a
 * regional loss and `kms:UpdatePrimaryRegion`), its own policy with the same rules as the primary's.
 */
export class ColdKeyReplica extends Construct {
  public readonly key: WalletReplicaKey;
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: ColdKeyReplicaProps) {
    super(scope, id);
    const problems = sessionProblems(props.maxSessionSeconds);
    if (isResolved(props.signerRoleArn) && !COLD_SIGNER_ROLE_NAME.test(props.signerRoleArn)) {
      problems.push({
        prop: 'signerRoleArn',
        message: 'does not name a role ending in -wallet-cold-signer',
        received: props.signerRoleArn,
        fix: 'pass coldSignerRoleArn(partition, account, envName) from lib/contract/cold-key.ts',
      });
    }
    throwIfProblems(this, 'ColdKeyReplica', problems);
    this.key = new WalletReplicaKey(this, 'Key', {
      purpose: 'cold',
      primaryKeyArn: props.primaryKeyArn,
      alias: props.alias,
      description: 'Wallet cold key (secp256k1, multi-region replica): signs only by the MFA-only ColdSigner role',
      breakGlassRoleArn: props.breakGlassRoleArn,
      allowedReplicaRegions: props.allowedReplicaRegions,
      coldSignerRoleArn: props.signerRoleArn,
      coldMaxMfaAgeSeconds: props.maxSessionSeconds,
      publicKeyReaderRoleArns: props.publicKeyReaderRoleArns,
    });
    this.keyArn = this.key.keyArn;
    new CfnOutput(this, COLD_KEY_OUTPUTS.keyArn, {
      value: this.keyArn,
      description: 'Cold key ARN (standby replica)',
    }).overrideLogicalId(COLD_KEY_OUTPUTS.keyArn);
    new CfnOutput(this, COLD_KEY_OUTPUTS.keyAlias, {
      value: props.alias,
      description: 'Cold key alias (the same in both regions)',
    }).overrideLogicalId(COLD_KEY_OUTPUTS.keyAlias);
  }
}

function sessionProblems(maxSessionSeconds: number): PropProblem[] {
  if (
    Number.isInteger(maxSessionSeconds) &&
    maxSessionSeconds >= MIN_COLD_SESSION_SECONDS &&
    maxSessionSeconds <= MAX_COLD_SESSION_SECONDS
  ) {
    return [];
  }
  return [
    {
      prop: 'maxSessionSeconds',
      message: `must be a whole number of seconds from ${MIN_COLD_SESSION_SECONDS} (AssumeRole's shortest session) to ${MAX_COLD_SESSION_SECONDS} (IAM's longest)`,
      received: maxSessionSeconds,
      fix: 'use 3600 (one hour) unless the treasury procedure needs otherwise',
    },
  ];
}

function coldKeyProblems(stack: Stack, props: ColdKeyProps): PropProblem[] {
  const problems = sessionProblems(props.maxSessionSeconds);
  if (props.signerPrincipalArns.length === 0) {
    problems.push({
      prop: 'signerPrincipalArns',
      message: 'is empty: nobody could assume the ColdSigner role, so the cold funds could never move',
      received: props.signerPrincipalArns,
      fix: 'name at least one treasury officer IAM user or role',
    });
  }
  props.signerPrincipalArns.forEach((arn, i) => {
    if (!isResolved(arn)) return;
    if (!PRINCIPAL_ARN.test(arn)) {
      problems.push({
        prop: `signerPrincipalArns[${i}]`,
        message: 'is not an IAM user or role ARN (an account root, a wildcard or a service could reach the role)',
        received: arn,
        fix: 'name a treasury officer, e.g. "arn:aws:iam::111111111111:role/TreasuryOfficers"',
      });
    } else if (!Token.isUnresolved(stack.account) && arn.split(':')[4] !== stack.account) {
      problems.push({
        prop: `signerPrincipalArns[${i}]`,
        message: `is in account ${arn.split(':')[4]}, not the key's account ${stack.account}`,
        received: arn,
        fix: 'name a principal of the account that owns the cold key',
      });
    }
    if (arn === props.breakGlassRoleArn) {
      problems.push({
        prop: `signerPrincipalArns[${i}]`,
        message: 'is the break-glass role, which administers the key and must never also sign with it',
        received: arn,
        fix: 'name the treasury officers, not the break-glass role',
      });
    }
  });
  if (!COLD_SIGNER_ROLE_NAME.test(props.signerRoleName)) {
    problems.push({
      prop: 'signerRoleName',
      message: 'does not end in -wallet-cold-signer, so the Wallet rules would not recognise the cold signer',
      received: props.signerRoleName,
      fix: 'use coldSignerRoleName(envName) from lib/contract/cold-key.ts',
    });
  }
  if (!/^alias\/(?!aws\/)[\w/-]+$/.test(props.alias)) {
    problems.push({
      prop: 'alias',
      message: 'is not a customer alias name',
      received: props.alias,
      fix: 'use coldKeyAlias(envName) from lib/contract/cold-key.ts, e.g. "alias/prod-wallet-cold"',
    });
  }
  if (!Token.isUnresolved(stack.region) && props.standbyRegion === stack.region) {
    problems.push({
      prop: 'standbyRegion',
      message: `is the key's own region (${stack.region}); the replica must survive the loss of this region`,
      received: props.standbyRegion,
      fix: 'pass the standby region',
    });
  }
  return problems;
}
