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
