import type { Invariant } from './types';

/**
 * A broadcast counted as done reached the network: when a transaction is recorded `broadcast`, the
 * network (the simulated chain, behind the providers) holds its hash. The signer sends to every
 * healthy provider at once, so a provider that swallows the send (answers the hash, forwards
 * nothing) cannot be the only one that "accepted" it while another healthy provider is reachable.
 */
export const broadcastReachedNetwork: Invariant = {
  name: 'broadcast-reached-network',
  description:
    'every transaction recorded as broadcast is held by the network at that moment (no swallowed send counted)',
  check(o) {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const b of o.broadcastsRecorded) {
      if (b.networkHasIt || seen.has(b.txHash)) continue;
      seen.add(b.txHash);
      problems.push(
        `${b.txId} (nonce ${b.nonce}, ${b.txHash}) was recorded broadcast by ${b.by} at ${b.at} ms, ` +
          'but the network did not have it: a provider swallowed the send and nothing else delivered it',
      );
    }
    return problems;
  },
};
