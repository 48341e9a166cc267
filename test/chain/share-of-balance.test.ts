import { type EvmNode, startEvmNode } from '../../lib/chain/devnet/evm-node';
import type { RuntimeSpendingPolicy } from '../../lib/contract/policy';
import type { Ledger } from '../../lambda/shared/ledger';
import { type BalanceSource, createSpendingGate } from '../../lambda/shared/policy/gate';
import { createLedgerTable } from '../helpers/ledger-table';
import { type MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The share-of-balance rule with the balance read from a real EVM node (Hardhat's EDR), through the
 * gate's `BalanceSource` port (the lead wires the provider pool behind it at merge; here it is a
 * plain `eth_getBalance`), and the counter and allowlist from moto.
 */
const HOT = '0x2222222222222222222222222222222222222222';
const TO = '0x3333333333333333333333333333333333333333';
const policy: RuntimeSpendingPolicy = {
  version: 'v1',
  default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
  wallets: {
    'w-1': {
      outgoing: 'allowed',
      velocity: [],
      shareOfHotBalancePercent: 25,
      destinations: 'any',
      unlistedDestination: 'refuse',
    },
  },
  allowlistTimeLockHours: 48,
};

let node: EvmNode;
let moto: MotoServer;
let ledger: Ledger;
beforeAll(async () => {
  node = await startEvmNode({ chainId: 11155111 });
  moto = await sharedMoto();
  ledger = await createLedgerTable(moto.clientConfig('us-east-2'), `share-of-balance-${Date.now()}`);
}, 60_000);
afterAll(async () => {
  await node?.stop();
});

const chainBalance: () => BalanceSource = () => ({
  getBalance: async (address) => BigInt(await node.rpc<string>('eth_getBalance', [address, 'latest'])),
});

const gate = (balance?: BalanceSource) =>
  createSpendingGate({
    policy: () => policy,
    ledger,
    consistency: 'MRSC',
    region: 'us-east-2',
    now: () => new Date(),
    ...(balance === undefined ? {} : { balance }),
  });
const ask = (g: ReturnType<typeof gate>, value: string) =>
  g.atIntake({ walletId: 'w-1', address: HOT, request: { to: TO, value } });

test('allows up to 25% of the chain balance and refuses one wei more; follows the balance as it changes', async () => {
  await node.setBalance(HOT, 4_000_000n);
  const g = gate(chainBalance());
  expect(await ask(g, '1000000')).toMatchObject({ kind: 'allow' });
  expect(await ask(g, '1000001')).toMatchObject({
    kind: 'refuse',
    rule: 'share-of-balance',
    limit: '25% of the hot balance',
  });
  await node.setBalance(HOT, 400n);
  expect(await ask(g, '101')).toMatchObject({ kind: 'refuse', rule: 'share-of-balance' });
});

test('fails closed when the balance cannot be read (the node is unreachable) or no source is wired', async () => {
  const unreachable: BalanceSource = { getBalance: async () => Promise.reject(new Error('connect ECONNREFUSED')) };
  expect(await ask(gate(unreachable), '1')).toMatchObject({ kind: 'refuse', rule: 'share-of-balance' });
  expect(await ask(gate(), '1')).toMatchObject({ kind: 'refuse', rule: 'share-of-balance' });
});
