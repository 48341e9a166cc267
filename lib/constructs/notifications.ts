import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeCrossStackQueueKey } from '../security/nag';

/** Props of {@link WalletNotifications}. */
export interface WalletNotificationsProps {
  /** Name of the topic, unique per account and region. */
  readonly topicName: string;
  /** The on-call address; AWS sends it a confirmation e-mail on first deploy. */
  readonly email: string;
  /** Customer-managed key encrypting the topic (its policy lets CloudWatch publish). */
  readonly encryptionKey: kms.IKey;
}

/**
 * The region's paging topic: KMS-encrypted, TLS-only, e-mail subscription from config.
 * Alarms and remediation publish here.
 */
export class WalletNotifications extends Construct {
  public readonly topic: sns.ITopic;
  /** Holds notifications SNS could not deliver to the subscription. */
  public readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: WalletNotificationsProps) {
    super(scope, id);
    const topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // Undeliverable notifications are kept, not dropped: an alarm e-mail that bounced is
    // still evidence for the incident review.
    this.deadLetterQueue = new sqs.Queue(this, 'UndeliveredNotifications', {
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const dlqReason =
      'This queue is itself a dead-letter queue: the RedrivePolicy target of the e-mail subscription. The rule only ' +
      'recognises SQS-to-SQS redrive, not SNS subscription DLQs; a DLQ of a DLQ would have no consumer.';
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', dlqReason);
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', dlqReason);
    acknowledge(this.deadLetterQueue, 'cdk-validator-cfnguard::sqs_dlq_check', dlqReason);
    if (Stack.of(this) !== Stack.of(props.encryptionKey)) acknowledgeCrossStackQueueKey(this.deadLetterQueue);
    topic.addSubscription(new subscriptions.EmailSubscription(props.email, { deadLetterQueue: this.deadLetterQueue }));
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsFromThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': topic.stack.account } },
      }),
    );
    this.topic = topic;
  }
}
