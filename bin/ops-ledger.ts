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
