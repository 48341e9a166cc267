import type { Hex } from 'viem';
import { type ChainFees, feePolicy } from '../../lib/chain/fees';
import { poolBroadcaster, poolHighestNonceSource } from '../../lib/chain/pool';
import type { Broadcaster, ChainNonceSource } from '../../lib/contract/chain-io';
import type { ChainRuntime } from './chain-env';
import type { BalanceSource } from './policy/gate';

/**
 * The chain runtime of one container (lambda/shared/chain-env.ts: settings, secrets, the provider
 * pool) as the ports the handlers take: the signer's broadcaster and fee market, the spending
 * gate's balance source. The pool is built on first use (secret reads are async), so each port
 * awaits it; nothing here runs at module load.
 */
export function runtimeBroadcaster(runtime: ChainRuntime): Broadcaster {
  return {
    name: 'provider-pool',
    enabled: true,
    broadcast: async (raw: Hex, meta) => poolBroadcaster(await runtime.pool()).broadcast(raw, meta),
  };
}

/** eth_feeHistory over the chain's window at its reward percentile, through the pool (failover on error). */
export function runtimeChainFees(runtime: ChainRuntime): ChainFees {
  const { fees } = runtime.settings;
  return {
    policy: feePolicy(fees),
    feeHistory: async () =>
      (await runtime.pool()).read('eth_feeHistory', async (client) => {
        const h = await client.getFeeHistory({
          blockCount: fees.feeHistoryBlocks,
          rewardPercentiles: [fees.rewardPercentile],
        });
        return { baseFeePerGas: h.baseFeePerGas, reward: h.reward };
      }),
  };
}

/** The hot address's balance at the latest block, for the share-of-balance rule. */
export function runtimeBalance(runtime: ChainRuntime): BalanceSource {
  return {
    getBalance: async (address) =>
      (await runtime.pool()).read('eth_getBalance', (client) => client.getBalance({ address: address as Hex })),
  };
}

/** The highest pending nonce any healthy provider reports, through the pool (the sweeper's replica-behind check). */
export function runtimeHighestNonce(runtime: ChainRuntime): ChainNonceSource {
  return {
    name: 'provider-pool-highest',
    pendingNonce: async (address) => poolHighestNonceSource(await runtime.pool()).pendingNonce(address),
  };
}
