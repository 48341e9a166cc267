import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MinedFacts, TrackedTransaction, TrackedVariant } from '../../lib/chain/confirmations';
import { ledgerKeys, TxStatus, txStatusPartition } from '../../lib/contract/ledger';
import { getTransaction, type Ledger, type TransactionRecord } from './ledger';
import { variantsOf } from './ledger-variants';

/**
 * The chain watcher's writes on a transaction item (issue 16): mined, confirmed, back to broadcast
 * after a reorg, broadcast by the watcher, the bump it asked for. Every write is
 * - conditional on the state the watcher saw (status, and the mined block where it matters), so a
 *   concurrent writer is never overwritten;
 * - fenced by the lease epoch: it sets `trackedEpoch = :epoch` under
 *   `attribute_not_exists(trackedEpoch) OR trackedEpoch <= :epoch`, so once a newer holder wrote,
 *   an older one (that has not yet seen the lease move) can never write again;
 * - idempotent and right when a reply is lost: a condition failure is read back (strongly
 *   consistent), and the state the write meant to produce counts as applied.
 *
 * The chain facts: `minedTxHash` (the variant mined; the others are listed in `replacedTxHashes`),
 * `minedBlockNumber`, `minedBlockHash`, `minedAt`, `minedReceiptStatus`, `confirmedAt`,
 * `confirmations`; after a reorg `reorgs` (how many), `reorgedBlockHash`, `reorgedAt`.
 */

/** What the watcher reads of a transaction beyond TransactionRecord (written here and by the signer). */
export interface ChainFacts {
  readonly variants?: ReadonlyArray<{
    readonly index: number;
    readonly txHash: string;
    readonly signedRaw: string;
    readonly signedAt?: string;
    readonly maxFeePerGas?: string;
    readonly maxPriorityFeePerGas?: string;
  }>;
  readonly minedTxHash?: string;
  readonly minedBlockNumber?: number;
  readonly minedBlockHash?: string;
  readonly minedAt?: string;
  readonly minedReceiptStatus?: 'success' | 'reverted';
  readonly replacedTxHashes?: readonly string[];
  readonly confirmedAt?: string;
  readonly confirmations?: number;
  readonly trackedEpoch?: number;
  readonly reorgs?: number;
  readonly reorgedBlockHash?: string;
  readonly reorgedAt?: string;
  readonly bumpRequestedFor?: string;
  readonly bumpRequestedAt?: string;
  readonly lastRebroadcastAt?: string;
  readonly lastRebroadcastReason?: string;
  /** Set when the nonce was used on chain by another transaction (markSuperseded). */
  readonly supersededBy?: string;
}

export type ChainTransaction = TransactionRecord & ChainFacts;

/**
 * The variants as the watcher tracks them (ledger-variants.ts variantsOf, the one reading). The
 * resubmit timer of a first signature with no replacement yet starts when it was broadcast: the
 * watcher may broadcast a stored transaction long after it was signed.
 */
export function trackedVariants(tx: ChainTransaction): TrackedVariant[] {
  const all = variantsOf(tx);
  return all.map((v) => ({
    index: v.index,
    txHash: v.txHash,
    signedRaw: v.signedRaw,
    signedAt: tx.variants === undefined && v.index === 0 ? (tx.broadcastAt ?? tx.signedAt) : v.signedAt,
  }));
}

/** The stored transaction as confirmations.ts reads it. */
export function trackedView(tx: ChainTransaction): TrackedTransaction {
  return {
    txId: tx.txId,
    status: tx.status,
    variants: trackedVariants(tx),
    ...(tx.minedTxHash !== undefined && tx.minedBlockNumber !== undefined && tx.minedBlockHash !== undefined
      ? {
          mined: {
            txHash: tx.minedTxHash,
            blockNumber: BigInt(tx.minedBlockNumber),
            blockHash: tx.minedBlockHash,
          },
        }
      : {}),
    ...(tx.bumpRequestedFor !== undefined && tx.bumpRequestedAt !== undefined
      ? { bumpRequested: { fromTxHash: tx.bumpRequestedFor, at: tx.bumpRequestedAt } }
      : {}),
  };
}

const FENCE = '(attribute_not_exists(trackedEpoch) OR trackedEpoch <= :epoch)';

export type ChainWriteOutcome = 'applied' | 'already' | 'conflict';

interface Write {
  readonly status?: TxStatus;
  readonly set: Record<string, unknown>;
  readonly remove?: readonly string[];
  /** Condition on the state seen, besides the fence; names as `#x`, values as `:x`. */
  readonly condition: string;
  readonly names?: Record<string, string>;
  readonly values: Record<string, unknown>;
  /** Read back after a condition failure: true when the item is in the state this write produces. */
  readonly applied: (now: ChainTransaction) => boolean;
}

async function fencedWrite(
  ledger: Ledger,
  tx: ChainTransaction,
  epoch: number,
  at: string,
  w: Write,
): Promise<ChainWriteOutcome> {
  const names: Record<string, string> = { '#status': 'status', ...(w.names ?? {}) };
  const values: Record<string, unknown> = { ':epoch': epoch, ':at': at, ...w.values };
  const sets = ['trackedEpoch = :epoch', 'updatedAt = :at'];
  if (w.status !== undefined) {
    values[':toStatus'] = w.status;
    values[':g1'] = txStatusPartition(tx.address, w.status);
    sets.push('#status = :toStatus', 'gsi1pk = :g1');
  }
  Object.entries(w.set).forEach(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    sets.push(`#c${i} = :c${i}`);
  });
  const removes = (w.remove ?? []).map((name, i) => {
    names[`#d${i}`] = name;
    return `#d${i}`;
  });
  try {
    await ledger.ddb.send(
      new UpdateCommand({
        TableName: ledger.tableName,
        Key: ledgerKeys.transaction(tx.walletId, tx.txId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `(${w.condition}) AND ${FENCE}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return 'applied';
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
  const now = (await getTransaction(ledger, tx.walletId, tx.txId, true)) as ChainTransaction | undefined;
  // A newer holder's write is never "ours", even when it produced the same state.
  if (now === undefined || (now.trackedEpoch ?? 0) > epoch) return 'conflict';
  return w.applied(now) ? 'already' : 'conflict';
}

const sameHash = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Records the transaction mined: from the status seen (signed, broadcast or stuck), or from mined
 * in the block recorded before (a reorg moved it to another block).
 */
export async function markMined(
  ledger: Ledger,
  tx: ChainTransaction,
  mined: MinedFacts & { readonly receiptStatus: 'success' | 'reverted'; readonly replaced: readonly string[] },
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  const fromMined = tx.status === 'mined';
  return fencedWrite(ledger, tx, epoch, at, {
    status: 'mined',
    set: {
      minedTxHash: mined.txHash,
      minedBlockNumber: Number(mined.blockNumber),
      minedBlockHash: mined.blockHash,
      minedAt: at,
      minedReceiptStatus: mined.receiptStatus,
      replacedTxHashes: [...mined.replaced],
    },
    condition: fromMined ? '#status = :seen AND minedBlockHash = :seenBlock' : '#status = :seen',
    values: { ':seen': tx.status, ...(fromMined ? { ':seenBlock': tx.minedBlockHash } : {}) },
    applied: (now) =>
      (now.status === 'mined' || now.status === 'confirmed') &&
      sameHash(now.minedBlockHash, mined.blockHash) &&
      sameHash(now.minedTxHash, mined.txHash),
  });
}

/** Records the transaction confirmed: only while mined in the block seen. */
export async function markConfirmed(
  ledger: Ledger,
  tx: ChainTransaction,
  confirmations: number,
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  return fencedWrite(ledger, tx, epoch, at, {
    status: 'confirmed',
    set: { confirmedAt: at, confirmations },
    condition: '#status = :mined AND minedBlockHash = :block',
    values: { ':mined': 'mined', ':block': tx.minedBlockHash },
    applied: (now) => now.status === 'confirmed' && sameHash(now.minedBlockHash, tx.minedBlockHash),
  });
}

/**
 * A reorg took the recorded block off the canonical chain: back to `broadcast`, the mined facts
 * removed, the old block kept in `reorgedBlockHash` (which also tells a lost reply's retry that
 * it applied), `reorgs` counted. The caller broadcasts the same signed raw again.
 */
export async function markReorged(
  ledger: Ledger,
  tx: ChainTransaction,
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  return fencedWrite(ledger, tx, epoch, at, {
    status: 'broadcast',
    set: { reorgedBlockHash: tx.minedBlockHash, reorgedAt: at, reorgs: (tx.reorgs ?? 0) + 1 },
    remove: ['minedTxHash', 'minedBlockNumber', 'minedBlockHash', 'minedAt', 'minedReceiptStatus', 'replacedTxHashes'],
    condition: '#status = :mined AND minedBlockHash = :block',
    values: { ':mined': 'mined', ':block': tx.minedBlockHash },
    applied: (now) => sameHash(now.reorgedBlockHash, tx.minedBlockHash) && now.minedBlockHash === undefined,
  });
}

/** The watcher broadcast a stored (signed) transaction: `signed` -> `broadcast`, only at the hash seen. */
export async function markBroadcastByWatcher(
  ledger: Ledger,
  tx: ChainTransaction,
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  return fencedWrite(ledger, tx, epoch, at, {
    status: 'broadcast',
    set: { broadcastAt: at, lastRebroadcastAt: at, lastRebroadcastReason: 'not broadcast' },
    condition: '#status = :signed AND txHash = :hash',
    values: { ':signed': 'signed', ':hash': tx.txHash },
    applied: (now) => now.status !== 'signed' && now.status !== 'quarantined' && now.status !== 'cancelled',
  });
}

/**
 * The transaction's nonce was used on the chain by another transaction (`by`, confirmations deep):
 * none of its variants can ever be mined. Quarantined from the status seen (signed, broadcast or
 * stuck), with the holder's hash, so an operator investigates (docs/runbooks/wallet-ops.md): the
 * key signed something the ledger does not hold. Never re-signed or rebroadcast by the watcher.
 */
export async function markSuperseded(
  ledger: Ledger,
  tx: ChainTransaction,
  by: string,
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  return fencedWrite(ledger, tx, epoch, at, {
    status: 'quarantined',
    set: {
      supersededBy: by,
      quarantinedAt: at,
      quarantinedFrom: tx.status,
      quarantineReason:
        `nonce ${tx.nonce ?? '?'} of ${tx.address} was used on chain by ${by}, which is not this transaction ` +
        `(none of its ${trackedVariants(tx).length} signed variant(s) can be mined); the watcher stopped broadcasting it. ` +
        'Investigate that transaction (signed with the wallet key outside this ledger?) before resolving (docs/runbooks/wallet-ops.md)',
    },
    condition: '#status = :seen',
    values: { ':seen': tx.status },
    applied: (now) => now.status === 'quarantined' && sameHash(now.supersededBy, by),
  });
}

/** Notes a rebroadcast (dropped, reorged) on the transaction, in the status seen. */
export async function noteRebroadcast(
  ledger: Ledger,
  tx: ChainTransaction,
  reason: string,
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  return fencedWrite(ledger, tx, epoch, at, {
    set: { lastRebroadcastAt: at, lastRebroadcastReason: reason },
    condition: '#status = :seen',
    values: { ':seen': tx.status },
    applied: (now) => now.lastRebroadcastAt === at,
  });
}

/** Records that a bump of `fromTxHash` was asked of the signer (so it is not asked every poll). */
export async function noteBumpRequested(
  ledger: Ledger,
  tx: ChainTransaction,
  fromTxHash: string,
  epoch: number,
  at: string,
): Promise<ChainWriteOutcome> {
  return fencedWrite(ledger, tx, epoch, at, {
    set: { bumpRequestedFor: fromTxHash, bumpRequestedAt: at },
    condition: '#status = :seen',
    values: { ':seen': tx.status },
    applied: (now) => now.bumpRequestedFor === fromTxHash && now.bumpRequestedAt === at,
  });
}
