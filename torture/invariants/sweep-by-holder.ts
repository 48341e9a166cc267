import type { Invariant } from './types';

/**
 * No sweep by a non-holder or a stale epoch, none under MREC before reconciliation: every claim of
 * the sweep-control item names, and was written by, the region that replica's lease named at the
 * claim's epoch; under MREC that epoch's intake was open in that replica (lease.intakeOpenEpoch,
 * written when reconciliation ends). Every claimed -> submitted mark is written by the epoch's holder.
 */
export const sweepByHolder: Invariant = {
  name: 'sweep-by-holder',
  description:
    'every sweep claim and submission comes from the lease holder of its epoch (MREC: after that epoch was reconciled)',
  check(o) {
    const problems: string[] = [];
    for (const c of o.sweepClaims) {
      const holder = o.leaseHistory.get(c.replica)?.get(c.epoch);
      if (holder !== c.region || c.by !== c.region) {
        problems.push(
          `sweep ${c.sweepId} was claimed in ${c.replica} by ${c.by} for ${c.region} at epoch ${c.epoch}, held by ${holder ?? 'nobody'}`,
        );
      }
      if (o.consistency === 'MREC' && !c.intakeOpen) {
        problems.push(
          `sweep ${c.sweepId} was claimed in ${c.replica} at epoch ${c.epoch} before that epoch was reconciled (its intake not open)`,
        );
      }
    }
    for (const s of o.sweepSubmits) {
      const holder = o.leaseHistory.get(s.replica)?.get(s.epoch);
      if (holder !== s.by) {
        problems.push(
          `sweep ${s.sweepId} was marked submitted in ${s.replica} by ${s.by} at epoch ${s.epoch}, held by ${holder ?? 'nobody'}`,
        );
      }
    }
    return problems;
  },
};
