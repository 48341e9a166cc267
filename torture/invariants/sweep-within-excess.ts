import { sweepIdempotencyKey } from '../../lib/contract/sweep';
import type { Observations } from './observations';
import type { Invariant } from './types';

/** Every transaction of the final chain that was mined, by hash, with what it took from the hot address. */
function minedCosts(o: Observations): Map<string, bigint> {
  const costs = new Map<string, bigint>();
  const final = o.final;
  if (final === undefined) return costs;
  for (const a of final.chain.minedAt(final.address, Number.POSITIVE_INFINITY)) {
    costs.set(a.hash.toLowerCase(), a.value + 21_000n * a.maxFeePerGas);
  }
  return costs;
}

/**
 * A sweep never takes more than the excess at decision time (issue 21; docs/spending-policy.md
 * "The sweeper"): the amount each SIGNED sweep names is at most the hot balance on chain when its run
 * began, less what every transaction then unmined went on to take (its value and fee, as mined), less
 * the float ceiling. So the float never ends below its ceiling plus what the in-flight withdrawals
 * need because of a sweep. Judged by the harness's truth (the chain, every replica), not by what the
 * sweeper read; a transaction that never reached the chain (fenced, cancelled) took nothing.
 *
 * Why signed sweeps and not every claim: under MREC an old holder cut off by a partition still reads
 * itself as holder in its own replica, and cannot see the new holder's transactions that have not yet
 * reached the network (MREC seed 1052: the new holder's withdrawal was nonce-assigned, not yet
 * broadcast, when the old region's sweeper ran). No check in that region can see them; what keeps
 * funds safe is that its signer is stopped (the failover runbook) and the intake fence quarantines
 * its sweep once it replicates. So a stale claim moves nothing, and the property that matters is that
 * nothing a signer signs sweeps more than the excess. Claims by a region the lease did not name in that
 * replica stay sweep-by-holder's to judge.
 */
export const sweepWithinExcess: Invariant = {
  name: 'sweep-within-excess',
  description:
    'no signed sweep names more than the excess when its run began: balance - what the in-flight transactions took - ceiling',
  check(o) {
    if (o.sweep === undefined || o.final === undefined) return [];
    const costs = minedCosts(o);
    const hashOf = new Map(o.final.transactions.map((t) => [t.txId, t.txHash?.toLowerCase()]));
    const signed = new Set(o.signedSpends.map((s) => s.txId));
    const signedSweeps = new Set(
      o.final.transactions
        .filter((t) => t.walletId === o.sweep?.walletId && signed.has(t.txId))
        .map((t) => t.idempotencyKey),
    );
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const claim of o.sweepClaims) {
      if (seen.has(claim.sweepId)) continue;
      seen.add(claim.sweepId);
      const d = o.sweepDecisions.get(claim.sweepId);
      if (d === undefined) {
        problems.push(`sweep ${claim.sweepId} was claimed by no sweeper run the harness started`);
        continue;
      }
      if (!signedSweeps.has(sweepIdempotencyKey(claim.sweepId))) continue;
      let inFlight = 0n;
      const took: string[] = [];
      for (const txId of d.unmined) {
        const hash = hashOf.get(txId);
        if (hash === undefined || d.minedHashes.has(hash)) continue;
        const cost = costs.get(hash);
        if (cost === undefined) continue;
        inFlight += cost;
        took.push(`${txId} ${cost}`);
      }
      const excess = d.balanceWei - inFlight - o.sweep.ceilingWei;
      if (claim.amountWei > excess) {
        problems.push(
          `sweep ${claim.sweepId} (${d.region}, run began at ${d.at} ms) names ${claim.amountWei} wei, above the excess then: balance ${d.balanceWei} - in flight ${inFlight} (${took.join(', ') || 'none'}) - ceiling ${o.sweep.ceilingWei} = ${excess} wei`,
        );
      }
    }
    return problems;
  },
};
