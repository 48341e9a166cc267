import type { Invariant } from './types';

/** No address has a nonce gap older than the bound: every nonce handed out is filled on the chain. */
export const noStaleNonceGap: Invariant = {
  name: 'no-stale-nonce-gap',
  description: 'every nonce the lease handed out is filled on the chain within the bound (no gap stalls the address)',
  check(o) {
    const final = o.final;
    if (final === undefined) return ['the run left no final state'];
    const slots = final.chain.slots.get(final.address) ?? new Map<number, unknown>();
    const top = Math.max(final.nextNonce, ...[...slots.keys()].map((n) => n + 1), 0);
    const missing: number[] = [];
    for (let n = 0; n < top; n++) if (!slots.has(n)) missing.push(n);
    return missing.length === 0
      ? []
      : [
          `nonces ${missing.join(', ')} of ${final.address} are empty on chain after the bound (handed out up to ${top - 1})`,
        ];
  },
};
