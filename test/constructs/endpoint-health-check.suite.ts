import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EndpointHealthCheck, EndpointHealthCheckProps } from '../../lib/constructs/endpoint-health-check';
import { HEALTH_PATH, HEALTH_SEARCH_STRING, PRIMARY_HEALTH_RESOURCE_PATH } from '../../lib/contract/health';

const PROPS: EndpointHealthCheckProps = {
  fqdn: 'us-east-2.api.wallet.example.com',
  intervalSeconds: 10,
  failureThreshold: 3,
  regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
};
const stack = () => new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });

test('an HTTPS string-matching check on /health with SNI, latency, and the given interval, threshold and regions', () => {
  // Prepare
  const s = stack();
  // Act
  new EndpointHealthCheck(s, 'Check', PROPS);
  // Assess
  Template.fromStack(s).hasResourceProperties('AWS::Route53::HealthCheck', {
    HealthCheckConfig: {
      Type: 'HTTPS_STR_MATCH',
      FullyQualifiedDomainName: PROPS.fqdn,
      Port: 443,
      ResourcePath: HEALTH_PATH,
      SearchString: HEALTH_SEARCH_STRING,
      EnableSNI: true,
      MeasureLatency: true,
      RequestInterval: 10,
      FailureThreshold: 3,
      Regions: PROPS.regions,
    },
  });
});

test('asks the given resource path (the primary record check asks /health?lease=held)', () => {
  const s = stack();
  new EndpointHealthCheck(s, 'Check', { ...PROPS, resourcePath: PRIMARY_HEALTH_RESOURCE_PATH });
  Template.fromStack(s).hasResourceProperties('AWS::Route53::HealthCheck', {
    HealthCheckConfig: Match.objectLike({ ResourcePath: '/health?lease=held' }),
  });
});

test.each([
  [{ resourcePath: '/status' }, 'resourcePath must be /health or start with it'],
  [{ intervalSeconds: 15 }, 'intervalSeconds must be 10 or 30; received 15'],
  [{ failureThreshold: 0 }, 'failureThreshold must be 1-10; received 0'],
  [{ failureThreshold: 11 }, 'failureThreshold must be 1-10; received 11'],
  [
    { regions: ['us-east-1', 'us-west-2'] },
    'regions must list at least 3 checker regions; received ["us-east-1","us-west-2"]',
  ],
])('fails on %j: %s', (override, message) => {
  expect(() => new EndpointHealthCheck(stack(), 'Check', { ...PROPS, ...override })).toThrow(message);
});

test('fails listing every problem at once, naming the construct', () => {
  expect(
    () =>
      new EndpointHealthCheck(stack(), 'Check', { ...PROPS, intervalSeconds: 20, failureThreshold: 12, regions: [] }),
  ).toThrow(
    'EndpointHealthCheck S/Check: intervalSeconds must be 10 or 30; received 20; failureThreshold must be 1-10; received 12; ' +
      'regions must list at least 3 checker regions; received []. Fix the dns.healthCheck config.',
  );
});
