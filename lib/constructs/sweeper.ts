import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type Consistency } from '../contract/ledger';
import { SPENDING_POLICY_ENV } from '../contract/policy';
import { RUNTIME_ENV } from '../contract/runtime-env';
import { SWEEP_SETTINGS_ENV, type SweeperSettings } from '../contract/sweep';
import { grantChainAccess, kmsViaServices, scheduledChainFunction } from './chain-watcher';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';
import { WalletFunction } from './wallet-function';

/** What the sweeper does on the ledger (the intake code it runs creates the sweep's items). */
export const SWEEPER_LEDGER_ACTIONS = {
  /** On the table: the wallet, lease, control, idempotency, transaction, velocity and allowlist items. */
  items: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** On the status index only: the hot address's unmined transactions. */
  index: ['dynamodb:Query'],
} as const;

const RATE = /^rate\((1 (minute|hour)|([2-9]|[1-9][0-9]{1,3}) (minutes|hours))\)$/;

/** Props of {@link Sweeper}. */
export interface SweeperProps {
  readonly envName: string;
  /** The ledger table in this region. */
  readonly table: dynamodb.ITableV2;
  /** This region's signing queue: intake queues the sweep there for the signer. */
  readonly signingQueue: sqs.IQueue;
  /** This region's data key: logs, the signing queue, the table and the RPC secrets are encrypted with it. */
  readonly dataKey: kms.IKey;
  readonly consistency: Consistency;
  /** The EIP-155 chain id (the intake code checks the sweep's). */
  readonly chainId: number;
  /** The runtime spending policy JSON, the same the API and the signer get (`SPENDING_POLICY_ENV`). */
  readonly spendingPolicy: string;
  /** The sweep settings from `spending.cold` (lower-case cold address). */
  readonly settings: SweeperSettings;
  /** How often the sweeper runs, as written in `spending.cold.checkEvery`, e.g. "rate(5 minutes)". */
  readonly checkEvery: string;
  /** The chain settings JSON (lib/contract/chain-settings.ts): the balance and fee reads go through the pool. */
  readonly chainSettings: string;
  /**
   * IAM resources of THIS region's copies of the RPC secrets, one per secret.
   * @default - none (every provider is a plain URL)
   */
  readonly secretArns?: readonly string[];
  /** Receives runs that failed (the region's remediation dead-letter queue). */
  readonly failureQueue: sqs.IQueue;
}

/**
 * The sweeper of one region (issue 21; docs/spending-policy.md "Hot/cold"): a scheduled function in
 * BOTH regions that acts only where the signing lease is held. Above the float ceiling it requests
 * the transfer of the excess to the cold address through the API's intake code (run in-process), so
 * the policy is evaluated at creation and again by the signer.
 *
 * Least privilege: GetItem/PutItem/UpdateItem on the ledger table and Query on its status index;
 * SendMessage on this region's signing queue (the data key through SQS to encrypt); the chain
 * settings and GetSecretValue on the exact RPC secrets (grantChainAccess). No permission on any
 * signing key, not even GetPublicKey (the address comes from the sweep wallet's record): it can
 * never sign. Metrics are Embedded Metric Format log lines (no CloudWatch permission).
 */
export class Sweeper extends Construct {
  public readonly function: WalletFunction;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwIfProblems(this, 'Sweeper', sweeperProblems(props));
    const { function: fn, rule } = scheduledChainFunction(this, {
      handler: 'sweeper',
      envName: props.envName,
      description: 'Sweeper: moves the hot float above its ceiling to the cold address through intake (lease holder)',
      environment: {
        [RUNTIME_ENV.envName]: props.envName,
        [RUNTIME_ENV.tableName]: props.table.tableName,
        [RUNTIME_ENV.signingQueueUrl]: props.signingQueue.queueUrl,
        [RUNTIME_ENV.chainId]: String(props.chainId),
        [RUNTIME_ENV.consistency]: props.consistency,
        [SPENDING_POLICY_ENV]: props.spendingPolicy,
        [SWEEP_SETTINGS_ENV]: JSON.stringify(props.settings),
        POWERTOOLS_SERVICE_NAME: 'wallet-sweeper',
      },
      dataKey: props.dataKey,
      timeout: Duration.seconds(50),
      failureQueue: props.failureQueue,
      tableArn: props.table.tableArn,
      ledgerActions: SWEEPER_LEDGER_ACTIONS,
      schedule: events.Schedule.expression(props.checkEvery),
      scheduleDescription: 'Runs the sweeper (spending.cold.checkEvery)',
    });
    this.function = fn;
    this.rule = rule;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'QueueSweepForSigner',
        actions: ['sqs:SendMessage'],
        resources: [props.signingQueue.queueArn],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DataKeyThroughServices',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.dataKey.keyArn],
        conditions: kmsViaServices(stack, 'dynamodb', 'sqs'),
      }),
    );
    grantChainAccess(this.function, {
      chainSettings: props.chainSettings,
      secretArns: props.secretArns ?? [],
      dataKey: props.dataKey,
    });
  }
}

export function sweeperProblems(props: SweeperProps): PropProblem[] {
  const problems: PropProblem[] = [];
  if (!RATE.test(props.checkEvery)) {
    problems.push({
      prop: 'checkEvery',
      message: 'is not a rate of at least one minute',
      received: props.checkEvery,
      fix: 'use "rate(5 minutes)" (the default) or another rate(N minutes|hours)',
    });
  }
  if (!/^0x[0-9a-f]{40}$/.test(props.settings.coldAddress)) {
    problems.push({
      prop: 'settings.coldAddress',
      message: 'is not a lower-case 20-byte hex address',
      received: props.settings.coldAddress,
      fix: 'pass spending.cold.coldAddress lower-cased',
    });
  }
  for (const k of ['floatCeilingWei', 'minimumSweepWei'] as const) {
    if (!/^[1-9][0-9]{0,77}$/.test(props.settings[k])) {
      problems.push({
        prop: `settings.${k}`,
        message: 'is not a positive whole number of wei',
        received: props.settings[k],
        fix: `pass spending.cold.${k} as validated by the config`,
      });
    }
  }
  for (const [prop, text] of [
    ['spendingPolicy', props.spendingPolicy],
    ['chainSettings', props.chainSettings],
  ] as const) {
    if (!isResolved(text)) continue;
    try {
      JSON.parse(text);
    } catch {
      problems.push({
        prop,
        message: 'is not JSON',
        received: text.slice(0, 80),
        fix: `pass JSON.stringify of the ${prop === 'spendingPolicy' ? 'runtime spending policy' : 'chain settings'}`,
      });
    }
  }
  if (isResolved(props.spendingPolicy)) {
    try {
      const policy = JSON.parse(props.spendingPolicy) as {
        wallets?: Record<string, { outgoing?: string }>;
        coldAddress?: string;
      };
      if (policy.wallets?.[props.settings.sweepWalletId]?.outgoing !== 'cold-only') {
        problems.push({
          prop: 'settings.sweepWalletId',
          message: 'is not a "cold-only" wallet of the spending policy',
          received: props.settings.sweepWalletId,
          fix: 'name the cold-only wallet (spending.wallets.<id>.outgoing = "cold-only")',
        });
      }
      if (policy.coldAddress !== props.settings.coldAddress) {
        problems.push({
          prop: 'settings.coldAddress',
          message: `differs from the spending policy's cold address (${String(policy.coldAddress)})`,
          received: props.settings.coldAddress,
          fix: 'build both from the same spending.cold section',
        });
      }
    } catch {
      // reported above
    }
  }
  return problems;
}
