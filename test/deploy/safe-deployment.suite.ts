import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { handlerEntry, WalletFunction } from '../../lib/constructs/wallet-function';
import {
  deployAlarmName,
  deployApplicationName,
  deployHookRoleName,
  LIVE_ALIAS,
  statusDeployApplicationName,
} from '../../lib/contract/deployment';
import { exampleWallet, newTestApp, TestWallet } from '../helpers/app';
import { liveAliasReport } from '../helpers/live-alias';
import { evaluateKeyPolicy } from '../helpers/policy-eval';
import { resources, roleStatements } from '../helpers/workload';

/** A reference in template JSON. */
interface CfnRef {
  readonly Ref: string;
  readonly 'Fn::GetAtt': [string, string];
}

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

const allTemplates = () =>
  Object.fromEntries(
    (Object.keys(wallet.stacks) as Array<keyof typeof wallet.stacks>).map((s) => [s, wallet.template(s)]),
  );

describe('live aliases (invariant over the whole app)', () => {
  test('every function has a live alias; every caller invokes it; every invoked alias is shifted by CodeDeploy', () => {
    const report = liveAliasReport(allTemplates());
    // Exact: every invoked alias, the status page's updater and webhook sender included, is shifted by
    // a CodeDeploy group.
    expect(report).toEqual({ withoutAlias: [], unqualified: [], invokedWithoutDeploymentGroup: [] });
    // The walk saw the workload: 7 functions per regional stack (8 in the standby, with the switch
    // re-publisher), each with its alias; the chain watcher and the sweeper are two of them (the example
    // config lists chain.providers and spending.cold).
    for (const [s, n] of [
      ['primary', 7],
      ['standby', 8],
    ] as const) {
      expect(Object.keys(wallet.template(s).findResources('AWS::Lambda::Function'))).toHaveLength(n);
      expect(
        Object.keys(wallet.template(s).findResources('AWS::Lambda::Alias', { Properties: { Name: LIVE_ALIAS } })),
      ).toHaveLength(n);
    }
  });

  test('fails on functions, callers and async configs that skip the alias (a stack built wrong on purpose)', () => {
    // Prepare
    const stack = new Stack(newTestApp(), 'Bad', { env: { account: '111111111111', region: 'us-east-2' } });
    const key = new kms.Key(stack, 'Key');
    const queue = new sqs.Queue(stack, 'Q', { encryptionMasterKey: key });
    const fn = new WalletFunction(stack, 'Fn', {
      functionName: 'bad-wallet-api',
      description: 'test',
      entry: handlerEntry('api'),
      environment: {},
      logEncryptionKey: key,
      timeout: Duration.seconds(5),
      memorySize: 256,
      reservedConcurrency: 2,
      invocation: { kind: 'asynchronous', failureQueue: queue, unqualifiedCaller: true },
    });
    new lambda.EventSourceMapping(stack, 'Esm', { target: fn.function, eventSourceArn: queue.queueArn });
    new events.Rule(stack, 'Rule', {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(fn.function)],
    });
    new events.CfnRule(stack, 'Latest', {
      scheduleExpression: 'rate(5 minutes)',
      targets: [{ id: 't', arn: 'arn:aws:lambda:us-east-2:111111111111:function:bad-wallet-api:$LATEST' }],
    });
    new lambda.Function(stack, 'Plain', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1'),
    });
    // Act
    const report = liveAliasReport({ bad: Template.fromStack(stack) });
    // Assess
    expect(report.withoutAlias).toEqual([expect.stringMatching(/^bad\/Plain/)]);
    expect(report.unqualified).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Esm.*EventSourceMapping.*unqualified function Fn/),
        expect.stringMatching(/Rule.*AWS::Events::Rule.*unqualified function Fn/),
        expect.stringMatching(/RuleAllowEventRule.*Permission.*unqualified function Fn/),
        expect.stringMatching(/Latest.*names \$LATEST/),
        expect.stringMatching(/EventInvokeConfig.*\$LATEST/),
      ]),
    );
    // The alias exists but nobody invokes it, so it needs no deployment group.
    expect(report.invokedWithoutDeploymentGroup).toEqual([]);
  });
});

describe.each([
  ['statusPrimary', 'primary'],
  ['statusStandby', 'standby'],
] as const)('CodeDeploy of the status page in %s', (stack, role) => {
  const region = () => wallet.config.regions[role];
  const res = () => resources(wallet.template(stack));
  const groups = () => Object.values(res()).filter((r) => r.Type === 'AWS::CodeDeploy::DeploymentGroup');

  test('its own application (not the wallet one in the same region), one all-at-once group per function', () => {
    const apps = Object.entries(res()).filter(([, r]) => r.Type === 'AWS::CodeDeploy::Application');
    expect(apps).toHaveLength(1);
    expect(apps[0][1].Properties).toMatchObject({
      ApplicationName: statusDeployApplicationName('example'),
      ComputePlatform: 'Lambda',
    });
    expect(statusDeployApplicationName('example')).not.toBe(deployApplicationName('example'));
    expect(
      groups()
        .map((g) => [g.Properties.DeploymentGroupName, g.Properties.DeploymentConfigName])
        .sort(),
    ).toEqual([
      ['example-wallet-status-updater', 'CodeDeployDefault.LambdaAllAtOnce'],
      ['example-wallet-status-webhooks', 'CodeDeployDefault.LambdaAllAtOnce'],
    ]);
    for (const g of groups()) {
      expect(g.Properties.ApplicationName).toEqual({ Ref: apps[0][0] });
      expect(g.Properties.AlarmConfiguration).toMatchObject({ Enabled: true, IgnorePollAlarmFailure: false });
      expect(g.Properties.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'],
      });
    }
  });

  test('each group rolls back on the errors and p99 alarms of the NEW version through live', () => {
    const expected = (['status-updater', 'status-webhooks'] as const).flatMap((p) =>
      (['errors', 'duration-p99'] as const).map((k) => deployAlarmName('example', region(), p, k)),
    );
    expect(
      groups()
        .flatMap((g) =>
          (g.Properties.AlarmConfiguration as { Alarms: Array<{ Name: CfnRef }> }).Alarms.map(
            (a) => res()[a.Name.Ref].Properties.AlarmName,
          ),
        )
        .sort(),
    ).toEqual([...expected].sort());
    const alarms = Object.values(res()).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && expected.includes(r.Properties.AlarmName as string),
    );
    expect(alarms).toHaveLength(4);
    for (const a of alarms) {
      const dims = Object.fromEntries(
        (a.Properties.Dimensions as Array<{ Name: string; Value: CfnRef }>).map((d) => [d.Name, d.Value]),
      );
      const fn = dims.FunctionName.Ref as string;
      expect(dims.Resource).toEqual({ 'Fn::Join': ['', [{ Ref: fn }, `:${LIVE_ALIAS}`]] });
      expect(res()[dims.ExecutedVersion['Fn::GetAtt'][0]]).toMatchObject({
        Type: 'AWS::Lambda::Version',
        Properties: { FunctionName: { Ref: fn } },
      });
      expect(a.Properties.AlarmActions).toHaveLength(1);
    }
  });

  test('the CodeDeploy role may shift only these two aliases and read only these alarms', () => {
    const statements = roleStatements(wallet.template(stack), 'SafeDeploymentRole');
    expect(statements.map((s) => s.Sid).sort()).toEqual([
      'ReadDeploymentAlarms',
      'ShiftTheStatusUpdaterAlias',
      'ShiftTheStatusWebhooksAlias',
    ]);
    expect(JSON.stringify(statements)).not.toContain('"*"');
    const fnRef = (prefix: string) =>
      Object.keys(res()).find((id) => id.startsWith(prefix) && res()[id].Type === 'AWS::Lambda::Function')!;
    const shift = statements.find((s) => s.Sid === 'ShiftTheStatusUpdaterAlias')!;
    expect(shift.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [fnRef('UpdaterFunction'), 'Arn'] }, `:${LIVE_ALIAS}`]],
    });
  });
});

describe.each(['primary', 'standby'] as const)('CodeDeploy in the %s region', (which) => {
  const region = () => (which === 'primary' ? wallet.config.regions.primary : wallet.config.regions.standby);
  const res = () => resources(wallet.template(which));
  const groups = () => Object.entries(res()).filter(([, r]) => r.Type === 'AWS::CodeDeploy::DeploymentGroup');
  const group = (name: string) =>
    groups().find(([, r]) => r.Properties.DeploymentGroupName === `example-wallet-${name}`)!;

  test.each([
    ['api', 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
    ['signer', 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
    ['health', 'CodeDeployDefault.LambdaAllAtOnce'],
    ['remediation', 'CodeDeployDefault.LambdaAllAtOnce'],
  ])('the %s group shifts with %s', (name, config) => {
    expect(group(name)[1].Properties.DeploymentConfigName).toBe(config);
  });

  test('every group names its alarms and rolls back on alarm, on failure and on a manual stop', () => {
    expect(groups()).toHaveLength(which === 'standby' ? 7 : 6);
    for (const [, g] of groups()) {
      const p = g.Properties as {
        DeploymentStyle: unknown;
        AlarmConfiguration: { Enabled: boolean; IgnorePollAlarmFailure: boolean; Alarms: unknown[] };
        AutoRollbackConfiguration: unknown;
      };
      expect(p.DeploymentStyle).toEqual({ DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' });
      expect(p.AlarmConfiguration.Enabled).toBe(true);
      expect(p.AlarmConfiguration.IgnorePollAlarmFailure).toBe(false);
      expect(p.AlarmConfiguration.Alarms.length).toBeGreaterThanOrEqual(2);
      expect(p.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'],
      });
    }
  });

  test("the signer's group has the pre-traffic hook; no other group has one", () => {
    const aliases = Object.entries(res()).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Alias' && r.UpdatePolicy !== undefined,
    );
    expect(aliases).toHaveLength(which === 'standby' ? 7 : 6);
    for (const [id, a] of aliases) {
      const policy = (
        a.UpdatePolicy as {
          CodeDeployLambdaAliasUpdate: { DeploymentGroupName: CfnRef; BeforeAllowTrafficHook?: unknown };
        }
      ).CodeDeployLambdaAliasUpdate;
      const groupId = policy.DeploymentGroupName.Ref;
      expect(res()[groupId].Type).toBe('AWS::CodeDeploy::DeploymentGroup');
      if (id.startsWith('WalletSignerFunction')) {
        expect(policy.BeforeAllowTrafficHook).toEqual({
          Ref: expect.stringMatching(/^SafeDeploymentSignerCheckFunction[0-9A-F]{8}$/),
        });
        expect(res()[groupId].Properties.DeploymentGroupName).toBe('example-wallet-signer');
      } else {
        expect(policy.BeforeAllowTrafficHook).toBeUndefined();
      }
    }
  });

  test('the alarms watch the NEW version through the live alias (Resource = <fn>:live, ExecutedVersion = this version)', () => {
    const alarms = Object.values(res()).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties.AlarmName).includes('-deploy-'),
    );
    expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual(
      (
        [
          ['api', 'errors'],
          ['api', 'duration-p99'],
          ['health', 'errors'],
          ['health', 'duration-p99'],
          ['remediation', 'errors'],
          ['remediation', 'duration-p99'],
          ['signer', 'errors'],
          ['signer', 'duration-p99'],
          ['signer', 'signer-failures'],
          ['chain-watcher', 'errors'],
          ['chain-watcher', 'duration-p99'],
          ['sweeper', 'errors'],
          ['sweeper', 'duration-p99'],
          ...(which === 'standby'
            ? ([
                ['switch-republisher', 'errors'],
                ['switch-republisher', 'duration-p99'],
              ] as const)
            : []),
        ] as const
      )
        .map(([p, k]) => deployAlarmName('example', region(), p, k))
        .sort(),
    );
    for (const a of alarms.filter((x) => x.Properties.Namespace === 'AWS/Lambda')) {
      const dims = Object.fromEntries(
        (a.Properties.Dimensions as Array<{ Name: string; Value: CfnRef }>).map((d) => [d.Name, d.Value]),
      );
      const fn = dims.FunctionName.Ref as string;
      expect(res()[fn].Type).toBe('AWS::Lambda::Function');
      expect(dims.Resource).toEqual({ 'Fn::Join': ['', [{ Ref: fn }, `:${LIVE_ALIAS}`]] });
      const version = dims.ExecutedVersion['Fn::GetAtt'];
      expect(version[1]).toBe('Version');
      expect(res()[version[0]]).toMatchObject({
        Type: 'AWS::Lambda::Version',
        Properties: { FunctionName: { Ref: fn } },
      });
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
      expect(a.Properties.AlarmActions).toHaveLength(1);
    }
    const failures = alarms.find((a) => String(a.Properties.AlarmName).endsWith('signer-failures'))!;
    expect(failures.Properties).toMatchObject({ MetricName: 'SigningFailures', Threshold: 1, Statistic: 'Sum' });
    wallet.template(which).hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "signing failed; the message will be retried" }',
      MetricTransformations: [
        {
          MetricName: 'SigningFailures',
          MetricValue: '1',
          Dimensions: [{ Key: 'ExecutedVersion', Value: '$.function_version' }],
        },
      ],
    });
  });

  test('the CodeDeploy role holds no AWS managed policy and no "*" resource', () => {
    const roles = Object.values(res()).filter(
      (r) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('codedeploy.amazonaws.com'),
    );
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(wallet.template(which), 'SafeDeploymentRole');
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      [
        'ReadDeploymentAlarms',
        'RunTheSignerPreTrafficHook',
        'ShiftTheApiAlias',
        'ShiftTheHealthAlias',
        'ShiftTheRemediationAlias',
        'ShiftTheSignerAlias',
        'ShiftTheChainWatcherAlias',
        'ShiftTheSweeperAlias',
        ...(which === 'standby' ? ['ShiftTheSwitchRepublisherAlias'] : []),
      ].sort(),
    );
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  test('the hook may invoke only the signer version under deployment, read the public key and report; it cannot sign', () => {
    const statements = roleStatements(wallet.template(which), 'SafeDeploymentSignerCheckFunctionRole');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    const signerVersion = Object.entries(res()).find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Version' && JSON.stringify(r.Properties.FunctionName).includes('WalletSignerFunction'),
    )![0];
    expect(bySid.InvokeOnlyTheVersionUnderDeployment).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Resource: { Ref: signerVersion },
    });
    expect(bySid.ReadSigningPublicKey.Action).toBe('kms:GetPublicKey');
    expect(bySid.ReportToTheSignerDeploymentGroup).toMatchObject({
      Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
      Resource: `arn:aws:codedeploy:${region()}:111111111111:deploymentgroup:example-wallet/example-wallet-signer`,
    });
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(
      actions.filter(
        (a) => a.startsWith('kms:') && a !== 'kms:GetPublicKey' && a !== 'kms:GenerateDataKey' && a !== 'kms:Decrypt',
      ),
    ).toEqual([]);
    expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual(['lambda:InvokeFunction']);
  });

  test("the signing key's policy lets the hook role read the public key and denies it kms:Sign", () => {
    const stack = which === 'primary' ? 'keys' : 'keysReplica';
    const type = which === 'primary' ? 'AWS::KMS::Key' : 'AWS::KMS::ReplicaKey';
    const key = Object.entries(wallet.template(stack).findResources(type)).find(([id]) =>
      id.startsWith('SigningKey'),
    )![1];
    const principalArn = `arn:aws:iam::111111111111:role/${deployHookRoleName('example', region())}`;
    expect(evaluateKeyPolicy(key.Properties.KeyPolicy, { principalArn, action: 'kms:GetPublicKey' })).toBe('allow');
    expect(evaluateKeyPolicy(key.Properties.KeyPolicy, { principalArn, action: 'kms:Sign' })).toBe('explicit-deny');
  });

  test('asynchronous invoke configs sit on the qualifier the callers invoke (remediation: live; the hook: $LATEST)', () => {
    const configs = Object.values(res()).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    const owner = (c: (typeof configs)[number]) =>
      JSON.stringify(c.Properties.FunctionName).match(/"Ref":"(\w+?)[0-9A-F]{8}"/)?.[1];
    const qualifier = (c: (typeof configs)[number]) => {
      const q = c.Properties.Qualifier as string | { 'Fn::Select': [number, { 'Fn::Split': [string, CfnRef] }] };
      if (typeof q === 'string') return q;
      // The alias name, taken from its ARN: arn:aws:lambda:<region>:<account>:function:<name>:<alias>
      const aliasId = q['Fn::Select'][1]['Fn::Split'][1].Ref as string;
      expect(q['Fn::Select'][0]).toBe(7);
      return res()[aliasId].Properties.Name;
    };
    expect(configs.map((c) => [owner(c), qualifier(c)]).sort()).toEqual([
      ['ChainSweeperFunction', LIVE_ALIAS],
      ['ChainWatcherFunction', LIVE_ALIAS],
      ['ObservabilityRemediationFunction', LIVE_ALIAS],
      ['SafeDeploymentSignerCheckFunction', '$LATEST'],
      ...(which === 'standby' ? [['SwitchRepublisherFunction', LIVE_ALIAS]] : []),
    ]);
  });
});
