import { Template } from 'aws-cdk-lib/assertions';
import { buildTestWallet, sharedTestWallet, TestWallet } from '../helpers/app';
import { runtimeSpendingPolicy } from '../../lib/config/spending';
import { SPENDING_POLICY_ENV } from '../../lib/contract/policy';
import { testConfig as testConfigWith } from '../helpers/config';
import { keyArnRef, RegionCase, REGIONS, resourceNamed, resources, roleStatements } from '../helpers/workload';

/** The signing queue's logical id (CDK drops the repeated "Queue" of Wallet/SigningQueue/Queue). */
const SIGNING_QUEUE = /^WalletSigningQueue[0-9A-F]{8}$/;

let wallet: TestWallet;
beforeAll(() => {
  // Without the experiments: the FIS extension's statements on these roles are tested in fault-experiments.
  // Shared (read-only) with fault-experiments.suite.ts, which builds the same config.
  wallet = sharedTestWallet(testConfigWith({ chaos: { enabled: false } }));
});

/** The ledger table as each region's policies name it: the global table (primary), its replica by name (standby). */
function tableArn(c: RegionCase): unknown {
  return c.stack === 'primary'
    ? { 'Fn::GetAtt': [resourceNamed(wallet.template('primary'), 'AWS::DynamoDB::GlobalTable', 'Ledger').id, 'Arn'] }
    : 'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger';
}

describe.each(REGIONS)('the $stack region ($region)', (c) => {
  let template: Template;
  let queueArn: unknown;
  let signingKey: unknown;
  let dataKey: unknown;
  beforeAll(() => {
    template = wallet.template(c.stack);
    queueArn = { 'Fn::GetAtt': [resourceNamed(template, 'AWS::SQS::Queue', SIGNING_QUEUE).id, 'Arn'] };
    signingKey = keyArnRef(wallet, c, 'signing');
    dataKey = keyArnRef(wallet, c, 'data');
  });
  const via = (...services: string[]) => ({
    StringEquals: { 'kms:ViaService': services.map((s) => `${s}.${c.region}.amazonaws.com`) },
  });
  const logs = (name: string) => ({
    Sid: 'WriteOwnLogGroup',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: `arn:aws:logs:${c.region}:111111111111:log-group:/aws/lambda/example-wallet-${name}:*`,
  });
  const xray = { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' };

  describe('least-privilege IAM', () => {
    test('the signer role has the name the signing key policy names', () => {
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: `example-wallet-signer-${c.region}` });
    });

    test('the signer may use exactly kms:Sign and kms:GetPublicKey on exactly this region copy of the signing key', () => {
      expect(roleStatements(template, 'WalletSignerFunctionRole')).toEqual([
        logs('signer'),
        xray,
        {
          Sid: 'LedgerItems',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: tableArn(c),
        },
        { Sid: 'SignWithRegionKey', Effect: 'Allow', Action: ['kms:GetPublicKey', 'kms:Sign'], Resource: signingKey },
        {
          Sid: 'ConsumeSigningQueue',
          Effect: 'Allow',
          Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
          Resource: queueArn,
        },
        {
          Sid: 'DataKeyThroughDynamoDbAndSqs',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: dataKey,
          Condition: via('dynamodb', 'sqs'),
        },
        {
          Sid: 'ForwardToPeerSigningQueue',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: `arn:aws:sqs:${c.peer}:111111111111:example-wallet-signing.fifo`,
        },
        {
          Sid: 'PeerDataKeyThroughSqs',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          // The peer's copy of the data key: this key's id (a deploy-time reference) in the peer region.
          Resource: { 'Fn::Join': ['', [`arn:aws:kms:${c.peer}:111111111111:key/`, expect.any(Object)]] },
          Condition: { StringEquals: { 'kms:ViaService': `sqs.${c.peer}.amazonaws.com` } },
        },
        // Issue 16 (the example config lists chain.providers): this region's RPC secret and the data
        // key through Secrets Manager to decrypt it (lib/constructs/chain-watcher.ts grantChainAccess).
        {
          Sid: 'ReadRpcSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: expect.anything(),
        },
        {
          Sid: 'DataKeyThroughSecretsManager',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: expect.anything(),
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${c.region}.amazonaws.com` } },
        },
      ]);
    });

    test('the signer forwards only to the peer signing queue: its URL is set on the signer alone', () => {
      const url = {
        'Fn::Join': [
          '',
          [`https://sqs.${c.peer}.`, { Ref: 'AWS::URLSuffix' }, '/111111111111/example-wallet-signing.fifo'],
        ],
      };
      const vars = (fnId: string) =>
        (
          resourceNamed(template, 'AWS::Lambda::Function', fnId).resource.Properties.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
      expect(vars('WalletSignerFunction').WALLET_PEER_SIGNING_QUEUE_URL).toEqual(url);
      expect(vars('WalletApiFunction').WALLET_PEER_SIGNING_QUEUE_URL).toBeUndefined();
      expect(vars('WalletHealthFunction').WALLET_PEER_SIGNING_QUEUE_URL).toBeUndefined();
    });

    test('the API and the signer carry the config spending policy as one JSON variable (the example: w-payouts)', () => {
      const vars = (fnId: string) =>
        (
          resourceNamed(template, 'AWS::Lambda::Function', fnId).resource.Properties.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
      const expected = runtimeSpendingPolicy(testConfigWith({ chaos: { enabled: false } }).spending);
      for (const fn of ['WalletApiFunction', 'WalletSignerFunction']) {
        const policy = JSON.parse(String(vars(fn)[SPENDING_POLICY_ENV]));
        expect(policy).toEqual(expected);
        expect(policy.wallets['w-payouts'].velocity.map((v: { limitWei: string }) => v.limitWei)).toEqual([
          '5000000000000000000',
          '20000000000000000000',
        ]);
      }
      expect(vars('WalletHealthFunction')[SPENDING_POLICY_ENV]).toBeUndefined();
    });

    test('the API role cannot sign or read the signing key: item reads, puts and updates, Query on gsi1 only, enqueue, the data key through services', () => {
      const statements = roleStatements(template, 'WalletApiFunctionRole');
      const index =
        c.stack === 'primary'
          ? { 'Fn::Join': ['', [tableArn(c), '/index/gsi1']] }
          : 'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger/index/gsi1';
      expect(statements).toEqual([
        logs('api'),
        xray,
        {
          Sid: 'LedgerItems',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: tableArn(c),
        },
        // The approval list: Query on the index, never on the table (no Scan at all).
        { Sid: 'ListPendingApprovals', Effect: 'Allow', Action: 'dynamodb:Query', Resource: index },
        { Sid: 'EnqueueForSigning', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn },
        {
          Sid: 'DataKeyThroughDynamoDbAndSqs',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: dataKey,
          Condition: via('dynamodb', 'sqs'),
        },
        {
          Sid: 'EncryptQueuedMessages',
          Effect: 'Allow',
          Action: 'kms:GenerateDataKey',
          Resource: dataKey,
          Condition: via('sqs'),
        },
        // Issue 16: the spending gate reads the hot balance through the provider pool, so the API
        // reads this region's RPC secret (exact name, never "*") and decrypts it through Secrets Manager.
        {
          Sid: 'ReadRpcSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource:
            c.stack === 'primary'
              ? { Ref: expect.stringMatching(/^ChainRpcSecretsSecret0/) }
              : 'arn:aws:secretsmanager:us-west-2:111111111111:secret:wallet/example/rpc/alchemy-??????',
        },
        {
          Sid: 'DataKeyThroughSecretsManager',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: dataKey,
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${c.region}.amazonaws.com` } },
        },
      ]);
      expect(JSON.stringify(statements)).not.toMatch(/kms:Sign|kms:GetPublicKey/);
      expect(JSON.stringify(statements)).not.toContain(JSON.stringify(signingKey));
    });

    test('the health role (named for the key policy) reads the public key and the table, and cannot sign', () => {
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: `example-wallet-health-${c.region}` });
      expect(roleStatements(template, 'WalletHealthFunctionRole')).toEqual([
        logs('health'),
        xray,
        { Sid: 'LedgerItems', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn(c) },
        { Sid: 'ReadSigningPublicKey', Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: signingKey },
        {
          Sid: 'DataKeyThroughDynamoDb',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: dataKey,
          Condition: via('dynamodb'),
        },
      ]);
    });

    test('no role in the stack has an inline policy or an AWS managed policy', () => {
      const all = Object.values(resources(template));
      expect(all.filter((r) => r.Type === 'AWS::IAM::Policy')).toEqual([]);
      for (const role of all.filter((r) => r.Type === 'AWS::IAM::Role')) {
        expect([role.Properties.RoleName, role.Properties.Policies, role.Properties.ManagedPolicyArns]).toEqual([
          role.Properties.RoleName,
          undefined,
          undefined,
        ]);
      }
    });
  });

  describe('Lambda functions', () => {
    test.each([
      ['api', 512, 10, 50],
      ['health', 256, 5, 10],
      ['signer', 512, 30, 2],
    ])('%s: arm64, nodejs24.x, active tracing, JSON logs, %i MB, %i s, reserved concurrency %i', (name, mb, s, rc) => {
      const fnId = `Wallet${name[0].toUpperCase()}${name.slice(1)}Function`;
      const { resource } = resourceNamed(template, 'AWS::Lambda::Function', `${fnId}`);
      expect(resource.Properties).toMatchObject({
        FunctionName: `example-wallet-${name}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: mb,
        Timeout: s,
        ReservedConcurrentExecutions: rc,
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: { Ref: resourceNamed(template, 'AWS::Logs::LogGroup', `${fnId}LogGroup`).id },
        },
      });
      expect(resourceNamed(template, 'AWS::Logs::LogGroup', `${fnId}LogGroup`).resource).toMatchObject({
        Properties: { LogGroupName: `/aws/lambda/example-wallet-${name}`, RetentionInDays: 365, KmsKeyId: dataKey },
        DeletionPolicy: 'Retain',
      });
    });

    test('every function gets the runtime environment of lib/contract/runtime-env.ts for this region', () => {
      const queueUrl = { Ref: resourceNamed(template, 'AWS::SQS::Queue', SIGNING_QUEUE).id };
      for (const fnId of ['WalletApiFunction', 'WalletHealthFunction', 'WalletSignerFunction']) {
        const { resource } = resourceNamed(template, 'AWS::Lambda::Function', fnId);
        expect((resource.Properties.Environment as { Variables: unknown }).Variables).toMatchObject({
          WALLET_ENV_NAME: 'example',
          WALLET_TABLE_NAME:
            c.stack === 'primary'
              ? { Ref: resourceNamed(template, 'AWS::DynamoDB::GlobalTable', 'Ledger').id }
              : 'example-wallet-ledger',
          WALLET_SIGNING_KEY_ARN: signingKey,
          WALLET_REGION_ROLE: c.stack,
          WALLET_PEER_REGION: c.peer,
          WALLET_PRIMARY_REGION: 'us-east-2',
          WALLET_STANDBY_REGION: 'us-west-2',
          WALLET_SIGNING_QUEUE_URL: queueUrl,
          WALLET_CHAIN_ID: '11155111',
          WALLET_CONSISTENCY: 'MRSC',
        });
      }
    });
  });

  describe('signer worker', () => {
    test('the signing queue is FIFO without content-based deduplication, KMS-encrypted with the data key, kept 14 days', () => {
      expect(resourceNamed(template, 'AWS::SQS::Queue', SIGNING_QUEUE).resource.Properties).toMatchObject({
        QueueName: 'example-wallet-signing.fifo',
        FifoQueue: true,
        ContentBasedDeduplication: false,
        KmsMasterKeyId: dataKey,
        MessageRetentionPeriod: 1209600,
        VisibilityTimeout: 180,
      });
    });

    test('failed messages move to a FIFO, encrypted dead-letter queue after 10 receives', () => {
      const dlq = resourceNamed(template, 'AWS::SQS::Queue', 'WalletSigningQueueDeadLetterQueue');
      expect(dlq.resource.Properties).toMatchObject({
        QueueName: 'example-wallet-signing-dlq.fifo',
        FifoQueue: true,
        KmsMasterKeyId: dataKey,
        MessageRetentionPeriod: 1209600,
      });
      expect(resourceNamed(template, 'AWS::SQS::Queue', SIGNING_QUEUE).resource.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq.id, 'Arn'] },
        maxReceiveCount: 10,
      });
    });

    test('both queues refuse requests without TLS', () => {
      const policies = Object.values(resources(template)).filter(
        (r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues).includes('WalletSigningQueue'),
      );
      expect(policies).toHaveLength(2);
      for (const p of policies) {
        expect((p.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });

    test('the visibility timeout is six times the signer timeout (AWS guidance for Lambda event sources)', () => {
      const signer = resourceNamed(template, 'AWS::Lambda::Function', 'WalletSignerFunction').resource;
      const queue = resourceNamed(template, 'AWS::SQS::Queue', SIGNING_QUEUE).resource;
      expect(queue.Properties.VisibilityTimeout).toBe(6 * (signer.Properties.Timeout as number));
    });

    test('the signer consumes one message at a time with partial batch responses, at most its reserved concurrency', () => {
      const signer = resourceNamed(template, 'AWS::Lambda::Function', 'WalletSignerFunction');
      const live = resourceNamed(template, 'AWS::Lambda::Alias', 'WalletSignerFunctionLive');
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        // `<function name>:live`, from the alias ARN: the mapping invokes the alias CodeDeploy shifts.
        FunctionName: { 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: live.id }] }] }, ':live']] },
        EventSourceArn: queueArn,
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: signer.resource.Properties.ReservedConcurrentExecutions },
      });
    });

    test('the event source mapping exists only after the signer permissions (function DependsOn its policy)', () => {
      const signer = resourceNamed(template, 'AWS::Lambda::Function', 'WalletSignerFunction').resource;
      const policy = resourceNamed(template, 'AWS::IAM::ManagedPolicy', 'WalletSignerFunctionRolePolicy');
      expect(signer.DependsOn).toEqual([policy.id]);
    });
  });

  describe('regional API', () => {
    let stage: { id: string; resource: { Properties: Record<string, unknown> } };
    let restApiId: string;
    beforeAll(() => {
      stage = resourceNamed(template, 'AWS::ApiGateway::Stage', 'WalletApiRestApiDeploymentStage');
      restApiId = resourceNamed(template, 'AWS::ApiGateway::RestApi', 'WalletApiRestApi').id;
    });

    test('is a REGIONAL REST API', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: 'example-wallet',
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    test('the stage "live" traces with X-Ray, logs ERRORs without data tracing, throttles every method', () => {
      expect(stage.resource.Properties).toMatchObject({ StageName: 'live', TracingEnabled: true });
      expect(stage.resource.Properties.MethodSettings).toEqual([
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        },
        {
          HttpMethod: 'GET',
          ResourcePath: '/~1health~1deep',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 20,
        },
      ]);
    });

    test('access logs are one JSON object per request, into a KMS-encrypted log group kept a year', () => {
      const setting = stage.resource.Properties.AccessLogSetting as { DestinationArn: unknown; Format: string };
      const accessLogs = resourceNamed(template, 'AWS::Logs::LogGroup', 'WalletApiAccessLogs');
      expect(setting.DestinationArn).toEqual({
        'Fn::Join': ['', [`arn:aws:logs:${c.region}:111111111111:log-group:`, { Ref: accessLogs.id }]],
      });
      expect(JSON.parse(setting.Format)).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        userArn: '$context.identity.userArn',
        wafResponseCode: '$context.wafResponseCode',
      });
      expect(setting.Format).not.toMatch(/requestOverride|input\.body|\$input/);
      expect(accessLogs.resource.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: dataKey });
    });

    test('the execution log group exists, encrypted, before the stage (else API Gateway creates it unencrypted)', () => {
      const execution = resourceNamed(template, 'AWS::Logs::LogGroup', 'WalletApiExecutionLogs');
      expect(execution.resource.Properties).toEqual({
        LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: restApiId }, '/live']] },
        KmsKeyId: dataKey,
        RetentionInDays: 365,
        Tags: expect.any(Array),
      });
      const account = resourceNamed(template, 'AWS::ApiGateway::Account', 'WalletApiAccountLogging');
      expect(resources(template)[stage.id].DependsOn).toEqual(expect.arrayContaining([execution.id, account.id]));
    });

    test.each([
      ['GET', '/health', 'NONE', 'WalletHealthFunction'],
      ['GET', '/health/deep', 'NONE', 'WalletHealthFunction'],
      ['POST', '/v1/wallets/{walletId}/transactions', 'AWS_IAM', 'WalletApiFunction'],
      ['GET', '/v1/wallets/{walletId}/transactions/{txId}', 'AWS_IAM', 'WalletApiFunction'],
      ['GET', '/v1/wallets/{walletId}/approvals', 'AWS_IAM', 'WalletApiFunction'],
      ['GET', '/v1/wallets/{walletId}/approvals/{txId}', 'AWS_IAM', 'WalletApiFunction'],
      ['POST', '/v1/wallets/{walletId}/approvals/{txId}', 'AWS_IAM', 'WalletApiFunction'],
    ])('%s %s: authorization %s, proxied to the live alias of %s', (httpMethod, path, auth, fnId) => {
      const fnLogicalId = resourceNamed(template, 'AWS::Lambda::Function', fnId).id;
      const aliasLogicalId = resourceNamed(template, 'AWS::Lambda::Alias', `${fnId}Live`).id;
      const methods = Object.values(resources(template)).filter(
        (r) =>
          r.Type === 'AWS::ApiGateway::Method' &&
          r.Properties.HttpMethod === httpMethod &&
          resourcePathOf(template, r.Properties.ResourceId) === path,
      );
      expect(methods).toHaveLength(1);
      expect(methods[0].Properties).toMatchObject({
        AuthorizationType: auth,
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(JSON.stringify(methods[0].Properties.Integration)).toContain(`{"Ref":"${aliasLogicalId}"}`);
      expect(JSON.stringify(methods[0].Properties.Integration)).not.toContain(`"${fnLogicalId}"`);
    });

    test('POST transactions validates the JSON body against the model, the Idempotency-Key header and the path', () => {
      const validator = resourceNamed(
        template,
        'AWS::ApiGateway::RequestValidator',
        'WalletApiRestApiBodyAndParameters',
      );
      expect(validator.resource.Properties).toMatchObject({
        ValidateRequestBody: true,
        ValidateRequestParameters: true,
      });
      const model = resourceNamed(template, 'AWS::ApiGateway::Model', 'WalletApiRestApiTransactionRequest');
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        RequestValidatorId: { Ref: validator.id },
        RequestModels: { 'application/json': { Ref: model.id } },
        RequestParameters: { 'method.request.header.Idempotency-Key': true, 'method.request.path.walletId': true },
      });
      expect(model.resource.Properties.Schema).toMatchObject({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['to', 'value'],
        additionalProperties: false,
        properties: {
          to: { pattern: '^0x[0-9a-fA-F]{40}$' },
          chainId: { type: 'integer', minimum: 1 },
          canary: { type: 'boolean' },
        },
      });
    });

    test('GET transaction validates its path parameters', () => {
      const validator = resourceNamed(template, 'AWS::ApiGateway::RequestValidator', 'WalletApiRestApiParameters');
      expect(validator.resource.Properties).toMatchObject({
        ValidateRequestBody: false,
        ValidateRequestParameters: true,
      });
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        AuthorizationType: 'AWS_IAM',
        RequestValidatorId: { Ref: validator.id },
        RequestParameters: { 'method.request.path.walletId': true, 'method.request.path.txId': true },
      });
    });

    test('API Gateway may invoke the functions only for these methods of this API, from this account', () => {
      // The workload's functions (logical ids Wallet...); the remediation function's EventBridge
      // permission is asserted in test/constructs/remediation.suite.ts.
      const permissions = Object.values(resources(template)).filter(
        (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes('"Wallet'),
      );
      expect(permissions).toHaveLength(7);
      for (const p of permissions) {
        expect(p.Properties).toMatchObject({
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceAccount: '111111111111',
        });
        expect(JSON.stringify(p.Properties.SourceArn)).toContain(restApiId);
        expect(JSON.stringify(p.Properties.SourceArn)).not.toContain('test-invoke-stage');
      }
    });

    test("API Gateway's account CloudWatch role is set, retained, with a customer-managed policy for this region's log groups", () => {
      const account = resourceNamed(template, 'AWS::ApiGateway::Account', 'WalletApiAccountLogging');
      const role = resourceNamed(template, 'AWS::IAM::Role', 'WalletApiAccountLoggingRole');
      expect(account.resource).toMatchObject({
        Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [role.id, 'Arn'] } },
        DeletionPolicy: 'Retain',
      });
      expect(role.resource.DeletionPolicy).toBe('Retain');
      expect(roleStatements(template, 'WalletApiAccountLoggingRole')).toEqual([
        expect.objectContaining({ Resource: `arn:aws:logs:${c.region}:111111111111:log-group:*` }),
      ]);
    });
  });

  describe('WAF', () => {
    test('a REGIONAL web ACL: IP reputation, per-IP rate limit, Common and Known-bad-inputs rule groups', () => {
      const acl = resourceNamed(template, 'AWS::WAFv2::WebACL', 'WalletWebAcl').resource.Properties;
      expect(acl).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
      const rules = acl.Rules as Array<Record<string, unknown>>;
      expect(rules.map((r) => [r.Priority, r.Name])).toEqual([
        [0, 'AWSManagedRulesAmazonIpReputationList'],
        [1, 'RateLimitPerIp'],
        [2, 'AWSManagedRulesCommonRuleSet'],
        [3, 'AWSManagedRulesKnownBadInputsRuleSet'],
      ]);
      expect(rules[1]).toMatchObject({
        Action: { Block: {} },
        Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 3000, EvaluationWindowSec: 300 } },
      });
      for (const r of [rules[0], rules[2], rules[3]]) {
        expect(r).toMatchObject({
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: r.Name } },
        });
        expect(r).not.toHaveProperty('Statement.ManagedRuleGroupStatement.RuleActionOverrides');
      }
      for (const r of rules) {
        expect(r.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
      }
    });

    test('is attached to the API stage', () => {
      const acl = resourceNamed(template, 'AWS::WAFv2::WebACL', 'WalletWebAcl');
      const stage = resourceNamed(template, 'AWS::ApiGateway::Stage', 'WalletApiRestApiDeploymentStage');
      const restApi = resourceNamed(template, 'AWS::ApiGateway::RestApi', 'WalletApiRestApi');
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        WebACLArn: { 'Fn::GetAtt': [acl.id, 'Arn'] },
        ResourceArn: {
          'Fn::Join': [
            '',
            [`arn:aws:apigateway:${c.region}::/restapis/`, { Ref: restApi.id }, '/stages/', { Ref: stage.id }],
          ],
        },
      });
    });

    test('logs to a KMS-encrypted aws-waf-logs- log group, without credentials', () => {
      const acl = resourceNamed(template, 'AWS::WAFv2::WebACL', 'WalletWebAcl');
      expect(resourceNamed(template, 'AWS::Logs::LogGroup', 'WalletWebAclLogGroup').resource.Properties).toMatchObject({
        LogGroupName: 'aws-waf-logs-example-wallet',
        KmsKeyId: dataKey,
        RetentionInDays: 365,
      });
      template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        ResourceArn: { 'Fn::GetAtt': [acl.id, 'Arn'] },
        LogDestinationConfigs: [`arn:aws:logs:${c.region}:111111111111:log-group:aws-waf-logs-example-wallet`],
        RedactedFields: [
          { SingleHeader: { Name: 'authorization' } },
          { SingleHeader: { Name: 'x-amz-security-token' } },
        ],
      });
    });
  });
});

/** The path of an API Gateway resource, from its logical id (walking the ParentId chain). */
function resourcePathOf(template: Template, ref: unknown): string {
  const all = resources(template);
  const parts: string[] = [];
  let cur = ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  while (cur.Ref !== undefined) {
    const r = all[cur.Ref];
    parts.unshift(r.Properties.PathPart as string);
    cur = r.Properties.ParentId as typeof cur;
  }
  return `/${parts.join('/')}`;
}

describe('config drives the thresholds', () => {
  test.each([
    [{ throttleRateLimit: 20, throttleBurstLimit: 40, wafRateLimitPerIp: 500 }, 20, 40, 500],
    [{ throttleRateLimit: 0.5, throttleBurstLimit: 1, wafRateLimitPerIp: 10 }, 0.5, 1, 10],
  ])('api %j -> stage %d rps / %d burst, WAF %d per IP per 5 minutes, in both regions', (api, rate, burst, waf) => {
    // Prepare + Act
    const custom = buildTestWallet(testConfigWith({ api }));
    // Assess
    for (const c of REGIONS) {
      const template = custom.template(c.stack);
      const stage = resourceNamed(template, 'AWS::ApiGateway::Stage', 'WalletApiRestApiDeploymentStage');
      expect((stage.resource.Properties.MethodSettings as unknown[])[0]).toMatchObject({
        ResourcePath: '/*',
        ThrottlingRateLimit: rate,
        ThrottlingBurstLimit: burst,
      });
      const acl = resourceNamed(template, 'AWS::WAFv2::WebACL', 'WalletWebAcl').resource.Properties;
      expect((acl.Rules as Array<{ Name: string }>).find((r) => r.Name === 'RateLimitPerIp')).toMatchObject({
        Statement: { RateBasedStatement: { Limit: waf } },
      });
    }
  });

  test('the chain id and consistency mode reach every function', () => {
    // Prepare + Act
    const custom = buildTestWallet(
      testConfigWith({
        chain: { chainId: 1 },
        data: { consistency: 'MREC' },
        regions: { witness: undefined },
        targets: { rpoSeconds: 60 },
      }),
    );
    // Assess
    for (const c of REGIONS) {
      const workload = ['api', 'health', 'signer'].map((f) => `example-wallet-${f}`);
      const fns = Object.values(resources(custom.template(c.stack))).filter(
        (r) => r.Type === 'AWS::Lambda::Function' && workload.includes(r.Properties.FunctionName as string),
      );
      expect(fns).toHaveLength(3);
      for (const fn of fns) {
        expect((fn.Properties.Environment as { Variables: unknown }).Variables).toMatchObject({
          WALLET_CHAIN_ID: '1',
          WALLET_CONSISTENCY: 'MREC',
        });
      }
    }
  });
});
