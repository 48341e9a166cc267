import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  STATUS_WEBHOOK_SECRETS_ENV,
  statusSubscribersTopicName,
  statusUndeliveredAlarmName,
  statusWebhookDlqName,
  statusWebhookQueueName,
  statusWebhookSecretName,
  WebhookKind,
} from '../contract/status';
import { walletFunctionName } from '../contract/names';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { handlerEntry, WalletFunction } from './wallet-function';

/** Props of {@link StatusSubscribers}. */
export interface StatusSubscribersProps {
  readonly envName: string;
  /** The region's status key (topic, queues, secrets). */
  readonly key: kms.IKey;
  /** Webhook kinds to deliver to; each gets a secret holding its URL. @default - none */
  readonly webhooks?: readonly WebhookKind[];
  /** The operators' topic: the undelivered-notifications alarm notifies it. */
  readonly alertsTopic: sns.ITopic;
}

/** Receives before a webhook message goes to the dead-letter queue (SQS redrive policy). */
export const WEBHOOK_MAX_RECEIVES = 5;
const WEBHOOK_TIMEOUT = Duration.seconds(30);

/**
 * The status page's subscribers in one region: an SNS topic for e-mail and SMS (people subscribe
 * to it; SNS confirms each address), and a webhook queue drained by a sender that posts to Slack,
 * Discord or Telegram. A message the sender cannot deliver is retried WEBHOOK_MAX_RECEIVES times
 * (visibility timeout 6 x the function timeout, AWS's advice for SQS event sources), then kept in
 * the dead-letter queue, whose depth raises `status-notifications-undelivered`.
 *
 * Webhook URLs are secrets (a URL is the credential): one Secrets Manager secret per kind, created
 * with a placeholder that the sender refuses ("is not a URL") until an operator puts the URL in it.
 */
export class StatusSubscribers extends Construct {
  public readonly topic: sns.Topic;
  public readonly webhookQueue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly secrets: Partial<Record<WebhookKind, secretsmanager.Secret>> = {};
  public readonly sender: WalletFunction;
  public readonly undelivered: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StatusSubscribersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: statusSubscribersTopicName(props.envName),
      displayName: 'Wallet status',
      masterKey: props.key,
      enforceSSL: true,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: statusWebhookDlqName(props.envName),
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const dlqReason =
      'This queue is itself the dead-letter queue of the status webhook queue; a dead-letter queue of it would have no consumer. Its depth is alarmed (status-notifications-undelivered).';
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', dlqReason);
    acknowledge(this.deadLetterQueue, 'cdk-validator-cfnguard::sqs_dlq_check', dlqReason);
    this.webhookQueue = new sqs.Queue(this, 'WebhookQueue', {
      queueName: statusWebhookQueueName(props.envName),
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(WEBHOOK_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_RECEIVES },
    });

    const secretArns: Partial<Record<WebhookKind, string>> = {};
    for (const kind of props.webhooks ?? []) {
      const secret = new secretsmanager.Secret(this, `Webhook-${kind}`, {
        secretName: statusWebhookSecretName(props.envName, kind),
        description: `${kind} webhook URL for the status page; put the URL with put-secret-value (the sender refuses this placeholder)`,
        encryptionKey: props.key,
        // A placeholder, not a secret: the sender refuses it as "not a URL" until the URL is put.
        secretStringValue: SecretValue.unsafePlainText('unset'),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const rotation =
        'A webhook URL is issued and revoked by Slack, Discord or Telegram, not by a rotation Lambda; rotate it there and put the new URL (docs/status-page.md).';
      acknowledge(secret, 'AwsSolutions-SMG4', rotation);
      acknowledgeInPacks(
        secret,
        'SecretsManagerRotationEnabled',
        ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
        rotation,
      );
      this.secrets[kind] = secret;
      secretArns[kind] = secret.secretArn;
    }

    this.sender = new WalletFunction(this, 'Sender', {
      functionName: walletFunctionName(props.envName, 'status-webhooks'),
      description: 'Posts status-page notifications to the configured webhooks (Slack, Discord, Telegram)',
      entry: handlerEntry('status-webhooks'),
      environment: { [STATUS_WEBHOOK_SECRETS_ENV]: JSON.stringify(secretArns) },
      logEncryptionKey: props.key,
      timeout: WEBHOOK_TIMEOUT,
      memorySize: 256,
      reservedConcurrency: 2,
      invocation: { kind: 'synchronous', by: 'its SQS event source mapping (the status webhook queue)' },
    });
    const source = new lambdaEvents.SqsEventSource(this.webhookQueue, { batchSize: 5, reportBatchItemFailures: true });
    this.sender.alias.addEventSource(source);
    const mapping = this.sender.alias.node.findAll().find((c) => c.node.id.startsWith('SqsEventSource:'));
    if (mapping !== undefined) {
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        'SQS event source mappings take no on-failure destination: a message that fails maxReceiveCount times moves to the webhook dead-letter queue (its redrive policy), which is alarmed (status-notifications-undelivered).',
      );
    }
    const secretList = Object.values(this.secrets).map((s) => s.secretArn);
    if (secretList.length > 0) {
      this.sender.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadWebhookUrls',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretList,
        }),
      );
    }
    this.sender.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DecryptQueueAndSecrets',
        actions: ['kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': [`sqs.${stack.region}.amazonaws.com`, `secretsmanager.${stack.region}.amazonaws.com`],
          },
        },
      }),
    );

    this.undelivered = new cloudwatch.Alarm(this, 'Undelivered', {
      alarmName: statusUndeliveredAlarmName(props.envName, stack.region),
      alarmDescription:
        'A status notification could not be delivered to a webhook after retries (it is in the webhook dead-letter queue). ' +
        'Check the webhook secrets and the sender logs, then redrive the queue (docs/status-page.md).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.undelivered.addAlarmAction(new actions.SnsAction(props.alertsTopic));
    this.undelivered.addOkAction(new actions.SnsAction(props.alertsTopic));
  }
}
