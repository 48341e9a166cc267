import { DataKeyServiceUser } from './key-policy';

/**
 * AWS services that encrypt with the data key in one region, each bound to this account's
 * resources by an encryption-context or source-account condition.
 */
export interface DataKeyServiceUserOptions {
  /**
   * AWS Backup publishes backup vault notifications to the region's KMS-encrypted alerts topic.
   * @default false
   */
  readonly awsBackupNotifications?: boolean;
  /**
   * EventBridge writes events it could not deliver to a KMS-encrypted target dead-letter queue (the
   * remediation rule's, lib/constructs/remediation.ts).
   * @default false
   */
  readonly eventBridgeDeadLetters?: boolean;
}

export function dataKeyServiceUsers(
  partition: string,
  account: string,
  region: string,
  options: DataKeyServiceUserOptions = {},
): DataKeyServiceUser[] {
  const users: DataKeyServiceUser[] = [
    {
      // CloudWatch Logs encrypts log groups with the key; the context names the log group ARN.
      servicePrincipal: `logs.${region}.amazonaws.com`,
      actions: [
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:DescribeKey',
      ],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
      },
    },
    {
      // CloudWatch alarms publish to KMS-encrypted SNS topics.
      servicePrincipal: 'cloudwatch.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    },
    {
      // SNS writes undeliverable notifications to KMS-encrypted dead-letter queues.
      servicePrincipal: 'sns.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    },
  ];
  if (options.awsBackupNotifications) {
    users.push({
      // Backup vault notifications (failed copies, changed recovery points) to the alerts topic.
      servicePrincipal: 'backup.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
  }
  if (options.eventBridgeDeadLetters) {
    users.push({
      // EventBridge sends undeliverable events to the remediation rule's KMS-encrypted SQS DLQ; SQS
      // then calls KMS on EventBridge's behalf. EventBridge documents `aws:SourceArn`/
      // `aws:SourceAccount` only for its OWN use of a key (event buses, "Authorizing EventBridge to
      // use a customer managed key"); for an encrypted queue target the SQS Developer Guide ("Enable
      // compatibility between event sources from AWS services and encrypted queues") documents a
      // key statement for the service principal with kms:GenerateDataKey and kms:Decrypt and no
      // condition. A condition key that is absent on that path would silently drop every dead
      // letter, so none is set here; what bounds the grant is the queue policy, which lets
      // events.amazonaws.com SendMessage only with `aws:SourceArn` = the remediation rule
      // (EventBridge's "Granting permissions to the dead-letter queue"), and SQS uses the key only
      // for queues of this account that name it. `npm run verify` reads the DLQ path's failures.
      servicePrincipal: 'events.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
  }
  return users;
}
