import type { Hex } from 'viem';
import { type ChainFees, firstFees, replacementFees } from '../../lib/chain/fees';
import { CHAIN_LOG_EVENTS, type BumpMessage } from '../../lib/contract/chain';
import type { Lease } from '../../lib/failover/lease';
import { type Broadcaster, NonceTakenError } from '../shared/chain';
import type { SigningKeyInfo } from '../shared/kms-signer';
import { getReservation, getTransaction, type Ledger, type TransactionRecord } from '../shared/ledger';
import { markStuck, pendingPin, pinVariant, recordVariant, variantsOf } from '../shared/ledger-variants';
import type { Logger } from '../shared/logger';
import type { TxRequest } from '../shared/signing';

export type { ChainFees } from '../../lib/chain/fees';

export type BumpOutcome = 'replaced' | 'stuck' | 'bump-not-needed' | 'bump-rebroadcast';

/** What the bump path needs from the signer (lambda/signer/handler.ts hands in its own steps). */
export interface BumpContext {
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly broadcaster: Broadcaster;
  readonly now: () => Date;
  readonly chainFees?: ChainFees;
  holdLease(): Promise<{ keyInfo: SigningKeyInfo; lease: Lease }>;
  prepare(request: TxRequest, nonce: number): { unsigned: unknown; digest: Hex };
  kmsSign(prepared: { unsigned: unknown; digest: Hex }, keyInfo: SigningKeyInfo): Promise<{ raw: Hex; hash: Hex }>;
}

/** The request with another variant's fees: the same intent (to, value, data, gasLimit, chainId). */
function withFees(request: TxRequest, fees: { maxFeePerGas: string; maxPriorityFeePerGas: string }): TxRequest {
  return { ...request, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
}

/**
 * A bump request from the chain watcher: the transaction was not mined within the chain's
 * resubmit interval. The signer (the only holder of the key) re-signs the same nonce and intent at
 * fees raised by at least the replacement minimum (lib/chain/fees.ts), or, when the cap forbids
 * it, reports the transaction stuck and signs nothing. Idempotent: a bump of a variant that is no
 * longer the latest is done (the latest is broadcast again, harmless "already known").
 */
export async function processBump(ctx: BumpContext, message: BumpMessage): Promise<BumpOutcome> {
  const { ledger, logger } = ctx;
  const { keyInfo, lease } = await ctx.holdLease();
  const tx = await getTransaction(ledger, message.walletId, message.txId, true);
  if (tx === undefined) throw new Error(`bump of ${message.txId}: the transaction is not in the ledger; retrying`);
  const log = { walletId: tx.walletId, txId: tx.txId, nonce: tx.nonce, epoch: lease.epoch, from: message.fromTxHash };
  if (tx.status !== 'broadcast') {
    logger.info('bump not needed: the transaction is no longer waiting to be mined', { ...log, status: tx.status });
    return 'bump-not-needed';
  }
  if (tx.txHash !== message.fromTxHash) {
    await rebroadcast(ctx, tx, keyInfo);
    logger.info('bump already done: a later variant is the latest; broadcast it again', { ...log, latest: tx.txHash });
    return 'bump-rebroadcast';
  }
  if (tx.address !== keyInfo.address || tx.nonce === undefined || tx.digest === undefined) {
    throw new Error(`bump of ${tx.txId}: it is not a signed transaction of ${keyInfo.address} at a nonce`);
  }
  if (ctx.chainFees === undefined) {
    throw new Error('bump requested but this signer has no chain providers configured (chain.providers); retrying');
  }
  const variants = variantsOf(tx);
  const latest = variants[variants.length - 1];
  if (latest === undefined) throw new Error(`bump of ${tx.txId}: no signed variant recorded`);

  // An earlier attempt may have pinned the next variant and crashed before storing its signature.
  let pinned = await pendingPin(ledger, tx);
  if (pinned === undefined || pinned.index !== latest.index + 1) {
    const decision = replacementFees(
      { maxFeePerGas: BigInt(latest.maxFeePerGas), maxPriorityFeePerGas: BigInt(latest.maxPriorityFeePerGas) },
      await ctx.chainFees.feeHistory(),
      ctx.chainFees.policy,
      // The client's maxFeePerGas is its ceiling for every variant, as for the first. Its priority fee
      // caps only the first tip: a replacement must raise the tip by the bump, or no node takes it.
      { maxFeePerGas: BigInt(tx.request.maxFeePerGas) },
    );
    if (decision.kind === 'stuck') {
      const at = ctx.now().toISOString();
      if (!(await markStuck(ledger, tx, message.fromTxHash, decision.reason, at))) {
        throw new Error(`bump of ${tx.txId}: it changed while marking it stuck; retrying`);
      }
      logger.error(CHAIN_LOG_EVENTS.stuck, { ...log, reason: decision.reason, cap: decision.cap.toString() });
      return 'stuck';
    }
    const fees = {
      maxFeePerGas: decision.fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: decision.fees.maxPriorityFeePerGas.toString(),
    };
    const prepared = ctx.prepare(withFees(tx.request, fees), tx.nonce);
    // tx.digest is the latest variant's (recordVariant moves it with txHash), checked defined above.
    const outcome = await pinVariant(ledger, tx, tx.digest, {
      index: latest.index + 1,
      digest: prepared.digest,
      ...fees,
    });
    if (!outcome.pinned) {
      throw new Error(
        `bump of ${tx.txId}: the reservation of nonce ${tx.nonce} names ${outcome.reservation?.txId ?? 'nothing'} ` +
          `with digest ${outcome.reservation?.digest ?? '?'}, not this transaction's ${tx.digest}; not signing`,
      );
    }
    pinned = outcome.variant;
  }
  const prepared = ctx.prepare(withFees(tx.request, pinned), tx.nonce);
  if (prepared.digest !== pinned.digest) {
    throw new Error(`bump of ${tx.txId}: the pinned variant's fees do not rebuild its digest; not signing`);
  }
  const signed = await ctx.kmsSign(prepared, keyInfo);
  const at = ctx.now().toISOString();
  const stored = await recordVariant(
    ledger,
    tx,
    message.fromTxHash,
    {
      index: pinned.index,
      txHash: signed.hash,
      signedRaw: signed.raw,
      digest: pinned.digest,
      maxFeePerGas: pinned.maxFeePerGas,
      maxPriorityFeePerGas: pinned.maxPriorityFeePerGas,
      signedAt: at,
    },
    at,
  );
  if (!stored) {
    // Mined, bumped by another delivery, or quarantined meanwhile: ours is discarded, never broadcast.
    logger.info('variant not stored: the transaction moved on meanwhile', log);
    return 'bump-not-needed';
  }
  logger.info(CHAIN_LOG_EVENTS.replaced, {
    ...log,
    txHash: signed.hash,
    variant: pinned.index,
    maxFeePerGas: pinned.maxFeePerGas,
    maxPriorityFeePerGas: pinned.maxPriorityFeePerGas,
  });
  const latestTx = await getTransaction(ledger, tx.walletId, tx.txId, true);
  if (latestTx !== undefined) await rebroadcast(ctx, latestTx, keyInfo);
  return 'replaced';
}

/** Broadcasts the latest stored variant; "nonce taken" means an earlier variant was mined (the watcher records it). */
async function rebroadcast(ctx: BumpContext, tx: TransactionRecord, keyInfo: SigningKeyInfo): Promise<void> {
  if (!ctx.broadcaster.enabled || tx.signedRaw === undefined || tx.txHash === undefined || tx.nonce === undefined)
    return;
  try {
    await ctx.broadcaster.broadcast(tx.signedRaw as Hex, {
      address: keyInfo.address,
      nonce: tx.nonce,
      txHash: tx.txHash,
    });
  } catch (err) {
    if (!(err instanceof NonceTakenError)) throw err;
    ctx.logger.warn('the nonce is taken on chain (an earlier variant mined?); the watcher records which', {
      txId: tx.txId,
      nonce: tx.nonce,
      heldBy: err.taken.heldByHash,
    });
  }
}

/**
 * The request the first signature signs. Without a fee market (no chain providers): the request's
 * own fees, as always. With one: fees from `eth_feeHistory` (lib/chain/fees.ts firstFees), never
 * above the request's maxFeePerGas / maxPriorityFeePerGas (the client's ceiling) or the chain cap.
 * A redelivery reuses the fees already pinned on this transaction's reservation, so it rebuilds
 * exactly the payload the first attempt pinned (a re-estimate would be another payload at the nonce).
 */
export async function firstSigningRequest(
  chainFees: ChainFees | undefined,
  ledger: Ledger,
  tx: TransactionRecord,
  address: string,
  nonce: number,
): Promise<{ request: TxRequest; fees: { maxFeePerGas?: string; maxPriorityFeePerGas?: string } }> {
  if (chainFees === undefined) return { request: tx.request, fees: {} };
  const existing = await getReservation(ledger, address, nonce);
  if (
    existing?.kind === 'tx' &&
    existing.txId === tx.txId &&
    existing.maxFeePerGas !== undefined &&
    existing.maxPriorityFeePerGas !== undefined
  ) {
    const fees = { maxFeePerGas: existing.maxFeePerGas, maxPriorityFeePerGas: existing.maxPriorityFeePerGas };
    return { request: withFees(tx.request, fees), fees };
  }
  const first = firstFees(await chainFees.feeHistory(), chainFees.policy, {
    maxFeePerGas: BigInt(tx.request.maxFeePerGas),
    maxPriorityFeePerGas: BigInt(tx.request.maxPriorityFeePerGas),
  });
  const fees = {
    maxFeePerGas: first.fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: first.fees.maxPriorityFeePerGas.toString(),
  };
  return { request: withFees(tx.request, fees), fees };
}
