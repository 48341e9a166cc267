import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  STATUS_HISTORY_SCHEDULE,
  STATUS_SITE_PREFIX,
  STATUS_STATE_PREFIX,
  STATUS_UPDATER_ENV,
  StatusUpdaterEnv,
  statusUpdaterRoleName,
  WALLET_EVENT_SOURCE,
  WALLET_EVENTS,
} from '../contract/status';
import { walletFunctionName } from '../contract/names';
import { acknowledge } from '../security/nag';
import { PropProblem, throwIfProblems } from './prop-problems';
import { handlerEntry, WalletFunction } from './wallet-function';

/** Props of {@link StatusUpdater}. */
export interface StatusUpdaterProps {
  /** What the handler needs (buckets, mode, page, model settings, topic, queue); becomes its one env var. */
  readonly env: StatusUpdaterEnv;
  /** The alarm names whose state changes the updater hears on this region's default bus. */
  readonly alarmNames: readonly string[];
  /** This region's status key (the function's logs and its failure queue). */
  readonly key: kms.IKey;
  readonly topic: sns.ITopic;
  readonly webhookQueue: sqs.IQueue;
  /**
   * Canary metrics the daily history job reads (GetMetricData has no resource-level permission).
   * @default true
   */
  readonly history?: boolean;
}

/**
 * The status updater of one wallet region: EventBridge on the default bus routes the alarm state
 * changes (region-impaired, public-name canaries, the failover switch) and the wallet's own events
 * (lease moved, switch changed, degraded mode changed), plus a daily schedule for the uptime history.
 *
 * Least privilege: it may read and write ONLY the status objects (`site/*`, `state/*`) of the two
 * status buckets, use its region's status key only through SNS and SQS, publish to the
 * subscriber topic and send to the webhook queue. Nothing else: no wallet table, no signing key,
 * no Route 53, no IAM.
 */
export class StatusUpdater extends Construct {
  public readonly updater: WalletFunction;
  public readonly failureQueue: sqs.Queue;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: StatusUpdaterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwIfProblems(this, 'StatusUpdater', problems(props));
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const dlqReason =
      'This queue is itself the failure destination of the status updater and the dead-letter queue of its EventBridge rule; nothing consumes a dead-letter queue of it.';
    acknowledge(this.failureQueue, 'AwsSolutions-SQS3', dlqReason);
    acknowledge(this.failureQueue, 'Serverless-SQSRedrivePolicy', dlqReason);
    acknowledge(this.failureQueue, 'cdk-validator-cfnguard::sqs_dlq_check', dlqReason);

    this.updater = new WalletFunction(this, 'Updater', {
      functionName: walletFunctionName(props.env.envName, 'status-updater'),
      description:
        'Keeps the status page current from alarm state changes and wallet events; writes only the status objects',
      entry: handlerEntry('status-updater'),
      environment: { [STATUS_UPDATER_ENV]: JSON.stringify(props.env) },
      logEncryptionKey: props.key,
      timeout: Duration.seconds(60),
      memorySize: 512,
      // One at a time per region: the conditional write resolves races, one runner avoids most of them.
      reservedConcurrency: 1,
      roleName: statusUpdaterRoleName(props.env.envName, stack.region),
      invocation: { kind: 'asynchronous', failureQueue: this.failureQueue },
      ...(props.history === false
        ? {}
        : {
            starResourceGrants: {
              actions: ['cloudwatch:GetMetricData'],
              reason:
                "GetMetricData supports no resource-level permission (Service Authorization Reference); the daily history job reads the canaries' SuccessPercent",
            },
          }),
    });

    for (const b of props.env.buckets) {
      const bucketArn = `arn:${stack.partition}:s3:::${b.name}`;
      // The buckets are SSE-S3 (lib/constructs/status-bucket.ts): no KMS permission is needed or given.
      this.updater.addToRolePolicy(
        new iam.PolicyStatement({
          sid: `StatusObjects${b.region.replace(/-/g, '')}`,
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [`${bucketArn}/${STATUS_SITE_PREFIX}/*`, `${bucketArn}/${STATUS_STATE_PREFIX}/*`],
        }),
      );
    }
    for (const b of props.env.buckets) {
      const bucketArn = `arn:${stack.partition}:s3:::${b.name}`;
      for (const prefix of [STATUS_SITE_PREFIX, STATUS_STATE_PREFIX]) {
        acknowledge(
          this.updater.role.policy,
          `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}/*]`,
          `The updater writes the status objects under ${prefix}/ of the status bucket in ${b.region} (every document and the model, named in lib/contract/status.ts); object keys include incident ids, so the prefix is the narrowest resource. No other bucket or prefix is granted.`,
        );
      }
    }
    this.updater.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'NotifySubscribers',
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
      }),
    );
    this.updater.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'QueueWebhooks',
        actions: ['sqs:SendMessage'],
        resources: [props.webhookQueue.queueArn],
      }),
    );
    this.updater.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptNotifications',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': [`sns.${stack.region}.amazonaws.com`, `sqs.${stack.region}.amazonaws.com`],
          },
        },
      }),
    );
    if (props.history !== false) {
      this.updater.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'ReadCanaryMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      );
    }

    this.rule = new events.Rule(this, 'Events', {
      description: 'Status page: alarm state changes and wallet events that change what users are told',
      eventPattern: {
        // One rule, two sources: EventBridge ORs the top-level fields only within one field, so the
        // alarm names and wallet detail types are matched with $or.
        source: ['aws.cloudwatch', WALLET_EVENT_SOURCE],
      },
    });
    (this.rule.node.defaultChild as events.CfnRule).addPropertyOverride(
      'EventPattern',
      statusUpdaterEventPattern(props.alarmNames),
    );
    this.rule.addTarget(
      new targets.LambdaFunction(this.updater.alias, {
        deadLetterQueue: this.failureQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      }),
    );
    if (props.history !== false) {
      new events.Rule(this, 'History', {
        description: 'Status page: daily uptime history from the canary metrics',
        schedule: events.Schedule.expression(STATUS_HISTORY_SCHEDULE),
      }).addTarget(
        new targets.LambdaFunction(this.updater.alias, { deadLetterQueue: this.failureQueue, retryAttempts: 2 }),
      );
    }
  }
}

/**
 * The updater rule's event pattern (one function, so the moto test matches real emitted events
 * with exactly what the stack deploys): the alarm state changes it follows, and every wallet event.
 */
export function statusUpdaterEventPattern(alarmNames: readonly string[]) {
  return {
    $or: [
      {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [...alarmNames] },
      },
      { source: [WALLET_EVENT_SOURCE], 'detail-type': Object.values(WALLET_EVENTS) },
    ],
  };
}

function problems(props: StatusUpdaterProps): PropProblem[] {
  const out: PropProblem[] = [];
  if (props.alarmNames.length === 0)
    out.push({ prop: 'alarmNames', message: 'is empty', received: [], fix: 'name the alarms the page follows' });
  if (props.env.buckets.length < 2) {
    out.push({
      prop: 'env.buckets',
      message: 'must name a status bucket in each of the two wallet regions',
      received: props.env.buckets,
      fix: "pass both regions' bucket names",
    });
  }
  return out;
}
