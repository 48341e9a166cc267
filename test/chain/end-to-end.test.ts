import { createPublicClient, http, recoverTransactionAddress, serializeTransaction, type Hex } from 'viem';
import { startWorld, type World } from '../../bin/rehearsal/world';
import { startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import { auditChain } from '../../lib/chain/rehearsal/audit';
import { type MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Issue 16, end to end on a real EVM node (Hardhat) and moto_server: the real API handler queues
 * the request on SQS, the real signer signs with the moto KMS key (its address funded with
 * hardhat_setBalance) and broadcasts through the provider pool (poolBroadcaster), the node mines
 * it, the real chain watcher marks it mined and then confirmed, and GET .../transactions/{txId}
 * shows it. viem, reading the node on its own, finds the transaction and recovers the wallet's
 * address from its signature.
 */
const PRIMARY = 'us-east-2';
const CHAIN_ID = 31337;
const TO = '0x4444444444444444444444444444444444444444';

let node: EvmNode;
let moto: MotoServer;
let world: World;

beforeAll(async () => {
  [node, moto] = await Promise.all([startEvmNode({ chainId: CHAIN_ID, automine: false }), sharedMoto()]);
  world = await startWorld({ moto, node, confirmations: 2, name: `e2e-${Date.now()}` });
});
afterAll(async () => {
  await world?.stop();
  await node?.stop();
});

const body = (value: number) => ({
  to: TO,
  value: String(value),
  gasLimit: '21000',
  maxFeePerGas: '20000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: CHAIN_ID,
});

test('API -> queue -> signer (moto KMS) -> broadcast -> mined -> confirmed, visible through GET; viem recovers the wallet address', async () => {
  // Prepare
  const { walletId, address } = world.wallets[0];
  const txId = await world.submit(PRIMARY, walletId, body(4242));
  expect((await world.get(PRIMARY, walletId, txId)).status).toBe('queued');
  // Act: the signer takes the queued message, signs, broadcasts through the pool
  const pumped = await world.pump(PRIMARY);
  const broadcast = await world.get(PRIMARY, walletId, txId);
  await node.mine(1);
  await world.watch(PRIMARY);
  const mined = await world.get(PRIMARY, walletId, txId);
  await node.mine(2);
  await world.watch(PRIMARY);
  const confirmed = await world.get(PRIMARY, walletId, txId);
  // Assess: each step as the API shows it
  expect(pumped).toEqual({ processed: 1, failed: 0, outcomes: ['broadcast'] });
  expect(broadcast.status).toBe('broadcast');
  expect(mined.status).toBe('mined');
  expect(confirmed.status).toBe('confirmed');
  const txHash = broadcast.transactionHash as Hex;
  expect(txHash).toMatch(/^0x[0-9a-f]{64}$/);
  // Assess: an independent library reads the mined transaction from the node
  const client = createPublicClient({ transport: http(node.url, { retryCount: 0 }) });
  const onChain = await client.getTransaction({ hash: txHash });
  const receipt = await client.getTransactionReceipt({ hash: txHash });
  expect(receipt.status).toBe('success');
  expect(onChain.from.toLowerCase()).toBe(address.toLowerCase());
  expect([onChain.to?.toLowerCase(), onChain.value, onChain.nonce]).toEqual([TO, 4242n, 0]);
  const recovered = await recoverTransactionAddress({
    serializedTransaction: serializeTransaction(
      {
        type: 'eip1559',
        chainId: CHAIN_ID,
        nonce: onChain.nonce,
        to: onChain.to!,
        value: onChain.value,
        gas: onChain.gas,
        maxFeePerGas: onChain.maxFeePerGas!,
        maxPriorityFeePerGas: onChain.maxPriorityFeePerGas!,
        data: onChain.input,
      },
      { r: onChain.r, s: onChain.s, yParity: onChain.yParity! },
    ),
  });
  expect(recovered.toLowerCase()).toBe(address.toLowerCase());
  // The API names the block the chain has it in, and the confirmations.
  expect(confirmed).toMatchObject({
    transactionHash: txHash,
    mined: { blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash },
  });
  expect(confirmed.confirmations).toBeGreaterThanOrEqual(2);
  // And the chain-wide audit agrees: one transaction, nonce 0, no gap, no duplicate.
  const audit = await auditChain(node.url, [address], [4242n]);
  expect(audit.mined.map((t) => [t.nonce, t.value, t.recovered])).toEqual([[0, 4242n, address.toLowerCase()]]);
  expect([audit.duplicates, audit.unmined, audit.badSignatures, audit.nonceGaps[address.toLowerCase()]]).toEqual([
    [],
    [],
    [],
    [],
  ]);
});
