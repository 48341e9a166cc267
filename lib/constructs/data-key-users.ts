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
      servicePrincipal: 'events.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
  }
  return users;
}
