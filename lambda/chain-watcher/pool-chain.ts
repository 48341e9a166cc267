import {
  type Hash,
  type Hex,
  type PublicClient,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  BlockNotFoundError,
} from 'viem';
import { findNonceHolder } from '../../lib/chain/broadcast';
import type { WatcherChain, WatcherProviderHealth } from './handler';

/**
 * The watcher's chain over the provider pool (lib/chain/pool.ts ProviderPool): reads go to the best
 * healthy provider with failover, a broadcast to every healthy provider. Only the members the
 * watcher uses, so this file states exactly what it needs of the pool.
 */
export interface WatcherPool {
  refresh(): Promise<readonly WatcherProviderHealth[]>;
  read<T>(what: string, call: (client: PublicClient, provider: string) => Promise<T>): Promise<T>;
  broadcast(
    raw: Hex,
    meta: { address: string; nonce: number; txHash: string },
  ): Promise<{
    readonly acceptedBy: readonly string[];
    readonly results: ReadonlyArray<{ provider: string; outcome: string; detail?: string }>;
  }>;
}

export function poolChain(pool: WatcherPool): WatcherChain {
  return {
    refresh: () => pool.refresh(),
    // cacheTime 0: viem otherwise answers getBlockNumber from a cache as old as its polling
    // interval (4 s), and a head that old makes a just-mined receipt look non-canonical.
    blockNumber: () => pool.read('eth_blockNumber', (c) => c.getBlockNumber({ cacheTime: 0 })),
    blockHash: (blockNumber) =>
      pool.read('eth_getBlockByNumber', async (c) => {
        try {
          return (await c.getBlock({ blockNumber })).hash ?? undefined;
        } catch (err) {
          // No block at that height (the chain is shorter after a reorg) is an answer, not an error.
          if (err instanceof BlockNotFoundError) return undefined;
          throw err;
        }
      }),
    receipt: (txHash) =>
      pool.read('eth_getTransactionReceipt', async (c) => {
        try {
          const r = await c.getTransactionReceipt({ hash: txHash as Hash });
          return { blockNumber: r.blockNumber, blockHash: r.blockHash, status: r.status };
        } catch (err) {
          if (err instanceof TransactionReceiptNotFoundError) return undefined;
          throw err;
        }
      }),
    // The best healthy provider's answer. A transaction only one provider dropped is then seen as
    // known, or rebroadcast to every healthy provider, where "already known" is success: either
    // way harmless.
    knows: (txHash) =>
      pool.read('eth_getTransactionByHash', async (c) => {
        try {
          await c.getTransaction({ hash: txHash as Hash });
          return true;
        } catch (err) {
          if (err instanceof TransactionNotFoundError) return false;
          throw err;
        }
      }),
    // One provider answers both reads (one pool.read), so the depth and the holder agree. Only a
    // transaction the node itself reports from this address at this nonce, mined at or below the
    // depth block, counts (findNonceHolder, lib/chain/broadcast.ts); anything unclear is undefined.
    nonceHolder: (address, nonce, atOrBelow, ours) =>
      pool.read('eth_getTransactionCount', async (c) => {
        const usedThatDeep = await c.getTransactionCount({ address: address as Hex, blockNumber: atOrBelow });
        if (usedThatDeep <= nonce) return undefined;
        const holder = await findNonceHolder(c, address, nonce, ours[ours.length - 1] ?? '');
        if (holder === undefined || ours.some((h) => h.toLowerCase() === holder.toLowerCase())) return undefined;
        return holder;
      }),
    async broadcast(raw, meta) {
      const report = await pool.broadcast(raw as Hex, meta);
      if (report.acceptedBy.length === 0) {
        throw new Error(
          `no provider accepted ${meta.txHash}: ${report.results.map((r) => `${r.provider} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`).join('; ') || 'no healthy provider'}`,
        );
      }
    },
  };
}
