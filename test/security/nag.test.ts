import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildTestWallet, newTestApp, TestWallet } from '../helpers/app';
import { acknowledgements, nagFindings } from '../helpers/nag';

let wallet: TestWallet;
beforeAll(() => {
  wallet = buildTestWallet();
  wallet.app.synth();
});

test('the whole app has no unacknowledged finding in any registered pack', () => {
  expect(nagFindings(wallet.app)).toEqual([]);
});

test('fails (proves the check can fail): an unencrypted, non-TLS queue without a DLQ is caught', () => {
  // Prepare: a deliberately non-compliant resource in its own app
  const app = newTestApp();
  const stack = new Stack(app, 'NonCompliant', { env: { account: '111111111111', region: 'us-east-2' } });
  new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  app.synth();
  // Act
  const rules = nagFindings(app).map((f) => f.rule);
  // Assess
  expect(rules).toEqual(
    expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'Serverless-SQSRedrivePolicy']),
  );
});

/**
 * Every acknowledged finding, by construct path. Adding an acknowledgement means adding it here,
 * so it shows up in review next to its reason in the code.
 */
const REVIEWED_ACKNOWLEDGEMENTS: Record<string, string[]> = {
  'example-wallet-dns/Notifications/UndeliveredNotifications': [
    'AwsSolutions-SQS3',
    'Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
  ],
  // The restore role may write only to NEW tables, whose names AWS Backup generates: the name prefix
  // is the tightest bound (lib/constructs/restore-testing.ts).
  'example-wallet-primary/Backup/RestoreTesting/Permissions': [
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-east-2:111111111111:table/awsbackup-restore-test-*]',
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-east-2:111111111111:table/example-wallet-restored-*]',
  ],
  'example-wallet-primary/Notifications/UndeliveredNotifications': [
    'AwsSolutions-SQS3',
    'Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
    'cdk-validator-cfnguard::sqs_queue_encrypted_check',
  ],
  'example-wallet-standby/Backup/RestoreTesting/Permissions': [
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-west-2:111111111111:table/awsbackup-restore-test-*]',
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-restored-*]',
  ],
  'example-wallet-standby/Notifications/UndeliveredNotifications': [
    'AwsSolutions-SQS3',
    'Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
    'cdk-validator-cfnguard::sqs_queue_encrypted_check',
  ],
};

test('acknowledgements are an explicit, reviewed list (adding one must change this test)', () => {
  const acks = acknowledgements(wallet.app);
  const byPath: Record<string, string[]> = {};
  for (const a of acks) (byPath[a.path] ??= []).push(a.id);
  for (const ids of Object.values(byPath)) ids.sort();
  expect(byPath).toEqual(REVIEWED_ACKNOWLEDGEMENTS);
  for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
});

test('a full synth with every validation plugin (all nag packs and cfn-guard) succeeds with all reports clean', () => {
  // Prepare
  const full = buildTestWallet(undefined, { validation: true });
  // Act
  const assembly = full.app.synth();
  // Assess
  const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ pluginName: string; conclusion: string; violations: unknown[] }>;
  };
  // cdk-nag packs appear in the report only when they have (acknowledged) findings; every report
  // present must be a success, and cfn-guard always reports.
  expect(report.pluginReports.filter((r) => r.conclusion !== 'success' || r.violations.length > 0)).toEqual([]);
  expect(report.pluginReports.map((r) => r.pluginName)).toContain('cdk-validator-cfnguard');
});
