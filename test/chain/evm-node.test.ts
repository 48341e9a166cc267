import { EvmNodeRpcError, startEvmNode } from '../../lib/chain/devnet/evm-node';

/** The local EVM node the chain suites build on: it starts, mines on demand, and reports RPC errors. */
describe('the local EVM node (Hardhat 2, EDR)', () => {
  it('starts on loopback with the chain id asked for, and mines only when told with automine off', async () => {
    const node = await startEvmNode({ chainId: 1337, automine: false });
    try {
      expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(await node.rpc<string>('eth_chainId'))).toBe(1337);
      const before = Number(await node.rpc<string>('eth_blockNumber'));
      await node.mine(3);
      expect(Number(await node.rpc<string>('eth_blockNumber'))).toBe(before + 3);
      await node.setBalance('0x000000000000000000000000000000000000dEaD', 10n ** 18n);
      expect(
        BigInt(await node.rpc<string>('eth_getBalance', ['0x000000000000000000000000000000000000dEaD', 'latest'])),
      ).toBe(10n ** 18n);
    } finally {
      await node.stop();
    }
  });

  it('reports a refused call as EvmNodeRpcError naming the method', async () => {
    const node = await startEvmNode();
    try {
      await expect(node.rpc('eth_sendRawTransaction', ['0x00'])).rejects.toThrow(EvmNodeRpcError);
      await expect(node.rpc('eth_sendRawTransaction', ['0x00'])).rejects.toThrow(/^eth_sendRawTransaction: /);
    } finally {
      await node.stop();
    }
  });
});
