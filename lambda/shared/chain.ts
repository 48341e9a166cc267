import type { Broadcaster, ChainNonceSource } from '../../lib/contract/chain-io';
import { ReconciliationRequiredError } from './errors';

/**
 * The chain, behind two small interfaces. The blueprint talks to no chain by default: it signs and
 * stores. A deployment plugs in its own node/provider client.
 */

export { NonceTakenError } from '../../lib/contract/chain-io';
export type { Broadcaster, ChainNonceSource } from '../../lib/contract/chain-io';

/** The default: broadcasting is somebody else's job (status stays signed). */
export const noopBroadcaster: Broadcaster = {
  name: 'none',
  enabled: false,
  broadcast: async () => undefined,
};

/** The default: no chain access. Reconciliation refuses (fail closed) and says what to do. */
export class UnavailableChainNonceSource implements ChainNonceSource {
  readonly name = 'unavailable';
  async pendingNonce(address: string): Promise<number> {
    throw new ReconciliationRequiredError(
      `no chain-nonce source is configured, so the nonce of ${address} cannot be read from the chain. ` +
        'Read it from a node you trust (eth_getTransactionCount "pending") and pass it as an operator-supplied ' +
        'source (StaticChainNonceSource), as docs/runbooks/unplanned-failover-mrec.md describes',
    );
  }
}

/** An operator-supplied reading (from a node or block explorer), with where it came from. */
export class StaticChainNonceSource implements ChainNonceSource {
  private readonly nonces: Map<string, number>;
  constructor(
    nonces: Readonly<Record<string, number>>,
    readonly name = 'operator-supplied',
  ) {
    this.nonces = new Map(Object.entries(nonces).map(([a, n]) => [a.toLowerCase(), n]));
  }
  async pendingNonce(address: string): Promise<number> {
    const n = this.nonces.get(address.toLowerCase());
    if (n === undefined) {
      throw new ReconciliationRequiredError(
        `the operator-supplied chain nonces have no entry for ${address}; add it (eth_getTransactionCount "pending")`,
      );
    }
    return n;
  }
}
