import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FailoverHealthChecks, FailoverHealthChecksProps } from '../../lib/constructs/failover-health-checks';
import { failoverSwitchAlarmName } from '../../lib/contract/failover-switch';
import { switchAlarmFingerprint } from '../../lib/failover/switch-alarm';

const PROPS: Omit<FailoverHealthChecksProps, 'topic'> = {
  primaryFqdn: 'us-east-2.api.wallet.example.com',
  standbyFqdn: 'us-west-2.api.wallet.example.com',
  intervalSeconds: 10,
  failureThreshold: 3,
  checkerRegions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  switchAlarm: {
    name: failoverSwitchAlarmName('example'),
    region: 'us-west-2',
    fingerprint: switchAlarmFingerprint('example'),
  },
  envName: 'example',
};

function build(override: Partial<FailoverHealthChecksProps> = {}) {
  const s = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  const topic = new sns.Topic(s, 'Topic');
  const checks = new FailoverHealthChecks(s, 'Checks', { ...PROPS, topic, ...override });
  return { template: Template.fromStack(s), checks, s };
}

describe('FailoverHealthChecks', () => {
  let template: Template;
  let s: Stack;
  let checks: FailoverHealthChecks;
  beforeAll(() => {
    ({ template, checks, s } = build());
  });

  test.each([PROPS.primaryFqdn, PROPS.standbyFqdn])('an HTTPS endpoint check on %s', (fqdn) => {
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS_STR_MATCH',
        FullyQualifiedDomainName: fqdn,
        RequestInterval: 10,
      }),
    });
  });

  test('endpoint checks: liveness on each region, plus the lease check on the primary only', () => {
    const paths = Object.values(template.findResources('AWS::Route53::HealthCheck'))
      .map((r) => r.Properties.HealthCheckConfig)
      .filter((c) => c.Type === 'HTTPS_STR_MATCH')
      .map((c) => `${c.FullyQualifiedDomainName}${c.ResourcePath}`)
      .sort();
    expect(paths).toEqual([
      `${PROPS.primaryFqdn}/health`,
      `${PROPS.primaryFqdn}/health?lease=held`,
      `${PROPS.standbyFqdn}/health`,
    ]);
  });

  test('the SECONDARY record is the standby liveness check, which never follows the lease', () => {
    const id = s.resolve(checks.secondary.healthCheckId).Ref;
    expect(template.findResources('AWS::Route53::HealthCheck')[id].Properties.HealthCheckConfig.ResourcePath).toBe(
      '/health',
    );
  });

  test('the switch check follows the switch alarm in the standby region, keeping its last status without data', () => {
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: PROPS.switchAlarm.name, Region: 'us-west-2' },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      },
    });
  });

  test('the PRIMARY record is healthy only while the endpoint is up AND the lease is here AND the switch is not thrown (3 of 3)', () => {
    const primary = s.resolve(checks.primary.healthCheckId);
    const resources = template.findResources('AWS::Route53::HealthCheck');
    const calculated = resources[primary.Ref].Properties.HealthCheckConfig;
    expect(calculated.Type).toBe('CALCULATED');
    expect(calculated.HealthThreshold).toBe(3);
    expect(calculated.ChildHealthChecks.map((c: unknown) => s.resolve(c))).toEqual([
      s.resolve(checks.primaryEndpoint.healthCheckId),
      s.resolve(checks.primaryLease.healthCheckId),
      s.resolve(checks.failoverSwitch.healthCheckId),
    ]);
    expect(resources[s.resolve(checks.primaryLease.healthCheckId).Ref].Properties.HealthCheckConfig.ResourcePath).toBe(
      '/health?lease=held',
    );
  });

  test('every alarm notifies the topic on ALARM and OK', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toHaveLength(1);
    }
  });
});

test('fails when both endpoints are the same name, and on an empty switch alarm name, listing both', () => {
  expect(() => build({ standbyFqdn: PROPS.primaryFqdn, switchAlarm: { ...PROPS.switchAlarm, name: ' ' } })).toThrow(
    'FailoverHealthChecks S/Checks: 2 invalid props',
  );
});

test("fails with the endpoint check's own message on a bad interval", () => {
  expect(() => build({ intervalSeconds: 20 })).toThrow(
    'EndpointHealthCheck S/Checks/PrimaryEndpoint: intervalSeconds must be 10 or 30; received 20',
  );
});
