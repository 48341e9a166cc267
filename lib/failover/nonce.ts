import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../contract/ledger';
import { ALLOCATION_PREFIX, LeaseConflictError, LeaseStore, NotLeaseHolderError, readLease } from './lease';

/**
 * Nonce allocation on the lease item (docs/lease-and-nonce.md): every write here is fenced by the
 * lease epoch (./lease.ts), so a region that lost the lease can never obtain or reset a nonce.
 */

const TX_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The lease attribute that records the nonce allocated to `txId`. */
export const allocationAttribute = (txId: string): string => {
  if (!TX_ID_PATTERN.test(txId)) {
    throw new Error(`txId must match ${TX_ID_PATTERN}; received ${JSON.stringify(txId)}`);
  }
  return `${ALLOCATION_PREFIX}${txId}`;
};

export interface AllocateNonceOptions {
  /** Attempts of the compare-and-set loop under contention. @default 25 */
  readonly maxAttempts?: number;
  /** @default a short random pause between contended attempts */
  readonly pause?: (attempt: number) => Promise<void>;
}

/** Many allocations raced for the counter and this one kept losing; retry later. */
export class NonceContentionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonceContentionError';
  }
}

const contentionPause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * Math.min(50, 2 * attempt))));

/**
 * Allocates the next nonce of `address` to transaction `txId` as ONE conditional write on the
 * lease item that names the lease epoch: it succeeds only while `region` holds the lease at
 * `epoch`, so a fenced-off signer can never obtain a nonce after the lease moved.
 *
 * The write is a compare-and-set (`nextNonce = :seen`) that also records `alloc_<txId> = :seen`
 * under `attribute_not_exists(alloc_<txId>)`:
 * - one counter value is handed out at most once (the CAS), even to concurrent callers;
 * - the same txId gets the same nonce back if it asks again before releasing it (a retry after a
 *   crash between this write and the write that records the nonce on the transaction item), so a
 *   crash there leaves no nonce gap.
 * Call {@link releaseNonceAllocation} once the nonce is recorded on the transaction.
 */
export async function allocateNonce(
  store: LeaseStore,
  address: string,
  region: string,
  epoch: number,
  txId: string,
  options: AllocateNonceOptions = {},
): Promise<number> {
  const attribute = allocationAttribute(txId);
  const maxAttempts = options.maxAttempts ?? 25;
  const pause = options.pause ?? contentionPause;
  let lease = await readLease(store, address);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (lease === undefined || lease.activeRegion !== region || lease.epoch !== epoch) {
      throw new NotLeaseHolderError(
        `${region} lost the lease for ${address} (epoch ${epoch} is no longer current${lease === undefined ? '' : `; held by ${lease.activeRegion} at epoch ${lease.epoch}`}); not allocating a nonce`,
        lease,
      );
    }
    const already = lease.allocations[txId];
    if (already !== undefined) return already;
    try {
      await store.ddb.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: ledgerKeys.lease(address),
          UpdateExpression: 'SET nextNonce = :next, #alloc = :seen',
          ConditionExpression:
            'activeRegion = :me AND epoch = :epoch AND nextNonce = :seen AND attribute_not_exists(#alloc)',
          ExpressionAttributeNames: { '#alloc': attribute },
          ExpressionAttributeValues: {
            ':me': region,
            ':epoch': epoch,
            ':seen': lease.nextNonce,
            ':next': lease.nextNonce + 1,
          },
        }),
      );
      return lease.nextNonce;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Lost a race (or the lease moved, or this txId already has a nonce): look again.
      if (attempt > 2) await pause(attempt);
      lease = await readLease(store, address);
    }
  }
  throw new NonceContentionError(
    `could not allocate a nonce for ${address} after ${maxAttempts} attempts: other allocations kept winning; the message will be retried`,
  );
}

/**
 * Removes the `alloc_<txId>` entry once the nonce is recorded on the transaction item (keeps the
 * lease item small). Idempotent; not fenced (it changes no counter and no ownership).
 */
export async function releaseNonceAllocation(store: LeaseStore, address: string, txId: string): Promise<void> {
  await store.ddb.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: ledgerKeys.lease(address),
      UpdateExpression: 'REMOVE #alloc',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#alloc': allocationAttribute(txId) },
    }),
  );
}

/**
 * Records that the nonces of `epoch` were reconciled with the chain, and sets the counter to
 * `nextNonce`. Fenced like an allocation, and a compare-and-set on the counter the caller saw.
 */
export async function markReconciled(
  store: LeaseStore,
  options: { address: string; region: string; epoch: number; seenNextNonce: number; nextNonce: number; at: string },
): Promise<void> {
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: ledgerKeys.lease(options.address),
        UpdateExpression: 'SET nextNonce = :next, reconciledEpoch = :epoch, reconciledAt = :at',
        ConditionExpression: 'activeRegion = :me AND epoch = :epoch AND nextNonce = :seen',
        ExpressionAttributeValues: {
          ':me': options.region,
          ':epoch': options.epoch,
          ':seen': options.seenNextNonce,
          ':next': options.nextNonce,
          ':at': options.at,
        },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      throw new LeaseConflictError(
        `the lease for ${options.address} changed during reconciliation (expected ${options.region}@${options.epoch} with nextNonce ${options.seenNextNonce}); run reconciliation again`,
      );
    }
    throw err;
  }
}
