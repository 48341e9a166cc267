import type { Hex } from 'viem';
import { ReconciliationRequiredError } from './errors';

/**
 * The chain, behind two small interfaces. The blueprint talks to no chain by default: it signs and
 * stores. A deployment plugs in its own node/provider client.
 */

/**
 * The network holds ANOTHER transaction of this address at this nonce, so the one offered cannot be
 * mined there (unless that one is dropped). A broadcaster throws it for a definite refusal, never
 * for a node that is down or slow. With geth, `eth_sendRawTransaction` answers "nonce too low" (the
 * nonce is mined) or "replacement transaction underpriced" (a transaction with that nonce is in the
 * pool and this one does not pay the price bump). A node answers the same for our OWN transaction
 * once mined ("nonce too low"), so before throwing, look the offered hash up
 * (`eth_getTransactionByHash`): if the node knows it, the broadcast succeeded. Name the transaction
 * holding the nonce when the node tells (`txpool_contentFrom`, or the block that mined it).
 */
export class NonceTakenError extends Error {
  constructor(
    message: string,
    readonly taken: {
      readonly nonce: number;
      /** The hash of the transaction holding the nonce, when known. */
      readonly heldByHash?: string;
    },
  ) {
    super(message);
    this.name = 'NonceTakenError';
  }
}

/** Sends a signed raw transaction to the network. */
export interface Broadcaster {
  readonly name: string;
  /** false: the signer stores signed transactions and leaves sending to someone else. */
  readonly enabled: boolean;
  /**
   * Resolves once the network accepted the transaction (or already knew it). Throws
   * NonceTakenError when another transaction holds its nonce (the signer then stops retrying and
   * quarantines it with the reason); any other error is treated as transient (the message is retried).
   */
  broadcast(
    raw: Hex,
    meta: { readonly address: string; readonly nonce: number; readonly txHash: string },
  ): Promise<void>;
}

/** The default: broadcasting is somebody else's job (status stays signed). */
export const noopBroadcaster: Broadcaster = {
  name: 'none',
  enabled: false,
  broadcast: async () => undefined,
};

/**
 * The chain's view of an address's nonce, for reconciliation after an unplanned failover under
 * MREC. `pendingNonce` is what `eth_getTransactionCount(address, "pending")` answers from a node
 * you trust: the next nonce the network expects, counting transactions in its mempool.
 */
export interface ChainNonceSource {
  readonly name: string;
  pendingNonce(address: string): Promise<number>;
}

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
