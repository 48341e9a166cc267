/**
 * The failover switch's contract, owned here and imported by the CDK code (alarm, health check)
 * and the runtime code (drill CLI, remediation Lambda, manual runbook).
 *
 * Flipping the switch is ONE `PutMetricData` call in the STANDBY region (CloudWatch data plane).
 * Route 53 evaluates the alarm's metric stream itself; it does not read the alarm's state, so
 * `SetAlarmState` does not flip the switch. The health check on the alarm uses
 * `InsufficientDataHealthStatus: LastKnownStatus`, so one data point keeps the switch where it
 * was put until the next data point.
 */
export const FAILOVER_SWITCH_NAMESPACE = 'Wallet/Failover';
export const FAILOVER_SWITCH_METRIC = 'FailoverSwitch';
export const FAILOVER_SWITCH_DIMENSION = 'Environment';

/** Value published to fail over (primary marked unhealthy). */
export const FAIL_OVER_VALUE = 1;
/** Value published to fail back (switch released). */
export const FAIL_BACK_VALUE = 0;

/**
 * Alarm settings. Route 53 accepts only alarms on a single standard-resolution metric with a
 * standard statistic; M-of-N (DatapointsToAlarm < EvaluationPeriods) and metric math are not
 * supported for CLOUDWATCH_METRIC health checks.
 */
export const FAILOVER_SWITCH_ALARM = {
  periodSeconds: 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  statistic: 'Maximum',
  threshold: FAIL_OVER_VALUE,
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
} as const;

export const failoverSwitchAlarmName = (envName: string): string => `${envName}-wallet-failover-switch`;

export const failoverSwitchDimensions = (envName: string) => [{ Name: FAILOVER_SWITCH_DIMENSION, Value: envName }];

export type SwitchPosition = 'on' | 'off';

export const switchValue = (position: SwitchPosition): number =>
  position === 'on' ? FAIL_OVER_VALUE : FAIL_BACK_VALUE;
