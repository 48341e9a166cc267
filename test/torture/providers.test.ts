import { keccak256, parseTransaction } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { NonceAgreementError, ProviderPool } from '../../lib/chain/pool';
import { POOL_LIMITS } from '../../torture/run';
import { CHAIN_PROVIDERS, type ChainFault } from '../../torture/schedule';
import { BLOCK_MS, SimChain } from '../../torture/sim/chain';
import { SimProvider } from '../../torture/sim/providers';

/**
 * The torture harness's simulated RPC providers behind the REAL provider pool (lib/chain/pool.ts):
 * each fault does to the pool what the fault proxy does with a real node (test/chain/faults.test.ts),
 * in virtual time. Prepare / Act / Assess.
 */
const CHAIN_ID = 11155111;
const account = privateKeyToAccount('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const ADDRESS = account.address.toLowerCase();

function world(faults: ChainFault[]) {
  let now = 0;
  const clock = () => now;
  const signatures = new Set<bigint>();
  const chain = new SimChain(clock, { address: ADDRESS, signedR: () => signatures });
  const events: string[] = [];
  const providers = CHAIN_PROVIDERS.map(
    (name, i) =>
      new SimProvider(
        name,
        chain,
        CHAIN_ID,
        faults.filter((f) => f.provider === i),
        {
          clock,
          sleep: async (ms) => {
            now += ms;
          },
          timeoutMs: POOL_LIMITS.requestTimeoutMs,
          onFault: (e) => events.push(`${e.provider} ${e.kind} ${e.method}`),
        },
      ),
  );
  const clients = providers.map((p) => p.client());
  const pool = new ProviderPool({
    chainId: CHAIN_ID,
    providers: CHAIN_PROVIDERS.map((name) => ({ name, url: `https://${name}.torture.invalid` })),
    limits: { ...POOL_LIMITS, refreshIntervalMs: 0 },
    now: clock,
    clientFor: (p) => clients[CHAIN_PROVIDERS.indexOf(p.name as (typeof CHAIN_PROVIDERS)[number])],
  });
  const sign = async (nonce: number, value = 1000n + BigInt(nonce)) => {
    const raw = await account.signTransaction({
      chainId: CHAIN_ID,
      nonce,
      to: '0x7777777777777777777777777777777777777777',
      value,
      gas: 21000n,
      maxFeePerGas: 20_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      type: 'eip1559',
    });
    signatures.add(BigInt(parseTransaction(raw).r!));
    return raw;
  };
  const send = async (nonce: number, value?: bigint) => {
    const raw = await sign(nonce, value);
    const txHash = keccak256(raw);
    return { raw, txHash, report: await pool.broadcast(raw, { address: ADDRESS, nonce, txHash }) };
  };
  const advance = (ms: number) => {
    now += ms;
  };
  const health = (name: string) => pool.health().find((h) => h.name === name)!;
  return { chain, pool, send, advance, health, events, sign, clients };
}

const fault = (kind: ChainFault['kind'], extra: Partial<ChainFault> = {}): ChainFault => ({
  provider: 0,
  kind,
  from: 0,
  to: 1_000_000,
  ...extra,
});

test('without faults every provider is healthy, the nonce read agrees and every provider accepts a send', async () => {
  const w = world([]);
  await w.pool.refresh();
  expect(w.pool.health().map((h) => [h.name, h.healthy])).toEqual([
    ['rpc-a', true],
    ['rpc-b', true],
    ['rpc-c', true],
  ]);
  const { txHash, report } = await w.send(0);
  expect(report.acceptedBy).toEqual(['rpc-a', 'rpc-b', 'rpc-c']);
  expect(report.results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
  expect(w.chain.knows(txHash)).toBe(true);
  expect(await w.pool.pendingNonce(ADDRESS)).toBe(1);
});

test('down: the provider is unhealthy with the connection error as its reason; sends go to the others', async () => {
  const w = world([fault('down')]);
  await w.pool.refresh();
  expect(w.health('rpc-a')).toMatchObject({ healthy: false, reason: expect.stringContaining('ECONNREFUSED') });
  const { txHash, report } = await w.send(0);
  expect(report.acceptedBy).toEqual(['rpc-b', 'rpc-c']);
  expect(w.chain.knows(txHash)).toBe(true);
});

test('slow: the answer comes after the request timeout (virtual time), so the probe fails; a late send may still land', async () => {
  const w = world([fault('slow', { reaches: true })]);
  await w.pool.refresh();
  expect(w.health('rpc-a')).toMatchObject({ healthy: false, reason: expect.stringContaining('took too long') });
  // Sending through rpc-a alone: it times out, but the node got it.
  const raw = await w.sign(0);
  await expect(w.clients[0].request({ method: 'eth_sendRawTransaction', params: [raw] })).rejects.toThrow(
    /took too long/,
  );
  expect(w.chain.confirmedCount(ADDRESS)).toBe(1);
});

test('head stuck: within the lag limit the pool still answers the true nonce (two others agree); past it the provider is lagging', async () => {
  const w = world([fault('head-stuck')]);
  await w.pool.refresh();
  expect(await w.pool.pendingNonce(ADDRESS)).toBe(0); // freezes rpc-a's view at 0
  await w.send(0);
  await w.send(1);
  expect(await w.pool.pendingNonce(ADDRESS)).toBe(2); // rpc-a still says 0
  w.advance((POOL_LIMITS.maxLagBlocks + 1) * BLOCK_MS);
  await w.pool.refresh();
  expect(w.health('rpc-a')).toMatchObject({
    healthy: false,
    reason: `lagging: ${POOL_LIMITS.maxLagBlocks + 1} blocks behind the best head (limit ${POOL_LIMITS.maxLagBlocks})`,
  });
  expect(w.events).toContain('rpc-a head-stuck eth_getTransactionCount');
});

test('stale nonce: the highest answer two agree on wins; with only one honest provider left the read fails closed', async () => {
  const w = world([fault('stale-nonce', { behind: 2 }), { ...fault('down'), provider: 2, from: 10_000 }]);
  await w.send(0);
  await w.send(1);
  await w.send(2);
  expect(await w.pool.pendingNonce(ADDRESS)).toBe(3);
  w.advance(10_000); // rpc-c goes down: rpc-a (stale: 1) and rpc-b (3) are left
  await w.pool.refresh();
  const read = w.pool.pendingNonce(ADDRESS);
  await expect(read).rejects.toBeInstanceOf(NonceAgreementError);
  await expect(read).rejects.toThrow('rpc-a: 1; rpc-b: 3');
});

test('swallow: the provider answers the hash and forwards nothing; the others deliver it, but alone it would be lost', async () => {
  const w = world([
    fault('swallow'),
    { ...fault('down'), provider: 1, from: 10_000 },
    { ...fault('down'), provider: 2, from: 10_000 },
  ]);
  const first = await w.send(0);
  expect(first.report.acceptedBy).toEqual(['rpc-a', 'rpc-b', 'rpc-c']);
  expect(w.chain.knows(first.txHash)).toBe(true);
  w.advance(10_000);
  await w.pool.refresh();
  // The limit of a broadcast: one "accepted" is success, so a swallowing provider alone loses the
  // send; the chain watcher's "dropped" rule (no receipt, no provider knows it) sends it again.
  const second = await w.send(1);
  expect(second.report.acceptedBy).toEqual(['rpc-a']);
  expect(w.chain.knows(second.txHash)).toBe(false);
  expect(w.events).toContain('rpc-a swallow eth_sendRawTransaction');
});

test('known limit (reported, not fixed here): a swallowing provider "accepts" a transaction whose nonce another one holds, so the refusal of the others is masked', async () => {
  // lib/chain/broadcast.ts counts one acceptance as success. Here the others answer "replacement
  // transaction underpriced" and do not know the hash (nonce-taken: the signer would quarantine),
  // but rpc-a's bare "accepted" wins: the signer records it broadcast and it can never be mined.
  const w = world([fault('swallow')]);
  await w.send(0, 5n);
  const conflicting = await w.send(0, 6n);
  expect(conflicting.report.results.map((r) => [r.provider, r.outcome])).toEqual([
    ['rpc-a', 'accepted'],
    ['rpc-b', 'nonce-taken'],
    ['rpc-c', 'nonce-taken'],
  ]);
  expect(conflicting.report.acceptedBy).toEqual(['rpc-a']);
  expect(w.chain.knows(conflicting.txHash)).toBe(false);
});

test('wrong chain id: the provider is refused for good, also after it answers the right id again', async () => {
  const w = world([fault('wrong-chain-id', { to: 5_000 })]);
  await w.pool.refresh();
  const reason = `wrong chain id: the provider answers 1, the config says ${CHAIN_ID} (refused for good)`;
  expect(w.health('rpc-a')).toMatchObject({ healthy: false, reason });
  w.advance(10_000);
  await w.pool.refresh();
  expect(w.health('rpc-a')).toMatchObject({ healthy: false, reason });
  const { report } = await w.send(0);
  expect(report.acceptedBy).toEqual(['rpc-b', 'rpc-c']);
});

test('fails with the method named when asked for a method it does not simulate', async () => {
  const w = world([]);
  const client = new SimProvider('rpc-x', w.chain, CHAIN_ID, [], {
    clock: () => 0,
    sleep: async () => undefined,
    timeoutMs: 1,
    onFault: () => undefined,
  }).client();
  await expect(client.request({ method: 'eth_call' as never, params: [] as never })).rejects.toThrow(
    /do not answer eth_call; extend torture\/sim\/providers.ts/,
  );
});
