import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CANARY_SIGNING_NONCE, isCanaryTransaction } from '../../lib/contract/canary';
import {
  type DeployCheckRequest,
  type DeployCheckResponse,
  SIGNER_FAILURE_LOG_EVENT,
} from '../../lib/contract/deployment';
import { KMS_THROTTLE_LOG_EVENT } from '../../lib/contract/observability';
import { type Broadcaster, NonceTakenError, noopBroadcaster } from '../shared/chain';
import type { SignerEnv } from '../shared/env';
import { ReconciliationRequiredError, SigningKeyMismatchError } from '../shared/errors';
import type { KmsSigningKey, SigningKeyInfo } from '../shared/kms-signer';
import { type Lease, type LeaseStore, NotLeaseHolderError, requireLease } from '../../lib/failover/lease';
import { allocateNonce, releaseNonceAllocation } from '../../lib/failover/nonce';
import {
  assignNonce,
  getReservation,
  getTransaction,
  Ledger,
  markBroadcast,
  markCanarySigned,
  markSigned,
  quarantineTransaction,
  NonceReservation,
  recordVoidSignature,
  replaceCancelledReservation,
  reserveNonce,
  TransactionRecord,
} from '../shared/ledger';
import type { Logger } from '../shared/logger';
import type { SpendingGate } from '../shared/policy/gate';
import { buildEip1559, finishSignature, signingDigest, TxRequest } from '../shared/signing';
import type { BumpMessage } from '../../lib/contract/chain';
import { type BumpOutcome, type ChainFees, firstSigningRequest, processBump } from './bump';
import { deployCheckTxRequest } from './deploy-check';
import { approvalGate } from '../shared/approvals/rule';

/**
 * The signer: an SQS FIFO consumer (one message group per wallet) that signs queued transactions
 * with this region's KMS key, but only while this region holds the signer lease.
 *
 * Per transaction (docs/lease-and-nonce.md walks through every crash point):
 *   1. lease check: requireLease(address) — a standby refuses and the message goes back to the queue;
 *      under MREC, also refuse until the epoch's nonces are reconciled with the chain;
 *   2. read the transaction (strongly consistent); terminal or quarantined -> done;
 *   3. nonce: reuse the one on the transaction, else allocateNonce (fenced by the lease epoch,
 *      idempotent per txId) and record it on the transaction (`attribute_not_exists(nonce)`);
 *   4. reserve (address, nonce) for this exact payload (txId + digest, conditional put);
 *   5. KMS Sign (DIGEST, ECDSA_SHA_256, bounded retry on throttling), low-s, recovery id, serialize;
 *   6. store the signed transaction (only from nonce-assigned at that nonce: first writer wins);
 *   7. broadcast through the pluggable Broadcaster (no-op by default).
 */
export interface SignerDeps {
  readonly env: SignerEnv;
  readonly ledger: Ledger;
  readonly key: KmsSigningKey;
  readonly logger: Logger;
  /** @default noopBroadcaster */
  readonly broadcaster?: Broadcaster;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * The chain's fee market through the provider pool: needed for fee-bumped replacements (bump
   * messages from the chain watcher). @default - none: a bump message is retried and fails
   */
  readonly chainFees?: ChainFees;
  /**
   * Moves a message this region cannot sign (it does not hold the lease) to the lease holder's
   * signing queue, so nothing is stranded in a non-holder's queue or DLQ (issue 15, scenario 3).
   * @default - no forwarding: the message returns to this queue (and after the receive limit, its DLQ)
   */
  readonly forward?: (holderRegion: string, message: ForwardedMessage) => Promise<void>;
  /**
   * The spending policy (lambda/shared/policy/gate.ts), evaluated again before a nonce is taken and
   * KMS signs, with the policy in force then; the spend is committed to the velocity counter.
   * index.ts always sets it (from WALLET_SPENDING_POLICY).
   * @default - no policy check (library tests of the signing path only)
   */
  readonly spending?: SpendingGate;
}

/** A signing message moved to the lease holder's queue; `forwardedFrom` stops a second hop. */
export type ForwardedMessage =
  | { readonly walletId: string; readonly txId: string; readonly forwardedFrom: string }
  | (FillGapMessage & { readonly forwardedFrom: string })
  | (BumpMessage & { readonly forwardedFrom: string });

export type SigningOutcome =
  | 'signed'
  | 'already-signed'
  | 'broadcast'
  | 'skipped-terminal'
  | 'skipped-quarantined'
  | 'quarantined'
  | 'gap-filled'
  | 'forwarded'
  | 'canary-signed'
  | BumpOutcome;

/** A request to fill a nonce nobody holds with a 0-value self-transfer (runbook, after reconciliation). */
export interface FillGapMessage {
  readonly kind: 'fill-gap';
  readonly nonce: number;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
}

type Message = (
  { readonly kind: 'tx'; readonly walletId: string; readonly txId: string } | FillGapMessage | BumpMessage
) & {
  readonly forwardedFrom?: string;
};

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * The KMS retry hook: one warning per retried KMS call, with the error as Powertools serializes it.
 * The `kms-throttling` metric filter (lib/constructs/wallet-alarms.ts) matches this line by
 * `$.message` and `$.error.name`, both from lib/contract/observability.ts.
 */
export function logKmsRetry(logger: Logger): (attempt: number, delayMs: number, err: unknown) => void {
  return (attempt, delayMs, err) =>
    logger.warn(KMS_THROTTLE_LOG_EVENT.message, { attempt, delayMs, error: err as Error });
}

/** Parses a queue message body; throws with what was wrong (the message then ends in the DLQ). */
export function parseMessage(body: string): Message {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error(`signing message is not JSON; received ${body.slice(0, 80)}`);
  }
  const m = raw as Record<string, unknown>;
  if (m?.kind === 'fill-gap') {
    if (
      Number.isSafeInteger(m.nonce) &&
      (m.nonce as number) >= 0 &&
      typeof m.maxFeePerGas === 'string' &&
      DECIMAL.test(m.maxFeePerGas) &&
      typeof m.maxPriorityFeePerGas === 'string' &&
      DECIMAL.test(m.maxPriorityFeePerGas)
    ) {
      return {
        kind: 'fill-gap',
        nonce: m.nonce as number,
        maxFeePerGas: m.maxFeePerGas,
        maxPriorityFeePerGas: m.maxPriorityFeePerGas,
        ...(typeof m.forwardedFrom === 'string' ? { forwardedFrom: m.forwardedFrom } : {}),
      };
    }
    throw new Error(
      `fill-gap message needs nonce (whole number) and maxFeePerGas, maxPriorityFeePerGas (decimal strings); received ${body.slice(0, 200)}`,
    );
  }
  if (m?.kind === 'bump') {
    if (typeof m.walletId === 'string' && typeof m.txId === 'string' && typeof m.fromTxHash === 'string') {
      return {
        kind: 'bump',
        walletId: m.walletId,
        txId: m.txId,
        fromTxHash: m.fromTxHash,
        ...(typeof m.forwardedFrom === 'string' ? { forwardedFrom: m.forwardedFrom } : {}),
      };
    }
    throw new Error(`bump message needs walletId, txId and fromTxHash strings; received ${body.slice(0, 200)}`);
  }
  if (typeof m?.walletId === 'string' && typeof m?.txId === 'string') {
    return {
      kind: 'tx',
      walletId: m.walletId,
      txId: m.txId,
      ...(typeof m.forwardedFrom === 'string' ? { forwardedFrom: m.forwardedFrom } : {}),
    };
  }
  throw new Error(`signing message needs walletId and txId strings; received ${body.slice(0, 200)}`);
}

export function createSigner(deps: SignerDeps) {
  const { env, ledger, key, logger } = deps;
  const broadcaster = deps.broadcaster ?? noopBroadcaster;
  const now = deps.now ?? (() => new Date());
  const store: LeaseStore = { ddb: ledger.ddb, tableName: ledger.tableName };

  /** Step 1: this region must hold the lease (and, under MREC, have reconciled this epoch). */
  async function holdLease(): Promise<{ keyInfo: SigningKeyInfo; lease: Lease }> {
    const keyInfo = await key.publicKey();
    const lease = await requireLease(store, keyInfo.address, env.region);
    if (env.consistency === 'MREC' && lease.reconciledEpoch !== lease.epoch) {
      throw new ReconciliationRequiredError(
        `${env.region} holds the lease for ${keyInfo.address} at epoch ${lease.epoch}, but its nonces were last reconciled ` +
          `in epoch ${lease.reconciledEpoch ?? 'never'}; under MREC nothing is signed until reconcileAfterFailover runs ` +
          '(docs/runbooks/unplanned-failover-mrec.md)',
      );
    }
    return { keyInfo, lease };
  }

  function prepare(request: TxRequest, nonce: number | bigint) {
    const unsigned = buildEip1559(request, nonce);
    return { unsigned, digest: signingDigest(unsigned) };
  }

  async function kmsSign(prepared: ReturnType<typeof prepare>, keyInfo: SigningKeyInfo) {
    const der = await key.signDigest(prepared.digest);
    return finishSignature(prepared.unsigned, prepared.digest, der, keyInfo.publicKey);
  }

  function voidPayload(
    keyInfo: SigningKeyInfo,
    nonce: number,
    fees: { maxFeePerGas: string; maxPriorityFeePerGas: string },
  ) {
    return prepare(
      {
        to: keyInfo.address,
        value: '0',
        gasLimit: '21000',
        chainId: env.chainId,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      },
      nonce,
    );
  }

  /**
   * Fills `nonce` with a 0-value transfer to self, the ONLY payload ever signed at it: used when a
   * nonce was allocated but can never be used by its transaction (see the orphan case below) or an
   * operator asks for it. It finishes what an earlier attempt left: a void reservation whose
   * signature was never stored (KMS failed after the reservation was written) is signed with the
   * fees it records, whoever owns it; with `replaceCancelled`, the reservation of a CANCELLED
   * transaction is turned into the void (issue 15, scenario 4). What is stored is broadcast, even
   * when the write that stored it lost its reply.
   */
  async function voidNonce(
    keyInfo: SigningKeyInfo,
    lease: Lease,
    nonce: number,
    fees: { maxFeePerGas: string; maxPriorityFeePerGas: string },
    owner: string,
    options: { replaceCancelled?: boolean } = {},
  ): Promise<boolean> {
    let prepared = voidPayload(keyInfo, nonce, fees);
    let reservation: NonceReservation = {
      address: keyInfo.address,
      nonce,
      kind: 'void' as const,
      txId: owner,
      digest: prepared.digest,
      epoch: lease.epoch,
      region: env.region,
      reservedAt: now().toISOString(),
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    };
    const reserved = await reserveNonce(ledger, reservation);
    if (!reserved.reserved) {
      const existing = reserved.reservation;
      if (
        existing?.kind === 'void' &&
        existing.maxFeePerGas !== undefined &&
        existing.maxPriorityFeePerGas !== undefined
      ) {
        // An earlier void of this nonce (any owner): finish exactly that payload.
        prepared = voidPayload(keyInfo, nonce, {
          maxFeePerGas: existing.maxFeePerGas,
          maxPriorityFeePerGas: existing.maxPriorityFeePerGas,
        });
        if (prepared.digest !== existing.digest) {
          logger.error('void reservation does not match its recorded fees; not signing', { nonce, existing });
          return false;
        }
        reservation = existing;
      } else if (existing?.kind === 'tx' && options.replaceCancelled && (await isCancelled(existing))) {
        if (!(await replaceCancelledReservation(ledger, existing, { ...reservation, replaces: existing.txId }))) {
          throw new Error(`the reservation of nonce ${nonce} changed while replacing it; retrying`);
        }
        logger.warn('cancelled transaction reservation replaced by a void filler', { nonce, cancelled: existing.txId });
      } else {
        logger.error('nonce is already reserved; not voiding it', { nonce, existing });
        return false;
      }
    } else {
      reservation = reserved.reservation;
    }
    let stored: { raw: string; hash: string };
    if (reservation.signedRaw !== undefined) {
      stored = { raw: reservation.signedRaw, hash: reservation.txHash ?? '' };
    } else {
      const signed = await kmsSign(prepared, keyInfo);
      stored = await recordVoidSignature(ledger, reservation, signed);
    }
    if (broadcaster.enabled) {
      try {
        await broadcaster.broadcast(stored.raw as `0x${string}`, {
          address: keyInfo.address,
          nonce,
          txHash: stored.hash,
        });
      } catch (err) {
        if (!(err instanceof NonceTakenError)) throw err;
        // Another transaction fills the nonce on chain: the gap the void was for is not there.
        logger.warn('nonce to void is already used on chain; the void filler is not needed', {
          nonce,
          owner,
          heldBy: err.taken.heldByHash,
        });
        return true;
      }
    }
    logger.warn('nonce voided with a 0-value self-transfer', { nonce, owner, txHash: stored.hash });
    return true;
  }

  /** Whether a tx reservation's transaction was cancelled by an operator (never to be signed). */
  async function isCancelled(reservation: NonceReservation): Promise<boolean> {
    if (reservation.walletId === undefined) return false;
    const tx = await getTransaction(ledger, reservation.walletId, reservation.txId, true);
    return tx?.status === 'cancelled';
  }

  async function broadcastStored(tx: TransactionRecord, keyInfo: SigningKeyInfo): Promise<SigningOutcome> {
    if (!broadcaster.enabled || tx.signedRaw === undefined || tx.nonce === undefined || tx.txHash === undefined) {
      return 'already-signed';
    }
    // Broadcast only what the reservation of its nonce still names (guards late MREC arrivals).
    const reservation = await getReservation(ledger, keyInfo.address, tx.nonce);
    if (reservation?.txId !== tx.txId || reservation.digest !== tx.digest) {
      const reason = `its nonce ${tx.nonce} is reserved for ${reservation?.kind ?? 'nothing'} ${reservation?.txId ?? ''}; not broadcasting it`;
      await quarantineTransaction(ledger, tx, reason, now().toISOString());
      return 'quarantined';
    }
    try {
      await broadcaster.broadcast(tx.signedRaw as `0x${string}`, {
        address: keyInfo.address,
        nonce: tx.nonce,
        txHash: tx.txHash,
      });
    } catch (err) {
      if (!(err instanceof NonceTakenError)) throw err; // transient: the message is retried
      return quarantineNonceTaken(tx, err);
    }
    await markBroadcast(ledger, tx, now().toISOString());
    return 'broadcast';
  }

  /**
   * The chain refused a stored transaction because another transaction holds its nonce (found by the
   * torture harness, MREC): the old holder, before it was stopped, used a nonce after the lease move
   * that the new holder's replica and the chain's pending count could not show (it sat behind a gap
   * that the old holder left), so reconciliation handed the nonce out again. Retrying can never
   * succeed; leaving it `signed` hides a 202'd request forever. Quarantine it with the reason; it is
   * never re-signed at another nonce by the signer, because this signature stays valid at its nonce
   * and could still be mined if the other transaction is dropped (that would pay it twice).
   */
  async function quarantineNonceTaken(tx: TransactionRecord, err: NonceTakenError): Promise<SigningOutcome> {
    // The broadcaster names the holder only when a node reported it (lib/chain/broadcast.ts findNonceHolder).
    const known = err.taken.heldByHash;
    const holder = known ?? 'another transaction';
    const reason =
      `the chain refused ${tx.txHash} at nonce ${tx.nonce}: ${holder} holds that nonce` +
      (known !== undefined
        ? ` (reported by the chain: look it up with eth_getTransactionByHash ${known})`
        : ` (no provider could name it: look up nonce ${tx.nonce} of ${tx.address} on a block explorer)`) +
      ` (${err.message}). ` +
      'Under MREC an old lease holder can have used it before it was stopped, behind a gap the new holder could not see. ' +
      `Check the chain: if ${holder} is this same payload, resolve it onchain with that hash; otherwise, once ${holder} is mined, ` +
      'cancel this transaction (the client submits it again with a new Idempotency-Key); never re-sign it at another nonce ' +
      'while this signature can still be mined (docs/runbooks/unplanned-failover-mrec.md)';
    logger.error('nonce taken on chain by another transaction; quarantining', {
      walletId: tx.walletId,
      txId: tx.txId,
      nonce: tx.nonce,
      reason,
    });
    if (!(await quarantineTransaction(ledger, tx, reason, now().toISOString()))) {
      throw new Error(`transaction ${tx.txId} left signed while quarantining it (nonce taken on chain); retrying`);
    }
    return 'quarantined';
  }

  /**
   * A canary transaction (lib/contract/canary.ts): the lease was checked like for any transaction
   * (that is what the canary tests), but it is signed at CANARY_SIGNING_NONCE (2^64-1, invalid on
   * every EIP-2681 chain), so it takes no nonce from the counter, needs no reservation, and is
   * never broadcast.
   */
  async function signCanary(tx: TransactionRecord, keyInfo: SigningKeyInfo, lease: Lease): Promise<SigningOutcome> {
    if (tx.status !== 'queued') return 'skipped-terminal';
    const prepared = prepare(tx.request, CANARY_SIGNING_NONCE);
    const signed = await kmsSign(prepared, keyInfo);
    const stored = await markCanarySigned(
      ledger,
      tx,
      {
        nonce: CANARY_SIGNING_NONCE,
        digest: prepared.digest,
        raw: signed.raw,
        hash: signed.hash,
        epoch: lease.epoch,
        region: env.region,
      },
      now().toISOString(),
    );
    return stored ? 'canary-signed' : 'already-signed';
  }

  /**
   * The intake fence (MREC only; under MRSC every region reads the one linearizable ledger): a
   * transaction accepted under another epoch, or by a region that is not this holder, is signed
   * only if reconciliation kept it in this epoch or an operator released it in this epoch. Its
   * accepting region may have signed it from a replica this one has not seen (issue 15, scenario 1).
   * No wall-clock rule: epochs and regions only.
   */
  function intakeFence(tx: TransactionRecord, lease: Lease): string | undefined {
    if (env.consistency !== 'MREC') return undefined;
    if (tx.releasedEpoch === lease.epoch || tx.keptEpoch === lease.epoch) return undefined;
    if (tx.nonce !== undefined && tx.nonceEpoch === lease.epoch && tx.nonceRegion === env.region) return undefined;
    if (tx.nonce === undefined && tx.intakeEpoch === lease.epoch && tx.intakeRegion === env.region) return undefined;
    return (
      `accepted by ${tx.intakeRegion} in epoch ${tx.intakeEpoch ?? 'unknown'}${tx.nonce !== undefined ? ` with nonce ${tx.nonce} from epoch ${tx.nonceEpoch ?? '?'}` : ''}, ` +
      `but ${env.region} holds epoch ${lease.epoch}: under MREC the accepting region may have signed it from a replica this one has not seen; ` +
      'an operator must check the chain and resolve it (docs/runbooks/unplanned-failover-mrec.md)'
    );
  }

  async function processTransaction(walletId: string, txId: string): Promise<SigningOutcome> {
    const { keyInfo, lease } = await holdLease();
    const tx = await getTransaction(ledger, walletId, txId, true);
    if (tx === undefined) {
      throw new Error(
        `transaction ${txId} of wallet ${walletId} is not in the ledger (replication lag, or a bad message); retrying`,
      );
    }
    const log = { walletId, txId, status: tx.status, epoch: lease.epoch };
    // Broadcast already (and later: mined, confirmed, stuck at the fee cap; the chain watcher and the
    // bump path own those), or cancelled: nothing for this message to do.
    if (
      tx.status === 'broadcast' ||
      tx.status === 'mined' ||
      tx.status === 'confirmed' ||
      tx.status === 'stuck' ||
      tx.status === 'cancelled'
    )
      return 'skipped-terminal';
    // Not approved (yet, or ever): nothing to sign; an approval queues it again (lambda/shared/approvals).
    if (tx.status === 'pending-approval' || tx.status === 'rejected' || tx.status === 'expired')
      return 'skipped-terminal';
    if (tx.status === 'quarantined') {
      logger.warn('transaction is quarantined; an operator must resolve it', { ...log, why: tx.quarantineReason });
      return 'skipped-quarantined';
    }
    if (tx.address !== keyInfo.address) {
      throw new SigningKeyMismatchError(
        `transaction ${txId} is for address ${tx.address}, but this region's signing key ${key.keyArn} is ${keyInfo.address}; ` +
          'check WALLET_SIGNING_KEY_ARN and the wallet record',
      );
    }
    const orphan = lease.allocations[txId];
    if (orphan !== undefined && tx.nonce !== undefined && orphan !== tx.nonce) {
      // An earlier attempt was voiding the orphan nonce `orphan` (allocated while another delivery
      // recorded `tx.nonce`) and failed (KMS, a crash) before releasing the allocation: finish that
      // void first, whatever state the transaction is in, or the orphan is a gap nothing fills.
      logger.warn('finishing the void of an orphaned nonce left by an earlier attempt', { ...log, orphan });
      await voidNonce(keyInfo, lease, orphan, tx.request, `orphan-of-${txId}`);
      await releaseNonceAllocation(store, keyInfo.address, txId);
    }
    if (isCanaryTransaction({ walletId: tx.walletId, canary: tx.request.canary }))
      return signCanary(tx, keyInfo, lease);
    if (tx.status === 'signed') return broadcastStored(tx, keyInfo);
    const fenced = intakeFence(tx, lease);
    if (fenced !== undefined) {
      logger.error('intake fence: not signing what another epoch or region accepted', { ...log, reason: fenced });
      await quarantineTransaction(ledger, tx, fenced, now().toISOString());
      return 'quarantined';
    }

    // The approval gate (docs/runbooks/approvals.md): the last check on the strongly consistent read
    // this signature is made from, placed before the nonce so a refused request holds no nonce.
    const unapproved = approvalGate(tx);
    if (unapproved !== undefined) {
      logger.error('approval gate: not signing', { ...log, reason: unapproved });
      await quarantineTransaction(ledger, tx, unapproved, now().toISOString());
      return 'quarantined';
    }

    // The spending policy in force now: the last decision before a nonce is taken and KMS signs
    // (a refusal burns no nonce). A refusal quarantines with the rule and limit; it is never signed.
    if (deps.spending !== undefined && (tx.status === 'queued' || tx.status === 'nonce-assigned')) {
      const verdict = await deps.spending.beforeSigning({ walletId, address: tx.address, txId, request: tx.request });
      if (!verdict.sign) {
        logger.error('spending policy: not signing', { ...log, reason: verdict.reason });
        if (!(await quarantineTransaction(ledger, tx, verdict.reason, now().toISOString()))) {
          throw new Error(`transaction ${txId} changed while quarantining it (spending policy); retrying`);
        }
        return 'quarantined';
      }
    }

    // Step 3: one nonce per transaction, ever.
    let nonce = tx.nonce;
    let current: TransactionRecord = tx;
    if (nonce === undefined) {
      const allocated = await allocateNonce(store, keyInfo.address, env.region, lease.epoch, txId);
      const outcome = await assignNonce(ledger, tx, allocated, lease.epoch, env.region, now().toISOString());
      if (outcome.assigned) {
        nonce = allocated;
        current = { ...tx, status: 'nonce-assigned', nonce, nonceEpoch: lease.epoch, nonceRegion: env.region };
      } else if (outcome.nonce !== undefined) {
        // A concurrent delivery of the same message recorded another nonce first. Ours is now an
        // orphan that no transaction will use: void it so the chain does not stall on a gap.
        nonce = outcome.nonce;
        current = outcome.existing;
        logger.warn('nonce orphaned by a concurrent delivery; voiding it', { ...log, orphan: allocated, nonce });
        await voidNonce(keyInfo, lease, allocated, tx.request, `orphan-of-${txId}`);
      } else {
        logger.warn('transaction left queued meanwhile; not assigning a nonce', {
          ...log,
          now: outcome.existing?.status,
        });
        return outcome.existing?.status === 'quarantined' ? 'skipped-quarantined' : 'skipped-terminal';
      }
      await releaseNonceAllocation(store, keyInfo.address, txId);
    } else if (lease.allocations[txId] !== undefined) {
      // A previous attempt recorded the nonce on the transaction and crashed before releasing.
      await releaseNonceAllocation(store, keyInfo.address, txId);
    }
    if (current.status === 'signed') return broadcastStored(current, keyInfo);
    if (current.status !== 'nonce-assigned') return 'skipped-terminal';

    // Step 4: pin this payload (and, with a fee market, the fees chosen for it) to the nonce.
    const signing = await firstSigningRequest(deps.chainFees, ledger, current, keyInfo.address, nonce);
    const prepared = prepare(signing.request, nonce);
    const reserved = await reserveNonce(ledger, {
      address: keyInfo.address,
      nonce,
      kind: 'tx',
      txId,
      walletId,
      digest: prepared.digest,
      epoch: lease.epoch,
      region: env.region,
      reservedAt: now().toISOString(),
      ...signing.fees,
    });
    if (!reserved.reserved) {
      const other = reserved.reservation;
      const reason = `nonce ${nonce} is reserved for ${other?.kind ?? '?'} ${other?.txId ?? '?'} with digest ${other?.digest ?? '?'}, not for this payload (${prepared.digest}); never signing two payloads at one nonce`;
      logger.error('nonce reservation conflict; quarantining', { ...log, nonce, reason });
      await quarantineTransaction(ledger, current, reason, now().toISOString());
      return 'quarantined';
    }

    // Steps 5-6: sign and store; the first stored signature wins.
    const signed = await kmsSign(prepared, keyInfo);
    const stored = await markSigned(
      ledger,
      current,
      {
        nonce,
        digest: prepared.digest,
        raw: signed.raw,
        hash: signed.hash,
        epoch: lease.epoch,
        region: env.region,
        ...signing.fees,
      },
      now().toISOString(),
    );
    if (!stored) {
      // Another delivery stored ITS signature of this same payload (markSigned tells our own lost
      // reply apart by its token). Broadcast what is stored: that delivery may have crashed before
      // broadcasting, and this message is about to be deleted.
      logger.info('another delivery stored its signature first; ours is discarded', { ...log, nonce });
      const latest = await getTransaction(ledger, walletId, txId, true);
      return latest?.status === 'signed' ? broadcastStored(latest, keyInfo) : 'already-signed';
    }
    logger.info('transaction signed', { ...log, nonce, txHash: signed.hash });
    if (broadcaster.enabled) {
      const latest = await getTransaction(ledger, walletId, txId, true);
      if (latest !== undefined) return broadcastStored(latest, keyInfo);
    }
    return 'signed';
  }

  async function processFillGap(message: FillGapMessage): Promise<SigningOutcome> {
    const { keyInfo, lease } = await holdLease();
    if (message.nonce >= lease.nextNonce) {
      throw new Error(
        `fill-gap nonce ${message.nonce} was never allocated (next nonce is ${lease.nextNonce}); only allocated gaps can be filled`,
      );
    }
    const done = await voidNonce(keyInfo, lease, message.nonce, message, `gap-${message.nonce}`, {
      replaceCancelled: true,
    });
    if (!done) {
      throw new Error(
        `nonce ${message.nonce} is reserved for a transaction that is not cancelled; it is not a gap (list gaps with findNonceGaps)`,
      );
    }
    return 'gap-filled';
  }

  async function processMessage(body: string): Promise<SigningOutcome> {
    const message = parseMessage(body);
    try {
      if (message.kind === 'bump') {
        return await processBump(
          { ledger, logger, broadcaster, now, chainFees: deps.chainFees, holdLease, prepare, kmsSign },
          message,
        );
      }
      return message.kind === 'fill-gap'
        ? await processFillGap(message)
        : await processTransaction(message.walletId, message.txId);
    } catch (err) {
      // Not the holder: hand the message to the region that holds the lease (once; a message that
      // was already forwarded stays here, is retried, and the hand-off sweep picks it up).
      const holder = err instanceof NotLeaseHolderError ? err.lease?.activeRegion : undefined;
      if (deps.forward === undefined || holder === undefined || holder === env.region || message.forwardedFrom) {
        throw err;
      }
      const { kind, ...rest } = message;
      await deps.forward(
        holder,
        kind === 'tx'
          ? ({ ...rest, forwardedFrom: env.region } as never)
          : ({ kind, ...rest, forwardedFrom: env.region } as never),
      );
      logger.info('not the lease holder; message moved to the holder', { holder, message: rest });
      return 'forwarded';
    }
  }

  /**
   * The Lambda handler. FIFO rule for partial batch responses: after the first failure, every
   * later message of the batch is reported failed too (unprocessed), so order within a message
   * group is kept. Failed messages return to the queue after the visibility timeout; nothing is
   * deleted that was not done.
   */
  async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    let failedAt: SQSRecord | undefined;
    for (const record of event.Records) {
      if (failedAt !== undefined) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const outcome = await processMessage(record.body);
        logger.info('message processed', { messageId: record.messageId, outcome });
      } catch (err) {
        failedAt = record;
        batchItemFailures.push({ itemIdentifier: record.messageId });
        if (err instanceof NotLeaseHolderError) {
          logger.info('not the lease holder; leaving the message on the queue', {
            messageId: record.messageId,
            reason: err.message,
          });
        } else if (err instanceof ReconciliationRequiredError) {
          logger.error('reconciliation required before signing', { messageId: record.messageId, reason: err.message });
        } else {
          // The deploy alarm `signer-failures` counts this line per version (lib/contract/deployment.ts).
          logger.error(SIGNER_FAILURE_LOG_EVENT.message, {
            messageId: record.messageId,
            error: err as Error,
          });
        }
      }
    }
    return { batchItemFailures };
  }

  /**
   * The deploy check (lambda/signer/deploy-check.ts): the canary signing path (prepare at
   * CANARY_SIGNING_NONCE, KMS Sign, finishSignature) without the ledger or the lease.
   */
  async function deployCheck(request: DeployCheckRequest, version: string): Promise<DeployCheckResponse> {
    const keyInfo = await key.publicKey();
    const prepared = prepare(deployCheckTxRequest(env.chainId, request.challenge), CANARY_SIGNING_NONCE);
    const signed = await kmsSign(prepared, keyInfo);
    logger.info('deploy check signed', { version, txHash: signed.hash });
    return { kind: request.kind, raw: signed.raw, address: keyInfo.address, chainId: env.chainId, version };
  }

  return { handler, processMessage, deployCheck };
}
