import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys, txStatusPartition } from '../../lib/contract/ledger';
import { getReservation, getTransaction, type Ledger, type NonceReservation, type TransactionRecord } from './ledger';

/**
 * The ledger writes of a fee-bumped replacement (issue 16): the same nonce and the same intent
 * (to, value, data, gasLimit, chainId), new fees, a new signature. Each write is a single-item
 * conditional write that is right when its reply is lost and the SDK retries (write tokens, as
 * `markSigned` does), and the order keeps the one-payload-per-nonce rule:
 *
 *   1. pinVariant: the nonce's reservation moves from the previous variant's digest to the new one
 *      and records the new fees, BEFORE KMS is called (a redelivery re-signs exactly this payload);
 *   2. KMS Sign;
 *   3. recordVariant: the transaction keeps every variant and the latest becomes its txHash/raw;
 *   4. broadcast.
 *
 * Both variants can sit in mempools at once, but only one can ever be mined (one nonce), and both
 * pay the same intent: never twice.
 */
export interface TxVariant {
  readonly index: number;
  readonly txHash: string;
  readonly signedRaw: string;
  /** The signing digest (every stored variant has it; a first signature from before digests were kept may not). */
  readonly digest?: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  readonly signedAt: string;
}

/** The fees of the variant a reservation is pinned to (absent: the request's own fees). */
export interface PinnedVariant {
  readonly index: number;
  readonly digest: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
}

const isConditionFailure = (err: unknown): boolean => err instanceof ConditionalCheckFailedException;

async function send(ledger: Ledger, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
  try {
    await ledger.ddb.send(new UpdateCommand(input));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * The variants a transaction has, the first one (its original signature) included, oldest first
 * (by index): its stored `variants` once a replacement was signed, else the one signature it holds
 * (txHash, signedRaw), with the fees it was signed at. The ONE reading of a transaction's variants:
 * the signer's bump path, the chain watcher (ledger-chain.ts trackedView), the API's chain view and
 * wallet-ops bump all call it.
 */
export function variantsOf(tx: TransactionRecord): TxVariant[] {
  const stored = (tx as TransactionRecord & { variants?: readonly TxVariant[] }).variants;
  if (stored !== undefined && stored.length > 0) return [...stored].sort((a, b) => a.index - b.index);
  if (tx.txHash === undefined || tx.signedRaw === undefined) return [];
  return [
    {
      index: 0,
      txHash: tx.txHash,
      signedRaw: tx.signedRaw,
      ...(tx.digest !== undefined ? { digest: tx.digest } : {}),
      maxFeePerGas: tx.signedMaxFeePerGas ?? tx.request.maxFeePerGas,
      maxPriorityFeePerGas: tx.signedMaxPriorityFeePerGas ?? tx.request.maxPriorityFeePerGas,
      signedAt: tx.signedAt ?? tx.updatedAt,
    },
  ];
}

export type PinOutcome =
  | { readonly pinned: true; readonly variant: PinnedVariant }
  /** The reservation names another transaction or payload: never sign (the caller quarantines). */
  | { readonly pinned: false; readonly reservation: NonceReservation | undefined };

/**
 * Step 1: moves the reservation of (address, nonce) from `fromDigest` to the new variant, only if
 * it still belongs to this transaction and names `fromDigest`. An earlier attempt that pinned the
 * same variant index (its reply lost, or it crashed before signing) is recognised and its fees are
 * returned, so the redelivery signs exactly that payload.
 */
export async function pinVariant(
  ledger: Ledger,
  tx: TransactionRecord,
  fromDigest: string,
  variant: PinnedVariant,
): Promise<PinOutcome> {
  if (tx.nonce === undefined) throw new Error(`transaction ${tx.txId} has no nonce; nothing to replace`);
  const applied = await send(ledger, {
    TableName: ledger.tableName,
    Key: ledgerKeys.nonceReservation(tx.address, tx.nonce),
    UpdateExpression: 'SET digest = :new, pinnedVariant = :v',
    ConditionExpression: 'txId = :tx AND kind = :kind AND digest = :from',
    ExpressionAttributeValues: {
      ':new': variant.digest,
      ':v': variant,
      ':tx': tx.txId,
      ':kind': 'tx',
      ':from': fromDigest,
    },
  });
  if (applied) return { pinned: true, variant };
  const now = await getReservation(ledger, tx.address, tx.nonce);
  const pinned = (now as (NonceReservation & { pinnedVariant?: PinnedVariant }) | undefined)?.pinnedVariant;
  if (
    now?.txId === tx.txId &&
    now.kind === 'tx' &&
    pinned !== undefined &&
    pinned.index === variant.index &&
    now.digest === pinned.digest
  ) {
    return { pinned: true, variant: pinned };
  }
  return { pinned: false, reservation: now };
}

/** The variant a reservation is pinned to but whose signature the transaction does not hold yet. */
export async function pendingPin(ledger: Ledger, tx: TransactionRecord): Promise<PinnedVariant | undefined> {
  if (tx.nonce === undefined) return undefined;
  const r = (await getReservation(ledger, tx.address, tx.nonce)) as
    (NonceReservation & { pinnedVariant?: PinnedVariant }) | undefined;
  if (r?.txId !== tx.txId || r.pinnedVariant === undefined || r.digest !== r.pinnedVariant.digest) return undefined;
  return r.digest === tx.digest ? undefined : r.pinnedVariant;
}

/**
 * Step 3: the transaction gains the variant and names it as its latest signature, only while it is
 * still `broadcast` at `fromTxHash` (a concurrent bump, a mined receipt or a quarantine wins).
 * Returns true when this call's write (or its own lost-reply write) applied.
 */
export async function recordVariant(
  ledger: Ledger,
  tx: TransactionRecord,
  fromTxHash: string,
  variant: TxVariant,
  at: string,
): Promise<boolean> {
  const token = randomUUID();
  const earlier = variantsOf(tx);
  const applied = await send(ledger, {
    TableName: ledger.tableName,
    Key: ledgerKeys.transaction(tx.walletId, tx.txId),
    UpdateExpression:
      'SET txHash = :h, signedRaw = :raw, digest = :d, variants = :all, variantToken = :tok, updatedAt = :at',
    ConditionExpression: '#status = :broadcast AND txHash = :from',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':h': variant.txHash,
      ':raw': variant.signedRaw,
      ':d': variant.digest,
      ':all': [...earlier, variant],
      ':tok': token,
      ':at': at,
      ':broadcast': 'broadcast',
      ':from': fromTxHash,
    },
  });
  if (applied) return true;
  const now = await getTransaction(ledger, tx.walletId, tx.txId, true);
  return (now as (TransactionRecord & { variantToken?: string }) | undefined)?.variantToken === token;
}

/**
 * At the fee cap: the transaction is reported stuck (no further signature), only while it is still
 * `broadcast` at `fromTxHash`. Its signed variants stay valid on chain and may still be mined; the
 * watcher keeps following a stuck transaction.
 */
export async function markStuck(
  ledger: Ledger,
  tx: TransactionRecord,
  fromTxHash: string,
  reason: string,
  at: string,
): Promise<boolean> {
  const applied = await send(ledger, {
    TableName: ledger.tableName,
    Key: ledgerKeys.transaction(tx.walletId, tx.txId),
    UpdateExpression: 'SET #status = :stuck, gsi1pk = :g1, stuckReason = :why, stuckAt = :at, updatedAt = :at',
    ConditionExpression: '#status = :broadcast AND txHash = :from',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':stuck': 'stuck',
      ':g1': txStatusPartition(tx.address, 'stuck'),
      ':why': reason,
      ':at': at,
      ':broadcast': 'broadcast',
      ':from': fromTxHash,
    },
  });
  if (applied) return true;
  const now = await getTransaction(ledger, tx.walletId, tx.txId, true);
  return now?.status === 'stuck' && now.txHash === fromTxHash;
}

/** Who moved a stuck transaction back, for the transaction item (the operator's audit record has the rest). */
export interface StuckRelease {
  readonly actor: string;
  readonly at: string;
  /** The lease epoch the operator acted under (fence: never over a newer holder's watcher write). */
  readonly epoch: number;
}

export type ReleaseOutcome =
  | { readonly released: true }
  /** Not applied: the transaction as it is now (mined, bumped, quarantined meanwhile), if it exists. */
  | { readonly released: false; readonly now: TransactionRecord | undefined };

/**
 * The way out of `stuck` (wallet-ops bump, issue 16): back to `broadcast`, so the signer can
 * replace it again under the fee cap now in force (after the cap was raised and deployed). The
 * inverse of markStuck, with its compare-and-set rule:
 *
 * - only from `stuck` at the latest variant read (`txHash = :from`) with the same number of
 *   variants (no variant was added meanwhile; recordVariant and markStuck both change one of them);
 * - fenced like the watcher's writes: not once a newer lease holder's watcher wrote the item
 *   (`trackedEpoch <= :epoch`);
 * - the pending bump request is removed (`bumpRequestedFor/At`), so the watcher asks the signer for a
 *   bump at its next walk even if the operator's own bump message is lost;
 * - right under a lost reply: a write token (`stuckReleaseToken`) is set with the change, and a
 *   condition failure is read back strongly consistent: our token there means our write applied.
 *
 * The stuck reason read is kept as `lastStuckReason` (the condition guarantees it is still the item's:
 * only markStuck writes it, from `broadcast`).
 */
export async function releaseStuck(
  ledger: Ledger,
  tx: TransactionRecord,
  fromTxHash: string,
  variantCount: number,
  by: StuckRelease,
): Promise<ReleaseOutcome> {
  const token = randomUUID();
  const sameVariants =
    variantCount <= 1 ? '(attribute_not_exists(variants) OR size(variants) <= :one)' : 'size(variants) = :n';
  const applied = await send(ledger, {
    TableName: ledger.tableName,
    Key: ledgerKeys.transaction(tx.walletId, tx.txId),
    UpdateExpression:
      'SET #status = :broadcast, gsi1pk = :g1, lastStuckReason = :why, stuckReleasedAt = :at, ' +
      'stuckReleasedBy = :by, stuckReleaseToken = :tok, updatedAt = :at ' +
      'REMOVE stuckReason, stuckAt, bumpRequestedFor, bumpRequestedAt',
    ConditionExpression:
      `#status = :stuck AND txHash = :from AND ${sameVariants} AND ` +
      '(attribute_not_exists(trackedEpoch) OR trackedEpoch <= :epoch)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':broadcast': 'broadcast',
      ':g1': txStatusPartition(tx.address, 'broadcast'),
      ':at': by.at,
      ':by': by.actor,
      ':why': (tx as TransactionRecord & { stuckReason?: string }).stuckReason ?? 'unknown',
      ':tok': token,
      ':stuck': 'stuck',
      ':from': fromTxHash,
      ':epoch': by.epoch,
      ...(variantCount <= 1 ? { ':one': 1 } : { ':n': variantCount }),
    },
  });
  if (applied) return { released: true };
  const now = await getTransaction(ledger, tx.walletId, tx.txId, true);
  if ((now as (TransactionRecord & { stuckReleaseToken?: string }) | undefined)?.stuckReleaseToken === token) {
    return { released: true };
  }
  return { released: false, now };
}
