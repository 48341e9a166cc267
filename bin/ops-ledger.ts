/**
 * Wiring: the operator port (lib/operator/ports.ts) over the ledger access the Lambdas use
 * (lambda/shared/ledger.ts, reconcile.ts), so wallet-ops and the handlers run the same conditional
 * writes. lib/ may not import lambda/ (docs/architecture.md); bin/ wires them, as it wires the drill.
 */
import {
  getTransaction,
  listTransactionsByStatus,
  quarantineTransaction,
  TransactionRecord,
} from '../lambda/shared/ledger';
import { releaseStuck, variantsOf } from '../lambda/shared/ledger-variants';
import { resolveQuarantined } from '../lambda/shared/reconcile';
import { addAllowlistEntry, listAllowlist, removeAllowlistEntry } from '../lambda/shared/policy/allowlist';
import type { AllowlistPort } from '../lib/operator/allowlist-port';
import { OperatorLedger } from '../lib/operator/ports';

export const operatorLedger: OperatorLedger = {
  getTransaction: (store, walletId, txId) => getTransaction(store, walletId, txId, true),
  listByStatus: (store, address, status) => listTransactionsByStatus(store, address, status),
  quarantine: async (store, tx, reason, at) => {
    const full = await getTransaction(store, tx.walletId, tx.txId, true);
    if (full === undefined || full.status !== tx.status) return false;
    return quarantineTransaction(store, full as TransactionRecord, reason, at);
  },
  stuckView: async (store, walletId, txId) => {
    const tx = await getTransaction(store, walletId, txId, true);
    if (tx === undefined) return undefined;
    return {
      tx,
      variants: variantsOf(tx).map((v) => ({
        index: v.index,
        txHash: v.txHash,
        maxFeePerGas: v.maxFeePerGas,
        maxPriorityFeePerGas: v.maxPriorityFeePerGas,
      })),
      requestMaxFeePerGas: tx.request.maxFeePerGas,
    };
  },
  releaseStuck: async (store, view, by) => {
    const latest = view.variants[view.variants.length - 1];
    if (latest === undefined) return { released: false, now: view.tx };
    const full = await getTransaction(store, view.tx.walletId, view.tx.txId, true);
    if (full === undefined) return { released: false, now: undefined };
    return releaseStuck(store, full, latest.txHash, view.variants.length, by);
  },
  resolve: (store, r) =>
    resolveQuarantined({
      ledger: store,
      walletId: r.walletId,
      txId: r.txId,
      resolution:
        r.resolution === 'requeue'
          ? { kind: 'requeue', enqueue: r.enqueue ?? (async () => Promise.reject(new Error('requeue needs a queue'))) }
          : r.resolution === 'onchain'
            ? { kind: 'onchain', txHash: r.txHash ?? '' }
            : { kind: 'cancel' },
      actor: r.actor,
      evidence: r.evidence,
      now: r.now,
    }),
};

/** The allowlist port (lib/operator/allowlist-port.ts) over the store the API and the signer read. */
export const operatorAllowlist: AllowlistPort = {
  list: (store, walletId) => listAllowlist(store, walletId),
  add: (store, input) => addAllowlistEntry(store, input),
  remove: (store, input) => removeAllowlistEntry(store, input),
};
