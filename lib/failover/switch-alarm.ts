import { createHash } from 'node:crypto';
import type { ComparisonOperator, MetricDataQuery, Statistic } from '@aws-sdk/client-cloudwatch';
import {
  FAILOVER_SWITCH_ALARM,
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
  failoverSwitchDimensions,
} from '../contract/failover-switch';

/**
 * The failover switch alarm, in the shape of CloudWatch's PutMetricAlarm input. The CDK
 * construct renders exactly this into the template, and the moto integration test creates the
 * alarm from it with the SDK, so template and wire format cannot drift apart.
 */
export interface SwitchAlarmSpec {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: Array<{ Name: string; Value: string }>;
  readonly Statistic?: Statistic;
  readonly ExtendedStatistic?: string;
  /** Present only for metric-math alarms, which Route 53 rejects. */
  readonly Metrics?: MetricDataQuery[];
  readonly Period?: number;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly Threshold?: number;
  readonly ComparisonOperator: ComparisonOperator;
  readonly TreatMissingData: string;
}

export function switchAlarmSpec(envName: string): SwitchAlarmSpec {
  return {
    AlarmName: failoverSwitchAlarmName(envName),
    AlarmDescription:
      `Failover switch for ${envName}: ALARM marks the primary region unhealthy in Route 53 and moves api traffic ` +
      'to the standby. Thrown by one PutMetricData (docs/runbooks/manual-failover.md).',
    Namespace: FAILOVER_SWITCH_NAMESPACE,
    MetricName: FAILOVER_SWITCH_METRIC,
    Dimensions: failoverSwitchDimensions(envName),
    Statistic: FAILOVER_SWITCH_ALARM.statistic,
    Period: FAILOVER_SWITCH_ALARM.periodSeconds,
    EvaluationPeriods: FAILOVER_SWITCH_ALARM.evaluationPeriods,
    DatapointsToAlarm: FAILOVER_SWITCH_ALARM.datapointsToAlarm,
    Threshold: FAILOVER_SWITCH_ALARM.threshold,
    ComparisonOperator: FAILOVER_SWITCH_ALARM.comparisonOperator,
    // With no new data point the alarm goes to INSUFFICIENT_DATA and the Route 53 health check
    // keeps its last known status: the switch stays where it was put.
    TreatMissingData: 'missing',
  };
}

const STANDARD_STATISTICS: string[] = ['Average', 'Maximum', 'Minimum', 'Sum', 'SampleCount'];

/**
 * Problems that would make an alarm unusable for a Route 53 CLOUDWATCH_METRIC health check:
 * Route 53 supports only standard-resolution alarms on one metric with a standard statistic and
 * no M-of-N evaluation (Route 53 "Monitoring a CloudWatch alarm" limitations).
 */
export function route53AlarmProblems(spec: SwitchAlarmSpec): string[] {
  const problems: string[] = [];
  if (spec.Metrics !== undefined) {
    problems.push(
      'the alarm uses metric math (Metrics); Route 53 health checks support only alarms on a single metric',
    );
  }
  if (spec.Period !== undefined && spec.Period < 60) {
    problems.push(
      `the period is ${spec.Period} s (a high-resolution alarm); Route 53 needs a standard-resolution period of 60 s or more`,
    );
  }
  if (spec.ExtendedStatistic !== undefined) {
    problems.push(
      `the statistic is the extended statistic ${spec.ExtendedStatistic}; use one of ${STANDARD_STATISTICS.join(', ')}`,
    );
  } else if (spec.Statistic !== undefined && !STANDARD_STATISTICS.includes(spec.Statistic)) {
    problems.push(`the statistic is ${spec.Statistic}; use one of ${STANDARD_STATISTICS.join(', ')}`);
  }
  if (spec.DatapointsToAlarm !== undefined && spec.DatapointsToAlarm !== spec.EvaluationPeriods) {
    problems.push(
      `the alarm is M-of-N (${spec.DatapointsToAlarm} of ${spec.EvaluationPeriods} datapoints); Route 53 supports only alarms where every evaluated period must breach`,
    );
  }
  return problems;
}

/**
 * A short digest of the switch alarm's definition. Route 53 copies a CLOUDWATCH_METRIC health
 * check's alarm settings when the check is created or updated, and must be told when they change:
 * "Creating, updating, and deleting health checks" (Route 53 Developer Guide) has a task for it,
 * "Updating health checks for CloudWatch alarm changes: Find out how to update a health check when
 * you change the settings of the associated CloudWatch alarm". The alarm lives in the standby stack and the health check in the DNS stack,
 * so nothing would update the check when the alarm changes. The DNS stack puts this digest in the
 * switch health check's construct id: a changed alarm definition gives the check a new logical id,
 * CloudFormation creates a new check (which reads the alarm as it now is), repoints the calculated
 * check at it and deletes the old one. The DNS stack deploys after the standby stack (stack
 * dependency), so the alarm has already changed. A new check starts healthy ("For new health
 * checks that have no last known status, the default status for the health check is healthy",
 * HealthCheckConfig InsufficientDataHealthStatus): do not change the switch alarm while it is thrown.
 */
export function switchAlarmFingerprint(envName: string): string {
  return createHash('sha256')
    .update(JSON.stringify(switchAlarmSpec(envName)))
    .digest('hex')
    .slice(0, 8);
}
