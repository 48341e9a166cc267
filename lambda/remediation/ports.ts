import type { LeaseMove, RegionHealth } from '../../lib/failover/lease';
import type { RegionControl as RegionControlItem } from '../../lib/failover/region-control';
import type { SwitchThrown } from '../../lib/failover/switch';
import type { NotifySeverity } from '../../lib/contract/remediation';

/**
 * The ports the remediation handler depends on. The decision is a pure function of what these
 * return; the handler wires AWS implementations (adapters/) in production and fakes or
 * aws-sdk-client-mock in tests.
 */

/** A CloudWatch alarm state, plus what remediation could not see. */
export type ObservedAlarmState =
  | 'OK'
  | 'ALARM'
  | 'INSUFFICIENT_DATA'
  /** The region answered and has no alarm of that name. */
  | 'MISSING'
  /** The region could not be read (timeout, outage, permissions). */
  | 'UNKNOWN';

/** Alarm states keyed by {@link alarmKey}. */
export interface AlarmSnapshot {
  readonly states: Readonly<Record<string, ObservedAlarmState>>;
  /** Why a region could not be read, by region. */
  readonly readErrors: Readonly<Record<string, string>>;
}

export const alarmKey = (region: string, alarmName: string): string => `${region}/${alarmName}`;

export interface AlarmReader {
  read(
    groups: ReadonlyArray<{ readonly region: string; readonly alarmNames: readonly string[] }>,
  ): Promise<AlarmSnapshot>;
}

/** The degraded-mode item of a region (ledger REGION#<region>/CONTROL, lib/failover/region-control.ts). */
export type RegionControlState = Pick<RegionControlItem, 'region' | 'degraded' | 'reason' | 'setBy' | 'updatedAt'>;

export interface SetDegradedOptions {
  /**
   * Only change the item if `setBy` starts with this (leaving degraded mode never lifts an
   * operator's decision). @default - no condition on who set it
   */
  readonly onlyIfSetByPrefix?: string;
}

/**
 * Enter / leave degraded mode (withdrawals suspended, reads up). Entering is a no-op when the
 * region is already degraded (so an operator's reason is never overwritten). Returns whether the
 * item changed. The adapter writes through lib/failover/region-control.ts, the one writer of the item.
 */
export interface RegionControl {
  get(region: string): Promise<RegionControlState | undefined>;
  setDegraded(
    region: string,
    degraded: boolean,
    reason: string,
    actor: string,
    options?: SetDegradedOptions,
  ): Promise<{ readonly changed: boolean }>;
}

/** One signing address's lease, as the decision needs it. */
export interface LeaseView {
  readonly address: string;
  readonly activeRegion: string;
  readonly epoch: number;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface MoveLeaseRequest {
  readonly address: string;
  readonly toRegion: string;
  readonly expectedEpoch: number;
  readonly actor: string;
  readonly reason: string;
  readonly isTargetHealthy: (region: string) => Promise<RegionHealth>;
}

export interface LeasePort {
  /** The lease of every signing address of the environment (addresses without a lease are skipped). */
  leases(): Promise<LeaseView[]>;
  move(request: MoveLeaseRequest): Promise<LeaseMove>;
}

/** What the hand-off after a lease move did (lib/failover/handoff.ts HandOffReport, trimmed). */
export interface HandOffSummary {
  readonly holder: string;
  readonly epoch: number;
  /** The lease had moved on from `expectedEpoch`: nothing was done (a later move owns the work). */
  readonly fenced: boolean;
  readonly fromDeadLetterQueues: number;
  readonly requeued: number;
  readonly stoppedBecause?: string;
}

/**
 * Hands stranded work to the new lease holder after remediation moved the lease: both regions'
 * signing DLQs and the open transactions of the address, fenced by the epoch the move created.
 */
export interface HandOffPort {
  handOff(address: string, expectedEpoch: number, actor: string, runId: string): Promise<HandOffSummary>;
}

export interface SwitchPort {
  /** Throws the failover switch ON (one PutMetricData in the standby region). */
  throwOn(reason: string): Promise<SwitchThrown>;
}

/** An automatic failover remediation started (the rate-limit budget's entries). */
export interface FailoverRecord {
  readonly at: string;
  readonly transitionId: string;
  readonly actor: string;
}

export interface FailoverBudget {
  recent(): Promise<FailoverRecord[]>;
  /**
   * Records a failover if fewer than `max` happened in the window (a repeat for the same
   * transition is a no-op). Throws FailoverBudgetExhaustedError or FailoverBudgetConflictError.
   */
  reserve(record: FailoverRecord, windowMinutes: number, max: number, now: Date): Promise<void>;
}

export interface ClaimHolder {
  readonly status: 'in-progress' | 'done' | 'failed';
  readonly requestId: string;
  readonly claimedAt: string;
  readonly verdict?: string;
}

/** Idempotency per alarm transition: a conditional write keyed by the transition id. */
export interface TransitionClaims {
  /**
   * Claims the transition for this invocation. Fails (returns the holder) if it is done, or in
   * progress and not yet expired; a failed or expired claim can be taken over by a retry.
   */
  claim(
    transitionId: string,
    requestId: string,
    now: Date,
    expiresAt: Date,
  ): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly holder?: ClaimHolder }>;
  complete(transitionId: string, requestId: string, verdict: string): Promise<void>;
  release(transitionId: string, requestId: string, error: string): Promise<void>;
}

export interface Notifier {
  publish(severity: NotifySeverity, subject: string, message: string): Promise<void>;
}

export interface AuditLog {
  /** Writes one decision record; returns its ledger key. */
  write(record: Record<string, unknown>, at: Date, id: string): Promise<{ readonly pk: string; readonly sk: string }>;
}

/** Known, expected refusals: recorded and paged, never retried. */
export class FailoverBudgetExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FailoverBudgetExhaustedError';
  }
}

export class FailoverBudgetConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FailoverBudgetConflictError';
  }
}
