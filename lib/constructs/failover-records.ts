import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/** An alias target: an API Gateway regional domain name and its hosted zone id. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
}

/** Props of {@link FailoverRecords}. */
export interface FailoverRecordsProps {
  readonly zoneId: string;
  /** The public name, e.g. `api.wallet.example.com`. */
  readonly recordName: string;
  readonly primary: {
    readonly region: string;
    readonly target: AliasTarget;
    readonly healthCheck: route53.IHealthCheck;
  };
  readonly secondary: {
    readonly region: string;
    readonly target: AliasTarget;
    readonly healthCheck: route53.IHealthCheck;
  };
}

/**
 * The PRIMARY / SECONDARY failover alias pair for the public API name (type A: API Gateway
 * regional endpoints answer on IPv4; add an AAAA pair only with dual-stack endpoints).
 *
 * `EvaluateTargetHealth` is false on both records: the associated health checks are the single
 * source of truth, so the failover switch (part of the primary's calculated check) stays
 * authoritative and no hidden target-health signal can override it.
 *
 * TTL: alias records carry no TTL of their own; resolvers cache them for the TTL AWS sets on the
 * API Gateway regional domain name. `dns.recordTtlSeconds` is the cache bound the RTO budget
 * assumes (see README, "DNS TTL").
 */
export class FailoverRecords extends Construct {
  public readonly primaryRecord: route53.CfnRecordSet;
  public readonly secondaryRecord: route53.CfnRecordSet;

  constructor(scope: Construct, id: string, props: FailoverRecordsProps) {
    super(scope, id);
    const record = (recordId: string, role: 'PRIMARY' | 'SECONDARY', side: FailoverRecordsProps['primary']) =>
      new route53.CfnRecordSet(this, recordId, {
        hostedZoneId: props.zoneId,
        name: `${props.recordName}.`,
        type: 'A',
        failover: role,
        setIdentifier: `${role.toLowerCase()}-${side.region}`,
        healthCheckId: side.healthCheck.healthCheckId,
        aliasTarget: {
          dnsName: side.target.dnsName,
          hostedZoneId: side.target.hostedZoneId,
          evaluateTargetHealth: false,
        },
      });
    this.primaryRecord = record('Primary', 'PRIMARY', props.primary);
    this.secondaryRecord = record('Secondary', 'SECONDARY', props.secondary);
  }
}
