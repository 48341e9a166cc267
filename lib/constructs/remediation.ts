import { defaultEventBusArn, WALLET_EVENT_SOURCE } from '../contract/status';
import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FAILOVER_SWITCH_NAMESPACE } from '../contract/failover-switch';
import { LEDGER_GSI1, ledgerKeys } from '../contract/ledger';
import { RegionRole, remediationDeadLetterQueueName, remediationRoleName, walletFunctionName } from '../contract/names';
import {
  Consistency,
  MAX_EVENT_AGE_MINUTES,
  remediationEventSources,
  remediationObservedAlarms,
  RemediationTopology,
  standbyRemediationAlarmNames,
} from '../contract/remediation';
import { RUNTIME_ENV, RuntimeEnvName } from '../contract/runtime-env';
import { acknowledge, acknowledgeCrossStackQueueKey } from '../security/nag';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';
import { handlerEntry, WalletFunction } from './wallet-function';

/** The EventBridge event remediation reacts to (CloudWatch publishes one per alarm state change). */
export const ALARM_STATE_CHANGE = { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change' } as const;

/** The EventBridge pattern matching state changes of exactly these alarms (by name). */
export function alarmStateChangePattern(alarmNames: readonly string[]): events.EventPattern {
  return {
    source: [ALARM_STATE_CHANGE.source],
    detailType: [ALARM_STATE_CHANGE.detailType],
    detail: { alarmName: [...alarmNames] },
  };
}

/** Sizing of the remediation function: one decision at a time, a few AWS calls each. */
export const REMEDIATION_SIZING = {
  memorySize: 256,
  timeout: Duration.seconds(60),
  /** One decision at a time: two concurrent runs could both see "not yet failed over". */
  reservedConcurrency: 1,
  /** Lambda retries a failed asynchronous event twice; a crashed attempt is taken over by the retry. */
  retryAttempts: 2,
  /** Events older than this are not acted on (the handler audits them); Lambda drops them to the DLQ. */
  maxEventAge: Duration.minutes(MAX_EVENT_AGE_MINUTES),
} as const;

/** Ledger actions of the remediation role: item reads and conditional writes, nothing else. */
export const REMEDIATION_LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** Props of {@link WalletRemediation}. */
export interface WalletRemediationProps {
  readonly envName: string;
  /** This region's role; the standby's remediation also decides failovers. */
  readonly regionRole: RegionRole;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The ledger's consistency: under MREC the replication alarms also degrade the region. */
  readonly consistency: Consistency;
  /** The ledger table in this region (lease, region control, claims, budget and audit items). */
  readonly table: dynamodb.ITableV2;
  /** This region's data key: the table, the log group and the dead-letter queue are encrypted with it. */
  readonly dataKey: kms.IKey;
  /** The region's alerts topic: every decision is notified there. */
  readonly topic: sns.ITopic;
  /** The key the topic is encrypted with (publishing needs it). */
  readonly topicKey: kms.IKey;
  /**
   * ARN of this region's copy of the signing key, read with kms:GetPublicKey to find the signing
   * leases by address. Required in the standby (the only region that moves leases); not used in the
   * primary, whose remediation only sets degraded mode.
   * @default - none (primary)
   */
  readonly signingKeyArn?: string;
  /** `auto` acts; `notify-only` decides, audits and notifies the same, but changes nothing. */
  readonly mode: 'auto' | 'notify-only';
  /** At most this many automatic failovers per window, for the whole environment. */
  readonly maxFailoversPerWindow: number;
  readonly windowMinutes: number;
  /**
   * Standby only: the queues of the hand-off that runs after remediation moves a lease
   * (lib/failover/handoff.ts). The role gets SendMessage on exactly this region's signing queue,
   * ReceiveMessage/DeleteMessage on exactly the two signing DLQs, the data keys only through SQS,
   * and Query on the ledger's gsi1 index (the open transactions of an address). Never kms:Sign.
   * @default - no automatic hand-off (the operator runs `wallet-ops hand-off`)
   */
  readonly handOff?: RemediationHandOffQueues;
}

/** The queues the standby's remediation hand-off reads and writes. */
export interface RemediationHandOffQueues {
  /** This region's signing queue (the new holder's): the hand-off sends to it. */
  readonly signingQueue: sqs.IQueue;
  /** This region's signing DLQ: emptied into the signing queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The peer region's signing DLQ, as plain values (cross-region), and the data-key copy that encrypts it. */
  readonly peerDeadLetterQueue: {
    readonly region: string;
    readonly queueArn: string;
    readonly queueUrl: string;
    readonly dataKeyArn: string;
  };
}

/**
 * The bounded remediation Lambda of one region (docs/observability-wiring.md, docs/runbooks/alarms.md):
 * an EventBridge rule routes the state changes of exactly the alarms `remediationEventSources()`
 * lists for this region to a function with reserved concurrency 1, two retries, a 15-minute event
 * age limit and an SQS on-failure destination.
 *
 * Its role can read the alarms of this environment, write the ledger's control items (degraded
 * mode, claims, audit; in the standby also leases and the failover budget), publish to the region's
 * topic and, in the standby only, throw the failover switch (one PutMetricData in the
 * `Wallet/Failover` namespace) and read the signing key's public key. It cannot sign, change a key
 * or an IAM policy, or call Route 53.
 */
export class WalletRemediation extends Construct {
  public readonly function: WalletFunction;
  /**
   * Events that failed every retry: Lambda's invocation records (on-failure destination) and events
   * EventBridge could not deliver (target dead-letter queue). Alarmed by `remediation-failures`.
   */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rule: events.Rule;
  /** The alarm names the rule routes to the function (the standby's: also the forwarded cues). */
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: WalletRemediationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const region = stack.region;
    throwIfProblems(this, 'WalletRemediation', remediationProblems(props, region));
    const standby = props.regionRole === 'standby';
    const topology: RemediationTopology = {
      envName: props.envName,
      primaryRegion: props.primaryRegion,
      standbyRegion: props.standbyRegion,
      consistency: props.consistency,
    };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: remediationDeadLetterQueueName(props.envName),
      encryptionMasterKey: props.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const dlqReason =
      "This queue is itself a dead-letter queue: the remediation function's on-failure destination and its EventBridge " +
      'target dead-letter queue. A dead-letter queue of a dead-letter queue would have no consumer; its depth is alarmed ' +
      '(remediation-failures).';
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', dlqReason);
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', dlqReason);
    acknowledge(this.deadLetterQueue, 'cdk-validator-cfnguard::sqs_dlq_check', dlqReason);
    if (stack !== Stack.of(props.dataKey)) acknowledgeCrossStackQueueKey(this.deadLetterQueue);

    const environment: Partial<Record<RuntimeEnvName, string>> = {
      [RUNTIME_ENV.envName]: props.envName,
      [RUNTIME_ENV.tableName]: props.table.tableName,
      [RUNTIME_ENV.regionRole]: props.regionRole,
      [RUNTIME_ENV.primaryRegion]: props.primaryRegion,
      [RUNTIME_ENV.standbyRegion]: props.standbyRegion,
      [RUNTIME_ENV.consistency]: props.consistency,
      [RUNTIME_ENV.notificationTopicArn]: props.topic.topicArn,
      [RUNTIME_ENV.remediationMode]: props.mode,
      [RUNTIME_ENV.maxFailoversPerWindow]: String(props.maxFailoversPerWindow),
      [RUNTIME_ENV.failoverWindowMinutes]: String(props.windowMinutes),
      ...(props.signingKeyArn !== undefined ? { [RUNTIME_ENV.signingKeyArn]: props.signingKeyArn } : {}),
      ...(props.handOff !== undefined
        ? {
            [RUNTIME_ENV.signingQueueUrl]: props.handOff.signingQueue.queueUrl,
            [RUNTIME_ENV.signingDeadLetterQueueUrl]: props.handOff.deadLetterQueue.queueUrl,
            [RUNTIME_ENV.peerSigningDeadLetterQueueUrl]: props.handOff.peerDeadLetterQueue.queueUrl,
          }
        : {}),
    };
    const switchAction = 'cloudwatch:PutMetricData';
    this.function = new WalletFunction(this, 'Function', {
      functionName: walletFunctionName(props.envName, 'remediation'),
      description: 'Wallet remediation: bounded, audited reactions to alarm state changes (degraded mode, failover)',
      entry: handlerEntry('remediation'),
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'wallet-remediation' } as Record<string, string>,
      logEncryptionKey: props.dataKey,
      memorySize: REMEDIATION_SIZING.memorySize,
      timeout: REMEDIATION_SIZING.timeout,
      reservedConcurrency: REMEDIATION_SIZING.reservedConcurrency,
      roleName: remediationRoleName(props.envName, region),
      invocation: {
        kind: 'asynchronous',
        failureQueue: this.deadLetterQueue,
        retryAttempts: REMEDIATION_SIZING.retryAttempts,
        maxEventAge: REMEDIATION_SIZING.maxEventAge,
      },
      starResourceGrants: standby
        ? {
            actions: [switchAction],
            reason:
              'CloudWatch PutMetricData supports no resource-level permission; the statement is bound by the condition ' +
              `cloudwatch:namespace = ${FAILOVER_SWITCH_NAMESPACE}, so the role can publish the failover switch and nothing else.`,
          }
        : undefined,
    });

    // Alarm states: this environment's alarms in every region the decision reads (its own; for the
    // standby also the primary's and us-east-1's). DescribeAlarms authorizes per alarm ARN.
    const alarmArns = remediationObservedAlarms(topology, region).map((group) =>
      stack.formatArn({
        service: 'cloudwatch',
        region: group.region,
        resource: 'alarm',
        resourceName: `${props.envName}-wallet-*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadAlarmStates', actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }),
    );
    for (const arn of alarmArns) {
      acknowledge(
        this.function.role.policy,
        `AwsSolutions-IAM5[Resource::${arn}]`,
        "DescribeAlarms of this environment's alarms only (every name starts with <env>-wallet-, lib/contract/alarms.ts): " +
          'remediation decides from the current state of several alarms of this region' +
          (standby ? ', the primary region and us-east-1' : '') +
          '. Reading alarm state is read-only; the name prefix is the narrowest pattern that covers them.',
      );
    }

    // Ledger: item reads and conditional writes, only on the partitions remediation owns.
    const own = [
      ledgerKeys.regionControl(region).pk,
      ledgerKeys.audit(`remediation#${region}`, '', '').pk,
      ledgerKeys.remediationClaim(region, '').pk,
    ];
    const failover = standby
      ? [ledgerKeys.failoverBudget().pk, ledgerKeys.lease('*').pk, ledgerKeys.audit('lease#*', '', '').pk]
      : [];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LedgerControlItems',
        actions: [...REMEDIATION_LEDGER_ACTIONS],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...own, ...failover] } },
      }),
    );
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DataKeyThroughDynamoDb',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: via('dynamodb'),
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptNotifications',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
        conditions: via('sns'),
      }),
    );
    // Status-page events (lib/status/wallet-events.ts): both wallet regions' default buses, this
    // source only. PutEvents authorizes on the bus ARN and supports the events:source condition key
    // ("Using IAM policy conditions in Amazon EventBridge").
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'StatusPageEvents',
        actions: ['events:PutEvents'],
        resources: [props.primaryRegion, props.standbyRegion].map((r) =>
          defaultEventBusArn(stack.partition, r, stack.account),
        ),
        conditions: { StringEquals: { 'events:source': WALLET_EVENT_SOURCE } },
      }),
    );
    if (standby) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ThrowFailoverSwitch',
          actions: [switchAction],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': FAILOVER_SWITCH_NAMESPACE } },
        }),
      );
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadSigningPublicKey',
          actions: ['kms:GetPublicKey'],
          resources: [props.signingKeyArn as string],
        }),
      );
    }

    if (props.handOff !== undefined) this.grantHandOff(props, via);

    // The standby's rule also matches the cues forwarded from the primary region and us-east-1
    // (lib/constructs/remediation-forwarding.ts): forwarded events keep their alarm names.
    this.alarmNames = standby
      ? standbyRemediationAlarmNames(topology)
      : [...(remediationEventSources(topology, region).find((s) => s.region === region)?.alarmNames ?? [])];
    this.rule = new events.Rule(this, 'AlarmStateChanges', {
      description: `Routes state changes of the alarms remediation reacts to in ${region} to the remediation function`,
      eventPattern: alarmStateChangePattern(this.alarmNames),
      // EventBridge delivers asynchronously too: an event it cannot hand to Lambda (within the same
      // event age) lands in the same dead-letter queue as an event the function failed.
      targets: [
        new targets.LambdaFunction(this.function.alias, {
          maxEventAge: REMEDIATION_SIZING.maxEventAge,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }

  /** The hand-off's grants (lib/failover/handoff.ts): exact queues, keys only through SQS, no signing. */
  private grantHandOff(
    props: WalletRemediationProps,
    via: (service: string) => { StringEquals: Record<string, string> },
  ): void {
    const q = props.handOff as RemediationHandOffQueues;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'HandOffToHolderQueue',
        actions: ['sqs:SendMessage'],
        resources: [q.signingQueue.queueArn],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'HandOffDrainSigningDlqs',
        actions: [...HANDOFF_DLQ_ACTIONS],
        resources: [q.deadLetterQueue.queueArn, q.peerDeadLetterQueue.queueArn],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'HandOffQueueKeyThroughSqs',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: via('sqs'),
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'HandOffPeerDlqKeyThroughSqs',
        actions: ['kms:Decrypt'],
        resources: [q.peerDeadLetterQueue.dataKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${q.peerDeadLetterQueue.region}.amazonaws.com` } },
      }),
    );
    // Query on the index only (the table's items stay behind the LeadingKeys statement above): the
    // hand-off lists an address's open transactions by their `TXSTATUS#<address>#<status>` partition.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'HandOffOpenTransactions',
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${LEDGER_GSI1}`],
      }),
    );
  }
}

/** What the hand-off does with a signing DLQ: take each message and, once re-sent, delete it. */
export const HANDOFF_DLQ_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage'] as const;

/** Every problem with the props, at once. */
export function remediationProblems(props: WalletRemediationProps, region: string): PropProblem[] {
  const problems: PropProblem[] = [];
  const expected = props.regionRole === 'primary' ? props.primaryRegion : props.standbyRegion;
  if (isResolved(region) && region !== expected) {
    problems.push({
      prop: 'regionRole',
      message: `is "${props.regionRole}", which means ${expected}, but the stack is in ${region}`,
      received: props.regionRole,
      fix: 'build the primary remediation in the primary region and the standby one in the standby region',
    });
  }
  if (props.regionRole === 'standby' && props.signingKeyArn === undefined) {
    problems.push({
      prop: 'signingKeyArn',
      message: "is required in the standby: its remediation moves the signing leases, found by the key's address",
      received: undefined,
      fix: "pass the standby's signing-key replica ARN",
    });
  }
  if (props.regionRole === 'primary' && props.handOff !== undefined) {
    problems.push({
      prop: 'handOff',
      message:
        "is not used in the primary (its remediation never moves leases); passing it would grant queue access it doesn't need",
      received: 'queues',
      fix: 'leave handOff out in the primary',
    });
  }
  if (props.regionRole === 'primary' && props.signingKeyArn !== undefined) {
    problems.push({
      prop: 'signingKeyArn',
      message:
        "is not used in the primary (its remediation never moves leases); passing it would grant a read it doesn't need",
      received: props.signingKeyArn,
      fix: 'leave signingKeyArn out in the primary',
    });
  }
  for (const [prop, value] of [
    ['maxFailoversPerWindow', props.maxFailoversPerWindow],
    ['windowMinutes', props.windowMinutes],
  ] as const) {
    if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 1)) {
      problems.push({ prop, message: 'must be a whole number of 1 or more', received: value, fix: 'e.g. 1 and 60' });
    }
  }
  return problems;
}
