import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { RegionalApiDomain, RegionalApiDomainProps } from '../../lib/constructs/regional-api-domain';

function build(override: Partial<Pick<RegionalApiDomainProps, 'apiSubdomain' | 'zoneName'>> = {}, region?: string) {
  const s = new Stack(new App(), 'S', region === undefined ? {} : { env: { account: '111111111111', region } });
  const api = new apigw.RestApi(s, 'Api', { deploy: true });
  api.root.addMethod('GET');
  const domain = new RegionalApiDomain(s, 'Domain', {
    zoneId: 'Z123',
    zoneName: 'wallet.example.com',
    apiSubdomain: 'api',
    restApi: api,
    stage: api.deploymentStage,
    ...override,
  });
  return { template: Template.fromStack(s), domain };
}

describe('RegionalApiDomain', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build({}, 'us-east-2'));
  });

  test('one DNS-validated certificate for the public and the regional name', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'api.wallet.example.com',
      SubjectAlternativeNames: ['us-east-2.api.wallet.example.com'],
      ValidationMethod: 'DNS',
    });
  });

  test.each(['api.wallet.example.com', 'us-east-2.api.wallet.example.com'])(
    '%s: regional endpoint, enhanced TLS policy, strict access',
    (name) => {
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: name,
        EndpointConfiguration: { Types: ['REGIONAL'] },
        SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        EndpointAccessMode: 'STRICT',
      });
    },
  );

  test('an alias A record for the regional name only (the public name is the DNS stack’s failover pair)', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'us-east-2.api.wallet.example.com.',
      Type: 'A',
      AliasTarget: Match.anyValue(),
    });
  });
});

test('fails on a stack without a region, a subdomain that is not one label, and a zone with a trailing dot, listing all', () => {
  expect(() => build({ apiSubdomain: 'API.v1', zoneName: 'wallet.example.com.' })).toThrow(
    /^RegionalApiDomain S\/Domain: 3 invalid props\n {2}- stage: .*\n {2}- apiSubdomain: .*received "API.v1".*\n {2}- zoneName: .*received "wallet.example.com."/,
  );
});
