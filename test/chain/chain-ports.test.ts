import { type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type EvmNode, startEvmNode } from '../../lib/chain/devnet/evm-node';
import {
  CHAIN_FEE_DEFAULTS,
  CHAIN_HEALTH_DEFAULTS,
  CHAIN_TIMING_DEFAULTS,
  type ChainSettings,
} from '../../lib/contract/chain-settings';
import { ChainRuntime, ProviderSecretCache } from '../../lambda/shared/chain-env';
import { runtimeBalance, runtimeBroadcaster, runtimeChainFees } from '../../lambda/shared/chain-ports';

/**
 * The ports the handlers take (lambda/shared/chain-ports.ts) over one container's chain runtime,
 * against a real node: the signer's fee market, its broadcaster and the spending gate's balance.
 */
const DEV_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
let node: EvmNode;
let runtime: ChainRuntime;

beforeAll(async () => {
  node = await startEvmNode({ chainId: 31337 });
  const settings: ChainSettings = {
    chainId: 31337,
    providers: [{ name: 'local', url: node.url }],
    health: { ...CHAIN_HEALTH_DEFAULTS, maxLagSeconds: 86_400 },
    ...CHAIN_TIMING_DEFAULTS,
    fees: CHAIN_FEE_DEFAULTS,
  };
  // no secret-backed provider: the cache is never asked
  runtime = new ChainRuntime(settings, { secrets: new ProviderSecretCache({ send: async () => ({}) } as never) });
});
afterAll(async () => node?.stop());

describe('chain ports over the container runtime', () => {
  it("the fee market: the chain's fee policy in wei and eth_feeHistory over its window", async () => {
    const fees = runtimeChainFees(runtime);
    expect(fees.policy).toEqual({
      priorityFeePerGas: 1_500_000_000n,
      capPerGas: 100n * 10n ** 9n,
      bumpPercent: 10,
      baseFeeMultiplier: 2,
    });
    await node.mine(12);
    const history = await fees.feeHistory();
    expect(history.baseFeePerGas).toHaveLength(CHAIN_FEE_DEFAULTS.feeHistoryBlocks + 1);
    expect(history.reward).toHaveLength(CHAIN_FEE_DEFAULTS.feeHistoryBlocks);
    expect(typeof history.baseFeePerGas[0]).toBe('bigint');
  });

  it('the balance of an address at the latest block', async () => {
    await node.setBalance('0x000000000000000000000000000000000000bEEF', 12345n);
    expect(await runtimeBalance(runtime).getBalance('0x000000000000000000000000000000000000bEEF')).toBe(12345n);
  });

  it('the broadcaster sends through the pool and the node mines it', async () => {
    const account = privateKeyToAccount(DEV_KEY);
    const raw = await account.signTransaction({
      type: 'eip1559',
      chainId: 31337,
      nonce: Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending'])),
      to: '0x000000000000000000000000000000000000dEaD',
      value: 1n,
      gas: 21000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const broadcaster = runtimeBroadcaster(runtime);
    expect(broadcaster.enabled).toBe(true);
    await broadcaster.broadcast(raw, { address: account.address.toLowerCase(), nonce: 0, txHash: keccak256(raw) });
    const receipt = await node.rpc<{ status: string } | null>('eth_getTransactionReceipt', [keccak256(raw)]);
    expect(receipt?.status).toBe('0x1');
  });
});
