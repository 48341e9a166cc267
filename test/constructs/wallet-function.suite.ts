import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { handlerEntry, WalletFunction, WalletFunctionProps } from '../../lib/constructs/wallet-function';
import { newTestApp } from '../helpers/app';
import { acknowledgements, nagFindings } from '../helpers/nag';

const ENV = { account: '111111111111', region: 'us-east-2' };

function stackWithKey(env: { account?: string; region?: string } = ENV): { stack: Stack; key: kms.Key } {
  const stack = new Stack(newTestApp(), 'Test', { env });
  return { stack, key: new kms.Key(stack, 'Key') };
}

function props(key: kms.IKey, patch: Partial<WalletFunctionProps> = {}): WalletFunctionProps {
  return {
    functionName: 'test-wallet-api',
    description: 'test',
    entry: handlerEntry('api'),
    environment: { WALLET_ENV_NAME: 'test' },
    logEncryptionKey: key,
    timeout: Duration.seconds(10),
    memorySize: 512,
    reservedConcurrency: 5,
    invocation: { kind: 'synchronous', by: 'API Gateway (Lambda proxy integration)' },
    ...patch,
  };
}

describe('a synchronous function', () => {
  let template: Template;
  let fn: WalletFunction;
  beforeAll(() => {
    const { stack, key } = stackWithKey();
    fn = new WalletFunction(stack, 'Fn', props(key, { roleName: 'test-wallet-health-us-east-2' }));
    template = Template.fromStack(stack);
  });

  test('runs Node.js 24 on ARM64 with active tracing, JSON logs into its own log group, timeout, memory, reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'test-wallet-api',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      Timeout: 10,
      MemorySize: 512,
      ReservedConcurrentExecutions: 5,
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
        LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') },
      },
      Environment: { Variables: { WALLET_ENV_NAME: 'test', NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  test('has no dead-letter configuration (nothing invokes it asynchronously)', () => {
    const [fnResource] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fnResource.Properties.DeadLetterConfig).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  test('logs to /aws/lambda/<name>, KMS-encrypted, kept one year, retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/lambda/test-wallet-api',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        RetentionInDays: 365,
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('its role has the given name, no inline policy and no AWS managed policy', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties).toEqual({
      RoleName: 'test-wallet-health-us-east-2',
      Description: 'Execution role of the test-wallet-api Lambda function',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('every permission, including the ones CDK grants (X-Ray), is in one customer-managed policy', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^FnRole/) }]);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'WriteOwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'arn:aws:logs:us-east-2:111111111111:log-group:/aws/lambda/test-wallet-api:*',
      },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
    ]);
  });

  test('is created after its permissions: it depends on its managed policy only (the role is a GetAtt)', () => {
    const [fnResource] = Object.values(template.findResources('AWS::Lambda::Function'));
    const [policyId] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(fnResource.DependsOn).toEqual([policyId]);
  });

  test('addToRolePolicy lands in the managed policy', () => {
    // Prepare
    const { stack, key } = stackWithKey();
    const f = new WalletFunction(stack, 'Fn', props(key));
    // Act
    f.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'Extra',
        actions: ['sqs:SendMessage'],
        resources: ['arn:aws:sqs:us-east-2:111111111111:q'],
      }),
    );
    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'Extra' })]) },
    });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('acknowledges the dead-letter-queue rules with the synchronous caller named, and VPC placement', () => {
    const ids = acknowledgements(fn).map((a) => `${a.path.replace(/^Test\/Fn\//, '')} ${a.id}`);
    expect(ids.sort()).toEqual(
      [
        'Function HIPAA.Security-LambdaDLQ',
        'Function HIPAA.Security-LambdaInsideVPC',
        'Function NIST.800.53.R5-LambdaDLQ',
        'Function NIST.800.53.R5-LambdaInsideVPC',
        'Function PCI.DSS.321-LambdaInsideVPC',
        'Function Serverless-LambdaDLQ',
        'Function cdk-validator-cfnguard::lambda_inside_vpc_check',
        'Role/Policy AwsSolutions-IAM5[Resource::*]',
        'Role/Policy AwsSolutions-IAM5[Resource::arn:aws:logs:us-east-2:111111111111:log-group:/aws/lambda/test-wallet-api:*]',
      ].sort(),
    );
    const dlq = acknowledgements(fn).find((a) => a.id === 'Serverless-LambdaDLQ');
    expect(dlq?.reason).toContain('Invoked synchronously only, by API Gateway (Lambda proxy integration)');
  });
});

describe('an asynchronous function', () => {
  let template: Template;
  let fn: WalletFunction;
  let app: ReturnType<typeof newTestApp>;
  beforeAll(() => {
    const { stack, key } = stackWithKey();
    app = stack.node.root as ReturnType<typeof newTestApp>;
    const failureQueue = new sqs.Queue(stack, 'Failures', { encryptionMasterKey: key });
    fn = new WalletFunction(
      stack,
      'Fn',
      props(key, { invocation: { kind: 'asynchronous', failureQueue, maxEventAge: Duration.minutes(15) } }),
    );
    template = Template.fromStack(stack);
  });

  test('sends the record of an event that failed every retry to its on-failure destination (no DLQ as well)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Failures'), 'Arn'] } },
      },
    });
    const [fnResource] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fnResource.Properties.DeadLetterConfig).toBeUndefined();
  });

  test('may write to the encrypted failure queue: sqs:SendMessage and the queue key through SQS, no wildcard', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policy.Properties.PolicyDocument.Statement.slice(2)).toEqual([
      {
        Sid: 'SendFailedEvents',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Failures/), 'Arn'] },
      },
      {
        Sid: 'EncryptFailedEvents',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-2.amazonaws.com' } },
      },
    ]);
  });

  test('acknowledges the dead-letter-queue rules naming the on-failure destination', () => {
    const dlq = acknowledgements(fn).filter((a) => a.id.endsWith('LambdaDLQ'));
    expect(dlq.map((a) => a.id).sort()).toEqual([
      'HIPAA.Security-LambdaDLQ',
      'NIST.800.53.R5-LambdaDLQ',
      'Serverless-LambdaDLQ',
    ]);
    expect(dlq[0].reason).toContain('on-failure destination');
  });

  test('leaves no unacknowledged finding of any pack on the function (Serverless async destination included)', () => {
    app.synth();
    expect(nagFindings(app).filter((f) => f.path.startsWith('Test/Fn/'))).toEqual([]);
  });
});

describe('a synchronous function under every pack', () => {
  test('leaves no unacknowledged finding on the function', () => {
    // Prepare
    const { stack, key } = stackWithKey();
    new WalletFunction(stack, 'Fn', props(key));
    const app = stack.node.root as ReturnType<typeof newTestApp>;
    // Act
    app.synth();
    // Assess
    expect(nagFindings(app).filter((f) => f.path.startsWith('Test/Fn/'))).toEqual([]);
  });
});

describe('props validation', () => {
  test('fails with every problem listed at once, each with the value received and how to fix it', () => {
    // Prepare
    const { stack, key } = stackWithKey();
    // Act
    const build = () =>
      new WalletFunction(
        stack,
        'Fn',
        props(key, {
          functionName: 'has spaces',
          entry: 'lambda/api/index.py',
          timeout: Duration.seconds(901),
          memorySize: 64,
          reservedConcurrency: 0,
          environment: { AWS_REGION: 'x' },
        }),
      );
    // Assess
    expect(build).toThrow(
      [
        'WalletFunction Test/Fn: 6 problem(s):',
        '  - functionName "has spaces" is not a Lambda function name; use 1-64 letters, digits, hyphens or underscores',
        '  - entry "lambda/api/index.py" is not a TypeScript or JavaScript file; point it at lambda/<name>/index.ts',
        '  - timeout is 901 s; Lambda allows 1 to 900 seconds',
        '  - memorySize is 64; use a whole number of MB from 128 to 10240',
        '  - reservedConcurrency is 0; use a whole number of 1 or more (0 would throttle every invocation)',
        '  - environment sets AWS_REGION; names starting with AWS_ are reserved by Lambda and NODE_OPTIONS is set by this construct',
      ].join('\n'),
    );
  });

  test('fails on asynchronous settings Lambda does not allow', () => {
    // Prepare
    const { stack, key } = stackWithKey();
    const failureQueue = new sqs.Queue(stack, 'Failures');
    // Act
    const build = () =>
      new WalletFunction(
        stack,
        'Fn',
        props(key, {
          invocation: { kind: 'asynchronous', failureQueue, retryAttempts: 3, maxEventAge: Duration.hours(7) },
        }),
      );
    // Assess
    expect(build).toThrow(
      [
        'WalletFunction Test/Fn: 2 problem(s):',
        '  - invocation.retryAttempts is 3; Lambda allows 0, 1 or 2',
        '  - invocation.maxEventAge is 25200 s; Lambda allows 60 s to 6 hours',
      ].join('\n'),
    );
  });

  test('fails in a stack without a concrete account and region (finding ids need the literal ARNs)', () => {
    // Prepare
    const { stack, key } = stackWithKey({});
    // Act + Assess
    expect(() => new WalletFunction(stack, 'Fn', props(key))).toThrow(
      /the stack Test has no concrete account and region .*give it an explicit env/,
    );
  });
});
