import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DnsAlarmKind, dnsAlarmName } from '../contract/alarms';
import { PRIMARY_HEALTH_RESOURCE_PATH } from '../contract/health';
import { EndpointHealthCheck } from './endpoint-health-check';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** Props of {@link FailoverHealthChecks}. */
export interface FailoverHealthChecksProps {
  /** `<primary>.api.<zone>`: the primary regional API's own name. */
  readonly primaryFqdn: string;
  /** `<standby>.api.<zone>`: the standby regional API's own name. */
  readonly standbyFqdn: string;
  /** Seconds between a checker's requests to each endpoint: 10 or 30 (EndpointHealthCheck checks it). */
  readonly intervalSeconds: number;
  /** Consecutive failed requests before a checker reports an endpoint unhealthy: 1-10. */
  readonly failureThreshold: number;
  /** Route 53 checker regions (at least 3). */
  readonly checkerRegions: readonly string[];
  /**
   * Name and region of the failover switch alarm (it lives in the standby region), and a digest of
   * its definition (switchAlarmFingerprint): a new digest replaces the switch health check so Route 53
   * reads the changed alarm.
   */
  readonly switchAlarm: { readonly name: string; readonly region: string; readonly fingerprint: string };
  /** us-east-1 topic the health-check alarms notify. */
  readonly topic: sns.ITopic;
  /** Names the alarms `<env>-wallet-dns-<kind>` (lib/contract/alarms.ts) so remediation can read them. */
  readonly envName: string;
}

/**
 * The Route 53 health checks of the failover pair and their alarms (in us-east-1, where Route 53
 * publishes health-check metrics):
 *
 * - an HTTPS endpoint check per region on `/health` (liveness; the standby's is the SECONDARY
 *   record's check, and it must stay healthy while the standby does not hold the lease, or an
 *   unplanned failover would find both records unhealthy and Route 53 would answer the primary);
 * - the primary's lease check, an HTTPS check on `/health?lease=held`: also unhealthy while the
 *   primary's replica shows the signer lease elsewhere, so a planned failover that moves the lease
 *   fails the primary record within interval x threshold instead of waiting for the switch alarm's
 *   period. It is a check of its own (not the endpoint check's path) so the primary's liveness stays
 *   visible while failed over: the drill's failback pre-check and `primaryEndpointUnhealthy` read it;
 * - the failover switch: a CLOUDWATCH_METRIC check on the standby-region switch alarm, with
 *   `LastKnownStatus` on insufficient data so the switch is sticky;
 * - the primary's CALCULATED check: healthy only while its endpoint check AND its lease check are
 *   healthy AND the switch is not thrown (health threshold 3 of 3). The switch stays: it needs no
 *   answer from the primary (a primary that answers healthy but cannot be trusted, a partitioned
 *   MREC replica that never sees the lease move).
 */
export class FailoverHealthChecks extends Construct {
  public readonly primaryEndpoint: route53.IHealthCheck;
  /** The primary's `/health?lease=held`: unhealthy while the lease is held elsewhere. */
  public readonly primaryLease: route53.IHealthCheck;
  public readonly standbyEndpoint: route53.IHealthCheck;
  public readonly failoverSwitch: route53.IHealthCheck;
  /** Associate this with the PRIMARY failover record. */
  public readonly primary: route53.IHealthCheck;
  /** Associate this with the SECONDARY failover record. */
  public readonly secondary: route53.IHealthCheck;
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** ALARM when both regions are unhealthy: Route 53 then answers with the PRIMARY record. */
  public readonly bothUnhealthy: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: FailoverHealthChecksProps) {
    super(scope, id);
    const problems: PropProblem[] = [];
    if (isResolved(props.primaryFqdn) && props.primaryFqdn === props.standbyFqdn) {
      problems.push({
        prop: 'standbyFqdn',
        message: 'must differ from primaryFqdn (each region is checked on its own regional name)',
        received: props.standbyFqdn,
        fix: 'pass `<standby-region>.<apiSubdomain>.<zone>` (lib/contract/names.ts regionalApiDomain)',
      });
    }
    if (isResolved(props.switchAlarm.name) && props.switchAlarm.name.trim() === '') {
      problems.push({
        prop: 'switchAlarm.name',
        message: 'is empty: without the switch alarm the failover switch cannot be thrown',
        received: props.switchAlarm.name,
        fix: 'pass failoverSwitchAlarmName(envName) (lib/contract/failover-switch.ts)',
      });
    }
    throwIfProblems(this, 'FailoverHealthChecks', problems);
    const common = {
      intervalSeconds: props.intervalSeconds,
      failureThreshold: props.failureThreshold,
      regions: props.checkerRegions,
    };
    this.primaryEndpoint = new EndpointHealthCheck(this, 'PrimaryEndpoint', {
      ...common,
      fqdn: props.primaryFqdn,
    }).healthCheck;
    this.primaryLease = new EndpointHealthCheck(this, 'PrimaryLease', {
      ...common,
      fqdn: props.primaryFqdn,
      resourcePath: PRIMARY_HEALTH_RESOURCE_PATH,
    }).healthCheck;
    this.standbyEndpoint = new EndpointHealthCheck(this, 'StandbyEndpoint', {
      ...common,
      fqdn: props.standbyFqdn,
    }).healthCheck;
    this.failoverSwitch = new route53.HealthCheck(this, `FailoverSwitch${props.switchAlarm.fingerprint}`, {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: props.switchAlarm.name, region: props.switchAlarm.region },
      insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
    this.primary = new route53.HealthCheck(this, 'PrimaryCalculated', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: [this.primaryEndpoint, this.primaryLease, this.failoverSwitch],
      healthThreshold: 3,
    });
    this.secondary = this.standbyEndpoint;

    const action = new actions.SnsAction(props.topic);
    const statusAlarm = (alarmId: string, kind: DnsAlarmKind, check: route53.IHealthCheck, description: string) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: dnsAlarmName(props.envName, kind),
        alarmDescription: description,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Route53',
          metricName: 'HealthCheckStatus',
          dimensionsMap: { HealthCheckId: check.healthCheckId },
          statistic: cloudwatch.Stats.MINIMUM,
          period: Duration.minutes(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // Route 53 publishes HealthCheckStatus every minute while the check exists; silence means
        // the check or its metrics are gone, which is itself an incident.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      return alarm;
    };
    statusAlarm(
      'PrimaryEndpointUnhealthy',
      'primaryEndpointUnhealthy',
      this.primaryEndpoint,
      'Route 53 sees the primary regional /health as unhealthy.',
    );
    statusAlarm(
      'PrimaryLeaseElsewhere',
      'primaryLeaseElsewhere',
      this.primaryLease,
      'Route 53 sees the primary /health?lease=held as unhealthy: the signer lease is held elsewhere (expected while failed over) or the primary is down.',
    );
    const standbyDown = statusAlarm(
      'StandbyEndpointUnhealthy',
      'standbyEndpointUnhealthy',
      this.standbyEndpoint,
      'Route 53 sees the standby regional /health as unhealthy: failover has nowhere to go.',
    );
    statusAlarm(
      'FailoverSwitchThrown',
      'failoverSwitchThrown',
      this.failoverSwitch,
      'The failover switch health check is unhealthy: the switch is thrown (or its alarm is missing).',
    );
    const primaryOut = statusAlarm(
      'PrimaryRecordUnhealthy',
      'primaryRecordUnhealthy',
      this.primary,
      'The PRIMARY failover record is unhealthy (endpoint down, lease held elsewhere, or switch thrown): DNS answers with the standby.',
    );
    this.bothUnhealthy = new cloudwatch.CompositeAlarm(this, 'BothRegionsUnhealthy', {
      compositeAlarmName: dnsAlarmName(props.envName, 'bothRegionsUnhealthy'),
      alarmDescription:
        'Both failover records are unhealthy. Route 53 then answers with the PRIMARY record as if healthy, ' +
        'so clients go to the primary region. Page a human: see docs/runbooks/manual-failover.md.',
      alarmRule: cloudwatch.AlarmRule.allOf(
        cloudwatch.AlarmRule.fromAlarm(primaryOut, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(standbyDown, cloudwatch.AlarmState.ALARM),
      ),
    });
    this.bothUnhealthy.addAlarmAction(action);
    this.bothUnhealthy.addOkAction(action);
    this.alarms.push(this.bothUnhealthy);
  }
}
