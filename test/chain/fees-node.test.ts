import { type Hex, keccak256, parseGwei } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { replacementFees, replacementMinimum } from '../../lib/chain/fees';
import { type EvmNode, EvmNodeRpcError, startEvmNode } from '../../lib/chain/devnet/evm-node';

/**
 * The replacement rule of lib/chain/fees.ts against a real node (Hardhat's EDR): a replacement it
 * proposes is accepted at the same nonce; one wei below geth's threshold is refused as underpriced.
 * Signed with Hardhat's first well-known development key (a test key, never a wallet key).
 */
const DEV_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const account = privateKeyToAccount(DEV_KEY);
const to = '0x000000000000000000000000000000000000dEaD';

let node: EvmNode;
beforeAll(async () => {
  node = await startEvmNode({ chainId: 31337, automine: false });
});
afterAll(async () => node?.stop());

async function send(nonce: number, maxFeePerGas: bigint, maxPriorityFeePerGas: bigint): Promise<Hex> {
  const raw = await account.signTransaction({
    type: 'eip1559',
    chainId: 31337,
    nonce,
    to,
    value: 1n,
    gas: 21000n,
    maxFeePerGas,
    maxPriorityFeePerGas,
  });
  await node.rpc('eth_sendRawTransaction', [raw]);
  return keccak256(raw);
}

describe('fees: replacement on a real node', () => {
  it('accepts the proposed replacement at the same nonce and mines only it', async () => {
    const nonce = Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending']));
    const previous = { maxFeePerGas: parseGwei('3'), maxPriorityFeePerGas: parseGwei('1') };
    const first = await send(nonce, previous.maxFeePerGas, previous.maxPriorityFeePerGas);
    const history = await node.rpc<{ baseFeePerGas: string[]; reward?: string[][] }>('eth_feeHistory', [
      '0x4',
      'latest',
      [50],
    ]);
    const d = replacementFees(
      previous,
      { baseFeePerGas: history.baseFeePerGas.map(BigInt), reward: history.reward?.map((r) => r.map(BigInt)) },
      { priorityFeePerGas: parseGwei('1'), capPerGas: parseGwei('100'), bumpPercent: 10, baseFeeMultiplier: 2 },
    );
    if (d.kind !== 'replace') throw new Error(`expected a replacement, got ${d.reason}`);
    const second = await send(nonce, d.fees.maxFeePerGas, d.fees.maxPriorityFeePerGas);
    await node.mine(1);
    expect(await node.rpc('eth_getTransactionReceipt', [first])).toBeNull();
    const receipt = await node.rpc<{ status: string } | null>('eth_getTransactionReceipt', [second]);
    expect(receipt?.status).toBe('0x1');
  });

  it('refuses a replacement one wei below the threshold as underpriced (the rule the module follows)', async () => {
    const nonce = Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending']));
    const fee = parseGwei('3');
    const tip = parseGwei('1');
    await send(nonce, fee, tip);
    const refused = send(nonce, replacementMinimum(fee, 10), replacementMinimum(tip, 10) - 1n);
    await expect(refused).rejects.toThrow(EvmNodeRpcError);
    await expect(send(nonce, replacementMinimum(fee, 10) - 1n, replacementMinimum(tip, 10))).rejects.toThrow(
      /underpriced/i,
    );
    // exactly the threshold on both is accepted
    await expect(send(nonce, replacementMinimum(fee, 10), replacementMinimum(tip, 10))).resolves.toMatch(/^0x/);
    await node.mine(1);
  });
});
