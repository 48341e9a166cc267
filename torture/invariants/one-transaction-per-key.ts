import { requestValue } from '../payload';
import type { Invariant } from './types';

/** No client request (idempotency key) has more than one transaction accepted by the chain. */
export const oneTransactionPerKey: Invariant = {
  name: 'one-transaction-per-key',
  description: 'no idempotency key has more than one transaction accepted by the chain',
  check(o) {
    const final = o.final;
    if (final === undefined) return ['the run left no final state'];
    const byValue = new Map<string, number[]>();
    for (const tx of final.chain.history) {
      if (tx.to !== final.recipient) continue;
      const nonces = byValue.get(tx.value.toString()) ?? [];
      nonces.push(tx.nonce);
      byValue.set(tx.value.toString(), nonces);
    }
    const problems: string[] = [];
    for (const key of new Set([...o.accepted.keys(), ...[...byValue.keys()].map((v) => Number(v) - 1000)])) {
      const nonces = byValue.get(requestValue(key)) ?? [];
      if (nonces.length > 1) {
        problems.push(
          `key ${key} has ${nonces.length} transactions accepted by the chain (nonces ${nonces.join(', ')})`,
        );
      }
    }
    return problems;
  },
};
