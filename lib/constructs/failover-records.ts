import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { ROUTE53_MAX_TTL_SECONDS } from '../failover/rto-budget';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** An alias target: an API Gateway regional domain name and its hosted zone id. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
}

/**
 * How the public name points at the regional API domains:
 * - `CNAME`: non-alias CNAME records that carry `ttlSeconds`, so the DNS cache bound of the RTO
 *   budget is a real setting. Route 53 bills these queries ("Standard queries: $0.40 per million
 *   queries, first 1 billion queries per month", aws.amazon.com/route53/pricing).
 * - `ALIAS`: alias A records. Route 53: "If an alias record points to an AWS resource, you can't set
 *   the time to live (TTL); Route 53 uses the default TTL for the resource" ("Choosing between alias
 *   and non-alias records"), and queries to alias records that point at AWS resources are free.
 *   `ttlSeconds` is then only the cache bound the budget assumes (60 s, see rto-budget.ts).
 */
export type FailoverRecordType = 'CNAME' | 'ALIAS';

/** Props of {@link FailoverRecords}. */
export interface FailoverRecordsProps {
  /** @default 'CNAME' */
  readonly recordType?: FailoverRecordType;
  /** The TTL of CNAME records (Route 53 accepts 0 to 2147483647 s); not used by ALIAS records. */
  readonly ttlSeconds: number;
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
 * The PRIMARY / SECONDARY failover pair for the public API name: CNAME records with the configured
 * TTL (default), or alias A records (API Gateway regional endpoints answer on IPv4; add an AAAA
 * pair only with dual-stack endpoints). A CNAME cannot sit at the zone apex; the public name is
 * always `<apiSubdomain>.<zone>`, never the apex.
 *
 * `EvaluateTargetHealth` is false on both records: the associated health checks are the single
 * source of truth, so the failover switch (part of the primary's calculated check) stays
 * authoritative and no hidden target-health signal can override it.
 *
 * TTL: CNAME records carry `dns.recordTtlSeconds`. Alias records carry no TTL of their own;
 * resolvers cache them for the TTL AWS sets on the API Gateway regional domain name (see README,
 * "DNS TTL").
 */
export class FailoverRecords extends Construct {
  public readonly primaryRecord: route53.CfnRecordSet;
  public readonly secondaryRecord: route53.CfnRecordSet;
  public readonly recordType: FailoverRecordType;

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
    const recordType = props.recordType ?? 'CNAME';
    if (
      recordType === 'CNAME' &&
      isResolved(props.ttlSeconds) &&
      !(Number.isInteger(props.ttlSeconds) && props.ttlSeconds >= 0 && props.ttlSeconds <= ROUTE53_MAX_TTL_SECONDS)
    ) {
      problems.push({
        prop: 'ttlSeconds',
        message: `must be a whole number of seconds from 0 to ${ROUTE53_MAX_TTL_SECONDS} (the TTLs Route 53 accepts)`,
        received: props.ttlSeconds,
        fix: 'pass dns.recordTtlSeconds, e.g. 15',
      });
    }
    throwIfProblems(this, 'FailoverRecords', problems);
    const record = (recordId: string, role: 'PRIMARY' | 'SECONDARY', side: FailoverSide) =>
      new route53.CfnRecordSet(this, recordId, {
        hostedZoneId: props.zoneId,
        name: `${props.recordName}.`,
        failover: role,
        setIdentifier: `${role.toLowerCase()}-${side.region}`,
        healthCheckId: side.healthCheck.healthCheckId,
        ...(recordType === 'CNAME'
          ? { type: 'CNAME', ttl: String(props.ttlSeconds), resourceRecords: [side.target.dnsName] }
          : {
              type: 'A',
              aliasTarget: {
                dnsName: side.target.dnsName,
                hostedZoneId: side.target.hostedZoneId,
                evaluateTargetHealth: false,
              },
            }),
      });
    this.recordType = recordType;
    this.primaryRecord = record('Primary', 'PRIMARY', props.primary);
    this.secondaryRecord = record('Secondary', 'SECONDARY', props.secondary);
  }
}
