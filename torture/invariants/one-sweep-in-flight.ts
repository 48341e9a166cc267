import type { Invariant } from './types';

/**
 * At most one sweep in flight (the sweep-control item, lambda/sweeper/control.ts): no replica ever
 * holds two open sweep transactions at once (a sweep transaction is created only when no other is
 * queued, assigned, signed, broadcast, stuck or quarantined), and the chain mines at most one sweep
 * for the run's one excess (the harness funds the hot address once and nothing confirms a sweep, so a
 * second mined sweep can only be a second sweep of the same wei).
 */
export const oneSweepInFlight: Invariant = {
  name: 'one-sweep-in-flight',
  description: 'never two sweep transactions open at once in a replica, never two mined sweeps for one excess',
  check(o) {
    if (o.sweep === undefined) return [];
    const problems: string[] = [];
    for (const opened of o.sweepOpenings) {
      if (opened.openBeside.length > 0) {
        problems.push(
          `sweep transaction ${opened.txId} was created in ${opened.replica} while ${opened.openBeside.join(', ')} was still open`,
        );
      }
    }
    const final = o.final;
    if (final !== undefined) {
      const mined = new Set(
        final.chain.minedAt(final.address, Number.POSITIVE_INFINITY).map((a) => a.hash.toLowerCase()),
      );
      const sweeps = final.transactions.filter(
        (t) => t.walletId === o.sweep?.walletId && t.txHash !== undefined && mined.has(t.txHash.toLowerCase()),
      );
      if (sweeps.length > 1) {
        problems.push(
          `${sweeps.length} sweeps were mined for one excess: ${sweeps.map((t) => `${t.txId} (${t.request.value} wei)`).join(', ')}`,
        );
      }
    }
    return problems;
  },
};
