import { apiGatewayDomainRole } from '../../lib/drill/aws-target';
import { simulatedApiGatewayDomain } from '../../lib/drill/sim/wire';
import { testConfig } from '../helpers/config';
import { simTarget } from './helpers';

/**
 * The drill's authoritative DNS answer (TestDNSAnswer) asks the failover records' own type: A for
 * alias records, CNAME for CNAME records, whose data is the API Gateway regional domain name.
 */
const S = 1000;
const cname = testConfig({ dns: { recordType: 'CNAME', recordTtlSeconds: 15 } });
const alias = testConfig({ dns: { recordType: 'ALIAS', recordTtlSeconds: undefined } });

const dnsQueries = (t: ReturnType<typeof simTarget>) =>
  t.world.log
    .filter((e) => e.command === 'TestDNSAnswerCommand')
    .map((e) => e.input as { RecordName: string; RecordType: string });

test.each([
  ['d-abc123.execute-api.us-east-2.amazonaws.com', 'primary'],
  ['d-abc123.execute-api.us-west-2.amazonaws.com.', 'standby'],
  ['D-ABC123.EXECUTE-API.US-WEST-2.AMAZONAWS.COM', 'standby'],
  ['d-abc123.execute-api.eu-west-1.amazonaws.com', undefined],
  ['198.51.100.10', undefined],
  ['example.com', undefined],
])('the API Gateway domain %s belongs to %s', (name, role) => {
  expect(apiGatewayDomainRole(name, cname.regions)).toBe(role);
});

test('CNAME records: asks the public name for its CNAME and reads the region from the target, before and after a failover', async () => {
  const t = simTarget({ config: cname });
  const before = await t.dnsAnswer();
  expect(before).toMatchObject({
    role: 'primary',
    recordData: [simulatedApiGatewayDomain(cname.regions.primary)],
    responseCode: 'NOERROR',
  });
  expect(dnsQueries(t)).toEqual([
    { HostedZoneId: cname.dns.zoneId, RecordName: 'api.wallet.example.com', RecordType: 'CNAME' },
  ]);
  t.world.setEndpointUp('primary', false);
  t.world.events.runUntil(t.world.now + 120 * S);
  expect((await t.dnsAnswer()).role).toBe('standby');
});

test('alias records: still asks type A and compares with the regional names', async () => {
  const t = simTarget({ config: alias });
  expect((await t.dnsAnswer()).role).toBe('primary');
  expect(dnsQueries(t).map((q) => q.RecordType)).toEqual(['A', 'A', 'A']);
});

test('fails under CNAME records if asked for type A: the answer holds a domain name, no address to match', () => {
  // What the drill used to do: an A query on the public name and IP overlap with the regional names.
  const t = simTarget({ config: cname });
  const ask = (name: string) =>
    t.world.handle('route53', 'us-east-1', 'TestDNSAnswerCommand', {
      HostedZoneId: cname.dns.zoneId,
      RecordName: name,
      RecordType: 'A',
    }).RecordData as string[];
  const pub = ask('api.wallet.example.com');
  const regional = [...ask('us-east-2.api.wallet.example.com'), ...ask('us-west-2.api.wallet.example.com')];
  expect(regional.length).toBeGreaterThan(0);
  expect(pub.some((d) => regional.includes(d))).toBe(false);
});

test('alias records asked for CNAME answer nothing (so asking the wrong type never looks like an answer)', () => {
  const t = simTarget({ config: alias });
  const res = t.world.handle('route53', 'us-east-1', 'TestDNSAnswerCommand', {
    HostedZoneId: alias.dns.zoneId,
    RecordName: 'api.wallet.example.com',
    RecordType: 'CNAME',
  });
  expect(res.RecordData).toEqual([]);
});
