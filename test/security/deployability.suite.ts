import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Duration } from 'aws-cdk-lib';
import { walletKeyPolicy } from '../../lib/constructs/key-policy';
import { deployerLockOuts, describeLockOut, HANDLER_FACTS } from '../../lib/security/deployer/lock-out';
import { PUBLISHED_METRICS } from '../../lib/security/rules/AlarmMetricPublished';
import { REFUSED_VALUES } from '../../lib/security/rules/ServiceRefusesValues';
import { WalletChecks } from '../../lib/security/wallet-checks';
import { newTestApp } from '../helpers/app';

const ENV = { account: '111111111111', region: 'us-east-2' };
const DEPLOYER = { partition: 'aws', ...ENV };
/** The key-policy actions finding 1 was missing. */
const ROTATION_ACTIONS = [
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
];
const BREAK_GLASS = 'arn:aws:iam::111111111111:role/WalletBreakGlass';

/** The findings (rule[finding]) the three deployability rules raise on the subject. */
function findings(build: (stack: Stack) => void): string[] {
  const app: App = newTestApp();
  build(new Stack(app, 'Subject', { env: ENV }));
  app.synth();
  return new WalletChecks(app)
    .validateScope(app)
    .violations.map((v) => v.ruleName.replace(/^Wallet-/, ''))
    .filter((r) => /^(DeployerNotLockedOut|AlarmMetricPublished|ServiceRefusesValues)/.test(r));
}

function key(stack: Stack, policy: ReturnType<typeof walletKeyPolicy>, rotation: boolean) {
  const k = new kms.CfnKey(stack, 'Key', { keyPolicy: policy, enableKeyRotation: rotation, multiRegion: true });
  k.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return k;
}

const dataPolicy = () =>
  walletKeyPolicy({
    purpose: 'data',
    partition: 'aws',
    account: ENV.account,
    region: ENV.region,
    breakGlassRoleArn: BREAK_GLASS,
    allowedReplicaRegions: ['us-west-2'],
  });

describe('DeployerNotLockedOut', () => {
  // CloudFormation handler permissions against resource policies
  test('the facts are dated and name their source for every type', () => {
    expect(HANDLER_FACTS.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [type, t] of Object.entries(HANDLER_FACTS.types)) {
      expect([type, t.source.length > 20]).toEqual([type, true]);
      expect([type, Object.keys(t.handlers).length > 0]).toEqual([type, true]);
    }
  });

  test('fails on finding 1: rotation on, and a key policy that does not delegate kms:EnableKeyRotation', () => {
    const doc = dataPolicy().toJSON() as { Statement: Array<{ Sid?: string; Action: string | string[] }> };
    const admin = doc.Statement.find((s) => s.Sid === 'KeyAdministrationThroughIam')!;
    admin.Action = (admin.Action as string[]).filter((a) => !ROTATION_ACTIONS.includes(a));
    const lockOuts = deployerLockOuts('AWS::KMS::Key', { EnableKeyRotation: true }, doc as never, DEPLOYER, {
      retained: true,
    });
    expect(lockOuts.map(describeLockOut)).toEqual([
      'create kms:EnableKeyRotation (implicit deny: no statement allows it)',
      'update kms:DisableKeyRotation (implicit deny: no statement allows it)',
      'update kms:EnableKeyRotation (implicit deny: no statement allows it)',
    ]);
    expect(
      findings((stack) => {
        const k = new kms.CfnKey(stack, 'Key', { keyPolicy: doc, enableKeyRotation: true });
        k.applyRemovalPolicy(RemovalPolicy.RETAIN);
      }),
    ).toContain('DeployerNotLockedOut[create:kms:EnableKeyRotation:implicit-deny]');
  });

  test('the same key without rotation is not locked out (the action is only called when rotation is on)', () => {
    const doc = dataPolicy().toJSON() as { Statement: Array<{ Sid?: string; Action: string | string[] }> };
    const admin = doc.Statement.find((s) => s.Sid === 'KeyAdministrationThroughIam')!;
    admin.Action = (admin.Action as string[]).filter((a) => !ROTATION_ACTIONS.includes(a));
    expect(deployerLockOuts('AWS::KMS::Key', {}, doc as never, DEPLOYER, { retained: true })).toEqual([]);
  });

  test('the wallet key policy (rotation on) lets the deployer run every handler but delete; delete is denied to all but break-glass', () => {
    const doc = dataPolicy().toJSON() as never;
    expect(deployerLockOuts('AWS::KMS::Key', { EnableKeyRotation: true }, doc, DEPLOYER, { retained: true })).toEqual(
      [],
    );
    expect(findings((stack) => key(stack, dataPolicy(), true))).toEqual([]);
    // Not retained: CloudFormation would call ScheduleKeyDeletion, which break-glass alone may.
    expect(deployerLockOuts('AWS::KMS::Key', { EnableKeyRotation: true }, doc, DEPLOYER).map(describeLockOut)).toEqual([
      'delete kms:ScheduleKeyDeletion (denied by statement DenyDestructiveActionsExceptBreakGlass)',
    ]);
  });

  test('fails when a bucket policy denies the deployer a handler action (an explicit deny names its statement)', () => {
    const policy = {
      Statement: [
        { Sid: 'NoPolicyChanges', Effect: 'Deny', Principal: '*', Action: 's3:PutBucketPolicy', Resource: '*' },
      ],
    };
    expect(deployerLockOuts('AWS::S3::BucketPolicy', {}, policy as never, DEPLOYER).map(describeLockOut)).toEqual([
      'create s3:PutBucketPolicy (denied by statement NoPolicyChanges)',
      'update s3:PutBucketPolicy (denied by statement NoPolicyChanges)',
    ]);
  });
});

describe('AlarmMetricPublished', () => {
  // metric existence
  test('the facts are dated and every row links its doc', () => {
    expect(PUBLISHED_METRICS.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const r of PUBLISHED_METRICS.metrics)
      expect([r.metric, r.doc]).toEqual([r.metric, expect.stringMatching(/^https:\/\//)]);
  });

  const table = (stack: Stack, strong: boolean) =>
    new dynamodb.CfnGlobalTable(stack, 'Table', {
      tableName: 'ledger',
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      billingMode: 'PAY_PER_REQUEST',
      multiRegionConsistency: strong ? 'STRONG' : 'EVENTUAL',
      replicas: [{ region: 'us-east-2' }, { region: 'us-west-2' }],
    });
  const lagAlarm = (stack: Stack) =>
    new cloudwatch.Alarm(stack, 'Lag', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensionsMap: { TableName: 'ledger', ReceivingRegion: 'us-west-2' },
      }),
      threshold: 1000,
      evaluationPeriods: 1,
    });

  test('fails on finding 4: a ReplicationLatency alarm on an MRSC table', () => {
    expect(
      findings((stack) => {
        table(stack, true);
        lagAlarm(stack);
      }),
    ).toEqual(['AlarmMetricPublished[AWS/DynamoDB:ReplicationLatency]']);
  });

  test('the same alarm on an MREC table passes', () => {
    expect(
      findings((stack) => {
        table(stack, false);
        lagAlarm(stack);
      }),
    ).toEqual([]);
  });

  test('fails on a custom metric no code publishes, and on wrong dimensions', () => {
    expect(
      findings((stack) => {
        new cloudwatch.Alarm(stack, 'Custom', {
          metric: new cloudwatch.Metric({ namespace: 'Wallet/Nobody', metricName: 'Orphan' }),
          threshold: 1,
          evaluationPeriods: 1,
        });
        new cloudwatch.Alarm(stack, 'Dims', {
          metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { Fn: 'x' } }),
          threshold: 1,
          evaluationPeriods: 1,
        });
      }).sort(),
    ).toEqual(['AlarmMetricPublished[AWS/Lambda:Errors]', 'AlarmMetricPublished[Wallet/Nobody:Orphan]']);
  });
});

describe('ServiceRefusesValues', () => {
  test('every row quotes its doc', () => {
    for (const r of REFUSED_VALUES) expect([r.id, r.doc.length > 10]).toEqual([r.id, true]);
  });

  test('fails on finding 2: a lifecycle rule with ExpiredObjectDeleteMarker beside Days', () => {
    expect(
      findings((stack) => {
        new s3.Bucket(stack, 'B', {
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules: [{ id: 'x', expiration: Duration.days(31), expiredObjectDeleteMarker: false }],
        });
      }),
    ).toEqual(['ServiceRefusesValues[S3LifecycleDeleteMarkerWithDays]']);
  });

  test('the rule without the delete-marker setting passes', () => {
    expect(
      findings((stack) => {
        new s3.Bucket(stack, 'B', {
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules: [{ id: 'x', expiration: Duration.days(31) }],
        });
      }),
    ).toEqual([]);
  });
});
