import {
  createPublicClient,
  type Hash,
  type Hex,
  http,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from 'viem';
import type { WatcherChain } from '../../../lambda/chain-watcher/handler';
import { poolChain } from '../../../lambda/chain-watcher/pool-chain';

/**
 * The watcher's chain reads straight against one real node (test rig): the same JSON-RPC calls the
 * pool adapter makes, without the pool's scoring. `broadcasts` counts what the watcher sent.
 */
export function directChain(url: string): WatcherChain & { broadcasts: string[] } {
  // cacheTime 0: viem caches eth_blockNumber for its polling interval (4 s) by default, which
  // would show a head that is seconds old.
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }), cacheTime: 0 });
  const broadcasts: string[] = [];
  return {
    broadcasts,
    async refresh() {
      const block = await client.getBlock();
      return [{ name: 'node', healthy: true, headTimestamp: Number(block.timestamp), lagBlocks: 0, latencyMs: 1 }];
    },
    blockNumber: () => client.getBlockNumber(),
    async blockHash(n) {
      const block = await client.getBlock({ blockNumber: n }).catch(() => undefined);
      return block?.hash ?? undefined;
    },
    async receipt(hash) {
      try {
        const r = await client.getTransactionReceipt({ hash: hash as Hash });
        return { blockNumber: r.blockNumber, blockHash: r.blockHash, status: r.status };
      } catch (err) {
        if (err instanceof TransactionReceiptNotFoundError) return undefined;
        throw err;
      }
    },
    async knows(hash) {
      try {
        await client.getTransaction({ hash: hash as Hash });
        return true;
      } catch (err) {
        if (err instanceof TransactionNotFoundError) return false;
        throw err;
      }
    },
    // The production lookup (pool-chain.ts), over this one node.
    nonceHolder: (address, nonce, atOrBelow, ours) =>
      poolChain({
        refresh: () => Promise.resolve([]),
        read: (_what, call) => call(client as never, 'node'),
        broadcast: () => Promise.reject(new Error('not used')),
      }).nonceHolder(address, nonce, atOrBelow, ours),
    async broadcast(raw) {
      broadcasts.push(raw);
      await client.sendRawTransaction({ serializedTransaction: raw as Hex }).catch((err: Error) => {
        if (!/already known|known transaction/i.test(err.message)) throw err;
      });
    },
  };
}
