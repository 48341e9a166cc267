import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FaultExperiments } from '../../lib/constructs/fault-experiments';
import { EXPERIMENTS, ExperimentName, FIS_EXEC_WRAPPER } from '../../lib/contract/chaos';
import { buildTestWallet, exampleWallet, newTestApp, sharedTestWallet, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { nagFindings } from '../helpers/nag';
import { CfnResourceJson, resourceNamed, resources, roleStatements } from '../helpers/workload';

const ACCOUNT = '111111111111';
let mrsc: TestWallet;
let mrec: TestWallet;
beforeAll(() => {
  mrsc = exampleWallet();
  // Shared (read-only) with wallet-table.suite.ts, which builds the same MREC config.
  mrec = sharedTestWallet(
    testConfig({ data: { consistency: 'MREC' }, regions: { witness: undefined }, targets: { rpoSeconds: 60 } }),
  );
});

/** The experiment templates of a template, by their wallet:experiment tag. */
function experimentTemplates(template: Template): Record<string, CfnResourceJson> {
  const out: Record<string, CfnResourceJson> = {};
  for (const r of Object.values(resources(template))) {
    if (r.Type !== 'AWS::FIS::ExperimentTemplate') continue;
    out[(r.Properties.Tags as Record<string, string>)['wallet:experiment']] = r;
  }
  return out;
}

const getAtt = (template: Template, type: string, prefix: string, attr = 'Arn') => ({
  'Fn::GetAtt': [resourceNamed(template, type, prefix).id, attr],
});
const bucketArn = (t: Template) => getAtt(t, 'AWS::S3::Bucket', 'FaultExperimentsBucket');
const objects = (t: Template, prefix: string) => ({ 'Fn::Join': ['', [bucketArn(t), `/${prefix}`]] });
const alarmArn = (t: Template, prefix: string) => getAtt(t, 'AWS::CloudWatch::Alarm', prefix);

describe('which experiments exist where', () => {
  test('MRSC: primary-down, signer-failing and api-latency in the primary; nothing in the standby', () => {
    expect(Object.keys(experimentTemplates(mrsc.template('primary'))).sort()).toEqual([
      'api-latency',
      'primary-down',
      'signer-failing',
    ]);
    expect(Object.keys(experimentTemplates(mrsc.template('standby')))).toEqual([]);
  });

  test('MREC: replication-paused in the standby as well', () => {
    expect(Object.keys(experimentTemplates(mrec.template('standby')))).toEqual(['replication-paused']);
    expect(Object.keys(experimentTemplates(mrec.template('primary'))).length).toBe(3);
  });

  test('chaos.enabled false defines no experiment and leaves the functions without the extension', () => {
    // Shared (read-only) with regional-wallet.suite.ts, which builds the same config.
    const off = sharedTestWallet(testConfig({ chaos: { enabled: false } }));
    const t = off.template('primary');
    expect(Object.keys(experimentTemplates(t))).toEqual([]);
    expect(JSON.stringify(t.toJSON())).not.toContain(FIS_EXEC_WRAPPER);
  });
});

describe.each([
  [
    'primary-down',
    'aws:lambda:invocation-error',
    ['HealthFunction', 'ApiFunction'],
    { invocationPercentage: '100', preventExecution: 'true', duration: 'PT20M' },
  ],
  [
    'signer-failing',
    'aws:lambda:invocation-error',
    ['SignerFunction'],
    { invocationPercentage: '100', preventExecution: 'true', duration: 'PT10M' },
  ],
  [
    'api-latency',
    'aws:lambda:invocation-add-delay',
    ['ApiFunction'],
    { invocationPercentage: '100', startupDelayMilliseconds: '3000', duration: 'PT10M' },
  ],
] as const)('%s', (name, actionId, functions, parameters) => {
  let t: Template;
  let exp: CfnResourceJson;
  beforeAll(() => {
    t = mrsc.template('primary');
    exp = experimentTemplates(t)[name];
  });
  const fnArn = (id: string) => getAtt(t, 'AWS::Lambda::Function', `Wallet${id}`);

  test('targets exactly its functions by ARN, all of them, and fails on an empty target', () => {
    expect(exp.Properties.Targets).toEqual({
      Functions: { ResourceType: 'aws:lambda:function', ResourceArns: functions.map(fnArn), SelectionMode: 'ALL' },
    });
    expect(exp.Properties.ExperimentOptions).toEqual({
      AccountTargeting: 'single-account',
      EmptyTargetResolutionMode: 'fail',
    });
  });

  test('runs its one action with its parameters', () => {
    expect(exp.Properties.Actions).toEqual({
      Inject: { ActionId: actionId, Description: name, Parameters: parameters, Targets: { Functions: 'Functions' } },
    });
  });

  test('stops on the guard alarm and on the standby being unhealthy (harm alarms of this region)', () => {
    expect(exp.Properties.StopConditions).toEqual([
      { Source: 'aws:cloudwatch:alarm', Value: alarmArn(t, 'FaultExperimentsGuardAlarm') },
      { Source: 'aws:cloudwatch:alarm', Value: alarmArn(t, 'ObservabilityAlarmsPeerDeepHealth') },
    ]);
  });

  test("every stop condition is an alarm of this stack's region: a GetAtt of its own alarm or an ARN in us-east-2", () => {
    for (const c of exp.Properties.StopConditions as Array<{ Source: string; Value: unknown }>) {
      expect(c.Source).toBe('aws:cloudwatch:alarm');
      if (typeof c.Value === 'string') expect(c.Value).toMatch(/^arn:aws:cloudwatch:us-east-2:/);
      else {
        const [id, attr] = (c.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
        expect([resources(t)[id].Type, attr]).toEqual(['AWS::CloudWatch::Alarm', 'Arn']);
      }
    }
  });

  test('the report prefix fits CloudFormation (ExperimentReportS3Configuration Prefix: 1 to 256 characters)', () => {
    const prefix = (
      exp.Properties.ExperimentReportConfiguration as {
        Outputs: { ExperimentReportS3Configuration: { Prefix: string } };
      }
    ).Outputs.ExperimentReportS3Configuration.Prefix;
    expect(prefix.length).toBeGreaterThanOrEqual(1);
    expect(prefix.length).toBeLessThanOrEqual(256);
  });

  test('reports to the encrypted bucket under its own prefix, with the region dashboard', () => {
    expect(exp.Properties.ExperimentReportConfiguration).toEqual({
      Outputs: {
        ExperimentReportS3Configuration: {
          BucketName: { Ref: resourceNamed(t, 'AWS::S3::Bucket', 'FaultExperimentsBucket').id },
          Prefix: `experiment-reports/${name}`,
        },
      },
      DataSources: { CloudWatchDashboards: [{ DashboardIdentifier: expect.anything() }] },
      PreExperimentDuration: 'PT10M',
      PostExperimentDuration: 'PT10M',
    });
  });

  test("the role's exact permissions: its functions, the configuration prefix, its report prefix", () => {
    const role = `FaultExperiments${name
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('')}Role`;
    const dataKey = expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() });
    expect(roleStatements(t, role)).toEqual([
      {
        Sid: 'ReadTargetFunctions',
        Effect: 'Allow',
        Action: 'lambda:GetFunction',
        Resource: functions.length === 1 ? fnArn(functions[0]) : [...functions].sort().map(fnArn),
      },
      {
        Sid: 'WriteFaultConfigurations',
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:PutObject'],
        Resource: objects(t, 'FisConfigs/*'),
      },
      {
        Sid: 'WriteExperimentReport',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: objects(t, `experiment-reports/${name}/*`),
      },
      {
        Sid: 'EncryptBucketObjects',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: dataKey,
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-2.amazonaws.com' } },
      },
      { Sid: 'ReadReportDashboard', Effect: 'Allow', Action: 'cloudwatch:GetDashboard', Resource: expect.anything() },
      {
        Sid: 'NoResourceLevelPermission',
        Effect: 'Allow',
        Action: ['cloudwatch:GetMetricWidgetImage', 'tag:GetResources'],
        Resource: '*',
      },
    ]);
  });

  test('the role trusts only FIS experiments of this account and region', () => {
    const role = Object.values(resources(t)).find(
      (r) => r.Type === 'AWS::IAM::Role' && String(r.Properties.Description).includes(` ${name} experiment`),
    ) as CfnResourceJson;
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'fis.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:fis:us-east-2:${ACCOUNT}:experiment/*` },
          },
        },
      ],
    });
  });
});

describe('replication-paused (MREC)', () => {
  let t: Template;
  let exp: CfnResourceJson;
  beforeAll(() => {
    t = mrec.template('standby');
    exp = experimentTemplates(t)['replication-paused'];
  });
  const table = 'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger';

  test("targets the standby's ledger replica and pauses replication for at most 30 minutes", () => {
    expect(exp.Properties.Targets).toEqual({
      Tables: { ResourceType: 'aws:dynamodb:global-table', ResourceArns: [table], SelectionMode: 'ALL' },
    });
    expect(exp.Properties.Actions).toEqual({
      Inject: {
        ActionId: 'aws:dynamodb:global-table-pause-replication',
        Description: 'replication-paused',
        Parameters: { duration: 'PT15M' },
        Targets: { Tables: 'Tables' },
      },
    });
  });

  test("stops on the guard and on the standby's own deep-health canary", () => {
    expect(exp.Properties.StopConditions).toEqual([
      { Source: 'aws:cloudwatch:alarm', Value: alarmArn(t, 'FaultExperimentsGuardAlarm') },
      { Source: 'aws:cloudwatch:alarm', Value: alarmArn(t, 'ObservabilityAlarmsDeepHealthCanary') },
    ]);
  });

  test('the role may change only this replica’s resource policy, and no function or configuration (FIS actions reference)', () => {
    const statements = roleStatements(t, 'FaultExperimentsReplicationPausedRole');
    expect(statements[0]).toEqual({
      Sid: 'PauseReplicationOfThisReplica',
      Effect: 'Allow',
      Action: [
        'dynamodb:DeleteResourcePolicy',
        'dynamodb:DescribeTable',
        'dynamodb:GetResourcePolicy',
        'dynamodb:PutResourcePolicy',
      ],
      Resource: table,
    });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('lambda:GetFunction');
    expect(actions).not.toContain('s3:DeleteObject');
    const star = statements.find((s) => s.Sid === 'NoResourceLevelPermission');
    expect(star).toEqual({
      Sid: 'NoResourceLevelPermission',
      Effect: 'Allow',
      Action: ['cloudwatch:GetMetricWidgetImage', 'tag:GetResources'],
      Resource: '*',
    });
  });

  test('synthesizes clean under every nag pack (the nag suite covers only the MRSC example config)', () => {
    const findings = nagFindings(mrec.app).filter((f) => f.path.includes('/FaultExperiments'));
    expect(findings).toEqual([]);
    // Not vacuous: the packs do look at these resources (the standby's experiment role is in the tree).
    expect(mrec.app.node.findAll().some((c) => c.node.path.endsWith('/FaultExperiments/ReplicationPausedRole'))).toBe(
      true,
    );
  });

  test('the standby functions get no extension (no Lambda experiment targets them)', () => {
    expect(JSON.stringify(t.toJSON())).not.toContain(FIS_EXEC_WRAPPER);
  });
});

describe('the targeted functions carry the FIS extension', () => {
  let t: Template;
  beforeAll(() => {
    t = mrsc.template('primary');
  });

  test.each(['ApiFunction', 'HealthFunction', 'SignerFunction'])(
    '%s: the layer from the public SSM parameter and both variables',
    (id) => {
      const fn = resourceNamed(t, 'AWS::Lambda::Function', `Wallet${id}`).resource;
      const layers = fn.Properties.Layers as Array<{ Ref: string }>;
      expect(layers).toHaveLength(1);
      const parameter = (t.toJSON().Parameters as Record<string, { Type: string; Default: string }>)[layers[0].Ref];
      expect(parameter).toEqual({
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x',
      });
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.AWS_LAMBDA_EXEC_WRAPPER).toBe('/opt/aws-fis/bootstrap');
      expect(env.AWS_FIS_CONFIGURATION_LOCATION).toEqual({
        'Fn::Join': [
          '',
          ['arn:aws:s3:::', { Ref: resourceNamed(t, 'AWS::S3::Bucket', 'FaultExperimentsBucket').id }, '/FisConfigs/'],
        ],
      });
    },
  );

  test('each function may list and read only the configuration prefix', () => {
    const statements = roleStatements(t, 'WalletApiFunctionRole');
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'ListFaultConfigurations',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: bucketArn(t),
          Condition: { StringLike: { 's3:prefix': ['FisConfigs/*'] } },
        },
        {
          Sid: 'ReadFaultConfigurations',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: objects(t, 'FisConfigs/*'),
        },
      ]),
    );
  });
});

describe('the bucket and the guard alarm', () => {
  let t: Template;
  beforeAll(() => {
    t = mrsc.template('primary');
  });

  test('the bucket is KMS-encrypted with the data key, versioned, private, TLS-only and retained', () => {
    const bucket = resourceNamed(t, 'AWS::S3::Bucket', 'FaultExperimentsBucket');
    expect(bucket.resource.DeletionPolicy).toBe('Retain');
    expect(bucket.resource.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() },
        },
      ],
    });
    expect(bucket.resource.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.resource.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  test('the guard fires when the public name has failed for longer than the RTO (300 s at 1-minute runs: 6 of 6)', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-us-east-2-chaos-guard-public-name',
      MetricName: 'SuccessPercent',
      Namespace: 'CloudWatchSynthetics',
      Threshold: 100,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Period: 60,
      TreatMissingData: 'breaching',
      AlarmActions: [Match.anyValue()],
    });
  });

  test('in us-east-1 the Route 53 harm alarms are stop conditions too', () => {
    const east = buildTestWallet(
      testConfig({ regions: { primary: 'us-east-1', standby: 'us-east-2', witness: 'us-west-2' } }),
    );
    const stop = experimentTemplates(east.template('primary'))['primary-down'].Properties.StopConditions as Array<{
      Value: unknown;
    }>;
    // Route 53 alarms live only in us-east-1, so only a template in us-east-1 may name them.
    expect(stop.slice(2).map((s) => s.Value)).toEqual([
      `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:example-wallet-dns-standby-endpoint-unhealthy`,
      `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:example-wallet-dns-both-regions-unhealthy`,
    ]);
  });
});

describe('bad props', () => {
  const build = (patch: Partial<ConstructorParameters<typeof FaultExperiments>[2]>, harmCount = 1) => {
    const app = newTestApp();
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: 'us-east-2' } });
    const harm = Array.from({ length: harmCount }, (_, i) =>
      cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-2:${ACCOUNT}:alarm:x${i}`),
    );
    return () =>
      new FaultExperiments(stack, 'F', {
        envName: 'example',
        experiments: [EXPERIMENTS['replication-paused']],
        functions: {},
        tableArn: `arn:aws:dynamodb:us-east-2:${ACCOUNT}:table/t`,
        dataKey: new kms.Key(stack, 'K'),
        harmAlarms: harm,
        publicNameCanaryName: 'c',
        canaryPeriodSeconds: 60,
        rtoSeconds: 300,
        topic: new sns.Topic(stack, 'T'),
        ...patch,
      });
  };
  const named = (n: ExperimentName) => EXPERIMENTS[n];

  test('fails with every problem at once: no harm alarm, a missing target function, no table', () => {
    expect(
      build({ harmAlarms: [], experiments: [named('primary-down'), named('replication-paused')], tableArn: undefined }),
    ).toThrow(
      /4 invalid props[\s\S]*harmAlarms: no harm alarm[\s\S]*functions.health[\s\S]*functions.api[\s\S]*tableArn/,
    );
  });

  test('fails on a replication pause longer than 30 minutes (the 20-hour MREC limit)', () => {
    expect(build({ experiments: [{ ...named('replication-paused'), durationMinutes: 45 }] })).toThrow(
      /durationMinutes: a replication pause of more than 30 minutes[\s\S]*received 45/,
    );
  });

  test('fails on more stop conditions than FIS allows (the guard plus 5 harm alarms)', () => {
    expect(build({}, 4)).not.toThrow();
    expect(build({}, 5)).toThrow(/FIS allows 5 stop conditions per template[\s\S]*received 5/);
  });
});
