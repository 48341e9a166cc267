import { CANARY_METRIC_NAMESPACE } from './canary';
import { CHAIN_METRICS } from './chain';
import { SIGNER_FAILURES_METRIC } from './deployment';
import { DRILL_METRICS_NAMESPACE } from './drill-metrics';
import { WALLET_EVENT_UNDELIVERED_METRIC } from './status';
import { SWEEP_METRICS } from './sweep';
import { FAILOVER_SWITCH_AGE_METRIC, FAILOVER_SWITCH_METRIC, FAILOVER_SWITCH_NAMESPACE } from './failover-switch';

/**
 * Every custom metric an alarm may watch, with the code that publishes it. No AWS service
 * publishes these: an alarm on a custom metric nobody publishes never fires (missing data), so
 * the wallet rule AlarmMetricPublished refuses an alarm whose custom metric is not listed here.
 * `namespace` ending in `/` matches by prefix (per-environment namespaces).
 */
export const METRIC_PUBLISHERS: ReadonlyArray<{
  readonly namespace: string;
  readonly metrics: readonly string[];
  readonly publisher: string;
}> = [
  {
    namespace: WALLET_EVENT_UNDELIVERED_METRIC.namespace,
    metrics: [WALLET_EVENT_UNDELIVERED_METRIC.name],
    publisher:
      'lib/status/wallet-events.ts WalletEventEmitter: an Embedded Metric Format line from lambda/remediation/wiring.ts, PutMetricData from lib/drill/status-events.ts',
  },
  {
    namespace: FAILOVER_SWITCH_NAMESPACE,
    metrics: [FAILOVER_SWITCH_METRIC],
    publisher: 'lib/failover/switch.ts throwSwitch (drill, remediation, operators, the re-publisher)',
  },
  {
    namespace: FAILOVER_SWITCH_NAMESPACE,
    metrics: [FAILOVER_SWITCH_AGE_METRIC],
    publisher: 'lib/failover/switch-republisher.ts republishSwitch (lambda/switch-republisher, every run)',
  },
  {
    namespace: 'Wallet/Signer/',
    metrics: ['KmsThrottled'],
    publisher:
      "the kms-throttling metric filter on the signer's log group (lib/constructs/wallet-alarms.ts, lib/contract/observability.ts)",
  },
  {
    namespace: 'Wallet/Signer/',
    metrics: [SIGNER_FAILURES_METRIC],
    publisher:
      "the signer-failures metric filter on the signer's log group, by ExecutedVersion (lib/constructs/safe-deployment.ts, lib/contract/deployment.ts SIGNER_FAILURE_LOG_EVENT)",
  },
  {
    namespace: CANARY_METRIC_NAMESPACE,
    metrics: ['CanarySignLatency'],
    publisher: 'lambda/canaries/transaction (every signed canary transaction; the time-to-sign SLO reads it)',
  },
  {
    namespace: CANARY_METRIC_NAMESPACE,
    metrics: ['PeerDeepHealth'],
    publisher: 'lambda/canaries/deep-health (the peer probe)',
  },
  {
    // chainMetricNamespace(envName) = `Wallet/Chain/<env>`: matched by prefix.
    namespace: 'Wallet/Chain/',
    metrics: [
      CHAIN_METRICS.healthyProviders,
      CHAIN_METRICS.headAgeSeconds,
      CHAIN_METRICS.stuckTransactions,
      CHAIN_METRICS.oldestPendingSeconds,
    ],
    publisher:
      'lambda/chain-watcher (Embedded Metric Format lines on every scheduled run, in both regions; names in lib/contract/chain.ts)',
  },
  {
    // sweepMetricNamespace(envName) = `Wallet/Sweep/<env>`: matched by prefix.
    namespace: 'Wallet/Sweep/',
    metrics: [SWEEP_METRICS.sweepsFailed, SWEEP_METRICS.aboveCeiling, SWEEP_METRICS.balanceUnreadable],
    publisher:
      'lambda/sweeper (Embedded Metric Format lines from the lease holder, in a run that reads the balance or ends a sweep; names in lib/contract/sweep.ts)',
  },
  { namespace: DRILL_METRICS_NAMESPACE, metrics: [], publisher: 'lib/drill (KPI metrics; no alarm watches them)' },
];

export function metricPublisher(namespace: string, metric: string): string | undefined {
  return METRIC_PUBLISHERS.find(
    (p) =>
      (p.namespace.endsWith('/') ? namespace.startsWith(p.namespace) : namespace === p.namespace) &&
      p.metrics.includes(metric),
  )?.publisher;
}
