import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { loadRemediationConfig } from '../../lambda/remediation/config';
import { WalletRemediation, WalletRemediationProps } from '../../lib/constructs/remediation';
import { remediationEventSources } from '../../lib/contract/remediation';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';
import { buildTestWallet, exampleWallet, newTestApp, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { keyArnRef, REGIONS, resourceNamed, resources, roleStatements } from '../helpers/workload';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

const TOPOLOGY = {
  envName: 'example',
  primaryRegion: 'us-east-2',
  standbyRegion: 'us-west-2',
  consistency: 'MRSC' as const,
};

describe.each(REGIONS)('the $stack remediation ($region)', (c) => {
  let template: Template;
  let fnId: string;
  /** The live alias: what EventBridge invokes and where the asynchronous config applies. */
  let aliasId: string;
  let dlqArn: unknown;
  let dataKey: unknown;
  beforeAll(() => {
    template = wallet.template(c.stack);
    fnId = resourceNamed(template, 'AWS::Lambda::Function', 'ObservabilityRemediationFunction').id;
    aliasId = resourceNamed(template, 'AWS::Lambda::Alias', 'ObservabilityRemediationFunctionLive').id;
    dlqArn = {
      'Fn::GetAtt': [resourceNamed(template, 'AWS::SQS::Queue', 'ObservabilityRemediationDeadLetterQueue').id, 'Arn'],
    };
    dataKey = keyArnRef(wallet, c, 'data');
  });

  test('one decision at a time: reserved concurrency 1, a 60 s timeout, the remediation entry', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'example-wallet-remediation',
      ReservedConcurrentExecutions: 1,
      Timeout: 60,
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
  });

  test('asynchronous failures: 2 retries, events older than 15 minutes dropped, an SQS on-failure destination', () => {
    expect(
      resourceNamed(template, 'AWS::Lambda::EventInvokeConfig', 'ObservabilityRemediation').resource.Properties,
    ).toEqual({
      FunctionName: { Ref: fnId },
      // On the alias EventBridge invokes (`live`, from its ARN): a config on $LATEST would never apply.
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: aliasId }] }] },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: dlqArn } },
    });
  });

  test('the dead-letter queue is encrypted with the data key, TLS-only, and keeps messages 14 days', () => {
    const queue = resourceNamed(template, 'AWS::SQS::Queue', 'ObservabilityRemediationDeadLetterQueue').resource;
    expect(queue.Properties).toMatchObject({
      QueueName: 'example-wallet-remediation-dlq',
      KmsMasterKeyId: dataKey,
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the environment is exactly what lambda/remediation/config.ts reads', () => {
    const fn = resources(template)[fnId];
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toEqual({
      [RUNTIME_ENV.envName]: 'example',
      [RUNTIME_ENV.tableName]:
        c.stack === 'primary'
          ? { Ref: resourceNamed(template, 'AWS::DynamoDB::GlobalTable', 'Ledger').id }
          : 'example-wallet-ledger',
      [RUNTIME_ENV.regionRole]: c.stack,
      [RUNTIME_ENV.primaryRegion]: 'us-east-2',
      [RUNTIME_ENV.standbyRegion]: 'us-west-2',
      [RUNTIME_ENV.consistency]: 'MRSC',
      [RUNTIME_ENV.notificationTopicArn]: { Ref: resourceNamed(template, 'AWS::SNS::Topic', 'NotificationsTopic').id },
      [RUNTIME_ENV.remediationMode]: 'notify-only',
      [RUNTIME_ENV.maxFailoversPerWindow]: '1',
      [RUNTIME_ENV.failoverWindowMinutes]: '60',
      ...(c.stack === 'standby'
        ? {
            [RUNTIME_ENV.signingKeyArn]: keyArnRef(wallet, c, 'signing'),
            // The hand-off's queues: its own signing queue and DLQ, the primary's DLQ by name.
            [RUNTIME_ENV.signingQueueUrl]: { Ref: queueId(template, /^WalletSigningQueue(?!DeadLetter)/) },
            [RUNTIME_ENV.signingDeadLetterQueueUrl]: { Ref: queueId(template, 'WalletSigningQueueDeadLetterQueue') },
            [RUNTIME_ENV.peerSigningDeadLetterQueueUrl]: {
              'Fn::Join': [
                '',
                ['https://sqs.us-east-2.', { Ref: 'AWS::URLSuffix' }, '/111111111111/example-wallet-signing-dlq.fifo'],
              ],
            },
          }
        : {}),
      POWERTOOLS_SERVICE_NAME: 'wallet-remediation',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  test("the runtime's own loader accepts that environment in this region (CDK and handler agree)", () => {
    // Prepare: the variables as the function would see them, tokens replaced by deployed values
    const variables = (resources(template)[fnId].Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    const deployed = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [
        name,
        typeof value === 'string'
          ? value
          : name === RUNTIME_ENV.notificationTopicArn
            ? `arn:aws:sns:${c.region}:111111111111:example-wallet-alerts`
            : name === RUNTIME_ENV.signingKeyArn
              ? `arn:aws:kms:${c.region}:111111111111:key/mrk-0123456789abcdef0123456789abcdef`
              : name.endsWith('_URL')
                ? `https://sqs.${c.region}.amazonaws.com/111111111111/example-wallet-signing.fifo`
                : 'example-wallet-ledger',
      ]),
    );
    // Act
    const config = loadRemediationConfig({ ...deployed, AWS_REGION: c.region });
    // Assess
    expect(config).toMatchObject({ role: c.stack, region: c.region, mode: 'notify-only', maxFailoversPerWindow: 1 });
    expect(config.handOffQueues !== undefined).toBe(c.stack === 'standby');
  });

  test('the EventBridge rule routes exactly the alarms remediationEventSources() lists (the standby: for every region, as cues are forwarded)', () => {
    const rule = resourceNamed(template, 'AWS::Events::Rule', 'ObservabilityRemediationAlarmStateChanges').resource;
    const expected =
      c.stack === 'standby'
        ? remediationEventSources(TOPOLOGY, c.region).flatMap((s) => s.alarmNames)
        : remediationEventSources(TOPOLOGY, c.region).find((s) => s.region === c.region)?.alarmNames;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: expected },
    });
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: { Ref: aliasId },
        RetryPolicy: { MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: dlqArn },
      },
    ]);
  });

  test('the standby also routes its failover triggers, its own and those forwarded from the primary and us-east-1; the primary only its degrading alarm', () => {
    const rule = resourceNamed(template, 'AWS::Events::Rule', 'ObservabilityRemediationAlarmStateChanges').resource;
    const names = (rule.Properties.EventPattern as { detail: { alarmName: string[] } }).detail.alarmName;
    expect(names).toEqual(
      c.stack === 'primary'
        ? ['example-wallet-us-east-2-region-impaired', 'example-wallet-us-east-2-chain-no-healthy-provider']
        : [
            'example-wallet-us-west-2-region-impaired',
            'example-wallet-us-west-2-chain-no-healthy-provider',
            'example-wallet-us-west-2-peer-deep-health',
            'example-wallet-us-west-2-canary-public-name',
            'example-wallet-us-east-2-region-impaired',
            'example-wallet-dns-primary-endpoint-unhealthy',
          ],
    );
  });

  test('only EventBridge, and only this rule, may invoke the function', () => {
    const rule = resourceNamed(template, 'AWS::Events::Rule', 'ObservabilityRemediationAlarmStateChanges').id;
    const permissions = Object.values(resources(template)).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        [fnId, aliasId].some((id) => JSON.stringify(r.Properties.FunctionName).includes(id)),
    );
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: aliasId },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
      },
    ]);
  });

  test('the role has a fixed name (the signing key replica names it) and exactly the wiring doc permissions', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: `example-wallet-remediation-${c.region}` });
    const table =
      c.stack === 'primary'
        ? { 'Fn::GetAtt': [resourceNamed(template, 'AWS::DynamoDB::GlobalTable', 'Ledger').id, 'Arn'] }
        : 'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger';
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${c.region}.amazonaws.com` } });
    const alarmRegions = c.stack === 'primary' ? ['us-east-2'] : ['us-east-1', 'us-east-2', 'us-west-2'];
    const alarmArns = alarmRegions.map((r) => `arn:aws:cloudwatch:${r}:111111111111:alarm:example-wallet-*`);
    const leadingKeys =
      c.stack === 'primary'
        ? ['REGION#us-east-2', 'AUDIT#remediation#us-east-2', 'REMEDIATION#us-east-2']
        : [
            'REGION#us-west-2',
            'AUDIT#remediation#us-west-2',
            'REMEDIATION#us-west-2',
            'REMEDIATION#failover-budget',
            'LEASE#*',
            'AUDIT#lease#*',
          ];
    expect(roleStatements(template, 'ObservabilityRemediationFunctionRole')).toEqual([
      {
        Sid: 'WriteOwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:${c.region}:111111111111:log-group:/aws/lambda/example-wallet-remediation:*`,
      },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      { Sid: 'SendFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlqArn },
      {
        Sid: 'EncryptFailedEvents',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: dataKey,
        Condition: via('sqs'),
      },
      {
        Sid: 'ReadAlarmStates',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: alarmArns.length === 1 ? alarmArns[0] : alarmArns,
      },
      {
        Sid: 'LedgerControlItems',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: table,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } },
      },
      {
        Sid: 'DataKeyThroughDynamoDb',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: dataKey,
        Condition: via('dynamodb'),
      },
      {
        Sid: 'Notify',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: resourceNamed(template, 'AWS::SNS::Topic', 'NotificationsTopic').id },
      },
      {
        Sid: 'EncryptNotifications',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: dataKey,
        Condition: via('sns'),
      },
      {
        // The status page's wallet events: both wallet regions' default buses, this source only.
        Sid: 'StatusPageEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: ['us-east-2', 'us-west-2'].map((r) => `arn:aws:events:${r}:111111111111:event-bus/default`),
        Condition: { StringEquals: { 'events:source': 'wallet.resilience' } },
      },
      ...(c.stack === 'standby'
        ? [
            {
              Sid: 'ThrowFailoverSwitch',
              Effect: 'Allow',
              Action: 'cloudwatch:PutMetricData',
              Resource: '*',
              Condition: { StringEquals: { 'cloudwatch:namespace': 'Wallet/Failover' } },
            },
            {
              Sid: 'ReadSigningPublicKey',
              Effect: 'Allow',
              Action: 'kms:GetPublicKey',
              Resource: keyArnRef(wallet, c, 'signing'),
            },
            // The hand-off after a lease move: exact queues, keys only through SQS, never kms:Sign.
            {
              Sid: 'HandOffToHolderQueue',
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [queueId(template, /^WalletSigningQueue(?!DeadLetter)/), 'Arn'] },
            },
            {
              Sid: 'HandOffDrainSigningDlqs',
              Effect: 'Allow',
              Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
              Resource: [
                'arn:aws:sqs:us-east-2:111111111111:example-wallet-signing-dlq.fifo',
                { 'Fn::GetAtt': [queueId(template, 'WalletSigningQueueDeadLetterQueue'), 'Arn'] },
              ],
            },
            {
              Sid: 'HandOffQueueKeyThroughSqs',
              Effect: 'Allow',
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: dataKey,
              Condition: via('sqs'),
            },
            {
              Sid: 'HandOffPeerDlqKeyThroughSqs',
              Effect: 'Allow',
              Action: 'kms:Decrypt',
              Resource: {
                'Fn::Join': ['', ['arn:aws:kms:us-east-2:111111111111:key/', keyIdRef(template)]],
              },
              Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-2.amazonaws.com' } },
            },
            {
              Sid: 'HandOffOpenTransactions',
              Effect: 'Allow',
              Action: 'dynamodb:Query',
              Resource: 'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger/index/gsi1',
            },
          ]
        : []),
    ]);
  });
});

/** The logical id of one SQS queue of the template. */
function queueId(template: Template, prefix: string | RegExp): string {
  return resourceNamed(template, 'AWS::SQS::Queue', prefix).id;
}

/** The data key id as the standby template reads it (the keys-replica stack's output). */
function keyIdRef(template: Template): unknown {
  const text = JSON.stringify(template.toJSON());
  const m = /"OutputName":"(PublishOutputFnGetAttDataKey[0-9A-F]+KeyId[0-9A-F]+)"/.exec(text);
  return {
    'Fn::GetStackOutput': { OutputName: m?.[1], Region: 'us-west-2', StackName: 'example-wallet-keys-replica' },
  };
}

test('only the standby remediation gets the hand-off grants (the primary never moves a lease)', () => {
  // The hand-off grants exist in the standby only; a primary role with queue access would be excess.
  const statements = JSON.stringify(roleStatements(wallet.template('primary'), 'ObservabilityRemediationFunctionRole'));
  expect(statements).not.toContain('HandOff');
  expect(JSON.stringify(roleStatements(wallet.template('standby'), 'ObservabilityRemediationFunctionRole'))).toContain(
    'HandOffToHolderQueue',
  );
});

test("the standby signing-key replica lets the remediation role read the public key (and the primary key doesn't)", () => {
  const reader = (stack: 'keys' | 'keysReplica') =>
    JSON.stringify(wallet.template(stack).toJSON()).includes('role/example-wallet-remediation-');
  expect({ primary: reader('keys'), standby: reader('keysReplica') }).toEqual({ primary: false, standby: true });
});

test('config reaches the function: auto mode, the failover budget and MREC', () => {
  const custom = buildTestWallet(
    testConfig({
      remediation: { mode: 'auto', maxFailoversPerWindow: 2, windowMinutes: 120 },
      data: { consistency: 'MREC' },
      regions: { witness: undefined },
      targets: { rpoSeconds: 60 },
    }),
  );
  const template = custom.template('standby');
  template.hasResourceProperties('AWS::Lambda::Function', {
    FunctionName: 'example-wallet-remediation',
    Environment: {
      Variables: Match.objectLike({
        WALLET_REMEDIATION_MODE: 'auto',
        WALLET_MAX_FAILOVERS_PER_WINDOW: '2',
        WALLET_FAILOVER_WINDOW_MINUTES: '120',
        WALLET_CONSISTENCY: 'MREC',
      }),
    },
  });
  // Under MREC the replication alarms also degrade the region, so they are routed too.
  const rule = resourceNamed(template, 'AWS::Events::Rule', 'ObservabilityRemediationAlarmStateChanges').resource;
  expect((rule.Properties.EventPattern as { detail: { alarmName: string[] } }).detail.alarmName).toEqual([
    'example-wallet-us-west-2-region-impaired',
    'example-wallet-us-west-2-ddb-replication-errors',
    'example-wallet-us-west-2-ddb-replication-latency',
    'example-wallet-us-west-2-chain-no-healthy-provider',
    'example-wallet-us-west-2-peer-deep-health',
    'example-wallet-us-west-2-canary-public-name',
    'example-wallet-us-east-2-region-impaired',
    'example-wallet-dns-primary-endpoint-unhealthy',
  ]);
});

describe('fails on invalid props, naming each problem', () => {
  function build(region: string, overrides: Partial<WalletRemediationProps>): void {
    const app = newTestApp();
    const stack = new Stack(app, 'Subject', { env: { account: '111111111111', region } });
    const key = new kms.Key(stack, 'Key');
    new WalletRemediation(stack, 'Remediation', {
      envName: 'example',
      regionRole: 'standby',
      primaryRegion: 'us-east-2',
      standbyRegion: 'us-west-2',
      consistency: 'MRSC',
      table: dynamodb.TableV2.fromTableName(stack, 'Table', 'example-wallet-ledger'),
      dataKey: key,
      topic: new sns.Topic(stack, 'Topic'),
      topicKey: key,
      signingKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1',
      mode: 'notify-only',
      maxFailoversPerWindow: 1,
      windowMinutes: 60,
      ...overrides,
    });
  }

  test.each([
    [
      'fails when the standby has no signing key',
      'us-west-2',
      { signingKeyArn: undefined },
      'signingKeyArn: is required in the standby',
    ],
    [
      'fails when the primary is given the signing key it must not read',
      'us-east-2',
      { regionRole: 'primary' as const },
      'signingKeyArn: is not used in the primary',
    ],
    [
      'fails when the role does not match the stack region',
      'us-east-2',
      {},
      'regionRole: is "standby", which means us-west-2, but the stack is in us-east-2',
    ],
    [
      'fails on a failover budget of 0',
      'us-west-2',
      { maxFailoversPerWindow: 0 },
      'maxFailoversPerWindow: must be a whole number',
    ],
  ])('%s', (_name, region, overrides, message) => {
    expect(() => build(region, overrides)).toThrow(message);
  });
});
