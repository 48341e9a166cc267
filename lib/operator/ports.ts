import type { TxStatus } from '../contract/ledger';
import type { LeaseStore } from '../failover/lease';

/**
 * The transaction operations wallet-ops needs, as a port: their one implementation is the ledger
 * access the Lambdas use (lambda/shared/ledger.ts, reconcile.ts), which lib/ may not import
 * (docs/architecture.md). bin/ops-ledger.ts adapts it, so the operator and the handlers run the SAME
 * conditional writes; nothing here re-implements a state transition.
 */
export interface OperatorTx {
  readonly walletId: string;
  readonly txId: string;
  readonly address: string;
  readonly status: TxStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly nonce?: number;
  readonly txHash?: string;
  readonly intakeRegion?: string;
  readonly quarantineReason?: string;
  readonly quarantinedFrom?: TxStatus;
  /** For `stuck` (the fee cap reached, issue 16): why no further replacement was signed. */
  readonly stuckReason?: string;
  readonly stuckAt?: string;
}

/** A stuck transaction as `wallet-ops bump` reads it: its latest signed variant and the client's ceiling. */
export interface StuckTxView {
  readonly tx: OperatorTx;
  /** Every signed variant (the first signature included), oldest first. */
  readonly variants: ReadonlyArray<{
    readonly index: number;
    readonly txHash: string;
    readonly maxFeePerGas: string;
    readonly maxPriorityFeePerGas: string;
  }>;
  /** The request's own maxFeePerGas: the client's ceiling for every variant. */
  readonly requestMaxFeePerGas: string;
}

/** The result of moving a stuck transaction back to broadcast (lambda/shared/ledger-variants.ts releaseStuck). */
export type StuckReleaseResult =
  { readonly released: true } | { readonly released: false; readonly now: OperatorTx | undefined };

export type Resolution = 'requeue' | 'cancel' | 'onchain';

export interface ResolveRequest {
  readonly walletId: string;
  readonly txId: string;
  readonly resolution: Resolution;
  /** For `onchain`: the hash the operator found on chain. */
  readonly txHash?: string;
  /** For `requeue`: puts the transaction on the holder's signing queue. */
  readonly enqueue?: (message: { walletId: string; txId: string }, attempt: string) => Promise<unknown>;
  readonly actor: string;
  readonly evidence: string;
  readonly now: Date;
}

export interface OperatorLedger {
  getTransaction(store: LeaseStore, walletId: string, txId: string): Promise<OperatorTx | undefined>;
  listByStatus(store: LeaseStore, address: string, status: TxStatus): Promise<OperatorTx[]>;
  /** Open -> quarantined, conditional on the status it was read in; false if it moved on meanwhile. */
  quarantine(store: LeaseStore, tx: OperatorTx, reason: string, at: string): Promise<boolean>;
  /** A transaction with its signed variants (for `bump`). */
  stuckView(store: LeaseStore, walletId: string, txId: string): Promise<StuckTxView | undefined>;
  /**
   * stuck -> broadcast, only while still stuck at `fromTxHash` with `variantCount` variants and no
   * newer lease holder's watcher wrote it; right when its reply is lost (a write token).
   */
  releaseStuck(
    store: LeaseStore,
    view: StuckTxView,
    by: { actor: string; at: string; epoch: number },
  ): Promise<StuckReleaseResult>;
  /** The only way out of quarantine (writes its own audit item on the transaction). */
  resolve(
    store: LeaseStore,
    request: ResolveRequest,
  ): Promise<{ status: TxStatus; auditKey: { pk: string; sk: string } }>;
}
