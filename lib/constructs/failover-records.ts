import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** An alias target: an API Gateway regional domain name and its hosted zone id. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
}

/** Props of {@link FailoverRecords}. */
export interface FailoverRecordsProps {
  /** The public hosted zone that holds the records. */
  readonly zoneId: string;
  /** The public name, e.g. `api.wallet.example.com` (no trailing dot). */
  readonly recordName: string;
  /** The PRIMARY side: the primary region's API domain and the calculated health check that gates it. */
  readonly primary: FailoverSide;
  /** The SECONDARY side: the standby region's API domain and its health check. */
  readonly secondary: FailoverSide;
}

/** One side of the failover pair. */
export interface FailoverSide {
  /** The region the target serves from (names the record's set identifier). */
  readonly region: string;
  /** The API Gateway regional domain name to alias. */
  readonly target: AliasTarget;
  /** The health check Route 53 consults for this record. */
  readonly healthCheck: route53.IHealthCheck;
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
    const problems: PropProblem[] = [];
    if (isResolved(props.recordName) && (props.recordName === '' || props.recordName.endsWith('.'))) {
      problems.push({
        prop: 'recordName',
        message: 'must be a domain name without a trailing dot',
        received: props.recordName,
        fix: 'pass the public name, e.g. "api.wallet.example.com" (the construct adds the dot)',
      });
    }
    if (isResolved(props.primary.region) && props.primary.region === props.secondary.region) {
      problems.push({
        prop: 'secondary.region',
        message: 'must differ from primary.region (a failover pair in one region fails over to itself)',
        received: props.secondary.region,
        fix: 'pass the standby region',
      });
    }
    throwIfProblems(this, 'FailoverRecords', problems);
    const record = (recordId: string, role: 'PRIMARY' | 'SECONDARY', side: FailoverSide) =>
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
