import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type Hex,
  keccak256,
  parseSignature,
  parseTransaction,
  recoverTransactionAddress,
  serializeTransaction,
  type TransactionSerializableEIP1559,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { operatorLedger } from '../../bin/ops-ledger';
import { type EvmNode, startEvmNode } from '../../lib/chain/devnet/evm-node';
import { runOps } from '../../lib/operator/cli';
import { OPS_EXIT } from '../../lib/operator/exit-codes';
import { rawConfig } from '../helpers/config';
import { trackedTempDir } from '../helpers/temp-dirs';

/**
 * `wallet-ops prepare-top-up` against a real EVM node (Hardhat's EDR): the printed UNSIGNED
 * transaction, signed by a local viem account holding the cold key (over the printed digest, the way
 * a KMS DIGEST signer signs) and broadcast, is mined and moves exactly the amount to the hot address.
 * And its refusals: bad input all at once, a top-up above the float ceiling.
 */
const CHAIN_ID = 11155111; // the example config's chain
const ETH = 10n ** 18n;
const HOT = '0x2222222222222222222222222222222222222222';
const coldKey = generatePrivateKey();
const cold = privateKeyToAccount(coldKey);

let node: EvmNode;
let configPath: string;

beforeAll(async () => {
  node = await startEvmNode({ chainId: CHAIN_ID });
  configPath = path.join(trackedTempDir('prepare-top-up-'), 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      rawConfig({
        spending: {
          wallets: { 'w-sweep': { outgoing: 'cold-only' } },
          cold: {
            coldAddress: cold.address,
            floatCeilingWei: (10n * ETH).toString(),
            sweepWalletId: 'w-sweep',
            minimumSweepWei: (ETH / 10n).toString(),
          },
        },
      }),
    ),
  );
}, 60_000);
afterAll(async () => {
  await node?.stop();
});

async function ops(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runOps(
    [
      'prepare-top-up',
      '-c',
      configPath,
      '--region',
      'us-east-2',
      '--address',
      HOT,
      '--rpc-url',
      `a=${node.url}`,
      '--rpc-url',
      `b=${node.url}`,
      ...args,
    ],
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: process.cwd(),
      ledger: operatorLedger,
    },
  );
  return { code, stdout, stderr };
}

test('the printed unsigned transaction, signed over its digest with the cold key and broadcast, moves exactly the amount', async () => {
  // Prepare: the cold address funded and already used once (its nonce is not 0)
  await node.setBalance(cold.address, 100n * ETH);
  await node.setBalance(HOT, 2n * ETH);
  const warmUp = await cold.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce: 0,
    to: '0x3333333333333333333333333333333333333333',
    value: 1n,
    gas: 21000n,
    maxFeePerGas: 50n * 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 9n,
  });
  await node.rpc('eth_sendRawTransaction', [warmUp]);
  const amount = 3n * ETH + 12345n;

  // Act
  const { code, stdout } = await ops(['--amount-wei', amount.toString(), '--json']);
  const out = JSON.parse(stdout);
  const parsed = parseTransaction(out.unsignedTransaction as Hex) as TransactionSerializableEIP1559;
  const signature = await cold.sign({ hash: out.signingDigest as Hex });
  const raw = serializeTransaction(parsed, parseSignature(signature));
  const before = BigInt(await node.rpc<string>('eth_getBalance', [HOT, 'latest']));
  const hash = await node.rpc<string>('eth_sendRawTransaction', [raw]);
  const receipt = await node.rpc<{ status: string }>('eth_getTransactionReceipt', [hash]);
  const after = BigInt(await node.rpc<string>('eth_getBalance', [HOT, 'latest']));

  // Assess: the fields, the digest, the chain's answer
  expect(code).toBe(OPS_EXIT.ok);
  expect(out).toMatchObject({
    command: 'prepare-top-up',
    signed: false,
    from: cold.address.toLowerCase(),
    to: HOT,
    chainId: CHAIN_ID,
    nonce: 1,
    valueWei: amount.toString(),
    gas: '21000',
    hotBalanceWei: (2n * ETH).toString(),
    hotBalanceAfterWei: (2n * ETH + amount).toString(),
    aboveCeiling: false,
  });
  expect(parsed).toMatchObject({ chainId: CHAIN_ID, nonce: 1, to: HOT, value: amount, gas: 21000n, type: 'eip1559' });
  expect(parsed.maxFeePerGas?.toString()).toBe(out.maxFeePerGas);
  expect(out.signingDigest).toBe(keccak256(out.unsignedTransaction));
  expect(await recoverTransactionAddress({ serializedTransaction: raw as never })).toBe(cold.address);
  expect(receipt.status).toBe('0x1');
  expect(after - before).toBe(amount);
}, 30_000);

test('prints the fields and the digest as text, and says nothing was signed', async () => {
  await node.setBalance(HOT, 0n);
  const { code, stdout } = await ops(['--amount-wei', '1000']);
  expect(code).toBe(OPS_EXIT.ok);
  expect(stdout).toContain('UNSIGNED top-up (cold -> hot). Nothing was signed or sent.');
  expect(stdout).toMatch(/Unsigned transaction: 0x02[0-9a-f]+/);
  expect(stdout).toMatch(/Signing digest \(keccak256, for a DIGEST signer\): 0x[0-9a-f]{64}/);
});

test.each([
  ['0', '"0"'],
  ['-5', '"-5"'],
  ['1.5', '"1.5"'],
  ['1e18', '"1e18"'],
])('fails an amount of %s with what was wrong and how to fix it', async (amount, shown) => {
  const { code, stderr } = await ops(['--amount-wei', amount]);
  expect(code).toBe(OPS_EXIT.usage);
  expect(stderr).toContain(`--amount-wei must be a whole number of wei above 0`);
  expect(stderr).toContain(`received ${shown}`);
});

test('fails every bad input at once: no amount, a bad cold address', async () => {
  const { code, stderr } = await ops(['--cold-address', '0x1234']);
  expect(code).toBe(OPS_EXIT.usage);
  expect(stderr).toContain('2 problems');
  expect(stderr).toContain('received null');
  expect(stderr).toContain('--cold-address must be 0x followed by 40 hex digits; received "0x1234"');
});

test('fails a cold address equal to the hot address', async () => {
  const { code, stderr } = await ops(['--amount-wei', '1', '--cold-address', HOT]);
  expect(code).toBe(OPS_EXIT.usage);
  expect(stderr).toContain('is the hot address itself');
});

test('fails a top-up that would push the hot balance above the ceiling, unless --allow-above-ceiling', async () => {
  await node.setBalance(HOT, 9n * ETH);
  const refused = await ops(['--amount-wei', (ETH + 1n).toString(), '--json']);
  const exact = await ops(['--amount-wei', ETH.toString(), '--json']);
  const allowed = await ops(['--amount-wei', (ETH + 1n).toString(), '--allow-above-ceiling', '--json']);

  expect(refused.code).toBe(OPS_EXIT.refused);
  expect(refused.stderr).toContain('would be above the float ceiling of 10000000000000000000 wei');
  expect(refused.stderr).toContain(`Top up at most ${ETH} wei, or pass --allow-above-ceiling`);
  expect(JSON.parse(refused.stdout)).toMatchObject({ error: 'refused', hotBalanceWei: (9n * ETH).toString() });
  expect(exact.code).toBe(OPS_EXIT.ok);
  expect(allowed.code).toBe(OPS_EXIT.ok);
  expect(JSON.parse(allowed.stdout)).toMatchObject({ aboveCeiling: true });
});

test('fails closed when only one provider answers (the nonce needs two to agree)', async () => {
  let stderr = '';
  const code = await runOps(
    [
      'prepare-top-up',
      '-c',
      configPath,
      '--region',
      'us-east-2',
      '--address',
      HOT,
      '--rpc-url',
      node.url,
      '--amount-wei',
      '1',
    ],
    {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: process.cwd(),
      ledger: operatorLedger,
    },
  );
  expect(code).not.toBe(OPS_EXIT.ok);
  expect(stderr).toContain('needs two healthy providers to agree');
});
