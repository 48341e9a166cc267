import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { loadDeepHealthConfig, loadHealthConfig, loadTransactionConfig } from '../../lambda/canaries/shared/config';
import { WalletCanaries, WalletCanariesProps } from '../../lib/constructs/wallet-canaries';
import { CANARY_KINDS, CANARY_RUNTIME } from '../../lib/contract/canary';
import { buildTestWallet, exampleWallet, newTestApp, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { CfnResourceJson, keyArnRef, REGIONS, resourceNamed, resources, roleStatements } from '../helpers/workload';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

const canaryNamed = (template: Template, name: string): { id: string; resource: CfnResourceJson } => {
  const found = Object.entries(resources(template)).filter(
    ([, r]) => r.Type === 'AWS::Synthetics::Canary' && r.Properties.Name === name,
  );
  if (found.length !== 1) throw new Error(`expected one canary ${name}, found ${found.length}`);
  return { id: found[0][0], resource: found[0][1] };
};

describe.each(REGIONS)('the $stack canaries ($region)', (c) => {
  let template: Template;
  let bucketId: string;
  let dataKey: unknown;
  beforeAll(() => {
    template = wallet.template(c.stack);
    bucketId = resourceNamed(template, 'AWS::S3::Bucket', 'ObservabilityCanariesArtifacts').id;
    dataKey = keyArnRef(wallet, c, 'data');
  });

  test.each([
    ['deep-health', 30],
    ['public-name', 30],
    ['transaction', 60],
  ])(
    '%s: current runtime, config schedule, %s s timeout, 960 MB, cleaned up with the canary, artifacts under its prefix',
    (kind, timeout) => {
      const { resource } = canaryNamed(template, `example-wallet-${kind}`);
      expect(resource.Properties).toMatchObject({
        RuntimeVersion: CANARY_RUNTIME,
        Schedule: { Expression: 'rate(1 minute)', DurationInSeconds: '0' },
        RunConfig: { TimeoutInSeconds: timeout, MemoryInMB: 960 },
        ProvisionedResourceCleanup: 'AUTOMATIC',
        StartCanaryAfterCreation: true,
        SuccessRetentionPeriod: 31,
        FailureRetentionPeriod: 31,
        Code: { Handler: 'index.handler', S3Bucket: expect.any(String), S3Key: expect.stringMatching(/\.zip$/) },
        ArtifactS3Location: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/${kind}`]] },
        ArtifactConfig: { S3Encryption: { EncryptionMode: 'SSE_KMS', KmsKeyArn: dataKey } },
      });
    },
  );

  test('the environment of each canary is the wiring table of docs/observability-wiring.md', () => {
    const env = (kind: string) =>
      (
        canaryNamed(template, `example-wallet-${kind}`).resource.Properties.RunConfig as {
          EnvironmentVariables: unknown;
        }
      ).EnvironmentVariables;
    expect(env('deep-health')).toEqual({
      WALLET_ENV_NAME: 'example',
      WALLET_CANARY_BASE_URL: `https://${c.region}.api.wallet.example.com`,
      WALLET_CANARY_EXPECTED_REGIONS: c.region,
      WALLET_CANARY_PEER_BASE_URL: `https://${c.peer}.api.wallet.example.com`,
      WALLET_CANARY_PEER_REGION: c.peer,
      WALLET_CANARY_MAX_LATENCY_MS: '2000',
      WALLET_CANARY_REQUEST_TIMEOUT_MS: '10000',
    });
    expect(env('public-name')).toEqual({
      WALLET_ENV_NAME: 'example',
      WALLET_CANARY_BASE_URL: 'https://api.wallet.example.com',
      WALLET_CANARY_EXPECTED_REGIONS: 'us-east-2,us-west-2',
      WALLET_CANARY_MAX_LATENCY_MS: '2000',
      WALLET_CANARY_REQUEST_TIMEOUT_MS: '10000',
    });
    expect(env('transaction')).toEqual({
      WALLET_ENV_NAME: 'example',
      WALLET_CANARY_BASE_URL: 'https://api.wallet.example.com',
      WALLET_CANARY_EXPECTED_REGIONS: 'us-east-2,us-west-2',
      WALLET_CANARY_SIGN_BOUND_MS: '30000',
      WALLET_CANARY_REQUEST_TIMEOUT_MS: '10000',
    });
  });

  test("the canaries' own loaders accept those environments in this region (CDK and scripts agree)", () => {
    const env = (kind: string) => ({
      ...(
        canaryNamed(template, `example-wallet-${kind}`).resource.Properties.RunConfig as {
          EnvironmentVariables: Record<string, string>;
        }
      ).EnvironmentVariables,
      AWS_REGION: c.region,
    });
    expect(loadDeepHealthConfig(env('deep-health'))).toMatchObject({
      baseUrl: `https://${c.region}.api.wallet.example.com`,
      expectedRegions: [c.region],
      peer: { baseUrl: `https://${c.peer}.api.wallet.example.com`, region: c.peer },
    });
    expect(loadHealthConfig(env('public-name'), 'public-name')).toMatchObject({
      expectedRegions: ['us-east-2', 'us-west-2'],
    });
    expect(loadTransactionConfig(env('transaction'))).toMatchObject({ signBoundMs: 30000, requestTimeoutMs: 10000 });
    expect(loadTransactionConfig(env('transaction')).signingRegion).toBeUndefined();
  });

  test('the artifacts bucket: data key with a bucket key, versioned, expired after 31 days, private, retained, no state', () => {
    const bucket = resources(template)[bucketId];
    expect(bucket.DeletionPolicy).toBe('Retain');
    // Finding 2: S3 refuses ExpiredObjectDeleteMarker beside Days (rule ServiceRefusesValues).
    expect(JSON.stringify(bucket.Properties.LifecycleConfiguration)).not.toContain('ExpiredObjectDeleteMarker');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: dataKey },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-run-artifacts',
            Status: 'Enabled',
            ExpirationInDays: 31,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
      Tags: expect.arrayContaining([{ Key: 'wallet:data-classification', Value: 'canary-artifacts' }]),
    });
  });

  test('the artifacts bucket refuses non-TLS and TLS below 1.2', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test.each(CANARY_KINDS)(
    'the %s role: its artifacts prefix, run and canary metrics by namespace, canary logs',
    (kind) => {
      const role = `ObservabilityCanaries${kind
        .split('-')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join('')}Role`;
      const statements = roleStatements(template, role);
      const apis =
        kind === 'transaction'
          ? [
              {
                Sid: 'InvokeCanaryWalletRoutes',
                Effect: 'Allow',
                Action: 'execute-api:Invoke',
                Resource: expect.any(Array),
              },
            ]
          : [];
      expect(statements).toEqual([
        {
          Sid: 'WriteRunArtifacts',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${kind}/*`]] },
        },
        {
          Sid: 'LocateArtifactsBucket',
          Effect: 'Allow',
          Action: 's3:GetBucketLocation',
          Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        },
        { Sid: 'ListBuckets', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
        {
          Sid: 'EncryptRunArtifacts',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: dataKey,
          Condition: { StringEquals: { 'kms:ViaService': `s3.${c.region}.amazonaws.com` } },
        },
        {
          Sid: 'SyntheticsRunMetrics',
          Effect: 'Allow',
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
        },
        {
          Sid: 'CanaryMetrics',
          Effect: 'Allow',
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': 'Wallet/Canary' } },
        },
        {
          Sid: 'WriteCanaryLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:${c.region}:111111111111:log-group:/aws/lambda/cwsyn-*`,
        },
        ...apis,
      ]);
    },
  );

  test('the transaction canary may invoke exactly the canary wallet routes of the live stage, in both regions', () => {
    const invoke = roleStatements(template, 'ObservabilityCanariesTransactionRole').find(
      (s) => s.Sid === 'InvokeCanaryWalletRoutes',
    );
    const restApi = resourceNamed(template, 'AWS::ApiGateway::RestApi', 'WalletApiRestApi').id;
    const own = (route: string) => ({
      'Fn::Join': ['', [`arn:aws:execute-api:${c.region}:111111111111:`, { Ref: restApi }, `/live/${route}`]],
    });
    const peer = (route: string) => `arn:aws:execute-api:${c.peer}:111111111111:*/live/${route}`;
    const post = 'POST/v1/wallets/canary-test-wallet/transactions';
    const get = 'GET/v1/wallets/canary-test-wallet/transactions/*';
    const sorted = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
    expect(sorted(invoke?.Resource as unknown[])).toEqual(sorted([own(post), own(get), peer(post), peer(get)]));
  });

  test('no other role may invoke the API, and the health canaries cannot', () => {
    const invoking = Object.values(resources(template))
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.Properties.PolicyDocument).includes('execute-api:Invoke'));
    expect(invoking.map((r) => r.Properties.Roles)).toEqual([
      [{ Ref: resourceNamed(template, 'AWS::IAM::Role', 'ObservabilityCanariesTransactionRole').id }],
    ]);
  });

  test('each canary starts only after its permissions exist', () => {
    for (const kind of ['DeepHealth', 'PublicName', 'Transaction']) {
      const canary = resourceNamed(template, 'AWS::Synthetics::Canary', `ObservabilityCanaries${kind}`).resource;
      const policy = resourceNamed(template, 'AWS::IAM::ManagedPolicy', `ObservabilityCanaries${kind}RolePolicy`).id;
      expect(canary.DependsOn).toContain(policy);
    }
  });
});

test('the schedule and the canary bounds come from config', () => {
  const custom = buildTestWallet(
    testConfig({
      canary: { schedule: 'rate(5 minutes)', maxLatencyMs: 1500, requestTimeoutMs: 8000, signBoundMs: 20000 },
    }),
  );
  const template = custom.template('standby');
  const props = (kind: string) => canaryNamed(template, `example-wallet-${kind}`).resource.Properties;
  expect(props('deep-health')).toMatchObject({
    Schedule: { Expression: 'rate(5 minutes)' },
    RunConfig: {
      EnvironmentVariables: { WALLET_CANARY_MAX_LATENCY_MS: '1500', WALLET_CANARY_REQUEST_TIMEOUT_MS: '8000' },
    },
  });
  expect(props('transaction')).toMatchObject({
    RunConfig: { EnvironmentVariables: { WALLET_CANARY_SIGN_BOUND_MS: '20000' } },
  });
});

describe('fails on invalid props, naming each problem', () => {
  function build(overrides: Partial<WalletCanariesProps>): void {
    const app = newTestApp();
    const stack = new Stack(app, 'Subject', { env: { account: '111111111111', region: 'us-east-2' } });
    new WalletCanaries(stack, 'Canaries', {
      envName: 'example',
      primaryRegion: 'us-east-2',
      standbyRegion: 'us-west-2',
      zoneName: 'wallet.example.com',
      apiSubdomain: 'api',
      schedule: 'rate(1 minute)',
      maxLatencyMs: 2000,
      requestTimeoutMs: 10000,
      signBoundMs: 30000,
      dataKey: new kms.Key(stack, 'Key'),
      apis: [{ region: 'us-east-2', restApiId: 'abc123' }, { region: 'us-west-2' }],
      ...overrides,
    });
  }

  test.each([
    [
      'fails without the peer API',
      { apis: [{ region: 'us-east-2' }] },
      'apis: must name the API of each region of the pair once',
    ],
    ['fails on a cron schedule', { schedule: 'cron(* * * * ? *)' }, 'schedule: is not a rate expression'],
    ['fails in a third region', { primaryRegion: 'eu-west-1' }, "do not include the stack's region us-east-2"],
    [
      'fails when a slow answer would time out first',
      { requestTimeoutMs: 2000 },
      'requestTimeoutMs: must be longer than maxLatencyMs',
    ],
  ])('%s', (_name, overrides, message) => {
    expect(() => build(overrides as Partial<WalletCanariesProps>)).toThrow(message);
  });
});
