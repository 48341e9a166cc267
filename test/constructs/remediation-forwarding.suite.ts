import { Template } from 'aws-cdk-lib/assertions';
import { remediationEventSources, remediationForwarding, RemediationTopology } from '../../lib/contract/remediation';
import { buildTestWallet, exampleWallet, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { resourceNamed, resources } from '../helpers/workload';

/**
 * The standby's remediation gets the failover cues that live elsewhere (the primary's
 * region-impaired, Route 53's dns-primary-endpoint-unhealthy) through one forwarding rule in each
 * source region, whose role can put events on the standby's default bus and nothing else.
 */
const TOPOLOGY: RemediationTopology = {
  envName: 'example',
  primaryRegion: 'us-east-2',
  standbyRegion: 'us-west-2',
  consistency: 'MRSC',
};
const STANDBY_BUS = 'arn:aws:events:us-west-2:111111111111:event-bus/default';

describe('the contract: what is forwarded from where', () => {
  test('example topology: the primary region forwards region-impaired, us-east-1 the primary endpoint alarm', () => {
    expect(remediationForwarding(TOPOLOGY)).toEqual([
      { source: 'primary', fromRegion: 'us-east-2', alarmNames: ['example-wallet-us-east-2-region-impaired'] },
      { source: 'dns', fromRegion: 'us-east-1', alarmNames: ['example-wallet-dns-primary-endpoint-unhealthy'] },
    ]);
  });

  test('a standby in us-east-1 needs no DNS forwarding: its own rule already sees the Route 53 alarms', () => {
    const topology = { ...TOPOLOGY, primaryRegion: 'us-west-2', standbyRegion: 'us-east-1' };
    expect(remediationForwarding(topology).map((f) => f.source)).toEqual(['primary']);
    // ...and every cue, local or forwarded, is among the names the standby's rule matches
    const routed = remediationEventSources(topology, 'us-east-1').flatMap((s) => s.alarmNames);
    expect(routed).toEqual(expect.arrayContaining(['example-wallet-dns-primary-endpoint-unhealthy']));
  });

  test('a primary in us-east-1: both forwarding rules live in us-east-1, under different names', () => {
    const topology = { ...TOPOLOGY, primaryRegion: 'us-east-1', standbyRegion: 'us-west-2' };
    expect(remediationForwarding(topology).map((f) => [f.source, f.fromRegion])).toEqual([
      ['primary', 'us-east-1'],
      ['dns', 'us-east-1'],
    ]);
  });
});

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

describe.each([
  {
    stack: 'primary' as const,
    prefix: 'ObservabilityRemediationCues',
    ruleName: 'example-wallet-remediation-cues-primary',
    ruleArn: 'arn:aws:events:us-east-2:111111111111:rule/example-wallet-remediation-cues-primary',
    alarmNames: ['example-wallet-us-east-2-region-impaired'],
  },
  {
    stack: 'dns' as const,
    prefix: 'RemediationCues',
    ruleName: 'example-wallet-remediation-cues-dns',
    ruleArn: 'arn:aws:events:us-east-1:111111111111:rule/example-wallet-remediation-cues-dns',
    alarmNames: ['example-wallet-dns-primary-endpoint-unhealthy'],
  },
])('forwarding from the $stack stack', (c) => {
  let template: Template;
  beforeAll(() => {
    template = wallet.template(c.stack);
  });

  test('one named rule matches exactly the cues of this source and targets the standby default bus through its role', () => {
    const rule = resourceNamed(template, 'AWS::Events::Rule', `${c.prefix}Rule`).resource;
    const role = resourceNamed(template, 'AWS::IAM::Role', `${c.prefix}Role`).id;
    expect(rule.Properties).toMatchObject({
      Name: c.ruleName,
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: c.alarmNames },
      },
      Targets: [{ Id: 'Target0', Arn: STANDBY_BUS, RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } }],
    });
    // No rule on a custom bus: CloudWatch publishes alarm state changes to the default bus.
    expect(rule.Properties.EventBusName).toBeUndefined();
  });

  test('the role trusts EventBridge for this one rule of this account only', () => {
    const role = resourceNamed(template, 'AWS::IAM::Role', `${c.prefix}Role`).resource;
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnEquals: { 'aws:SourceArn': c.ruleArn },
          },
        },
      ],
    });
  });

  test('the role may only put events on the standby default bus (one statement, no wildcard, no inline policy)', () => {
    const role = resourceNamed(template, 'AWS::IAM::Role', `${c.prefix}Role`);
    const policies = Object.values(resources(template)).filter(
      (r) =>
        (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy') &&
        JSON.stringify(r.Properties.Roles ?? []).includes(role.id),
    );
    expect(policies.map((p) => p.Type)).toEqual(['AWS::IAM::ManagedPolicy']);
    expect((policies[0].Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: STANDBY_BUS },
    ]);
    expect(role.resource.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

test('the standby stack forwards nothing (it is the destination)', () => {
  expect(Object.keys(wallet.template('standby').findResources('AWS::Events::Rule'))).toEqual([
    expect.stringMatching(/^ObservabilityRemediationAlarmStateChanges/),
    // the switch re-publisher's schedule (no event pattern, no cross-region target)
    expect.stringMatching(/^SwitchRepublisherSchedule/),
    // the chain watcher's schedule (issue 16; a local target in this region)
    expect.stringMatching(/^ChainWatcherSchedule/),
    // the sweeper's schedule (issue 21, with spending.cold; a local target in this region)
    expect.stringMatching(/^ChainSweeperSchedule/),
  ]);
});

test('dns-remediation-cues-undelivered: any failed delivery of the DNS forwarding rule notifies the DNS alerts topic', () => {
  const template = wallet.template('dns');
  const rule = resourceNamed(template, 'AWS::Events::Rule', 'RemediationCuesRule').id;
  const alarm = resourceNamed(template, 'AWS::CloudWatch::Alarm', 'RemediationCuesUndelivered').resource;
  const topic = { Ref: resourceNamed(template, 'AWS::SNS::Topic', 'NotificationsTopic').id };
  expect(alarm.Properties).toMatchObject({
    AlarmName: 'example-wallet-dns-remediation-cues-undelivered',
    Namespace: 'AWS/Events',
    MetricName: 'FailedInvocations',
    Dimensions: [{ Name: 'RuleName', Value: { Ref: rule } }],
    Statistic: 'Sum',
    Period: 60,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: [topic],
    OKActions: [topic],
  });
});

test('with us-east-1 as the standby, the DNS stack has no forwarding rule and no forwarding alarm', () => {
  const custom = buildTestWallet(
    testConfig({ regions: { primary: 'us-west-2', standby: 'us-east-1', witness: 'us-east-2' } }),
  );
  const dns = custom.template('dns');
  expect(dns.findResources('AWS::Events::Rule')).toEqual({});
  expect(dns.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Events' } })).toEqual({});
});

test('with the primary in us-east-1, the primary and DNS stacks each forward their own cues under their own rule name', () => {
  const custom = buildTestWallet(
    testConfig({ regions: { primary: 'us-east-1', standby: 'us-west-2', witness: 'us-east-2' } }),
  );
  const names = (stack: 'primary' | 'dns') =>
    Object.values(custom.template(stack).findResources('AWS::Events::Rule'))
      .map((r) => r.Properties.Name as string | undefined)
      .filter((n) => n !== undefined);
  expect(names('primary')).toEqual(['example-wallet-remediation-cues-primary']);
  expect(names('dns')).toEqual(['example-wallet-remediation-cues-dns']);
  const standbyRule = resourceNamed(
    custom.template('standby'),
    'AWS::Events::Rule',
    'ObservabilityRemediationAlarmStateChanges',
  ).resource;
  expect((standbyRule.Properties.EventPattern as { detail: { alarmName: string[] } }).detail.alarmName).toEqual(
    expect.arrayContaining([
      'example-wallet-us-east-1-region-impaired',
      'example-wallet-dns-primary-endpoint-unhealthy',
    ]),
  );
});

test('each forwarding rule is created only after its role policy (no cue can arrive before the permission)', () => {
  for (const [stack, prefix] of [
    ['primary', 'ObservabilityRemediationCues'],
    ['dns', 'RemediationCues'],
  ] as const) {
    const template = wallet.template(stack);
    const rule = resourceNamed(template, 'AWS::Events::Rule', `${prefix}Rule`).resource as { DependsOn?: string[] };
    const policy = resourceNamed(template, 'AWS::IAM::ManagedPolicy', `${prefix}RolePolicy`).id;
    expect([stack, rule.DependsOn]).toEqual([stack, expect.arrayContaining([policy])]);
  }
});
