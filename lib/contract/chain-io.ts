import type { Hex } from 'viem';

/**
 * The two small interfaces between the wallet and the chain (moved here from lambda/shared/chain.ts
 * so lib/chain can implement them; lambda/shared/chain.ts re-exports them, so existing imports and
 * `instanceof NonceTakenError` keep working).
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

/**
 * The chain's view of an address's nonce, for reconciliation after an unplanned failover under
 * MREC. `pendingNonce` is what `eth_getTransactionCount(address, "pending")` answers from a node
 * you trust: the next nonce the network expects, counting transactions in its mempool.
 */
export interface ChainNonceSource {
  readonly name: string;
  pendingNonce(address: string): Promise<number>;
}
