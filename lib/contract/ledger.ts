/**
 * Attribute names and key builders of the ledger table (docs/data-model.md). The CDK table
 * definition and the runtime data access both import this module.
 */
export const LEDGER_ATTRIBUTES = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1PartitionKey: 'gsi1pk',
  gsi1SortKey: 'gsi1sk',
} as const;

/**
 * The ledger global table's multi-region consistency: `MRSC` (strong, RPO 0, needs a witness
 * region) or `MREC` (eventual, last writer wins). Config, constructs, the drill and the Lambdas
 * all use this one definition.
 */
export const CONSISTENCY_MODES = ['MRSC', 'MREC'] as const;
export type Consistency = (typeof CONSISTENCY_MODES)[number];

/** The one global secondary index: items by status (e.g. quarantined transactions). */
export const LEDGER_GSI1 = 'gsi1';

export interface LedgerKey {
  readonly pk: string;
  readonly sk: string;
}

export const ledgerKeys = {
  wallet: (walletId: string): LedgerKey => ({ pk: `WALLET#${walletId}`, sk: 'META' }),
  transaction: (walletId: string, txId: string): LedgerKey => ({ pk: `WALLET#${walletId}`, sk: `TX#${txId}` }),
  idempotency: (walletId: string, idempotencyKey: string): LedgerKey => ({
    pk: `IDEMPOTENCY#${walletId}#${idempotencyKey}`,
    sk: 'IDEMPOTENCY',
  }),
  nonceCounter: (address: string): LedgerKey => ({ pk: `NONCE#${address.toLowerCase()}`, sk: 'COUNTER' }),
  nonceReservation: (address: string, nonce: bigint | number): LedgerKey => ({
    pk: `NONCE#${address.toLowerCase()}`,
    sk: `RESERVED#${nonce.toString().padStart(20, '0')}`,
  }),
  lease: (address: string): LedgerKey => ({ pk: `LEASE#${address.toLowerCase()}`, sk: 'LEASE' }),
  regionControl: (region: string): LedgerKey => ({ pk: `REGION#${region}`, sk: 'CONTROL' }),
  /** One item per alarm transition a region's remediation Lambda handled: its idempotency claim. */
  remediationClaim: (deciderRegion: string, transitionId: string): LedgerKey => ({
    pk: `REMEDIATION#${deciderRegion}`,
    sk: `TRANSITION#${transitionId}`,
  }),
  /** The environment's automatic-failover budget: recent automatic failovers (rate limit). */
  failoverBudget: (): LedgerKey => ({ pk: 'REMEDIATION#failover-budget', sk: 'BUDGET' }),
  audit: (subject: string, at: string, id: string): LedgerKey => ({ pk: `AUDIT#${subject}`, sk: `${at}#${id}` }),
} as const;

/**
 * Lifecycle of a transaction item (`WALLET#<walletId>` / `TX#<txId>`):
 *
 *   queued -> nonce-assigned -> signed -> broadcast -> mined -> confirmed
 *                                             ^           |
 *                                             `-----------'  (reorg: the chain watcher, lease holder only)
 *      \            \             \
 *       `------------`-------------`--> quarantined -> (operator) queued | nonce-assigned | cancelled | broadcast
 *
 * A request the spending policy sends to two-person approval starts in pending-approval instead of
 * queued and leaves it once: -> queued (the required approvals recorded), -> rejected (an approver
 * said no) or -> expired (not approved in time); lambda/shared/approvals/ (docs/runbooks/approvals.md).
 *
 * quarantined is never left automatically: only an operator resolution (with an audit item) moves
 * a transaction out of it, so an ambiguous transaction is never re-signed blindly.
 *
 * Lower-case, exactly as the API returns them: lib/contract/canary.ts reads "signed" and
 * "quarantined".
 */
export const TX_STATUSES = [
  'queued',
  'nonce-assigned',
  'signed',
  'broadcast',
  'mined',
  'confirmed',
  'quarantined',
  'cancelled',
  'stuck',
  'pending-approval',
  'rejected',
  'expired',
] as const;
export type TxStatus = (typeof TX_STATUSES)[number];

/** Statuses in which a transaction may still be signed or broadcast by the lease holder. */
export const OPEN_TX_STATUSES: readonly TxStatus[] = ['queued', 'nonce-assigned', 'signed'];

/**
 * `gsi1` key values. Transactions are indexed by signing address and status (so reconciliation
 * and operators can list open or quarantined transactions of an address); a voided nonce (a gap
 * filler, docs/lease-and-nonce.md) is indexed so operators can find it.
 */
export const ledgerIndexKeys = {
  txByStatus: (address: string, status: TxStatus, createdAt: string, txId: string) => ({
    gsi1pk: txStatusPartition(address, status),
    gsi1sk: `${createdAt}#${txId}`,
  }),
  voidedNonce: (address: string, nonce: bigint | number) => ({
    gsi1pk: `NONCEVOID#${address.toLowerCase()}`,
    gsi1sk: nonce.toString().padStart(20, '0'),
  }),
} as const;

export const txStatusPartition = (address: string, status: TxStatus): string =>
  `TXSTATUS#${address.toLowerCase()}#${status}`;

/**
 * The schema version every ledger item is created with (docs/data-model.md, "Schema versions and
 * rollback"). A change follows expand/contract across releases, so version N-1 (after a rollback)
 * reads what version N wrote:
 * - expand: N may ADD attributes; N-1 ignores attributes it does not know (readers keep only the
 *   fields they use, and never reject an item for an extra attribute);
 * - N must not remove, rename or change the meaning of an attribute N-1 reads: that is a new
 *   schema version, written only after a release that reads both is live in both regions;
 * - contract: an attribute is dropped only in a release after nothing reads it.
 */
export const LEDGER_SCHEMA = { attribute: 'schemaVersion', current: 1 } as const;

/** The attribute to spread into every item a writer creates. */
export const schemaStamp = (): Record<string, number> => ({ [LEDGER_SCHEMA.attribute]: LEDGER_SCHEMA.current });
