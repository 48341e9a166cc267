import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WalletLedgerTable, WalletLedgerTableProps } from '../../lib/constructs/wallet-table';
import { exampleWallet, newTestApp, sharedTestWallet, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';

function replicasOf(template: Template): Array<Record<string, unknown>> {
  const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
  expect(tables).toHaveLength(1);
  return tables[0].Properties.Replicas as Array<Record<string, unknown>>;
}

describe('ledger global table (MRSC, the default)', () => {
  let wallet: TestWallet;
  beforeAll(() => {
    wallet = exampleWallet();
  });

  test('is strongly consistent with the witness from config', () => {
    wallet.template('primary').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'example-wallet-ledger',
      MultiRegionConsistency: 'STRONG',
      GlobalTableWitnesses: [{ Region: 'us-east-1' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  test('has exactly the primary and standby replicas', () => {
    expect(
      replicasOf(wallet.template('primary'))
        .map((r) => r.Region)
        .sort(),
    ).toEqual(['us-east-2', 'us-west-2']);
  });

  test.each(['us-east-2', 'us-west-2'])('replica %s has PITR (35 days) and deletion protection', (region) => {
    const replica = replicasOf(wallet.template('primary')).find((r) => r.Region === region);
    expect(replica).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
    });
  });

  test('the primary replica is encrypted with the primary data key', () => {
    const replica = replicasOf(wallet.template('primary')).find((r) => r.Region === 'us-east-2');
    expect(replica?.SSESpecification).toEqual({
      KMSMasterKeyId: {
        'Fn::GetStackOutput': {
          StackName: 'example-wallet-keys',
          Region: 'us-east-2',
          OutputName: expect.stringMatching(/^PublishOutputFnGetAttDataKey[0-9A-F]+Arn/),
        },
      },
    });
  });

  test('the standby replica is encrypted with the data key replica in the standby region', () => {
    const replica = replicasOf(wallet.template('primary')).find((r) => r.Region === 'us-west-2');
    const kmsKey = JSON.stringify(replica?.SSESpecification);
    expect(kmsKey).toContain('arn:aws:kms:us-west-2:111111111111:key/');
    expect(kmsKey).toContain('"OutputName":"PublishOutputRefDataKey');
  });

  test('uses customer-managed KMS encryption at the table level', () => {
    wallet.template('primary').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  test('is retained on delete and on replacement', () => {
    wallet.template('primary').hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has the single-table key schema and status index', () => {
    wallet.template('primary').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
    });
  });
});

describe('ledger global table (MREC)', () => {
  test('is eventually consistent, has no witness, and keeps PITR on each replica', () => {
    // Shared (read-only) with fault-experiments.suite.ts, which builds the same MREC config.
    const wallet = sharedTestWallet(
      testConfig({ data: { consistency: 'MREC' }, regions: { witness: undefined }, targets: { rpoSeconds: 60 } }),
    );
    const template = wallet.template('primary');
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      MultiRegionConsistency: 'EVENTUAL',
      GlobalTableWitnesses: Match.absent(),
    });
    for (const replica of replicasOf(template)) {
      expect(replica).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    }
  });
});

describe('WalletLedgerTable props', () => {
  function build(props: Partial<WalletLedgerTableProps>): () => void {
    return () => {
      const stack = new Stack(newTestApp(), 'S', { env: { account: '111111111111', region: 'us-east-2' } });
      new WalletLedgerTable(stack, 'Ledger', {
        tableName: 't',
        consistency: 'MRSC',
        replicaRegion: 'us-west-2',
        witnessRegion: 'us-east-1',
        encryptionKey: new kms.Key(stack, 'K'),
        replicaKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1',
        ...props,
      });
    };
  }

  test('fails for MRSC without a witness, naming the fix', () => {
    expect(build({ witnessRegion: undefined })).toThrow(/needs a witnessRegion; received none\. Set regions\.witness/);
  });

  test('fails for MREC with a witness', () => {
    expect(build({ consistency: 'MREC' })).toThrow(/witnessRegion is only valid with "MRSC"; received "us-east-1"/);
  });
});
