import { CheckResult } from './checks/check';
import { Lease, LeaseMove, RegionHealth } from '../failover/lease';
import { DrillDirection } from '../contract/drill-metrics';
import { SwitchPosition } from '../contract/failover-switch';
import type { Consistency } from '../contract/ledger';
import { RegionRole } from '../contract/names';
import { SwitchThrown } from '../failover/switch';
import type { EmitOutcome } from '../status/wallet-events';
import { CallRecord } from './clients';
import type { StatusBucket } from './status-page';
import { Clock } from './clock';

/**
 * The drill's port: what it needs to know about and do to one wallet environment. The AWS adapter
 * is ./aws-target.ts (real SDK clients); ./simulated-target.ts runs the same adapter against the
 * simulated world.
 */

/** The Route 53 health checks of the failover pair (created by the DNS stack). */
export interface HealthCheckIds {
  readonly primaryEndpoint: string;
  readonly standbyEndpoint: string;
  readonly failoverSwitch: string;
  /** The CALCULATED check on the PRIMARY record: endpoint AND lease check (when deployed) AND switch. */
  readonly primaryRecord: string;
}

export interface CallerIdentity {
  readonly account?: string;
  readonly arn?: string;
  /** The caller's default region from the standard chain. */
  readonly region?: string;
  readonly regionError?: string;
}

export interface CheckerObservation {
  readonly region: string;
  readonly ip: string;
  readonly status: string;
  readonly checkedAt?: string;
  readonly healthy: boolean;
}

/** Route 53's endpoint verdict from GetHealthCheckStatus (the 18% rule over the checkers' reports). */
export interface EndpointHealth {
  readonly role: RegionRole;
  readonly healthCheckId: string;
  readonly healthy: boolean;
  readonly healthyCheckers: number;
  readonly totalCheckers: number;
  readonly observations: readonly CheckerObservation[];
}

/** One point of Route 53's `AWS/Route53 HealthCheckStatus` metric (1 healthy, 0 unhealthy). */
export interface StatusPoint {
  readonly at: number;
  readonly value: number;
}

/** `HealthCheckStatus` per health check, oldest first (one point per minute, us-east-1). */
export type HealthCheckSeries = Record<keyof HealthCheckIds, readonly StatusPoint[]>;

export interface SwitchState {
  readonly alarmName: string;
  readonly alarmRegion: string;
  readonly alarmExists: boolean;
  readonly alarmState?: string;
  readonly alarmUpdatedAt?: string;
  /** The latest data point of the switch metric in the last 3 hours. */
  readonly lastValue?: number;
  readonly lastValueAt?: number;
  /** Route 53's verdict on the switch health check (latest HealthCheckStatus: 0 = thrown). */
  readonly route53Healthy?: boolean;
  /** Where the switch is, from the best evidence available. */
  readonly position: SwitchPosition | 'unknown';
  readonly evidence: string;
}

export interface DnsAnswer {
  readonly recordName: string;
  /** Which region's addresses Route 53 answers with. */
  readonly role: RegionRole | 'unknown';
  readonly recordData: readonly string[];
  readonly nameserver?: string;
  readonly responseCode?: string;
}

export interface CanaryState {
  readonly role: RegionRole;
  readonly region: string;
  /** The region's deep-health canary (its own `/health/deep`). */
  readonly canaryName: string;
  /** Latest Synthetics SuccessPercent of the deep-health canary. */
  readonly successPercent?: number;
  readonly successAt?: number;
  /**
   * Runs of this region's public-name canary that `api.<zone>` answered from this same region:
   * `Wallet/Canary PublicNameAnswer` (Sum per minute; the canary publishes at standard resolution,
   * so `at` is the start of the minute the run fell in), oldest first.
   */
  readonly answeredBySelf: readonly StatusPoint[];
}

export interface ReplicationState {
  readonly consistency: Consistency;
  readonly fromRegion: string;
  readonly toRegion: string;
  /** Maximum ReplicationLatency over the last minutes (MREC). */
  readonly latencySeconds?: number;
  readonly at?: number;
}

export interface KeyState {
  readonly role: RegionRole;
  readonly region: string;
  readonly alias: string;
  readonly keyId?: string;
  readonly enabled: boolean;
  readonly keyState?: string;
  readonly multiRegionType?: string;
}

export interface AlarmInfo {
  readonly name: string;
  readonly region: string;
  readonly state: string;
  readonly reason?: string;
  readonly updatedAt?: string;
}

/** The chain watcher's view of a region's RPC providers (issue 16): the newest HealthyProviders point. */
export interface ChainProviderState {
  readonly role: RegionRole;
  readonly region: string;
  /** Minimum HealthyProviders of the newest minute with data in the last 10 minutes; undefined: none. */
  readonly healthyProviders?: number;
  readonly at?: number;
}

/** Alarms in ALARM across the environment's regions, and the regions that could not be read. */
export interface AlarmReport {
  readonly firing: readonly AlarmInfo[];
  readonly unreadable: ReadonlyArray<{ readonly region: string; readonly error: string }>;
}

/** What the drill asks of a target: reads (no side effects) and the two data-plane actions. */
export interface Target {
  readonly kind: 'aws' | 'simulated';
  readonly clock: Clock;
  /** Every SDK command sent so far (the audit trail; the allow-list test reads it). */
  readonly calls: readonly CallRecord[];
  /** Fails with NoCredentialsError when the standard chain has no credentials. */
  preflight(): Promise<void>;
  identity(): Promise<CallerIdentity>;
  healthCheckIds(): Promise<HealthCheckIds>;
  endpointHealth(role: RegionRole): Promise<EndpointHealth>;
  healthCheckSeries(sinceMs: number): Promise<HealthCheckSeries>;
  switchState(): Promise<SwitchState>;
  dnsAnswer(): Promise<DnsAnswer>;
  canary(role: RegionRole, sinceMs: number): Promise<CanaryState>;
  replication(to: RegionRole): Promise<ReplicationState>;
  signingKey(role: RegionRole): Promise<KeyState>;
  alarmsFiring(): Promise<AlarmReport>;
  /**
   * The chain watcher's HealthyProviders in a region (GetMetricData, read-only).
   * @default - a target that cannot read it (the chain-providers pre-check then blocks when providers are configured)
   */
  chainProviders?(role: RegionRole): Promise<ChainProviderState>;
  signingAddress(): Promise<string>;
  readLease(role: RegionRole): Promise<Lease | undefined>;
  moveLease(to: RegionRole, options: LeaseMoveOptions): Promise<LeaseMove>;
  throwSwitch(position: SwitchPosition, reason: string): Promise<SwitchThrown>;
  publishDrillMetrics(direction: DrillDirection, values: DrillMetricValues): Promise<void>;
  /**
   * Waits for the status-page events the lease move and the switch started (lib/status/wallet-events.ts);
   * never rejects. @default - a target that emits none
   */
  flushStatusEvents?(): Promise<readonly EmitOutcome[]>;
  /** The status buckets the drill's incident is written to. @default - no status page: no incident, no page check */
  statusBuckets?(): StatusBucket[];
  /**
   * One warning check per lease move this target made: the hand-off of stranded work to the new
   * holder (lib/drill/work-handoff.ts). @default - a target that hands off nothing
   */
  handOffChecks?(): readonly CheckResult[];
}

export interface LeaseMoveOptions {
  readonly actor: string;
  readonly reason: string;
  readonly expectedEpoch?: number;
  readonly isTargetHealthy: (region: string) => Promise<RegionHealth>;
}

export interface DrillMetricValues {
  readonly measuredRtoSeconds?: number;
  readonly detectionSeconds?: number;
  readonly dnsCutoverSeconds?: number;
  readonly observedRpoSeconds?: number;
  readonly passed: boolean;
}

/** The standard credential chain found no credentials. */
export class NoCredentialsError extends Error {
  constructor(cause: string) {
    super(
      `no AWS credentials were found by the standard chain (${cause}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ` +
        '(or run `aws sso login`), or rehearse offline with --target simulated.',
    );
    this.name = 'NoCredentialsError';
  }
}

export function isCredentialsError(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '');
}
