import type { Invariant } from './types';

/**
 * No stale view decided a nonce: every chain nonce reconciliation acted on is at least the network's
 * pending count when the read began. The pool answers the highest nonce two healthy providers agree
 * on, so one provider whose head is stuck or whose nonce answer is stale (it answers lower) cannot
 * decide it; with no agreement it fails closed and reconciliation is retried.
 */
export const nonceReadAgreed: Invariant = {
  name: 'nonce-read-agreed',
  description:
    'every chain nonce reconciliation acted on is at least the network pending count (no stale or stuck provider decided it)',
  check(o) {
    return o.nonceReads
      .filter((r) => r.answer < r.truth)
      .map(
        (r) =>
          `reconciliation in ${r.region} acted on nonce ${r.answer} from ${r.source} at ${r.at} ms, ` +
          `but the network's pending count was already ${r.truth}`,
      );
  },
};
