import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { publicApiDomain, regionalApiDomain } from '../contract/health';
import { acknowledge } from '../security/nag';
import { API_TLS } from '../contract/api';

/** Props of {@link RegionalApiDomain}. */
export interface RegionalApiDomainProps {
  /** The existing public hosted zone, by id and name (no lookup at synth). */
  readonly zoneId: string;
  readonly zoneName: string;
  /** The API label under the zone, e.g. `api`. */
  readonly apiSubdomain: string;
  /** The REST API and stage the names map to. */
  readonly restApi: apigw.IRestApi;
  readonly stage: apigw.Stage;
}

/**
 * The TLS names of one region's API:
 *
 * - `api.<zone>`: the public failover name. Both regions serve it (a regional custom domain of
 *   the same name in each region), so the certificate matches whichever region DNS picks. The
 *   failover alias records in the DNS stack point at {@link publicTarget}.
 * - `<region>.api.<zone>`: this region's own name, for Route 53 endpoint health checks and the
 *   regional canaries; an alias record in the zone points at it.
 *
 * One ACM certificate (both names, DNS-validated in the zone) per region. Enhanced TLS policy:
 * TLS 1.3 and TLS 1.2 with forward secrecy only, strict endpoint access.
 */
export class RegionalApiDomain extends Construct {
  public readonly certificate: acm.ICertificate;
  public readonly publicDomain: apigw.DomainName;
  public readonly regionalDomain: apigw.DomainName;
  /** Alias target for the `api.<zone>` failover record of this region. */
  public readonly publicTarget: { readonly dnsName: string; readonly hostedZoneId: string };

  constructor(scope: Construct, id: string, props: RegionalApiDomainProps) {
    super(scope, id);
    const region = props.stage.stack.region;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: props.zoneId,
      zoneName: props.zoneName,
    });
    const publicName = publicApiDomain(props.apiSubdomain, props.zoneName);
    const regionalName = regionalApiDomain(region, props.apiSubdomain, props.zoneName);
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: publicName,
      subjectAlternativeNames: [regionalName],
      validation: acm.CertificateValidation.fromDns(zone),
    });
    const domain = (domainId: string, name: string) => {
      const d = new apigw.DomainName(this, domainId, {
        domainName: name,
        certificate: this.certificate,
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: API_TLS.securityPolicy as apigw.SecurityPolicy,
        endpointAccessMode: API_TLS.endpointAccessMode as apigw.EndpointAccessMode,
      });
      d.addBasePathMapping(props.restApi, { stage: props.stage });
      acknowledge(
        d,
        'cdk-validator-cfnguard::api_gw_domain_tls_check',
        'The domain uses SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09, an enhanced policy whose minimum is TLS 1.2 (with forward ' +
          'secrecy only) and which also offers TLS 1.3; the Control Tower rule predates enhanced policies and accepts only the ' +
          'legacy TLS_1_2 name. test/stacks/dns-stack.suite.ts asserts the policy and STRICT access mode.',
      );
      return d;
    };
    this.publicDomain = domain('PublicDomain', publicName);
    this.regionalDomain = domain('RegionalDomain', regionalName);
    new route53.ARecord(this, 'RegionalRecord', {
      zone,
      recordName: regionalName,
      target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(this.regionalDomain)),
    });
    this.publicTarget = {
      dnsName: this.publicDomain.domainNameAliasDomainName,
      hostedZoneId: this.publicDomain.domainNameAliasHostedZoneId,
    };
  }
}
