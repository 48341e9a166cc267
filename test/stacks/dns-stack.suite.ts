import { Match, Template } from 'aws-cdk-lib/assertions';
import { HEALTH_SEARCH_STRING } from '../../lib/contract/health';
import { buildTestWallet, exampleWallet, sharedTestWallet, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function healthChecks(template: Template): Resources {
  return template.findResources('AWS::Route53::HealthCheck') as Resources;
}

function logicalIdOf(resources: Resources, prefix: string): string {
  const id = Object.keys(resources).find((k) => k.startsWith(prefix));
  if (id === undefined) throw new Error(`no resource starting with ${prefix}: ${Object.keys(resources).join(', ')}`);
  return id;
}

describe('DNS stack health checks (example config)', () => {
  let wallet: TestWallet;
  let checks: Resources;
  beforeAll(() => {
    wallet = exampleWallet();
    checks = healthChecks(wallet.template('dns'));
  });

  test.each([
    ['HealthChecksPrimaryEndpoint', 'us-east-2.api.wallet.example.com', '/health'],
    ['HealthChecksPrimaryLease', 'us-east-2.api.wallet.example.com', '/health?lease=held'],
    ['HealthChecksStandbyEndpoint', 'us-west-2.api.wallet.example.com', '/health'],
  ])('%s is an HTTPS string-match check on %s %s with config interval, threshold and regions', (prefix, fqdn, path) => {
    expect(checks[logicalIdOf(checks, prefix)].Properties.HealthCheckConfig).toEqual({
      Type: 'HTTPS_STR_MATCH',
      FullyQualifiedDomainName: fqdn,
      Port: 443,
      ResourcePath: path,
      SearchString: HEALTH_SEARCH_STRING,
      EnableSNI: true,
      MeasureLatency: true,
      RequestInterval: 10,
      FailureThreshold: 3,
      Regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      Inverted: false,
    });
  });

  test('the failover switch check watches the standby-region alarm and is sticky on insufficient data', () => {
    expect(checks[logicalIdOf(checks, 'HealthChecksFailoverSwitch')].Properties.HealthCheckConfig).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Name: 'example-wallet-failover-switch', Region: 'us-west-2' },
      InsufficientDataHealthStatus: 'LastKnownStatus',
      Inverted: false,
    });
  });

  test('the primary calculated check needs all three children healthy (endpoint AND lease here AND switch not thrown)', () => {
    const calculated = checks[logicalIdOf(checks, 'HealthChecksPrimaryCalculated')].Properties
      .HealthCheckConfig as Record<string, unknown>;
    expect(calculated).toEqual({
      Type: 'CALCULATED',
      HealthThreshold: 3,
      Inverted: false,
      ChildHealthChecks: [
        { Ref: logicalIdOf(checks, 'HealthChecksPrimaryEndpoint') },
        { Ref: logicalIdOf(checks, 'HealthChecksPrimaryLease') },
        { Ref: logicalIdOf(checks, 'HealthChecksFailoverSwitch') },
      ],
    });
  });

  test('every health check has a HealthCheckStatus alarm in us-east-1 that notifies', () => {
    expect(wallet.stacks.dns.region).toBe('us-east-1');
    const alarms = wallet.template('dns').findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/Route53' },
    });
    const watched = Object.values(alarms).map((a) => {
      const p = a.Properties as Record<string, unknown>;
      expect(p).toMatchObject({
        Namespace: 'AWS/Route53',
        MetricName: 'HealthCheckStatus',
        Statistic: 'Minimum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'breaching',
      });
      expect((p.AlarmActions as unknown[]).length).toBe(1);
      expect(p.Dimensions).toEqual([{ Name: 'HealthCheckId', Value: { Ref: expect.any(String) } }]);
      return (p.Dimensions as Array<{ Value: { Ref: string } }>)[0].Value.Ref.replace(/[0-9A-F]{8}$/, '');
    });
    expect(watched.sort()).toEqual([
      // the switch check's id carries the switch alarm's digest (switchAlarmFingerprint)
      expect.stringMatching(/^HealthChecksFailoverSwitch[0-9a-f]{8}$/),
      'HealthChecksPrimaryCalculated',
      'HealthChecksPrimaryEndpointCheck',
      'HealthChecksPrimaryLeaseCheck',
      'HealthChecksStandbyEndpointCheck',
    ]);
  });

  test('a composite alarm fires when both regions are unhealthy', () => {
    const composites = Object.values(wallet.template('dns').findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composites).toHaveLength(1);
    expect(composites[0].Properties.AlarmActions).toHaveLength(1);
    const rule = JSON.stringify(wallet.template('dns').findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(rule).toContain('PrimaryRecordUnhealthy');
    expect(rule).toContain('StandbyEndpointUnhealthy');
    expect(rule).toContain(' AND ');
  });

  test('emits the RTO budget with its arithmetic', () => {
    wallet.template('dns').hasOutput('RtoBudgetSeconds', {
      Value: '95',
      Description: Match.stringLikeRegexp('health check 10 s x 3 = 30 s \\+ switch alarm 60 s \\+ DNS TTL 5 s = 95 s'),
    });
  });

  test('declares the targets the resilience report reads (RtoTargetSeconds, RpoTargetSeconds, DnsCacheSeconds)', () => {
    const outputs = wallet.template('dns').toJSON().Outputs as Record<string, { Value: unknown }>;
    expect({
      rto: outputs.RtoTargetSeconds.Value,
      rpo: outputs.RpoTargetSeconds.Value,
      dnsCache: outputs.DnsCacheSeconds.Value,
    }).toEqual({ rto: '300', rpo: '0', dnsCache: '5' });
  });
});

describe('DNS stack follows the config', () => {
  test.each([
    [{ intervalSeconds: 30, failureThreshold: 2, regions: ['us-west-1', 'sa-east-1', 'ap-southeast-1', 'eu-west-1'] }],
    [{ intervalSeconds: 10, failureThreshold: 1, regions: ['us-east-1', 'us-west-1', 'us-west-2'] }],
  ])('health-check settings %j', (healthCheck) => {
    const wallet = buildTestWallet(testConfig({ dns: { healthCheck } }));
    const checks = healthChecks(wallet.template('dns'));
    const config = checks[logicalIdOf(checks, 'HealthChecksPrimaryEndpoint')].Properties.HealthCheckConfig as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      RequestInterval: healthCheck.intervalSeconds,
      FailureThreshold: healthCheck.failureThreshold,
      Regions: healthCheck.regions,
    });
  });
});

describe('failover records for the public API name (dns.recordType CNAME, opted in)', () => {
  let wallet: TestWallet;
  let records: Record<string, { Properties: Record<string, unknown> }>;
  beforeAll(() => {
    // The example config already opts in (CNAME), so this is the shared example wallet (read-only);
    // the patch keeps the test about CNAME should the example change.
    wallet = sharedTestWallet(testConfig({ dns: { recordType: 'CNAME' } }));
    records = wallet.template('dns').findResources('AWS::Route53::RecordSet') as typeof records;
  });

  test('exactly one PRIMARY and one SECONDARY CNAME record for api.<zone>', () => {
    const props = Object.values(records).map((r) => r.Properties);
    expect(props.map((p) => [p.Name, p.Type, p.Failover, p.SetIdentifier]).sort()).toEqual([
      ['api.wallet.example.com.', 'CNAME', 'PRIMARY', 'primary-us-east-2'],
      ['api.wallet.example.com.', 'CNAME', 'SECONDARY', 'secondary-us-west-2'],
    ]);
    for (const p of props) expect(p.HostedZoneId).toBe('Z0123456789EXAMPLE01');
  });

  test('PRIMARY carries the calculated check (endpoint AND lease AND switch); SECONDARY the standby endpoint check', () => {
    const checks = healthChecks(wallet.template('dns'));
    const byRole = Object.fromEntries(
      Object.values(records).map((r) => [r.Properties.Failover, r.Properties.HealthCheckId]),
    );
    expect(byRole).toEqual({
      PRIMARY: { Ref: logicalIdOf(checks, 'HealthChecksPrimaryCalculated') },
      SECONDARY: { Ref: logicalIdOf(checks, 'HealthChecksStandbyEndpoint') },
    });
  });

  test("CNAME records with the configured TTL point at each region's api.<zone> API Gateway domain, read from its stack", () => {
    const byRole = Object.fromEntries(
      Object.values(records).map((r) => [
        r.Properties.Failover,
        { Type: r.Properties.Type, TTL: r.Properties.TTL, ResourceRecords: r.Properties.ResourceRecords },
      ]),
    );
    const domain = (StackName: string, Region: string) => ({
      'Fn::GetStackOutput': expect.objectContaining({ StackName, Region }),
    });
    expect(byRole).toEqual({
      PRIMARY: { Type: 'CNAME', TTL: '5', ResourceRecords: [domain('example-wallet-primary', 'us-east-2')] },
      SECONDARY: { Type: 'CNAME', TTL: '5', ResourceRecords: [domain('example-wallet-standby', 'us-west-2')] },
    });
    for (const r of Object.values(records)) expect(r.Properties.AliasTarget).toBeUndefined();
  });

  test('the DNS alarms carry the contract names the remediation reads', () => {
    const names = [
      ...Object.values(wallet.template('dns').findResources('AWS::CloudWatch::Alarm')).map(
        (a) => a.Properties.AlarmName,
      ),
      ...Object.values(wallet.template('dns').findResources('AWS::CloudWatch::CompositeAlarm')).map(
        (a) => a.Properties.AlarmName,
      ),
    ];
    expect(names.sort()).toEqual([
      'example-wallet-dns-both-regions-unhealthy',
      'example-wallet-dns-failover-switch-thrown',
      'example-wallet-dns-primary-endpoint-unhealthy',
      'example-wallet-dns-primary-lease-elsewhere',
      'example-wallet-dns-primary-record-unhealthy',
      'example-wallet-dns-remediation-cues-undelivered',
      'example-wallet-dns-standby-endpoint-unhealthy',
    ]);
  });
});

describe('regional API domains', () => {
  test.each([
    ['primary', 'us-east-2'],
    ['standby', 'us-west-2'],
  ] as const)(
    '%s region serves api.<zone> and its own <region>.api.<zone> with an enhanced TLS policy',
    (stack, region) => {
      const template = exampleWallet().template(stack);
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.wallet.example.com',
        SubjectAlternativeNames: [`${region}.api.wallet.example.com`],
        ValidationMethod: 'DNS',
      });
      for (const name of ['api.wallet.example.com', `${region}.api.wallet.example.com`]) {
        template.hasResourceProperties('AWS::ApiGateway::DomainName', {
          DomainName: name,
          EndpointConfiguration: { Types: ['REGIONAL'] },
          SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
          EndpointAccessMode: 'STRICT',
        });
      }
      template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 2);
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${region}.api.wallet.example.com.`,
        Type: 'A',
        HostedZoneId: 'Z0123456789EXAMPLE01',
      });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    },
  );
});
