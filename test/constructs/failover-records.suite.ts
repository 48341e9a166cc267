import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverRecords, FailoverRecordsProps } from '../../lib/constructs/failover-records';

function build(override: Partial<FailoverRecordsProps> = {}) {
  const s = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  const check = (id: string) => route53.HealthCheck.fromHealthCheckId(s, id, `hc-${id}`);
  new FailoverRecords(s, 'Records', {
    zoneId: 'Z123',
    recordName: 'api.wallet.example.com',
    ttlSeconds: 15,
    primary: {
      region: 'us-east-2',
      target: { dnsName: 'd-primary.execute-api.us-east-2.amazonaws.com', hostedZoneId: 'ZPRIMARY' },
      healthCheck: check('primary'),
    },
    secondary: {
      region: 'us-west-2',
      target: { dnsName: 'd-standby.execute-api.us-west-2.amazonaws.com', hostedZoneId: 'ZSTANDBY' },
      healthCheck: check('secondary'),
    },
    ...override,
  });
  return Template.fromStack(s);
}

const SIDES = [
  ['PRIMARY', 'primary-us-east-2', 'hc-primary', 'd-primary.execute-api.us-east-2.amazonaws.com', 'ZPRIMARY'],
  ['SECONDARY', 'secondary-us-west-2', 'hc-secondary', 'd-standby.execute-api.us-west-2.amazonaws.com', 'ZSTANDBY'],
] as const;

test.each(SIDES)(
  'the %s record (default): CNAME with the configured TTL and its own health check',
  (role, id, hc, dns) => {
    const records = build().findResources('AWS::Route53::RecordSet', { Properties: { Failover: role } });
    expect(Object.values(records).map((r) => (r as { Properties: unknown }).Properties)).toEqual([
      {
        HostedZoneId: 'Z123',
        Name: 'api.wallet.example.com.',
        Type: 'CNAME',
        TTL: '15',
        ResourceRecords: [dns],
        Failover: role,
        SetIdentifier: id,
        HealthCheckId: hc,
      },
    ]);
  },
);

test('every record of the pair is complete and health-checked: one PRIMARY, one SECONDARY, same name and type', () => {
  for (const recordType of ['CNAME', 'ALIAS'] as const) {
    const records = Object.values(build({ recordType }).findResources('AWS::Route53::RecordSet')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    expect(records.map((r) => r.Failover).sort()).toEqual(['PRIMARY', 'SECONDARY']);
    expect(new Set(records.map((r) => `${String(r.Name)} ${String(r.Type)}`)).size).toBe(1);
    for (const r of records) expect(r.HealthCheckId).toEqual(expect.stringMatching(/^hc-/));
    expect(records.map((r) => r.HealthCheckId)).toEqual(expect.arrayContaining(['hc-primary', 'hc-secondary']));
  }
});

test.each(SIDES)(
  'the %s record (ALIAS by choice): alias A record, no TTL, target health NOT evaluated',
  (role, id, hc, dns, zone) => {
    const t = build({ recordType: 'ALIAS' });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Failover: role,
      TTL: Match.absent(),
      ResourceRecords: Match.absent(),
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z123',
      Name: 'api.wallet.example.com.',
      Type: 'A',
      Failover: role,
      SetIdentifier: id,
      HealthCheckId: hc,
      AliasTarget: { DNSName: dns, HostedZoneId: zone, EvaluateTargetHealth: false },
    });
  },
);

test('exactly one pair', () => {
  build().resourceCountIs('AWS::Route53::RecordSet', 2);
});

test('fails when both sides name the same region, and on a trailing dot, listing both', () => {
  const s = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  const hc = route53.HealthCheck.fromHealthCheckId(s, 'H', 'hc');
  const side = { region: 'us-east-2', target: { dnsName: 'd', hostedZoneId: 'Z' }, healthCheck: hc };
  expect(
    () =>
      new FailoverRecords(s, 'Records', {
        zoneId: 'Z123',
        recordName: 'api.wallet.example.com.',
        ttlSeconds: 1.5,
        primary: side,
        secondary: side,
      }),
  ).toThrow(
    [
      'FailoverRecords S/Records: 3 invalid props',
      '  - recordName: must be a domain name without a trailing dot; received "api.wallet.example.com.". Fix: pass the public name, e.g. "api.wallet.example.com" (the construct adds the dot).',
      '  - secondary.region: must differ from primary.region (a failover pair in one region fails over to itself); received "us-east-2". Fix: pass the standby region.',
      '  - ttlSeconds: must be a whole number of seconds from 0 to 2147483647 (the TTLs Route 53 accepts); received 1.5. Fix: pass dns.recordTtlSeconds, e.g. 15.',
    ].join('\n'),
  );
});

test('an ALIAS pair ignores ttlSeconds (alias records cannot carry a TTL), so it is not validated there', () => {
  expect(() => build({ recordType: 'ALIAS', ttlSeconds: -1 })).not.toThrow();
  expect(() => build({ ttlSeconds: -1 })).toThrow(/ttlSeconds: must be a whole number of seconds from 0 to 2147483647/);
});
