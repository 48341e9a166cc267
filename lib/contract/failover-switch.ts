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

/**
 * The standby's switch re-publisher (lib/failover/switch-republisher.ts, run on a schedule by
 * lambda/switch-republisher). Route 53 keeps a CLOUDWATCH_METRIC health check's "last known status"
 * while the alarm has insufficient data ("LastKnownStatus: Route 53 uses the status of the health
 * check from the last time that CloudWatch had sufficient data to determine the alarm state",
 * HealthCheckConfig), but its guide advises against relying on that for more than a few hours (as
 * the deployability review of issue 13 read it; re-read "Values that you specify when you create
 * or update health checks" when you touch this). So
 * while the switch is THROWN, the re-publisher publishes the thrown value again; it never publishes
 * the thrown value when the switch is released or was never thrown, so it cannot throw the switch
 * by itself. It also publishes how old the switch's last data point is, which the
 * `failover-switch-stale` alarm watches.
 */
export const SWITCH_REPUBLISH = {
  /** How often the job runs. */
  scheduleMinutes: 5,
  /**
   * Re-publish only once the newest thrown data point is at least this old: a switch thrown or
   * released within this window is left alone (no race with a person or the drill acting now).
   */
  republishAfterSeconds: 20 * 60,
  /** How far back the job looks for the switch's newest data point. */
  lookbackSeconds: 6 * 60 * 60,
  /** `failover-switch-stale` fires when a thrown switch's newest data point is older than this. */
  staleAfterSeconds: 45 * 60,
} as const;

/** Published by the re-publisher every run: seconds since the thrown switch's newest data point (0 if not thrown). */
export const FAILOVER_SWITCH_AGE_METRIC = 'FailoverSwitchThrownAgeSeconds';

export const failoverSwitchStaleAlarmName = (envName: string): string => `${envName}-wallet-failover-switch-stale`;
