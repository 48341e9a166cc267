import type { Invariant } from './types';

/**
 * Every request answered 202 ends, within the settle bound after the last fault healed, confirmed
 * on the chain, or quarantined or cancelled with a reason an operator can see: none silently stuck.
 */
export const every202Resolves: Invariant = {
  name: 'every-202-resolves',
  description:
    'every 202 ends within the bound confirmed on chain, or quarantined/cancelled with an operator-visible reason',
  check(o) {
    const final = o.final;
    if (final === undefined) return ['the run left no final state'];
    const byId = new Map(final.transactions.map((t) => [t.txId, t]));
    const confirmed = final.chain.confirmedCount(final.address);
    const slots = final.chain.slots.get(final.address);
    const problems: string[] = [];
    for (const [key, txIds] of o.accepted) {
      for (const txId of txIds) {
        const tx = byId.get(txId);
        if (tx === undefined) {
          problems.push(`key ${key}: 202 named ${txId}, which no replica holds`);
          continue;
        }
        if (tx.status === 'quarantined' || tx.status === 'cancelled') {
          if (!tx.quarantineReason) problems.push(`key ${key}: ${txId} is ${tx.status} without a reason`);
          continue;
        }
        if (tx.status === 'broadcast' && tx.nonce !== undefined) {
          const slot = slots?.get(tx.nonce);
          const hash = (tx as { onchainTxHash?: string }).onchainTxHash ?? tx.txHash;
          if (slot?.hash !== hash) {
            problems.push(
              `key ${key}: ${txId} is broadcast at nonce ${tx.nonce}, but the chain holds ${slot?.hash ?? 'nothing'} there`,
            );
          } else if (tx.nonce >= confirmed) {
            problems.push(
              `key ${key}: ${txId} at nonce ${tx.nonce} is not confirmed (the chain stalls at nonce ${confirmed})`,
            );
          }
          continue;
        }
        problems.push(
          `key ${key}: ${txId} is still ${tx.status}${tx.nonce !== undefined ? ` at nonce ${tx.nonce}` : ''} ${final.settled ? '' : '(the run did not settle) '}after the bound`,
        );
      }
    }
    return problems;
  },
};
