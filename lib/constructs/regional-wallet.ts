import { DEPOSIT_ONLY_POLICY, type RuntimeSpendingPolicy, SPENDING_POLICY_ENV } from '../contract/policy';
import { Arn, ArnComponents, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  healthRoleName,
  RegionRole,
  signerRoleName,
  signingDeadLetterQueueName,
  signingQueueName,
  wafLogGroupName,
  walletFunctionName,
} from '../contract/names';
import { type Consistency, LEDGER_GSI1 } from '../contract/ledger';
import { RUNTIME_ENV, RuntimeEnvName } from '../contract/runtime-env';
import { acknowledge } from '../security/nag';
import { SigningQueue } from './signing-queue';
import { ThrottleSettings, WalletApi } from './wallet-api';
import { handlerEntry, WalletFunction } from './wallet-function';
import { WalletWebAcl } from './wallet-web-acl';

/**
 * Ledger actions per function: item-level only, listed one by one, on the table only; exactly the
 * operations each handler performs (its entry file lists them).
 */
export const LEDGER_ACTIONS = {
  /**
   * Idempotency claim and transaction create (conditional puts), wallet/transaction/region-control
   * reads; the approval routes' conditional updates of pending-approval transactions (UpdateItem).
   * Their list (Query) is granted on the gsi1 index only (APPROVAL_INDEX_ACTIONS).
   */
  api: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** `/health/deep`: reads the lease and the region control item. */
  health: ['dynamodb:GetItem'],
  /** Lease check, lease-fenced nonce allocation, nonce reservations, transaction transitions. */
  signer: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;

/** The approval list reads pending-approval transactions by status from gsi1: Query on that index only. */
export const APPROVAL_INDEX_ACTIONS = ['dynamodb:Query'] as const;

/** What the signer role may do with the signing key: exactly these two actions. */
export const SIGNER_KEY_ACTIONS = ['kms:Sign', 'kms:GetPublicKey'] as const;
/** What the health role may do with the signing key: read the public key (a disabled key fails it). */
export const HEALTH_KEY_ACTIONS = ['kms:GetPublicKey'] as const;

/** What an SQS event source mapping needs on its queue. */
export const SQS_CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
] as const;

/** Sizing of the three functions (memory in MB, timeout, reserved concurrency). */
export interface FunctionSizing {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrency: number;
}

/**
 * Defaults, with the reason for each.
 * - api: the stage throttle (50 rps by default) at ~200 ms per request needs ~10 concurrent
 *   executions; 50 leaves headroom for slow dependencies and caps a runaway at 50.
 * - health: Route 53 checkers (every 10 s from 3+ regions) and canaries need 1-2; 10 is reserved so
 *   a flood of the wallet API can never starve health checks into a false failover.
 * - signer: one signing address serializes on its nonce counter anyway; 2 is the smallest
 *   maximum concurrency an SQS event source accepts, and reserved = maximum keeps the poller from
 *   being throttled (a throttled poll would count as a receive toward the dead-letter queue).
 */
export const DEFAULT_SIZING: Readonly<Record<'api' | 'health' | 'signer', FunctionSizing>> = {
  api: { memorySize: 512, timeout: Duration.seconds(10), reservedConcurrency: 50 },
  health: { memorySize: 256, timeout: Duration.seconds(5), reservedConcurrency: 10 },
  signer: { memorySize: 512, timeout: Duration.seconds(30), reservedConcurrency: 2 },
};

/** Messages per signer invocation: one transaction, one nonce, one signature. */
export const SIGNER_BATCH_SIZE = 1;

/** Props of {@link RegionalWallet}. */
export interface RegionalWalletProps {
  /** The environment name (config `envName`). */
  readonly envName: string;
  /** This region's role in the pair. It must match the stack's region and `primaryRegion`/`standbyRegion`. */
  readonly regionRole: RegionRole;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The ledger table in this region (the global table, or its replica imported by name). */
  readonly table: dynamodb.ITableV2;
  /** This region's copy of the data key (logs, queues; the table replica is encrypted with it). */
  readonly dataKey: kms.IKey;
  /**
   * The data key's id (`mrk-...`), the same for every copy of a multi-region key: it names the
   * peer's copy, which encrypts the peer signing queue the signer forwards to.
   */
  readonly dataKeyId: string;
  /** ARN of this region's copy of the signing key (the primary key or its replica). */
  readonly signingKeyArn: string;
  /** The EIP-155 chain id the signer signs for. */
  readonly chainId: number;
  /** The table's multi-region consistency mode (handlers behave differently under MREC). */
  readonly consistency: Consistency;
  /**
   * The spending policy the API and the signer enforce (lib/contract/policy.ts), carried as JSON in
   * one environment variable.
   * @default - DEPOSIT_ONLY_POLICY: every wallet deposit-only
   */
  readonly spendingPolicy?: RuntimeSpendingPolicy;
  /** The API stage's default throttle. */
  readonly throttle: ThrottleSettings;
  /** Requests per client IP per 5 minutes before WAF blocks it. */
  readonly wafRateLimitPerIp: number;
  /**
   * Function sizing; any field not given keeps its default.
   * @default DEFAULT_SIZING
   */
  readonly sizing?: Partial<Record<'api' | 'health' | 'signer', Partial<FunctionSizing>>>;
}

/**
 * The whole regional workload, the same in both regions (only the lease decides who signs):
 * the WAF-protected regional API, its health and API functions, the FIFO signing queue with its
 * dead-letter queue, and the signer function.
 *
 * Permissions, all in customer-managed policies, no wildcard on the signing key or the table:
 * - api: GetItem/PutItem/UpdateItem on the table, Query on its gsi1 index (the approval routes),
 *   SendMessage on the signing queue; no KMS key use but the
 *   data key through DynamoDB and SQS. It cannot sign or read the public key.
 * - health: GetItem on the table; GetPublicKey on the signing key.
 * - signer (role name from lib/contract/names.ts, which the key policy names): exactly kms:Sign and
 *   kms:GetPublicKey on this region's signing key; GetItem/PutItem/UpdateItem on the table;
 *   consumes the signing queue.
 */
export class RegionalWallet extends Construct {
  public readonly api: WalletApi;
  public readonly webAcl: WalletWebAcl;
  public readonly signingQueue: SigningQueue;
  public readonly functions: {
    readonly api: WalletFunction;
    readonly health: WalletFunction;
    readonly signer: WalletFunction;
  };
  /** The signer's SQS event source mapping. */
  public readonly signerEventSource: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: RegionalWalletProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateProps(this, props);
    const sizing = (purpose: 'api' | 'health' | 'signer'): FunctionSizing => ({
      ...DEFAULT_SIZING[purpose],
      ...props.sizing?.[purpose],
    });
    const signerSizing = sizing('signer');

    this.signingQueue = new SigningQueue(this, 'SigningQueue', {
      queueName: signingQueueName(props.envName),
      deadLetterQueueName: signingDeadLetterQueueName(props.envName),
      encryptionKey: props.dataKey,
      visibilityTimeout: Duration.seconds(signerSizing.timeout.toSeconds() * 6),
    });

    const environment = runtimeEnvironment(props, this.signingQueue.queue.queueUrl);
    const peer = peerSigningQueue(stack, props);
    const common = (purpose: 'api' | 'health' | 'signer') => ({
      ...sizing(purpose),
      functionName: walletFunctionName(props.envName, purpose),
      entry: handlerEntry(purpose),
      environment: {
        ...environment,
        // The spending policy: only the two functions that enforce it (the API and the signer).
        ...(purpose === 'health'
          ? {}
          : { [SPENDING_POLICY_ENV]: JSON.stringify(props.spendingPolicy ?? DEPOSIT_ONLY_POLICY) }),
        POWERTOOLS_SERVICE_NAME: `wallet-${purpose}`,
      },
      logEncryptionKey: props.dataKey,
    });
    const api = new WalletFunction(this, 'ApiFunction', {
      ...common('api'),
      description: 'Wallet API: idempotent transaction intake and transaction status',
      invocation: { kind: 'synchronous', by: 'API Gateway (Lambda proxy integration)' },
    });
    const health = new WalletFunction(this, 'HealthFunction', {
      ...common('health'),
      description: 'Wallet health: /health (liveness, region role) and /health/deep (table, signing key, lease)',
      invocation: { kind: 'synchronous', by: 'API Gateway (Lambda proxy integration)' },
      roleName: healthRoleName(props.envName, stack.region),
    });
    const signerCommon = common('signer');
    const signer = new WalletFunction(this, 'SignerFunction', {
      ...signerCommon,
      environment: { ...signerCommon.environment, [RUNTIME_ENV.peerSigningQueueUrl]: peer.queueUrl },
      description: 'Wallet signer: lease-fenced nonce allocation and KMS signing of queued transactions',
      invocation: { kind: 'synchronous', by: 'an SQS event source mapping (the signing queue)' },
      roleName: signerRoleName(props.envName, stack.region),
    });
    this.functions = { api, health, signer };

    const tableArn = props.table.tableArn;
    const viaService = (...services: string[]) => ({
      StringEquals: { 'kms:ViaService': services.map((s) => `${s}.${stack.region}.amazonaws.com`) },
    });
    const ledger = (fn: WalletFunction, actions: readonly string[]) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'LedgerItems', actions: [...actions], resources: [tableArn] }));

    ledger(api, LEDGER_ACTIONS.api);
    api.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListPendingApprovals',
        actions: [...APPROVAL_INDEX_ACTIONS],
        resources: [`${tableArn}/index/${LEDGER_GSI1}`],
      }),
    );
    api.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EnqueueForSigning',
        actions: ['sqs:SendMessage'],
        resources: [this.signingQueue.queue.queueArn],
      }),
    );
    api.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DataKeyThroughDynamoDbAndSqs',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: viaService('dynamodb', 'sqs'),
      }),
    );
    api.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptQueuedMessages',
        actions: ['kms:GenerateDataKey'],
        resources: [props.dataKey.keyArn],
        conditions: viaService('sqs'),
      }),
    );

    ledger(health, LEDGER_ACTIONS.health);
    health.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSigningPublicKey',
        actions: [...HEALTH_KEY_ACTIONS],
        resources: [props.signingKeyArn],
      }),
    );
    health.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DataKeyThroughDynamoDb',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: viaService('dynamodb'),
      }),
    );

    ledger(signer, LEDGER_ACTIONS.signer);
    signer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SignWithRegionKey',
        actions: [...SIGNER_KEY_ACTIONS],
        resources: [props.signingKeyArn],
      }),
    );
    signer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ConsumeSigningQueue',
        actions: [...SQS_CONSUME_ACTIONS],
        resources: [this.signingQueue.queue.queueArn],
      }),
    );
    signer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DataKeyThroughDynamoDbAndSqs',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: viaService('dynamodb', 'sqs'),
      }),
    );
    // A signer without the lease forwards what it cannot sign to the peer's queue
    // (lambda/signer/forward.ts): SendMessage on exactly that queue, named as plain values (the peer
    // is another region's stack: STYLE.md), and the peer's data key, which encrypts that queue.
    // SQS Developer Guide, "Key management": "For a customer managed KMS key, you must configure
    // the key policy to add permissions for each queue producer and consumer ... Alternatively, you
    // can specify the required permissions in an IAM policy assigned to the principals that produce
    // and consume encrypted messages" (the data key's policy delegates its use to IAM:
    // DataKeyUseThroughIam), and "AWS KMS requires explicitly naming the full ARN of KMS keys in
    // specific regions in the Resource section of an IAM policy". A producer needs
    // kms:GenerateDataKey (to encrypt) and kms:Decrypt (SQS reuses a cached data key, and the
    // AWS knowledge center's SendMessage AccessDenied article names both).
    signer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ForwardToPeerSigningQueue',
        actions: ['sqs:SendMessage'],
        resources: [peer.queueArn],
      }),
    );
    signer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PeerDataKeyThroughSqs',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [peer.dataKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${peer.region}.amazonaws.com` } },
      }),
    );
    // Not SqsEventSource: it would also grant kms:Decrypt on the queue's key without the
    // kms:ViaService condition. The permissions above are exactly what the mapping needs.
    this.signerEventSource = new lambda.EventSourceMapping(this, 'SignerEventSource', {
      // The live alias, never the function itself: CodeDeploy shifts the alias (docs/safe-deploys.md).
      target: signer.alias,
      eventSourceArn: this.signingQueue.queue.queueArn,
      batchSize: SIGNER_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: signerSizing.reservedConcurrency,
    });
    acknowledge(
      this.signerEventSource,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event source mappings take no on-failure destination: a message that fails maxReceiveCount times moves ' +
        "to the signing queue's FIFO dead-letter queue (its redrive policy), which is exposed for alarming.",
    );

    this.api = new WalletApi(this, 'Api', {
      restApiName: `${props.envName}-wallet`,
      healthFunction: health.alias,
      apiFunction: api.alias,
      throttle: props.throttle,
      logEncryptionKey: props.dataKey,
    });
    this.webAcl = new WalletWebAcl(this, 'WebAcl', {
      name: `${props.envName}-wallet-api`,
      rateLimitPerIp: props.wafRateLimitPerIp,
      resourceArn: this.api.stage.stageArn,
      logGroupName: wafLogGroupName(props.envName),
      logEncryptionKey: props.dataKey,
    });
  }
}

/** The environment every wallet function gets (lib/contract/runtime-env.ts names). */
function runtimeEnvironment(props: RegionalWalletProps, queueUrl: string): Record<string, string> {
  const env: Partial<Record<RuntimeEnvName, string>> = {
    [RUNTIME_ENV.envName]: props.envName,
    [RUNTIME_ENV.tableName]: props.table.tableName,
    [RUNTIME_ENV.signingKeyArn]: props.signingKeyArn,
    [RUNTIME_ENV.regionRole]: props.regionRole,
    [RUNTIME_ENV.peerRegion]: props.regionRole === 'primary' ? props.standbyRegion : props.primaryRegion,
    [RUNTIME_ENV.primaryRegion]: props.primaryRegion,
    [RUNTIME_ENV.standbyRegion]: props.standbyRegion,
    [RUNTIME_ENV.signingQueueUrl]: queueUrl,
    [RUNTIME_ENV.chainId]: String(props.chainId),
    [RUNTIME_ENV.consistency]: props.consistency,
  };
  return env as Record<string, string>;
}

/**
 * The peer region's signing queue and the copy of the data key that encrypts it, as plain values:
 * the queue name comes from lib/contract/names.ts, and a multi-region key's replica has the same
 * key id as its primary ("AWS KMS creates a replica key in the specified Region with the same key
 * ID and other shared properties as the primary key", AWS KMS Developer Guide, "How multi-Region
 * keys work"), so the peer's ARN is this region's with the peer region.
 */
export function peerSigningQueue(
  stack: Stack,
  props: Pick<RegionalWalletProps, 'envName' | 'regionRole' | 'primaryRegion' | 'standbyRegion' | 'dataKeyId'>,
): { region: string; queueArn: string; queueUrl: string; dataKeyArn: string } {
  const region = props.regionRole === 'primary' ? props.standbyRegion : props.primaryRegion;
  const name = signingQueueName(props.envName);
  return {
    region,
    queueArn: `arn:${stack.partition}:sqs:${region}:${stack.account}:${name}`,
    queueUrl: `https://sqs.${region}.${stack.urlSuffix}/${stack.account}/${name}`,
    // Not Fn::Split of the key ARN: the ARN arrives as Fn::GetStackOutput, which Fn::Split does not take.
    dataKeyArn: `arn:${stack.partition}:kms:${region}:${stack.account}:key/${props.dataKeyId}`,
  };
}

function splitArn(arn: string): ArnComponents | undefined {
  try {
    return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    return undefined;
  }
}

function validateProps(scope: Construct, props: RegionalWalletProps): void {
  const problems: string[] = [];
  const region = Stack.of(scope).region;
  const expected = props.regionRole === 'primary' ? props.primaryRegion : props.standbyRegion;
  if (props.primaryRegion === props.standbyRegion) {
    problems.push(`primaryRegion and standbyRegion are both "${props.primaryRegion}"; they must differ`);
  }
  if (!Token.isUnresolved(region) && region !== expected) {
    problems.push(
      `regionRole "${props.regionRole}" means region ${expected}, but the stack is in ${region}; ` +
        'build the primary workload in the primary region and the standby workload in the standby region',
    );
  }
  if (!Token.isUnresolved(props.signingKeyArn)) {
    const arn = splitArn(props.signingKeyArn);
    if (arn?.service !== 'kms' || arn.resource !== 'key' || arn.region !== region) {
      problems.push(
        `signingKeyArn "${props.signingKeyArn}" is not a KMS key ARN in ${region}; pass this region's copy of the ` +
          'signing key (the primary key in the primary region, its replica in the standby region)',
      );
    }
  }
  const signerConcurrency = props.sizing?.signer?.reservedConcurrency;
  if (signerConcurrency !== undefined && (signerConcurrency < 2 || signerConcurrency > 1000)) {
    problems.push(
      `sizing.signer.reservedConcurrency is ${signerConcurrency}; it is also the SQS event source's maximum ` +
        'concurrency, which must be from 2 to 1000',
    );
  }
  if (!Number.isSafeInteger(props.chainId) || props.chainId < 1) {
    problems.push(`chainId is ${props.chainId}; use the positive whole EIP-155 chain id of the target network`);
  }
  if (problems.length > 0) {
    throw new Error(
      `RegionalWallet ${scope.node.path}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`,
    );
  }
}
