import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CANARY_SIGNING_NONCE, isCanaryTransaction } from '../../lib/contract/canary';
import { KMS_THROTTLE_LOG_EVENT } from '../../lib/contract/observability';
import { type Broadcaster, noopBroadcaster } from '../shared/chain';
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
  recordVoidSignature,
  reserveNonce,
  TransactionRecord,
} from '../shared/ledger';
import type { Logger } from '../shared/logger';
import { buildEip1559, finishSignature, signingDigest, TxRequest } from '../shared/signing';

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
}

export type SigningOutcome =
  | 'signed'
  | 'already-signed'
  | 'broadcast'
  | 'skipped-terminal'
  | 'skipped-quarantined'
  | 'quarantined'
  | 'gap-filled'
  | 'canary-signed';

/** A request to fill a nonce nobody holds with a 0-value self-transfer (runbook, after reconciliation). */
export interface FillGapMessage {
  readonly kind: 'fill-gap';
  readonly nonce: number;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
}

type Message = { readonly kind: 'tx'; readonly walletId: string; readonly txId: string } | FillGapMessage;

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
      return m as unknown as FillGapMessage;
    }
    throw new Error(
      `fill-gap message needs nonce (whole number) and maxFeePerGas, maxPriorityFeePerGas (decimal strings); received ${body.slice(0, 200)}`,
    );
  }
  if (typeof m?.walletId === 'string' && typeof m?.txId === 'string') {
    return { kind: 'tx', walletId: m.walletId, txId: m.txId };
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

  /**
   * Fills `nonce` with a 0-value transfer to self, the ONLY payload ever signed at it: used when a
   * nonce was allocated but can never be used by its transaction (see the orphan case below) or an
   * operator asks for it after reconciliation.
   */
  async function voidNonce(
    keyInfo: SigningKeyInfo,
    lease: Lease,
    nonce: number,
    fees: { maxFeePerGas: string; maxPriorityFeePerGas: string },
    owner: string,
  ): Promise<boolean> {
    const prepared = prepare(
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
    const reservation = {
      address: keyInfo.address,
      nonce,
      kind: 'void' as const,
      txId: owner,
      digest: prepared.digest,
      epoch: lease.epoch,
      region: env.region,
      reservedAt: now().toISOString(),
    };
    const reserved = await reserveNonce(ledger, reservation);
    if (!reserved.reserved) {
      logger.error('nonce is already reserved; not voiding it', { nonce, existing: reserved.reservation });
      return false;
    }
    if (reserved.reservation.signedRaw !== undefined) return true;
    const signed = await kmsSign(prepared, keyInfo);
    try {
      await recordVoidSignature(ledger, reservation, signed);
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      return true; // a concurrent run stored it first
    }
    if (broadcaster.enabled) {
      await broadcaster.broadcast(signed.raw, { address: keyInfo.address, nonce, txHash: signed.hash });
    }
    logger.warn('nonce voided with a 0-value self-transfer', { nonce, owner, txHash: signed.hash });
    return true;
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
    await broadcaster.broadcast(tx.signedRaw as `0x${string}`, {
      address: keyInfo.address,
      nonce: tx.nonce,
      txHash: tx.txHash,
    });
    await markBroadcast(ledger, tx, now().toISOString());
    return 'broadcast';
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

  async function processTransaction(walletId: string, txId: string): Promise<SigningOutcome> {
    const { keyInfo, lease } = await holdLease();
    const tx = await getTransaction(ledger, walletId, txId, true);
    if (tx === undefined) {
      throw new Error(
        `transaction ${txId} of wallet ${walletId} is not in the ledger (replication lag, or a bad message); retrying`,
      );
    }
    const log = { walletId, txId, status: tx.status, epoch: lease.epoch };
    if (tx.status === 'broadcast' || tx.status === 'cancelled') return 'skipped-terminal';
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
    if (isCanaryTransaction({ walletId: tx.walletId, canary: tx.request.canary }))
      return signCanary(tx, keyInfo, lease);
    if (tx.status === 'signed') return broadcastStored(tx, keyInfo);

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

    // Step 4: pin this payload to the nonce.
    const prepared = prepare(current.request, nonce);
    const reserved = await reserveNonce(ledger, {
      address: keyInfo.address,
      nonce,
      kind: 'tx',
      txId,
      digest: prepared.digest,
      epoch: lease.epoch,
      region: env.region,
      reservedAt: now().toISOString(),
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
      },
      now().toISOString(),
    );
    if (!stored) {
      logger.info('another delivery stored its signature first; ours is discarded', { ...log, nonce });
      return 'already-signed';
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
    const done = await voidNonce(keyInfo, lease, message.nonce, message, `gap-${message.nonce}`);
    if (!done) throw new Error(`nonce ${message.nonce} is already reserved; it is not a gap`);
    return 'gap-filled';
  }

  async function processMessage(body: string): Promise<SigningOutcome> {
    const message = parseMessage(body);
    return message.kind === 'fill-gap' ? processFillGap(message) : processTransaction(message.walletId, message.txId);
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
          logger.error('signing failed; the message will be retried', {
            messageId: record.messageId,
            error: err as Error,
          });
        }
      }
    }
    return { batchItemFailures };
  }

  return { handler, processMessage };
}
