import { walletPolicy } from '../../lib/contract/policy';
import type { Invariant } from './types';

/**
 * A sweep goes only to the configured cold address, and only as the signer's `cold-only` rule allows
 * it: every claimed sweep names the cold address, every signature stored for a `cold-only` wallet is
 * a transfer to the policy's cold address, and every mined transaction of the sweep wallet went there.
 */
export const sweepToColdOnly: Invariant = {
  name: 'sweep-to-cold-only',
  description: 'every sweep claimed, signed and mined goes to the configured cold address (rule cold-only)',
  check(o) {
    const problems: string[] = [];
    const cold = o.sweep?.coldAddress;
    for (const claim of o.sweepClaims) {
      if (claim.to !== cold)
        problems.push(`sweep ${claim.sweepId} was claimed to ${claim.to}, not the cold address ${cold}`);
    }
    const policy = o.policy;
    if (policy !== undefined) {
      for (const s of o.signedSpends) {
        if (walletPolicy(policy, s.walletId).outgoing !== 'cold-only') continue;
        if (s.to.toLowerCase() !== policy.coldAddress) {
          problems.push(
            `${s.txId} of cold-only wallet ${s.walletId} was signed to ${s.to}, not the cold address ${policy.coldAddress ?? '(none configured)'}`,
          );
        }
      }
    }
    const final = o.final;
    if (o.sweep !== undefined && final !== undefined) {
      const byHash = new Map(final.chain.history.map((a) => [a.hash.toLowerCase(), a]));
      for (const t of final.transactions) {
        if (t.walletId !== o.sweep.walletId || t.txHash === undefined) continue;
        const onChain = byHash.get(t.txHash.toLowerCase());
        if (onChain !== undefined && onChain.to !== cold) {
          problems.push(`sweep ${t.txId} reached the chain to ${onChain.to}, not the cold address ${cold}`);
        }
      }
    }
    return problems;
  },
};
