/**
 * Alarm names, owned here and imported by the CDK code (which creates the alarms with exactly these
 * names) and the runtime code (the remediation Lambda, which reads and reacts to them). An alarm
 * name is a contract: renaming one silently detaches it from remediation.
 *
 * Regional alarms live in the region of their metric (CloudWatch has no cross-region alarms) and
 * are named `<env>-wallet-<region>-<suffix>`, where `<region>` is the region the alarm LIVES in.
 * The Route 53 alarms live in us-east-1 (where the health-check metrics are) and are named
 * `<env>-wallet-dns-<suffix>`. The failover switch alarm is named in failover-switch.ts.
 */

/** Per-region alarms (kind -> name suffix). docs/runbooks/alarms.md says what each means. */
export const REGIONAL_ALARMS = {
  /** The region's own `/health/deep` canary (Synthetics SuccessPercent). */
  deepHealthCanary: 'canary-deep-health',
  /** The public failover name as users see it, from this region (Synthetics SuccessPercent). */
  publicNameCanary: 'canary-public-name',
  /** A canary transaction signed within its bound (Synthetics SuccessPercent). */
  transactionCanary: 'canary-transaction',
  /** This region's view of the PEER region's `/health/deep` (custom metric PeerDeepHealth, Target = peer). */
  peerDeepHealth: 'peer-deep-health',
  api5xxRate: 'api-5xx-rate',
  apiLatencyP99: 'api-latency-p99',
  apiLatencyAnomaly: 'api-latency-anomaly',
  apiRequestCountAnomaly: 'api-request-count-anomaly',
  signerErrors: 'signer-errors',
  signerDlqDepth: 'signer-dlq-depth',
  signingQueueOldestAge: 'signing-queue-oldest-age',
  signerThrottles: 'signer-throttles',
  kmsThrottling: 'kms-throttling',
  replicationLatency: 'ddb-replication-latency',
  replicationErrors: 'ddb-replication-errors',
  /** The remediation Lambda itself failed (errors or its DLQ holds a message). */
  remediationFailures: 'remediation-failures',
  /** Composite: this region cannot serve (see docs/runbooks/alarms.md for the rule). */
  regionImpaired: 'region-impaired',
  /** Chain (issue 16): no RPC provider the pool counts healthy in this region (HealthyProviders < 1). */
  chainNoHealthyProvider: 'chain-no-healthy-provider',
  /** Chain: the best head's block is older than the limit (HeadAgeSeconds). */
  chainHeadStale: 'chain-head-stale',
  /** Chain: a transaction is reported stuck, or has waited unmined longer than the limit. */
  chainTransactionsStuck: 'chain-transactions-stuck',
  /** Chain, standby only: fewer healthy providers than `chain.health.minHealthyStandby`. */
  chainStandbyProvidersLow: 'chain-standby-providers-low',
  /** Sweep (issue 21): a sweep to the cold address ended refused, cancelled, rejected or expired (SweepsFailed). */
  sweepFailed: 'sweep-failed',
  /**
   * Sweep: the hot float stayed above its ceiling (FloatAboveCeiling), or its balance could not be
   * read (BalanceUnreadable), in every period for the alarm's window.
   */
  floatAboveCeiling: 'float-above-ceiling',
} as const;
export type RegionalAlarmKind = keyof typeof REGIONAL_ALARMS;

/**
 * The chain alarms (lib/constructs/chain-alarms.ts): they exist only where the config lists
 * `chain.providers` (without providers no watcher runs and nothing is published), and the
 * standby-providers alarm only in the standby.
 */
export const CHAIN_ALARM_KINDS = [
  'chainNoHealthyProvider',
  'chainHeadStale',
  'chainTransactionsStuck',
  'chainStandbyProvidersLow',
] as const satisfies readonly RegionalAlarmKind[];
export type ChainAlarmKind = (typeof CHAIN_ALARM_KINDS)[number];

/** The chain alarms a region of this role has when chain providers are configured. */
export const chainAlarmKinds = (role: 'primary' | 'standby'): readonly ChainAlarmKind[] =>
  CHAIN_ALARM_KINDS.filter((k) => k !== 'chainStandbyProvidersLow' || role === 'standby');

/** True for a chain alarm kind (see {@link CHAIN_ALARM_KINDS}). */
export const isChainAlarmKind = (kind: RegionalAlarmKind): kind is ChainAlarmKind =>
  (CHAIN_ALARM_KINDS as readonly string[]).includes(kind);

/**
 * The sweep alarms (lib/constructs/wallet-alarms.ts sweepAlarms): they exist only where the sweeper
 * does (`chain.providers` AND `spending.cold`), in both regions (only the lease holder's publishes).
 * Neither is degrading (lib/contract/remediation.ts): a sweep that does not happen leaves funds on
 * the hot side, it never moves them anywhere else, so withdrawals are not paused for it.
 */
export const SWEEP_ALARM_KINDS = ['sweepFailed', 'floatAboveCeiling'] as const satisfies readonly RegionalAlarmKind[];
export type SweepAlarmKind = (typeof SWEEP_ALARM_KINDS)[number];

/** True for a sweep alarm kind (see {@link SWEEP_ALARM_KINDS}). */
export const isSweepAlarmKind = (kind: RegionalAlarmKind): kind is SweepAlarmKind =>
  (SWEEP_ALARM_KINDS as readonly string[]).includes(kind);

/**
 * us-east-1 alarms: on the Route 53 health checks (lib/constructs/failover-health-checks.ts), and on
 * forwarding their failover cues to the standby (lib/stacks/dns-stack.ts).
 */
export const DNS_ALARMS = {
  primaryEndpointUnhealthy: 'dns-primary-endpoint-unhealthy',
  /** The primary's lease check (`/health?lease=held`) is unhealthy: the lease is held elsewhere (expected while failed over). */
  primaryLeaseElsewhere: 'dns-primary-lease-elsewhere',
  standbyEndpointUnhealthy: 'dns-standby-endpoint-unhealthy',
  failoverSwitchThrown: 'dns-failover-switch-thrown',
  primaryRecordUnhealthy: 'dns-primary-record-unhealthy',
  bothRegionsUnhealthy: 'dns-both-regions-unhealthy',
  /** The rule forwarding the Route 53 failover cues to the standby's remediation failed to deliver. */
  remediationCuesUndelivered: 'dns-remediation-cues-undelivered',
} as const;
export type DnsAlarmKind = keyof typeof DNS_ALARMS;

/** Route 53 publishes health-check metrics only here, so the DNS alarms live here. */
export const DNS_ALARM_REGION = 'us-east-1';

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export const regionalAlarmName = (envName: string, region: string, kind: RegionalAlarmKind): string =>
  `${envName}-wallet-${region}-${REGIONAL_ALARMS[kind]}`;

export const dnsAlarmName = (envName: string, kind: DnsAlarmKind): string => `${envName}-wallet-${DNS_ALARMS[kind]}`;

/** What an alarm name says, or undefined for a name this environment does not own. */
export type ParsedAlarmName =
  | { readonly scope: 'regional'; readonly region: string; readonly kind: RegionalAlarmKind }
  | { readonly scope: 'dns'; readonly kind: DnsAlarmKind };

export function parseAlarmName(envName: string, alarmName: string): ParsedAlarmName | undefined {
  const prefix = `${envName}-wallet-`;
  if (!alarmName.startsWith(prefix)) return undefined;
  const rest = alarmName.slice(prefix.length);
  for (const [kind, suffix] of Object.entries(DNS_ALARMS) as Array<[DnsAlarmKind, string]>) {
    if (rest === suffix) return { scope: 'dns', kind };
  }
  for (const [kind, suffix] of Object.entries(REGIONAL_ALARMS) as Array<[RegionalAlarmKind, string]>) {
    if (!rest.endsWith(`-${suffix}`)) continue;
    const region = rest.slice(0, rest.length - suffix.length - 1);
    if (REGION.test(region)) return { scope: 'regional', region, kind };
  }
  return undefined;
}

/** How CloudWatch evaluates one alarm: period length, and "M of N" (datapointsToAlarm of evaluationPeriods). */
export interface AlarmEvaluation {
  /** Seconds per period: a multiple of 60 (the metrics here are standard resolution). */
  readonly periodSeconds: number;
  /** N of "M of N". */
  readonly evaluationPeriods: number;
  /** M of "M of N". */
  readonly datapointsToAlarm: number;
}

/** A value per regional alarm of one region: every kind, the chain and sweep kinds only where configured. */
export type RegionalAlarmMap<T> = Readonly<Record<Exclude<RegionalAlarmKind, ChainAlarmKind | SweepAlarmKind>, T>> &
  Readonly<Partial<Record<ChainAlarmKind | SweepAlarmKind, T>>>;
