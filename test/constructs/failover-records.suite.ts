import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverRecords, FailoverRecordsProps } from '../../lib/constructs/failover-records';

function build(override: Partial<FailoverRecordsProps> = {}) {
  const s = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  const check = (id: string) => route53.HealthCheck.fromHealthCheckId(s, id, `hc-${id}`);
  new FailoverRecords(s, 'Records', {
    zoneId: 'Z123',
    recordName: 'api.wallet.example.com',
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

test.each([
  ['PRIMARY', 'primary-us-east-2', 'hc-primary', 'd-primary.execute-api.us-east-2.amazonaws.com', 'ZPRIMARY'],
  ['SECONDARY', 'secondary-us-west-2', 'hc-secondary', 'd-standby.execute-api.us-west-2.amazonaws.com', 'ZSTANDBY'],
])('the %s record: alias A record, its own health check, target health NOT evaluated', (role, id, hc, dns, zone) => {
  build().hasResourceProperties('AWS::Route53::RecordSet', {
    HostedZoneId: 'Z123',
    Name: 'api.wallet.example.com.',
    Type: 'A',
    Failover: role,
    SetIdentifier: id,
    HealthCheckId: hc,
    AliasTarget: { DNSName: dns, HostedZoneId: zone, EvaluateTargetHealth: false },
  });
});

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
        primary: side,
        secondary: side,
      }),
  ).toThrow(
    [
      'FailoverRecords S/Records: 2 invalid props',
      '  - recordName: must be a domain name without a trailing dot; received "api.wallet.example.com.". Fix: pass the public name, e.g. "api.wallet.example.com" (the construct adds the dot).',
      '  - secondary.region: must differ from primary.region (a failover pair in one region fails over to itself); received "us-east-2". Fix: pass the standby region.',
    ].join('\n'),
  );
});
