/**
 * The drill's KPI series: after every executed drill the CLI publishes what it measured with one
 * PutMetricData (data plane) in the standby region, so dashboards and alarms can track the RTO drills
 * actually achieve against the target.
 */
export const DRILL_METRICS_NAMESPACE = 'Wallet/Drill';

export const DRILL_METRICS = {
  /** Switch thrown -> standby canary served by its own region, seconds. */
  measuredRto: 'MeasuredRtoSeconds',
  /** Switch thrown -> Route 53 marked the record unhealthy (upper bound), seconds. */
  detection: 'DetectionSeconds',
  /** Switch thrown -> authoritative DNS answer changed, seconds. */
  dnsCutover: 'DnsCutoverSeconds',
  /** Replication lag at the lease handover (0 under MRSC), seconds. */
  observedRpo: 'ObservedRpoSeconds',
  /** 1 when every target was met, else 0. */
  passed: 'DrillPassed',
} as const;

export type DrillDirection = 'failover' | 'failback';

export const drillMetricDimensions = (envName: string, direction: DrillDirection) => [
  { Name: 'Environment', Value: envName },
  { Name: 'Direction', Value: direction },
];
