import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AllowlistEntry } from '../contract/policy';

/**
 * The allowlist operations `wallet-ops allowlist` needs, as a port: their one implementation is
 * lambda/shared/policy/allowlist.ts (the store the API and the signer read, with its audit items),
 * which lib/ may not import; bin/ops-ledger.ts adapts it.
 */
export interface AllowlistStore {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface AllowlistPort {
  list(store: AllowlistStore, walletId: string): Promise<AllowlistEntry[]>;
  /** Throws an Error named AllowlistConflictError when the destination is already listed. */
  add(
    store: AllowlistStore,
    input: { walletId: string; address: string; label?: string; addedBy: string; now: Date; timeLockHours: number },
  ): Promise<{ entry: AllowlistEntry; audit: { pk: string; sk: string } }>;
  /** Throws an Error named AllowlistConflictError when the destination is not listed (or changed meanwhile). */
  remove(
    store: AllowlistStore,
    input: { walletId: string; address: string; removedBy: string; now: Date; reason: string },
  ): Promise<{ entry: AllowlistEntry; audit: { pk: string; sk: string } }>;
}
