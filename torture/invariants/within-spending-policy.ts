import { walletPolicy } from '../../lib/contract/policy';
import type { Invariant } from './types';

/**
 * No signed transaction breaks the spending policy in force when it was approved (issue 21): each
 * is within its wallet's per-transaction limit, and the transactions signed (in any replica) never
 * add up to more than a velocity limit. The harness's policy is constant for a run and its windows
 * outlast the run, so every signature counts against every window.
 */
export const withinSpendingPolicy: Invariant = {
  name: 'within-spending-policy',
  description:
    'no signed transaction breaks the spending policy in force when it was approved (per transaction, velocity)',
  check(o) {
    const policy = o.policy;
    if (policy === undefined) return [];
    const problems: string[] = [];
    const byWallet = new Map<string, Map<string, bigint>>();
    for (const s of o.signedSpends) {
      const signed = byWallet.get(s.walletId) ?? new Map<string, bigint>();
      byWallet.set(s.walletId, signed);
      signed.set(s.txId, BigInt(s.valueWei));
    }
    for (const [walletId, signed] of byWallet) {
      const p = walletPolicy(policy, walletId);
      if (p.outgoing === 'deposit-only') {
        problems.push(`wallet ${walletId} is deposit-only, but ${signed.size} transaction(s) were signed`);
        continue;
      }
      for (const [txId, value] of signed) {
        if (p.perTransactionWei !== undefined && value > BigInt(p.perTransactionWei)) {
          problems.push(`${txId} moved ${value} wei, above the per-transaction limit of ${p.perTransactionWei} wei`);
        }
      }
      const total = [...signed.values()].reduce((a, b) => a + b, 0n);
      for (const v of p.velocity) {
        if (total > BigInt(v.limitWei)) {
          problems.push(
            `wallet ${walletId}: ${signed.size} signed transactions move ${total} wei within ${v.window}, above the velocity limit of ${v.limitWei} wei (${[...signed.keys()].join(', ')})`,
          );
        }
      }
    }
    return problems;
  },
};
