import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import {
  SITE_DOCUMENTS,
  STATUS_CACHE_SECONDS,
  STATUS_CONTENT_SECURITY_POLICY,
  STATUS_SITE_PREFIX,
  statusBucketRegionalDomain,
} from '../contract/status';
import { acknowledge } from '../security/nag';
import { PropProblem, throwIfProblems } from './prop-problems';

/** One status bucket, by plain values (it lives in another stack and region). */
export interface StatusOriginBucket {
  readonly bucketName: string;
  readonly region: string;
}

/** Props of {@link StatusDistribution}. */
export interface StatusDistributionProps {
  /** `status.<zone>`. */
  readonly domainName: string;
  readonly zoneId: string;
  readonly zoneName: string;
  /** The bucket CloudFront reads first (the primary region's). */
  readonly primary: StatusOriginBucket;
  /** The bucket it fails over to (the standby region's); must be in another region. */
  readonly secondary: StatusOriginBucket;
}

/** Origin responses that make CloudFront retry the request on the secondary origin. */
export const STATUS_FAILOVER_STATUS_CODES = [403, 404, 500, 502, 503, 504];

/**
 * The status site's edge: a CloudFront distribution whose default behaviour reads an ORIGIN GROUP
 * of the two regional status buckets (OAC, SigV4), on `status.<zone>` with its own certificate.
 *
 * - Failover: CloudFront sends each request to the primary bucket and retries it on the secondary
 *   when the primary times out, cannot be reached or answers one of STATUS_FAILOVER_STATUS_CODES
 *   (CloudFront Developer Guide, "Optimizing high availability with CloudFront origin failover"; GET,
 *   HEAD and OPTIONS only, which is all a static site serves).
 * - Certificate: CloudFront takes certificates from ACM in us-east-1 only, so this construct must be
 *   in a us-east-1 stack. ACM and CloudFront configuration are control plane there; CloudFront's data
 *   plane (the edge serving cached and origin content) does not depend on us-east-1 being up, and an
 *   issued certificate keeps being served. During a us-east-1 outage the page keeps serving; only
 *   changes to the distribution or the certificate wait (docs/status-page.md).
 * - `stale-if-error` on the documents lets the edge serve the last copy if both origins fail.
 */
export class StatusDistribution extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly certificate: acm.Certificate;
  public readonly originGroup: origins.OriginGroup;

  constructor(scope: Construct, id: string, props: StatusDistributionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwIfProblems(this, 'StatusDistribution', problems(props, stack.region));
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: props.zoneId,
      zoneName: props.zoneName,
    });
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(zone),
    });

    // One Origin Access Control (SigV4 on every request) for both buckets. The buckets live in other
    // stacks, so their policies are written there (lib/constructs/status-bucket.ts), not by CDK here.
    const oac = new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
      description: `Status page ${props.domainName}: reads the status buckets`,
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const origin = (b: StatusOriginBucket) =>
      new StatusBucketOrigin(statusBucketRegionalDomain(b.bucketName, b.region), oac.originAccessControlId);
    this.originGroup = new origins.OriginGroup({
      primaryOrigin: origin(props.primary),
      fallbackOrigin: origin(props.secondary),
      fallbackStatusCodes: STATUS_FAILOVER_STATUS_CODES,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Status page security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: STATUS_CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: false, override: true },
      },
      // Widgets and aggregators read the JSON from other origins.
      corsBehavior: {
        accessControlAllowCredentials: false,
        accessControlAllowHeaders: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD'],
        accessControlAllowOrigins: ['*'],
        originOverride: true,
      },
    });
    const cache = new cloudfront.CachePolicy(this, 'Cache', {
      comment: 'Status page: short TTL so a change shows within a minute',
      defaultTtl: Duration.seconds(STATUS_CACHE_SECONDS),
      maxTtl: Duration.seconds(STATUS_CACHE_SECONDS * 2),
      minTtl: Duration.seconds(0),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Status page ${props.domainName}`,
      domainNames: [props.domainName],
      certificate: this.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultRootObject: SITE_DOCUMENTS.index,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      defaultBehavior: {
        origin: this.originGroup,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cache,
        responseHeadersPolicy: headers,
        compress: true,
      },
    });
    acknowledge(
      this.distribution,
      'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check',
      'The status page is public by design and serves static, non-personal content; standard logs need an ACL-enabled bucket. Every status change is audited in the status buckets (state/audit/).',
    );
    const publicReason =
      'The status page is public by design, for every user everywhere, especially during an outage; it serves static, non-personal content.';
    acknowledge(this.distribution, 'AwsSolutions-CFR1', `${publicReason} Geo restrictions would hide it from users.`);
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      `${publicReason} A WAF web ACL (us-east-1) is one more dependency in the path of the page; CloudFront's caching absorbs floods of the few static documents.`,
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      `${publicReason} Standard logs need an ACL-enabled bucket; the audit trail of every status change is kept in the status buckets (state/audit/).`,
    );
    for (const [rid, type] of [
      ['Alias', route53.RecordType.A],
      ['AliasV6', route53.RecordType.AAAA],
    ] as const) {
      const target = route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(this.distribution));
      if (type === route53.RecordType.A) new route53.ARecord(this, rid, { zone, recordName: props.domainName, target });
      else new route53.AaaaRecord(this, rid, { zone, recordName: props.domainName, target });
    }
  }
}

function problems(props: StatusDistributionProps, region: string): PropProblem[] {
  const out: PropProblem[] = [];
  if (region !== 'us-east-1' && !region.startsWith('${Token')) {
    out.push({
      prop: '(stack region)',
      message: 'is not us-east-1, where CloudFront takes its ACM certificates from',
      received: region,
      fix: 'create the status edge stack in us-east-1',
    });
  }
  if (props.primary.region === props.secondary.region) {
    out.push({
      prop: 'secondary.region',
      message: "is the primary bucket's region: the origin group would fail over within one region",
      received: props.secondary.region,
      fix: 'put the secondary bucket in the other wallet region',
    });
  }
  if (!props.domainName.endsWith(`.${props.zoneName}`)) {
    out.push({
      prop: 'domainName',
      message: `is not in the zone ${props.zoneName}`,
      received: props.domainName,
      fix: 'use status.<zone>',
    });
  }
  return out;
}

/**
 * An S3 REST origin read through Origin Access Control, by domain name: the bucket is in another
 * stack and region, so nothing here edits its policy (CDK's S3BucketOrigin would try, and warn).
 */
class StatusBucketOrigin extends cloudfront.OriginBase {
  constructor(domainName: string, originAccessControlId: string) {
    super(domainName, {
      originPath: `/${STATUS_SITE_PREFIX}`,
      connectionAttempts: 2,
      connectionTimeout: Duration.seconds(3),
      originAccessControlId,
    });
  }

  protected override renderS3OriginConfig(): cloudfront.CfnDistribution.S3OriginConfigProperty {
    // OAC, not a legacy origin access identity: the identity stays empty.
    return { originAccessIdentity: '' };
  }
}
