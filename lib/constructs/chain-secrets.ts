import { RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/**
 * The value every RPC secret is created with. It is not a URL, so the pool marks a provider whose
 * secret still holds it unhealthy (never a crash): the team replaces it after deploy with
 * `aws secretsmanager put-secret-value --secret-id <name> --secret-string 'https://...'` in the
 * PRIMARY region (the replica follows; README "RPC provider secrets").
 */
export const RPC_SECRET_PLACEHOLDER = 'PLACEHOLDER: replace with the provider URL (https://..., API key included)';

/**
 * Secrets Manager appends `-` and six random characters to a secret's name in its ARN. A name
 * that itself ends like that makes a partial ARN ambiguous: "if your secret has a name that ends
 * in a hyphen followed by six characters ... Secrets Manager [assumes] that you're specifying a
 * complete ARN" (Secrets Manager API reference, SecretId). The wallet names replicas by partial
 * ARN (the standby cannot know the suffix), so such names are refused.
 */
const AMBIGUOUS_SUFFIX = /-[A-Za-z0-9]{6}$/;
/** Secrets Manager's name rule: 1-512 of ASCII letters, digits and /_+=.@- . */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Props of {@link RpcSecrets}. */
export interface RpcSecretsProps {
  /** The secret names (config `chain.rpcSecrets`), each holding one provider URL. */
  readonly secretNames: readonly string[];
  /** The region each secret is replicated to (the standby). */
  readonly replicaRegion: string;
  /**
   * The key encrypting the secrets in this region: the region's data key (customer managed,
   * multi-region), so only principals the data key's policy and IAM allow can read a URL.
   */
  readonly encryptionKey: kms.IKey;
  /** ARN of the same multi-region key's replica in `replicaRegion`: encrypts each replica secret. */
  readonly replicaKeyArn: string;
}

/**
 * One Secrets Manager secret per RPC provider secret name, created in the PRIMARY region with a
 * replica in the standby (CloudFormation `ReplicaRegions`: "Specifies a Region and the KmsKeyId
 * for a replica secret. If you don't include [KmsKeyId], Secrets Manager uses aws/secretsmanager";
 * here the data key's replica). Each holds {@link RPC_SECRET_PLACEHOLDER} until the team puts the
 * URL in; CloudFormation never overwrites it afterwards (the value is only set on create).
 * Retained on stack deletion: a provider's API key is not the blueprint's to destroy.
 *
 * No resource policy: who may read a secret is decided by IAM alone (the watcher's and the signer's
 * roles name the exact secrets, lib/constructs/chain-watcher.ts), and the data key's policy
 * delegates its use to IAM with `kms:ViaService`.
 */
export class RpcSecrets extends Construct {
  /** The secrets by name. */
  public readonly secrets: Readonly<Record<string, secretsmanager.Secret>>;

  constructor(scope: Construct, id: string, props: RpcSecretsProps) {
    super(scope, id);
    throwIfProblems(this, 'RpcSecrets', rpcSecretsProblems(props, Stack.of(this).region));
    const replicaKey = kms.Key.fromKeyArn(this, 'ReplicaKey', props.replicaKeyArn);
    const secrets: Record<string, secretsmanager.Secret> = {};
    props.secretNames.forEach((name, i) => {
      const secret = new secretsmanager.Secret(this, `Secret${i}`, {
        secretName: name,
        description:
          'RPC provider URL (with its API key) for the wallet chain watcher and signer. Created with a PLACEHOLDER: ' +
          'put the URL in after deploy (put-secret-value in the primary region; the standby replica follows).',
        encryptionKey: props.encryptionKey,
        secretStringValue: SecretValue.unsafePlainText(RPC_SECRET_PLACEHOLDER),
        replicaRegions: [{ region: props.replicaRegion, encryptionKey: replicaKey }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const rotation =
        'An RPC provider URL embeds an API key issued by the provider (its console rotates it); Secrets Manager has no ' +
        'rotation function for it. Rotate by putting the new URL in (README "RPC provider secrets").';
      acknowledge(secret, 'AwsSolutions-SMG4', rotation);
      acknowledgeInPacks(secret, 'SecretsManagerRotationEnabled', ['NIST.800.53.R5', 'HIPAA.Security'], rotation);
      secrets[name] = secret;
    });
    this.secrets = secrets;
  }
}

/** Every problem with the props at once. */
export function rpcSecretsProblems(props: RpcSecretsProps, region: string): PropProblem[] {
  const problems: PropProblem[] = [];
  if (props.secretNames.length === 0) {
    problems.push({
      prop: 'secretNames',
      message: 'no secret names',
      received: props.secretNames,
      fix: 'list at least one name (config chain.rpcSecrets), or do not create RpcSecrets',
    });
  }
  const seen = new Set<string>();
  props.secretNames.forEach((name, i) => {
    if (!SECRET_NAME.test(name)) {
      problems.push({
        prop: `secretNames[${i}]`,
        message: 'is not a Secrets Manager name',
        received: name,
        fix: 'use 1-512 letters, digits and / _ + = . @ -',
      });
    } else if (AMBIGUOUS_SUFFIX.test(name)) {
      problems.push({
        prop: `secretNames[${i}]`,
        message: 'ends in "-" and six characters, which Secrets Manager reads as its own ARN suffix',
        received: name,
        fix: 'rename it so it does not end in a hyphen followed by six characters (e.g. ".../alchemy-sepolia" -> ".../alchemy/sepolia")',
      });
    }
    if (seen.has(name)) {
      problems.push({
        prop: `secretNames[${i}]`,
        message: 'is listed twice',
        received: name,
        fix: 'list each name once',
      });
    }
    seen.add(name);
  });
  if (isResolved(region) && props.replicaRegion === region) {
    problems.push({
      prop: 'replicaRegion',
      message: 'is the region the secrets are created in',
      received: props.replicaRegion,
      fix: 'replicate to the standby region',
    });
  }
  return problems;
}

/**
 * The IAM resource of one secret in one region: the name and `-??????` (Secrets Manager's six-character
 * ARN suffix, unknown to another region's stack), never `*`. A replica has the primary's name and
 * suffix in its own region.
 */
export function rpcSecretArnPattern(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-??????`;
}

/**
 * The secret's partial ARN (without the suffix) as handed to the handlers in CHAIN_SETTINGS:
 * GetSecretValue accepts it ("You can specify a partial ARN too ... if you don't include the final
 * hyphen and six random characters") as long as the name does not end like a suffix
 * (refused above), and it is the same string whether the stack knows the full ARN or not.
 */
export function rpcSecretPartialArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}`;
}
