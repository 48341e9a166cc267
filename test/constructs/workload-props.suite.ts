import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RegionalWallet, RegionalWalletProps } from '../../lib/constructs/regional-wallet';
import { SigningQueue } from '../../lib/constructs/signing-queue';
import { WalletApi } from '../../lib/constructs/wallet-api';
import { WalletWebAcl } from '../../lib/constructs/wallet-web-acl';
import { newTestApp } from '../helpers/app';

/** Props validation of the workload constructs: every problem at once, with the value and the fix. */
function stack(region = 'us-east-2'): { stack: Stack; key: kms.Key } {
  const s = new Stack(newTestApp(), 'Test', { env: { account: '111111111111', region } });
  return { stack: s, key: new kms.Key(s, 'Key') };
}

describe('RegionalWallet', () => {
  const valid = (s: Stack, key: kms.IKey): RegionalWalletProps => ({
    envName: 'test',
    regionRole: 'primary',
    primaryRegion: 'us-east-2',
    standbyRegion: 'us-west-2',
    table: dynamodb.TableV2.fromTableName(s, 'Table', 'test-wallet-ledger'),
    dataKey: key,
    dataKeyId: 'mrk-0123456789abcdef0123456789abcdef',
    signingKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef',
    chainId: 1,
    consistency: 'MRSC',
    throttle: { rateLimit: 50, burstLimit: 100 },
    wafRateLimitPerIp: 3000,
  });

  test('builds with valid props (the failing cases below differ only in the fields they name)', () => {
    const { stack: s, key } = stack();
    expect(() => new RegionalWallet(s, 'Wallet', valid(s, key))).not.toThrow();
  });

  test('fails with every problem listed at once', () => {
    // Prepare
    const { stack: s, key } = stack();
    // Act
    const build = () =>
      new RegionalWallet(s, 'Wallet', {
        ...valid(s, key),
        regionRole: 'standby',
        signingKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef',
        chainId: 0,
        sizing: { signer: { reservedConcurrency: 1 } },
      });
    // Assess
    expect(build).toThrow(
      [
        'RegionalWallet Test/Wallet: 4 problem(s):',
        '  - regionRole "standby" means region us-west-2, but the stack is in us-east-2; build the primary workload in ' +
          'the primary region and the standby workload in the standby region',
        '  - signingKeyArn "arn:aws:kms:us-west-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef" is not a KMS ' +
          "key ARN in us-east-2; pass this region's copy of the signing key (the primary key in the primary region, its " +
          'replica in the standby region)',
        "  - sizing.signer.reservedConcurrency is 1; it is also the SQS event source's maximum concurrency, which must " +
          'be from 2 to 1000',
        '  - chainId is 0; use the positive whole EIP-155 chain id of the target network',
      ].join('\n'),
    );
  });

  test('fails on a signing key "ARN" that is not an ARN, and on equal regions', () => {
    const { stack: s, key } = stack();
    expect(
      () =>
        new RegionalWallet(s, 'Wallet', {
          ...valid(s, key),
          standbyRegion: 'us-east-2',
          signingKeyArn: 'alias/test-wallet-signing',
        }),
    ).toThrow(
      /primaryRegion and standbyRegion are both "us-east-2".*\n.*signingKeyArn "alias\/test-wallet-signing" is not a KMS key ARN/,
    );
  });
});

describe('SigningQueue', () => {
  test('fails with every problem listed at once', () => {
    const { stack: s, key } = stack();
    expect(
      () =>
        new SigningQueue(s, 'Queue', {
          queueName: 'signing',
          deadLetterQueueName: 'signing-dlq.fifo',
          encryptionKey: key,
          visibilityTimeout: Duration.hours(13),
          maxReceiveCount: 0,
        }),
    ).toThrow(
      [
        'SigningQueue Test/Queue: 3 problem(s):',
        '  - queueName "signing" is not a FIFO queue name; use up to 75 letters, digits, - or _ then ".fifo"',
        '  - maxReceiveCount is 0; use a whole number from 1 to 1000',
        '  - visibilityTimeout is 46800 s; SQS allows at most 43200 s (12 hours)',
      ].join('\n'),
    );
  });
});

describe('WalletWebAcl', () => {
  test('fails with every problem listed at once', () => {
    const { stack: s, key } = stack();
    expect(
      () =>
        new WalletWebAcl(s, 'Acl', {
          name: 'wallet api',
          rateLimitPerIp: 5,
          resourceArn: 'arn:aws:apigateway:us-east-2::/restapis/abc/stages/live',
          logGroupName: 'wallet-waf',
          logEncryptionKey: key,
        }),
    ).toThrow(
      [
        'WalletWebAcl Test/Acl: 3 problem(s):',
        '  - logGroupName "wallet-waf" does not start with "aws-waf-logs-"; WAF delivers only to such log groups',
        '  - rateLimitPerIp is 5; use a whole number from 10 to 2000000000',
        '  - name "wallet api" is not a web ACL name; use 1-128 letters, digits, hyphens or underscores',
      ].join('\n'),
    );
  });
});

describe('WalletApi', () => {
  test('fails with every problem listed at once', () => {
    const { stack: s, key } = stack();
    const fn = lambda.Function.fromFunctionArn(s, 'Fn', 'arn:aws:lambda:us-east-2:111111111111:function:f');
    expect(
      () =>
        new WalletApi(s, 'Api', {
          restApiName: 'test-wallet',
          healthFunction: fn,
          apiFunction: fn,
          throttle: { rateLimit: 0, burstLimit: 1.5 },
          deepHealthThrottle: { rateLimit: 20000, burstLimit: 6000 },
          logEncryptionKey: key,
        }),
    ).toThrow(
      [
        'WalletApi Test/Api: 4 problem(s):',
        '  - throttle.rateLimit is 0; use a number of requests per second above 0 and at most 10000',
        '  - throttle.burstLimit is 1.5; use a whole number of requests from 1 to 5000',
        '  - deepHealthThrottle.rateLimit is 20000; use a number of requests per second above 0 and at most 10000',
        '  - deepHealthThrottle.burstLimit is 6000; use a whole number of requests from 1 to 5000',
      ].join('\n'),
    );
  });
});
