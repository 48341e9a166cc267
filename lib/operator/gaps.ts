import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../contract/ledger';
import { LeaseStore, readLease } from '../failover/lease';

/**
 * The nonce-gap detector (docs/lease-and-nonce.md, "Gaps"), for MRSC and MREC alike: every nonce
 * the lease handed out (below `nextNonce`) must end up holding exactly one payload the chain can
 * mine, or every later withdrawal of the address stalls on chain. A nonce is a gap when
 * - `missing`: handed out, not held by an in-flight allocation, and no reservation pins a payload;
 * - `unsigned-void`: a void filler was reserved but its signature was never stored (KMS failed);
 * - `cancelled-tx`: reserved for a transaction an operator cancelled (it will never be signed);
 * - `quarantined-tx`: reserved for a quarantined transaction: nothing signs it until an operator
 *   resolves it (on chain, requeue, or cancel and then fill). Under MREC its item may even have lost
 *   the nonce to a later replicated write, so only the reservation still names it (found by the
 *   torture harness).
 * Fill the first three with the signer's `fill-gap` message (lambda/signer/handler.ts); resolve a
 * `quarantined-tx` first (resolveQuarantined), then fill it if it was cancelled.
 */
export type GapKind = 'missing' | 'unsigned-void' | 'cancelled-tx' | 'quarantined-tx';

export interface NonceGap {
  readonly address: string;
  readonly nonce: number;
  readonly kind: GapKind;
  /** The reservation's owner (`gap-<n>`, `orphan-of-<txId>`, or the cancelled txId). */
  readonly owner?: string;
}

export interface FindGapsOptions {
  /** Look from this nonce (the chain's confirmed nonce, or an earlier check's low watermark). @default 0 */
  readonly from?: number;
}

const RESERVED = 'RESERVED#';
const pad = (n: number) => n.toString().padStart(20, '0');

export async function findNonceGaps(
  store: LeaseStore,
  address: string,
  options: FindGapsOptions = {},
): Promise<NonceGap[]> {
  const lower = address.toLowerCase();
  const lease = await readLease(store, lower);
  if (lease === undefined) return [];
  const from = options.from ?? 0;
  if (from >= lease.nextNonce) return [];
  const inFlight = new Set(Object.values(lease.allocations));
  const reservations = new Map<number, Record<string, unknown>>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await store.ddb.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':p': ledgerKeys.nonceReservation(lower, 0).pk,
          ':lo': `${RESERVED}${pad(from)}`,
          ':hi': `${RESERVED}${pad(lease.nextNonce - 1)}`,
        },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) reservations.set(Number(item.nonce), item);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  const gaps: NonceGap[] = [];
  for (let nonce = from; nonce < lease.nextNonce; nonce++) {
    const r = reservations.get(nonce);
    if (r === undefined) {
      if (!inFlight.has(nonce)) gaps.push({ address: lower, nonce, kind: 'missing' });
    } else if (r.kind === 'void') {
      if (r.signedRaw === undefined) gaps.push({ address: lower, nonce, kind: 'unsigned-void', owner: String(r.txId) });
    } else if (typeof r.walletId === 'string') {
      const tx = await store.ddb.send(
        new GetCommand({
          TableName: store.tableName,
          Key: ledgerKeys.transaction(r.walletId, String(r.txId)),
          ConsistentRead: true,
        }),
      );
      if (tx.Item?.status === 'cancelled')
        gaps.push({ address: lower, nonce, kind: 'cancelled-tx', owner: String(r.txId) });
      else if (tx.Item?.status === 'quarantined')
        gaps.push({ address: lower, nonce, kind: 'quarantined-tx', owner: String(r.txId) });
    }
  }
  return gaps;
}
