import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHAIN_SETTINGS_ENV } from '../contract/chain-settings';
import { LEDGER_GSI1 } from '../contract/ledger';
import { chainWatcherRoleName, RegionRole, walletFunctionName } from '../contract/names';
import type { Consistency } from '../contract/ledger';
import { RUNTIME_ENV } from '../contract/runtime-env';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';
import { handlerEntry, WalletFunction } from './wallet-function';

/**
 * The env var holding the chain settings JSON (lib/contract/chain-settings.ts): chain id, limits,
 * and each provider as `{ name, url }` or `{ name, secretArn }` with the ARN of THIS region's copy
 * of the secret.
 */
export { CHAIN_SETTINGS_ENV };

/** What the watcher does on the ledger: reads open transactions by status (gsi1), reads and updates items. */
export const WATCHER_LEDGER_ACTIONS = {
  /** On the table. */
  items: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  /** On the status index only. */
  index: ['dynamodb:Query'],
} as const;

/** How often the watcher runs (EventBridge's finest rate). */
export const CHAIN_WATCHER_SCHEDULE_MINUTES = 1;

/** Props of {@link ChainWatcher}. */
export interface ChainWatcherProps {
  readonly envName: string;
  readonly regionRole: RegionRole;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The ledger table in this region. */
  readonly table: dynamodb.ITableV2;
  /** This region's signing queue: the watcher sends `bump` messages to the signer there. */
  readonly signingQueue: sqs.IQueue;
  /** This region's data key: logs, the signing queue, the table and the RPC secrets are encrypted with it. */
  readonly dataKey: kms.IKey;
  /**
   * ARN of this region's copy of the signing key: the watcher reads its PUBLIC key (the signing
   * address whose transactions it walks); it gets kms:GetPublicKey on it, never kms:Sign.
   */
  readonly signingKeyArn: string;
  /**
   * The table's multi-region consistency: under MREC the watcher neither broadcasts nor asks for a
   * bump until the lease holder has reconciled its epoch (it records what the chain shows).
   */
  readonly consistency: Consistency;
  /** The chain settings, serialized (see {@link CHAIN_SETTINGS_ENV}). */
  readonly chainSettings: string;
  /**
   * IAM resources of THIS region's copies of the RPC secrets (`rpcSecretArnPattern`), one per secret.
   * @default - none (every provider is a plain URL)
   */
  readonly secretArns?: readonly string[];
  /** Receives runs that failed every retry (the region's remediation dead-letter queue). */
  readonly failureQueue: sqs.IQueue;
  /**
   * Minutes between runs.
   * @default CHAIN_WATCHER_SCHEDULE_MINUTES
   */
  readonly scheduleMinutes?: number;
}

/**
 * The chain watcher of one region (issue 16): a scheduled function that, every minute in BOTH
 * regions, probes the RPC providers and publishes their health (the alarms, the dashboard and the
 * drill's pre-check read it), and, in the region holding the lease only, tracks broadcast
 * transactions to mined and confirmed, rebroadcasts dropped ones and asks the signer for fee bumps.
 *
 * Least privilege: GetItem/UpdateItem on the ledger table, Query on its status index only;
 * kms:GetPublicKey on this region's signing key (the address; as the health function);
 * SendMessage on this region's signing queue (the data key through SQS to encrypt); GetSecretValue
 * on the exact RPC secrets of this region (and the data key through Secrets Manager to decrypt
 * them). No KMS key use but the data key's through those services: the watcher can never sign.
 * Metrics are Embedded Metric Format log lines, so it needs no CloudWatch permission.
 */
export class ChainWatcher extends Construct {
  public readonly function: WalletFunction;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ChainWatcherProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const scheduleMinutes = props.scheduleMinutes ?? CHAIN_WATCHER_SCHEDULE_MINUTES;
    throwIfProblems(this, 'ChainWatcher', chainWatcherProblems(props, scheduleMinutes));
    const { function: fn, rule } = scheduledChainFunction(this, {
      handler: 'chain-watcher',
      envName: props.envName,
      description:
        'Chain watcher: provider health metrics (every region); confirmations, rebroadcast and bump requests (lease holder)',
      environment: {
        [RUNTIME_ENV.envName]: props.envName,
        [RUNTIME_ENV.tableName]: props.table.tableName,
        [RUNTIME_ENV.regionRole]: props.regionRole,
        [RUNTIME_ENV.primaryRegion]: props.primaryRegion,
        [RUNTIME_ENV.standbyRegion]: props.standbyRegion,
        [RUNTIME_ENV.signingQueueUrl]: props.signingQueue.queueUrl,
        [RUNTIME_ENV.signingKeyArn]: props.signingKeyArn,
        [RUNTIME_ENV.consistency]: props.consistency,
        [CHAIN_SETTINGS_ENV]: props.chainSettings,
        POWERTOOLS_SERVICE_NAME: 'wallet-chain-watcher',
      },
      dataKey: props.dataKey,
      // A run probes every provider (each bounded by its request timeout) and walks open
      // transactions; it must end before the next one starts.
      timeout: Duration.seconds(Math.min(55, scheduleMinutes * 60 - 5)),
      failureQueue: props.failureQueue,
      // Named: the signing key's policy lets exactly this role read the public key (keys stacks).
      roleName: chainWatcherRoleName(props.envName, stack.region),
      tableArn: props.table.tableArn,
      ledgerActions: WATCHER_LEDGER_ACTIONS,
      schedule: events.Schedule.rate(Duration.minutes(scheduleMinutes)),
      scheduleDescription: 'Runs the chain watcher',
    });
    this.function = fn;
    this.rule = rule;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSigningPublicKey',
        actions: ['kms:GetPublicKey'],
        resources: [props.signingKeyArn],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RequestBumpsFromSigner',
        actions: ['sqs:SendMessage'],
        resources: [props.signingQueue.queueArn],
      }),
    );
    const via = (...services: string[]) => kmsViaServices(stack, ...services);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptBumpMessages',
        actions: ['kms:GenerateDataKey'],
        resources: [props.dataKey.keyArn],
        conditions: via('sqs'),
      }),
    );
    const secretArns = props.secretArns ?? [];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DataKeyThroughServices',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: via('dynamodb', 'sqs', ...(secretArns.length > 0 ? ['secretsmanager'] : [])),
      }),
    );
    if (secretArns.length > 0) grantRpcSecrets(this.function, secretArns);
  }
}

/** Props of {@link scheduledChainFunction}. */
export interface ScheduledChainFunctionProps {
  /** The handler folder (`lambda/<handler>/`) and the function name's suffix (`<env>-wallet-<handler>`). */
  readonly handler: 'chain-watcher' | 'sweeper';
  readonly envName: string;
  readonly description: string;
  /** The function's whole environment, in the order it is rendered. */
  readonly environment: Readonly<Record<string, string>>;
  /** This region's data key: the log group is encrypted with it. */
  readonly dataKey: kms.IKey;
  /** Must end before the next scheduled run starts. */
  readonly timeout: Duration;
  /** Receives runs that failed (the region's remediation dead-letter queue), from Lambda and from the rule. */
  readonly failureQueue: sqs.IQueue;
  /** @default - a generated role name */
  readonly roleName?: string;
  /** The ledger table in this region. */
  readonly tableArn: string;
  /** `items` on the table, `index` on its status index ({@link grantLedgerItemsAndStatusIndex}). */
  readonly ledgerActions: { readonly items: readonly string[]; readonly index: readonly string[] };
  readonly schedule: events.Schedule;
  /** The rule's description. */
  readonly scheduleDescription: string;
}

/**
 * The function setup the chain-side scheduled functions share (the chain watcher, the sweeper): a
 * `WalletFunction` (`Function`) of 512 MB with one run at a time per region (reserved concurrency 1:
 * two watchers would race on the same receipts; the sweeper's control item is its guarantee, and this
 * keeps contention low), invoked asynchronously without retries, failures to `failureQueue`; its ledger
 * access; and the EventBridge rule (`Schedule`) that invokes its live alias. Each caller adds its own
 * permissions after it. Construct ids are the callers' own, unchanged (`Function`, `Schedule`).
 */
export function scheduledChainFunction(
  scope: Construct,
  props: ScheduledChainFunctionProps,
): { function: WalletFunction; rule: events.Rule } {
  const fn = new WalletFunction(scope, 'Function', {
    functionName: walletFunctionName(props.envName, props.handler),
    description: props.description,
    entry: handlerEntry(props.handler),
    environment: props.environment,
    logEncryptionKey: props.dataKey,
    memorySize: 512,
    timeout: props.timeout,
    reservedConcurrency: 1,
    invocation: { kind: 'asynchronous', failureQueue: props.failureQueue, retryAttempts: 0 },
    ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
  });
  grantLedgerItemsAndStatusIndex(fn, props.tableArn, props.ledgerActions);
  const rule = new events.Rule(scope, 'Schedule', {
    description: props.scheduleDescription,
    schedule: props.schedule,
    targets: [
      // The live alias, never the function itself: CodeDeploy shifts the alias (docs/safe-deploys.md).
      new eventTargets.LambdaFunction(fn.alias, { retryAttempts: 0, deadLetterQueue: props.failureQueue }),
    ],
  });
  return { function: fn, rule };
}

/** `kms:ViaService` for the given services in this stack's region (the data key used only through them). */
export const kmsViaServices = (stack: Stack, ...services: string[]) => ({
  StringEquals: { 'kms:ViaService': services.map((s) => `${s}.${stack.region}.amazonaws.com`) },
});

/** GetSecretValue on exactly these secrets (no `*`, no other Secrets Manager action). */
function grantRpcSecrets(fn: WalletFunction, secretArns: readonly string[]): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadRpcSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [...secretArns],
    }),
  );
}

/**
 * The ledger access of a chain-side function (the chain watcher, the sweeper): `items` on the table,
 * `index` on its status index (gsi1) only, each in one statement (`LedgerItems`, `LedgerStatusIndex`).
 */
export function grantLedgerItemsAndStatusIndex(
  fn: WalletFunction,
  tableArn: string,
  actions: { readonly items: readonly string[]; readonly index: readonly string[] },
): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({ sid: 'LedgerItems', actions: [...actions.items], resources: [tableArn] }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'LedgerStatusIndex',
      actions: [...actions.index],
      resources: [`${tableArn}/index/${LEDGER_GSI1}`],
    }),
  );
}

/**
 * Gives a wallet function the chain settings (CHAIN_SETTINGS) and read access to this region's RPC
 * secrets, with the data key through Secrets Manager to decrypt them: the signer (it broadcasts
 * after signing and reads the fee market) and the API (the spending policy's balance read).
 * Nothing else: the signer's signing permissions are RegionalWallet's; the API never signs.
 */
export function grantChainAccess(
  fn: WalletFunction,
  settings: { readonly chainSettings: string; readonly secretArns: readonly string[]; readonly dataKey: kms.IKey },
): void {
  fn.function.addEnvironment(CHAIN_SETTINGS_ENV, settings.chainSettings);
  if (settings.secretArns.length === 0) return;
  grantRpcSecrets(fn, settings.secretArns);
  const region = Stack.of(fn).region;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'DataKeyThroughSecretsManager',
      actions: ['kms:Decrypt'],
      resources: [settings.dataKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    }),
  );
}

export function chainWatcherProblems(props: ChainWatcherProps, scheduleMinutes: number): PropProblem[] {
  const problems: PropProblem[] = [];
  if (!Number.isInteger(scheduleMinutes) || scheduleMinutes < 1 || scheduleMinutes > 60) {
    problems.push({
      prop: 'scheduleMinutes',
      message: 'is not a whole number of minutes from 1 to 60',
      received: scheduleMinutes,
      fix: 'use 1 (the default) to keep the health metrics at one point a minute, which the alarms assume',
    });
  }
  if (isResolved(props.chainSettings)) {
    try {
      JSON.parse(props.chainSettings);
    } catch {
      problems.push({
        prop: 'chainSettings',
        message: 'is not JSON',
        received: props.chainSettings.slice(0, 80),
        fix: 'pass JSON.stringify of the chain settings (lib/contract/chain-settings.ts)',
      });
    }
  }
  (props.secretArns ?? []).forEach((arn, i) => {
    if (!isResolved(arn)) return;
    if (/\*/.test(arn) || !/^arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:.+-\?{6}$/.test(arn)) {
      problems.push({
        prop: `secretArns[${i}]`,
        message: 'is not one secret (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-??????)',
        received: arn,
        fix: 'build it with rpcSecretArnPattern (lib/constructs/chain-secrets.ts); never a "*"',
      });
    }
  });
  return problems;
}
