import { isCanaryTransaction } from '../../lib/contract/canary';
import { OPEN_TX_STATUSES, TxStatus } from '../../lib/contract/ledger';
import type { ChainNonceSource } from './chain';
import { LeaseConflictError, NotLeaseHolderError, readLease } from '../../lib/failover/lease';
import { markReconciled, releaseNonceAllocation } from '../../lib/failover/nonce';
import {
  getIdempotencyRecord,
  getReservation,
  getTransaction,
  Ledger,
  markKept,
  listTransactionsByStatus,
  putAudit,
  quarantineTransaction,
  releaseFromQuarantine,
  TransactionRecord,
} from './ledger';
import type { SigningMessage } from './queue';

/**
 * Reconciliation after the lease moved under MREC (docs/lease-and-nonce.md, "MREC"): the new
 * holder's replica may lag the old holder's writes, so before it signs anything it
 * 1. reads the chain's next nonce for the address (a pluggable ChainNonceSource);
 * 2. quarantines every transaction whose fate it cannot know from its own replica (never re-signs
 *    it blindly): queued before the lease moved, or holding a nonce the chain already used, or a
 *    nonce reserved for another payload;
 * 3. moves the nonce counter past everything the chain or the ledger has seen;
 * 4. marks the epoch reconciled (the signer refuses under MREC until then) and writes an audit item.
 * It is safe to run again (e.g. after the old region's late writes replicate): it re-examines open
 * transactions and never lowers the counter.
 */
export interface ReconcileOptions {
  readonly ledger: Ledger;
  /** The signing address (lower-case or checksummed). */
  readonly address: string;
  /** This region; it must hold the lease. */
  readonly region: string;
  readonly chain: ChainNonceSource;
  readonly actor: string;
  readonly reason: string;
  /**
   * The operator confirms the previous holder's signer is stopped (its event source disabled or
   * its region down), so it cannot sign or broadcast from a stale view while we reconcile.
   */
  readonly confirmOldSignerStopped: boolean;
  readonly now?: Date;
}

export interface ReconciledTx {
  readonly walletId: string;
  readonly txId: string;
  readonly status: TxStatus;
  readonly nonce?: number;
}

export interface ReconcileReport {
  readonly address: string;
  readonly region: string;
  readonly epoch: number;
  readonly leaseMovedAt: string;
  readonly chainSource: string;
  readonly chainNextNonce: number;
  readonly ledgerNextNonceBefore: number;
  readonly nextNonce: number;
  readonly alreadyReconciled: boolean;
  /**
   * Whether the holder may now mint new idempotency keys (MREC): every nonce the chain used is
   * attributed to a request this replica knows. If not, the API answers 503 + Retry-After for new
   * keys; run reconciliation again once the old region's writes replicate, or resolve by hand.
   */
  readonly intakeOpen: boolean;
  /** The first chain-used nonce no known request accounts for (when intake stays closed). */
  readonly firstUnattributedNonce?: number;
  readonly kept: readonly ReconciledTx[];
  readonly quarantined: ReadonlyArray<ReconciledTx & { readonly reason: string }>;
  /**
   * Nonces in [chainNextNonce, nextNonce) that no kept transaction holds: the chain will stall at
   * the first one until it is filled (release the quarantined transaction that holds it, or send
   * the signer a fill-gap message; see the runbook).
   */
  readonly gaps: readonly number[];
  readonly auditKey: { pk: string; sk: string };
}

export class ReconcileRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileRefusedError';
  }
}

/**
 * Why a transaction is ambiguous, or undefined if its fate is known and it may proceed. No
 * wall-clock rule (clocks of the API, the signer and the operator's machine disagree): a request
 * is known only if THIS holder accepted it in THIS epoch (the intake fence).
 */
async function ambiguity(
  ledger: Ledger,
  tx: TransactionRecord,
  epoch: number,
  region: string,
  chainNext: number,
): Promise<string | undefined> {
  if (tx.releasedEpoch === epoch) return undefined; // an operator already decided in this epoch
  // A canary transaction holds no nonce and is never broadcast: nothing about it is ambiguous.
  if (isCanaryTransaction({ walletId: tx.walletId, canary: tx.request.canary })) return undefined;
  if (tx.nonce === undefined) {
    return tx.intakeEpoch === epoch && tx.intakeRegion === region
      ? undefined
      : `accepted by ${tx.intakeRegion} in epoch ${tx.intakeEpoch ?? 'unknown'}, not by ${region} in epoch ${epoch}: the accepting region may have signed it and its writes may not have replicated (MREC)`;
  }
  if (tx.nonceEpoch === epoch) return undefined; // assigned by this holder, after the move
  if (tx.nonce < chainNext) {
    return `its nonce ${tx.nonce} was assigned in epoch ${tx.nonceEpoch ?? '?'} and is below the chain's next nonce ${chainNext}: the chain already used that nonce${tx.txHash ? `; check whether ${tx.txHash} is the transaction mined there` : ''}`;
  }
  const reservation = await getReservation(ledger, tx.address, tx.nonce);
  if (reservation !== undefined && (reservation.txId !== tx.txId || (tx.digest && reservation.digest !== tx.digest))) {
    return `its nonce ${tx.nonce} is reserved for ${reservation.kind} ${reservation.txId} (digest ${reservation.digest}), not for this payload`;
  }
  return undefined;
}

/**
 * The first nonce in [from, chainNext) the chain used that this replica cannot attribute to a
 * request it knows (a reservation naming a transaction whose item and idempotency record are here,
 * or a void filler), or chainNext if all are attributed. Until every used nonce is attributed, a
 * key the client used in the old region may already have its transaction on chain, so the new
 * holder mints no new keys (lease.intakeOpenEpoch).
 */
async function firstUnattributed(ledger: Ledger, address: string, from: number, chainNext: number): Promise<number> {
  for (let n = from; n < chainNext; n++) {
    const reservation = await getReservation(ledger, address, n);
    if (reservation === undefined) return n;
    if (reservation.kind === 'void' || reservation.walletId === undefined) continue;
    const tx = await getTransaction(ledger, reservation.walletId, reservation.txId, true);
    if (tx === undefined) return n;
    if ((await getIdempotencyRecord(ledger, tx.walletId, tx.idempotencyKey)) === undefined) return n;
  }
  return chainNext;
}

export async function reconcileAfterFailover(options: ReconcileOptions): Promise<ReconcileReport> {
  const { ledger } = options;
  const address = options.address.toLowerCase();
  const store = { ddb: ledger.ddb, tableName: ledger.tableName };
  if (!options.confirmOldSignerStopped) {
    throw new ReconcileRefusedError(
      `refusing to reconcile ${address}: confirm first that the previous lease holder's signer is stopped ` +
        '(its SQS event source mapping disabled, or its region down), then pass confirmOldSignerStopped: true',
    );
  }
  if (options.reason.trim() === '' || options.actor.trim() === '') {
    throw new ReconcileRefusedError('reconcileAfterFailover: actor and reason are required for the audit record');
  }
  const lease = await readLease(store, address);
  if (lease === undefined || lease.activeRegion !== options.region) {
    throw new NotLeaseHolderError(
      `${options.region} does not hold the lease for ${address}${lease ? ` (held by ${lease.activeRegion} at epoch ${lease.epoch})` : ''}; move the lease before reconciling`,
      lease,
    );
  }
  const chainNext = await options.chain.pendingNonce(address);
  if (!Number.isSafeInteger(chainNext) || chainNext < 0) {
    throw new ReconcileRefusedError(
      `chain source ${options.chain.name} returned ${chainNext} for ${address}; a nonce is a whole number >= 0`,
    );
  }
  const at = (options.now ?? new Date()).toISOString();
  const kept: ReconciledTx[] = [];
  const quarantined: Array<ReconciledTx & { reason: string }> = [];
  for (const status of OPEN_TX_STATUSES) {
    for (const listed of await listTransactionsByStatus(ledger, address, status)) {
      // The index is eventually consistent: decide on a strongly consistent read of the item.
      const tx = await getTransaction(ledger, listed.walletId, listed.txId, true);
      if (tx === undefined || !OPEN_TX_STATUSES.includes(tx.status)) continue;
      const why = await ambiguity(ledger, tx, lease.epoch, options.region, chainNext);
      const summary = { walletId: tx.walletId, txId: tx.txId, status: tx.status, nonce: tx.nonce };
      if (why === undefined) {
        // Let the intake fence pass what this reconciliation examined and kept (docs/lease-and-nonce.md).
        if (tx.keptEpoch !== lease.epoch && !(await markKept(ledger, tx, lease.epoch))) {
          throw new LeaseConflictError(
            `transaction ${tx.txId} changed while reconciling (it was ${tx.status}); run reconciliation again`,
          );
        }
        kept.push(summary);
      } else if (await quarantineTransaction(ledger, tx, why, at)) {
        quarantined.push({ ...summary, reason: why });
        // A nonce allocated to it that it never recorded is now an orphan: release the allocation so
        // the gap detector sees the nonce as missing and fill-gap fills it (else it hides as "in
        // flight" forever and stalls the address; found by the torture harness). Quarantine fences
        // the transaction, so a stale delivery can no longer record that nonce.
        if (tx.nonce === undefined && lease.allocations[tx.txId] !== undefined) {
          await releaseNonceAllocation(store, address, tx.txId);
        }
      } else {
        throw new LeaseConflictError(
          `transaction ${tx.txId} changed while reconciling (it was ${tx.status}); run reconciliation again`,
        );
      }
    }
  }
  // An allocation of a transaction that is quarantined or cancelled is not in flight: nothing records
  // it any more (assignNonce needs queued or nonce-assigned). The release above may have been undone:
  // under MREC the lease item is one item, last writer wins, and a lease write in the other replica
  // (a move, a reconciliation) that was newer than our release brings the allocation back, hiding the
  // nonce from the gap detector as "in flight" forever (torture MREC schedule 1506: two failovers, the
  // second from the replica that had not seen the release). Release them again, every run.
  const staleAllocations: string[] = [];
  for (const status of ['quarantined', 'cancelled'] as const) {
    for (const listed of await listTransactionsByStatus(ledger, address, status)) {
      if (lease.allocations[listed.txId] === undefined || staleAllocations.includes(listed.txId)) continue;
      const tx = await getTransaction(ledger, listed.walletId, listed.txId, true);
      if (tx?.status !== status) continue;
      await releaseNonceAllocation(store, address, tx.txId);
      staleAllocations.push(tx.txId);
    }
  }
  const keptNonces = kept.flatMap((t) => (t.nonce === undefined ? [] : [t.nonce]));
  // A transaction already broadcast at a nonce the chain does not count yet waits behind a gap: it
  // holds its nonce, and every empty nonce below it is a gap to fill. Under MREC the lease item's
  // nextNonce can miss it: the old holder allocated it before it saw the move, and the new holder's
  // later lease write won (last writer wins per item), while its transaction and reservation items
  // replicated (torture MREC schedule 1137: nonce 1 orphaned, nonce 2 broadcast, nextNonce back at 1).
  const waitingNonces = (await listTransactionsByStatus(ledger, address, 'broadcast')).flatMap((t) =>
    t.nonce !== undefined && t.nonce >= chainNext ? [t.nonce] : [],
  );
  const nextNonce = Math.max(
    chainNext,
    lease.nextNonce,
    ...keptNonces.map((n) => n + 1),
    ...waitingNonces.map((n) => n + 1),
  );
  const held = new Set([...keptNonces, ...waitingNonces]);
  const gaps: number[] = [];
  for (let n = chainNext; n < nextNonce; n++) if (!held.has(n)) gaps.push(n);

  const attributedThrough = await firstUnattributed(ledger, address, lease.attributedThrough ?? 0, chainNext);
  const intakeOpen = attributedThrough >= chainNext;
  const alreadyReconciled = lease.reconciledEpoch === lease.epoch;
  if (
    !alreadyReconciled ||
    nextNonce !== lease.nextNonce ||
    (intakeOpen && lease.intakeOpenEpoch !== lease.epoch) ||
    attributedThrough !== (lease.attributedThrough ?? 0)
  ) {
    await markReconciled(store, {
      address,
      region: options.region,
      epoch: lease.epoch,
      seenNextNonce: lease.nextNonce,
      nextNonce,
      at,
      intakeOpen,
      attributedThrough,
    });
  }
  const auditKey = await putAudit(ledger, `lease#${address}`, at, `reconcile-epoch-${lease.epoch}`, {
    kind: 'nonce-reconciliation',
    address,
    region: options.region,
    epoch: lease.epoch,
    actor: options.actor,
    reason: options.reason,
    chainSource: options.chain.name,
    chainNextNonce: chainNext,
    ledgerNextNonceBefore: lease.nextNonce,
    nextNonce,
    intakeOpen,
    attributedThrough,
    kept: kept.map((t) => t.txId),
    quarantined: quarantined.map((t) => ({ txId: t.txId, reason: t.reason })),
    releasedStaleAllocations: staleAllocations,
    gaps,
  });
  return {
    address,
    region: options.region,
    epoch: lease.epoch,
    leaseMovedAt: lease.updatedAt,
    chainSource: options.chain.name,
    chainNextNonce: chainNext,
    ledgerNextNonceBefore: lease.nextNonce,
    nextNonce,
    alreadyReconciled,
    intakeOpen,
    firstUnattributedNonce: intakeOpen ? undefined : attributedThrough,
    kept,
    quarantined,
    gaps,
    auditKey,
  };
}

export type QuarantineResolution =
  /** Sign it (again) — at its own nonce if it has one, else a new nonce. Needs `enqueue`. */
  | { readonly kind: 'requeue'; readonly enqueue: (message: SigningMessage, attempt: string) => Promise<unknown> }
  /** Never sign it; tell the client. If it held a nonce, that nonce becomes a gap to fill. */
  | { readonly kind: 'cancel' }
  /** The operator found it on chain. */
  | { readonly kind: 'onchain'; readonly txHash: string };

export interface ResolveOptions {
  readonly ledger: Ledger;
  readonly walletId: string;
  readonly txId: string;
  readonly resolution: QuarantineResolution;
  readonly actor: string;
  /** What the operator checked (block explorer link, node answer). Goes into the audit item. */
  readonly evidence: string;
  readonly now?: Date;
}

/** The only way out of quarantined: an operator's decision, recorded in an audit item. */
export async function resolveQuarantined(
  options: ResolveOptions,
): Promise<{ status: TxStatus; auditKey: { pk: string; sk: string } }> {
  const { ledger, resolution } = options;
  if (options.evidence.trim() === '' || options.actor.trim() === '') {
    throw new Error('resolveQuarantined: actor and evidence are required for the audit record');
  }
  const tx = await getTransaction(ledger, options.walletId, options.txId, true);
  if (tx === undefined) throw new Error(`transaction ${options.txId} does not exist in wallet ${options.walletId}`);
  if (tx.status !== 'quarantined') {
    throw new Error(`transaction ${options.txId} is ${tx.status}, not quarantined; nothing to resolve`);
  }
  if (resolution.kind === 'onchain' && !/^0x[0-9a-fA-F]{64}$/.test(resolution.txHash)) {
    throw new Error(`txHash must be a 0x-prefixed 32-byte hash; received ${JSON.stringify(resolution.txHash)}`);
  }
  const lease = await readLease({ ddb: ledger.ddb, tableName: ledger.tableName }, tx.address);
  const epoch = lease?.epoch ?? 0;
  const at = (options.now ?? new Date()).toISOString();
  const to: TxStatus =
    resolution.kind === 'cancel'
      ? 'cancelled'
      : resolution.kind === 'onchain'
        ? 'broadcast'
        : tx.nonce === undefined
          ? 'queued'
          : 'nonce-assigned';
  const extra = resolution.kind === 'onchain' ? { onchainTxHash: resolution.txHash.toLowerCase() } : {};
  if (!(await releaseFromQuarantine(ledger, tx, to, epoch, at, extra))) {
    throw new Error(`transaction ${options.txId} left quarantine meanwhile; read it again`);
  }
  const auditKey = await putAudit(ledger, `tx#${tx.txId}`, at, `resolve-${resolution.kind}`, {
    kind: 'quarantine-resolution',
    walletId: tx.walletId,
    txId: tx.txId,
    resolution: resolution.kind,
    to,
    epoch,
    actor: options.actor,
    evidence: options.evidence,
    quarantineReason: tx.quarantineReason,
    ...extra,
  });
  if (resolution.kind === 'requeue') {
    await resolution.enqueue({ walletId: tx.walletId, txId: tx.txId }, `release-${epoch}-${Date.parse(at)}`);
  }
  return { status: to, auditKey };
}
