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

test('acknowledgements are an explicit, reviewed list (adding one must change this test)', () => {
  const acks = acknowledgements(wallet.app);
  expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
    'example-wallet-dns/Notifications/UndeliveredNotifications AwsSolutions-SQS3',
    'example-wallet-dns/Notifications/UndeliveredNotifications Serverless-SQSRedrivePolicy',
    'example-wallet-primary/Notifications/UndeliveredNotifications AwsSolutions-SQS3',
    'example-wallet-primary/Notifications/UndeliveredNotifications Serverless-SQSRedrivePolicy',
    'example-wallet-standby/Notifications/UndeliveredNotifications AwsSolutions-SQS3',
    'example-wallet-standby/Notifications/UndeliveredNotifications Serverless-SQSRedrivePolicy',
  ]);
  for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
});
