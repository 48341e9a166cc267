import type { Invariant } from './types';

/**
 * At any time at most one region signs for an epoch: every nonce allocation a replica applied was
 * made by the region that replica's lease named at that epoch, and every stored signature names the
 * epoch's holder.
 */
export const oneSignerPerEpoch: Invariant = {
  name: 'one-signer-per-epoch',
  description: 'every nonce allocation and stored signature comes from the region holding the lease at that epoch',
  check(o) {
    const problems: string[] = [];
    const regionsByEpoch = new Map<string, Set<string>>();
    for (const a of o.allocations) {
      if (a.by !== a.holder) {
        problems.push(`${a.by} allocated nonce ${a.nonce} in ${a.replica} at epoch ${a.epoch}, held by ${a.holder}`);
      }
      const k = `${a.replica}@${a.epoch}`;
      const set = regionsByEpoch.get(k) ?? new Set<string>();
      set.add(a.by);
      regionsByEpoch.set(k, set);
    }
    for (const [k, set] of regionsByEpoch) {
      if (set.size > 1) problems.push(`epoch ${k} had nonces allocated by ${[...set].join(' and ')}`);
    }
    for (const s of o.signatures) {
      const holder = o.leaseHistory.get(s.replica)?.get(s.epoch);
      if (holder !== undefined && holder !== s.region) {
        problems.push(`${s.region} stored a signature of ${s.txId} for epoch ${s.epoch}, held by ${holder}`);
      }
    }
    return problems;
  },
};
