import type { TransactionRecord } from '../../lambda/shared/ledger';
import type { RuntimeSpendingPolicy } from '../../lib/contract/policy';
import type { SimChain } from '../sim/chain';
import type { WriteEvent } from '../sim/dynamo';

/**
 * What a run leaves for the invariants to judge: what happened while it ran (every nonce allocation
 * and every stored signature as the replica applied it, every API answer a client heard) and the
 * final state once the settle bound passed (the chain, the transactions, the lease counter).
 */
export interface Allocation {
  readonly replica: string;
  readonly epoch: number;
  readonly holder: string;
  readonly by: string;
  readonly nonce: number;
}

export interface StoredSignature {
  readonly replica: string;
  readonly txId: string;
  readonly epoch: number;
  readonly region: string;
}

/**
 * A nonce assignment or a stored signature as a replica applied it, with what the intake fence
 * decides on (the transaction's intake, and the epochs reconciliation kept or an operator released it in).
 */
export interface FenceEvent {
  readonly replica: string;
  readonly txId: string;
  readonly step: 'nonce' | 'signature';
  /** The epoch and region that assigned the nonce (step nonce) or signed (step signature). */
  readonly epoch: number;
  readonly region: string;
  readonly intakeEpoch?: number;
  readonly intakeRegion?: string;
  readonly nonceEpoch?: number;
  readonly nonceRegion?: string;
  readonly keptEpoch?: number;
  readonly releasedEpoch?: number;
}

export interface FinalState {
  readonly chain: SimChain;
  readonly address: string;
  readonly recipient: string;
  readonly transactions: readonly TransactionRecord[];
  /** The lease's nextNonce: every nonce below it was handed out. */
  readonly nextNonce: number;
  readonly settled: boolean;
  readonly kmsLog: ReadonlyArray<{ digest: string; region: string; at: number }>;
}

export interface SweepSetup {
  readonly walletId: string;
  readonly coldAddress: string;
  readonly ceilingWei: bigint;
}

/** What was true when a sweeper run that went on to claim a sweep began (read by the harness, not the sweeper). */
export interface SweepDecision {
  readonly region: string;
  readonly at: number;
  /** The hot address's balance on chain. */
  readonly balanceWei: bigint;
  /** Every transaction of the hot address then in an unmined status in some replica. */
  readonly unmined: readonly string[];
  /** The hashes mined by then (already out of `balanceWei`). */
  readonly minedHashes: ReadonlySet<string>;
}

export interface SweepClaim {
  readonly replica: string;
  readonly sweepId: string;
  readonly amountWei: bigint;
  readonly to: string;
  readonly epoch: number;
  /** The region the claim names, and the region that wrote it. */
  readonly region: string;
  readonly by: string;
  /** Whether this replica's lease had opened the claim's epoch for intake by then. */
  readonly intakeOpen: boolean;
}

export class Observations {
  readonly allocations: Allocation[] = [];
  readonly signatures: StoredSignature[] = [];
  readonly fenceEvents: FenceEvent[] = [];
  /** epoch -> region, per replica, as the lease items were written. */
  readonly leaseHistory = new Map<string, Map<number, string>>();
  /** Every txId a client heard in a 202, by key number. */
  readonly accepted = new Map<number, Set<string>>();
  readonly answers: Array<{ key: number; region: string; status: number }> = [];
  /** Steps that told the operator "nothing was changed", with the truth the harness saw. */
  readonly nothingChangedReports: Array<{
    readonly step: string;
    readonly epochBefore: number;
    readonly leaseNow: { region: string; epoch: number; by: string; reason: string };
    /** Whether the step's own write had applied (seen by the harness at the store). */
    readonly ownMoveApplied: boolean;
  }> = [];
  /**
   * Remediation, by alarm transition id: how often it was delivered, the verdicts its invocations
   * answered, whether any invocation recorded a decision (its audit item), and whether every
   * attempt of a delivery failed (the event then sits in the function's dead-letter queue).
   */
  readonly transitions = new Map<
    string,
    { deliveries: number; verdicts: string[]; decided: boolean; deadLettered: boolean }
  >();
  /** The spending policy in force for the whole run (the harness's, torture/run.ts). */
  policy?: RuntimeSpendingPolicy;
  /** Every stored signature of a client transaction (first per replica write): what it moved, and when (harness time). */
  readonly signedSpends: Array<{ txId: string; walletId: string; to: string; valueWei: string; replica: string }> = [];
  /**
   * Every chain nonce reconciliation acted on: the source's answer, and the network's pending count
   * when the read began (the count never falls, so an answer below it came from a stale view).
   */
  readonly nonceReads: Array<{ region: string; source: string; answer: number; truth: number; at: number }> = [];
  /** Every transaction write that recorded a broadcast, with whether the network held the hash then. */
  readonly broadcastsRecorded: Array<{
    txId: string;
    txHash: string;
    nonce: number;
    by: string;
    networkHasIt: boolean;
    at: number;
  }> = [];
  healedAt = 0;
  final?: FinalState;
  /** The sweep set-up, when the schedule runs the sweeper (torture/run.ts). */
  sweep?: SweepSetup;
  /** Each sweep a sweeper run decided on (by sweep id): the truth when that run began. */
  readonly sweepDecisions = new Map<string, SweepDecision>();
  /** Every claim of the sweep-control item for a new sweep, as a replica applied it. */
  readonly sweepClaims: SweepClaim[] = [];
  /** Every claimed -> submitted mark of the sweep-control item, as a replica applied it. */
  readonly sweepSubmits: Array<{ replica: string; sweepId: string; epoch: number; by: string }> = [];
  /** Every sweep transaction created, with the other sweep transactions still open in that replica then. */
  readonly sweepOpenings: Array<{ replica: string; txId: string; openBeside: readonly string[] }> = [];
  /** The epochs whose intake each replica's lease opened (MREC: after reconciliation). */
  readonly intakeOpened = new Map<string, Set<number>>();

  onNonceRead(read: Observations['nonceReads'][number]): void {
    this.nonceReads.push(read);
  }

  onBroadcastRecorded(record: Observations['broadcastsRecorded'][number]): void {
    this.broadcastsRecorded.push(record);
  }

  private transition(id: string) {
    let t = this.transitions.get(id);
    if (t === undefined) {
      t = { deliveries: 0, verdicts: [], decided: false, deadLettered: false };
      this.transitions.set(id, t);
    }
    return t;
  }

  onAlarmDelivered(transitionId: string): void {
    this.transition(transitionId).deliveries += 1;
  }

  onRemediationAnswered(transitionId: string, verdict: string): void {
    this.transition(transitionId).verdicts.push(verdict);
  }

  onRemediationDecided(transitionId: string): void {
    this.transition(transitionId).decided = true;
  }

  onAlarmDeadLettered(transitionId: string): void {
    this.transition(transitionId).deadLettered = true;
  }

  constructor(readonly consistency: 'MRSC' | 'MREC') {}

  onWrite(e: WriteEvent): void {
    const after = e.after;
    if (String(after.pk).startsWith('LEASE#')) {
      const history = this.leaseHistory.get(e.replica) ?? new Map<number, string>();
      this.leaseHistory.set(e.replica, history);
      history.set(Number(after.epoch), String(after.activeRegion));
      if (after.intakeOpenEpoch !== undefined) {
        const opened = this.intakeOpened.get(e.replica) ?? new Set<number>();
        this.intakeOpened.set(e.replica, opened);
        opened.add(Number(after.intakeOpenEpoch));
      }
      const added = Object.keys(after).filter((k) => k.startsWith('alloc_') && e.before?.[k] === undefined);
      if (added.length > 0 && e.before !== undefined) {
        this.allocations.push({
          replica: e.replica,
          epoch: Number(e.before.epoch),
          holder: String(e.before.activeRegion),
          by: e.actorRegion,
          nonce: Number(after[added[0]]),
        });
      }
      return;
    }
    if (String(after.pk).startsWith('SWEEP#')) {
      if (after.state === 'claimed' && after.sweepId !== e.before?.sweepId) {
        const request = after.request as { to?: string; value?: string } | undefined;
        this.sweepClaims.push({
          replica: e.replica,
          sweepId: String(after.sweepId),
          amountWei: BigInt(request?.value ?? '0'),
          to: String(request?.to),
          epoch: Number(after.epoch),
          region: String(after.region),
          by: e.actorRegion,
          intakeOpen: this.intakeOpened.get(e.replica)?.has(Number(after.epoch)) ?? false,
        });
      }
      if (after.state === 'submitted' && e.before?.state === 'claimed') {
        this.sweepSubmits.push({
          replica: e.replica,
          sweepId: String(after.sweepId),
          epoch: Number(after.epoch),
          by: e.actorRegion,
        });
      }
      return;
    }
    if (String(after.sk).startsWith('TX#') && after.canaryNonce === undefined) {
      const num = (v: unknown) => (v === undefined ? undefined : Number(v));
      const str = (v: unknown) => (v === undefined ? undefined : String(v));
      const fields = {
        replica: e.replica,
        txId: String(after.txId),
        intakeEpoch: num(after.intakeEpoch),
        intakeRegion: str(after.intakeRegion),
        nonceEpoch: num(after.nonceEpoch),
        nonceRegion: str(after.nonceRegion),
        keptEpoch: num(after.keptEpoch),
        releasedEpoch: num(after.releasedEpoch),
      };
      if (after.status === 'nonce-assigned' && e.before?.status === 'queued') {
        this.fenceEvents.push({
          ...fields,
          step: 'nonce',
          epoch: Number(after.nonceEpoch),
          region: String(after.nonceRegion),
        });
      } else if (after.status === 'signed' && e.before?.status !== 'signed') {
        this.fenceEvents.push({
          ...fields,
          step: 'signature',
          epoch: Number(after.signedEpoch),
          region: String(after.signedRegion),
        });
      }
    }
    if (
      String(after.sk).startsWith('TX#') &&
      after.status === 'signed' &&
      e.before?.status !== 'signed' &&
      after.canaryNonce === undefined
    ) {
      const request = after.request as { to?: string; value?: string } | undefined;
      this.signedSpends.push({
        txId: String(after.txId),
        walletId: String(after.walletId),
        to: String(request?.to),
        valueWei: String(request?.value ?? '0'),
        replica: e.replica,
      });
      this.signatures.push({
        replica: e.replica,
        txId: String(after.txId),
        epoch: Number(after.signedEpoch),
        region: String(after.signedRegion),
      });
    }
  }

  onNothingChangedReport(report: Observations['nothingChangedReports'][number]): void {
    this.nothingChangedReports.push(report);
  }

  onApiAnswer(key: number, region: string, status: number, txId: string | undefined): void {
    this.answers.push({ key, region, status });
    if (status === 202 && txId !== undefined) {
      const set = this.accepted.get(key) ?? new Set<string>();
      set.add(txId);
      this.accepted.set(key, set);
    }
  }

  finish(state: FinalState): void {
    this.final = state;
  }
}
