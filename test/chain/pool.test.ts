import { createPublicClient, http, parseGwei, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import { startFaultProxy, type FaultProxy } from '../../lib/chain/devnet/fault-proxy';
import { findNonceHolder } from '../../lib/chain/broadcast';
import {
  NoHealthyProviderError,
  NonceAgreementError,
  ProviderPool,
  poolBroadcaster,
  poolNonceSource,
  type PoolLimits,
} from '../../lib/chain/pool';
import { NonceTakenError } from '../../lib/contract/chain-io';

/**
 * The provider pool against a real node (Hardhat 2, EDR) through fault-injecting proxies: one
 * node, three "providers" (a, b, c), each a proxy whose faults the test switches.
 */
const CHAIN_ID = 31337;
// Hardhat's first default account (public test key).
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const limits: PoolLimits = {
  maxLagBlocks: 3,
  maxLagSeconds: 3600,
  maxErrorRate: 0.5,
  requestTimeoutMs: 1000,
  refreshIntervalMs: 0,
};

let node: EvmNode;
let proxies: FaultProxy[];
let nextNonce = 0;

async function signTransfer(nonce: number, priorityGwei = '1'): Promise<{ raw: Hex; txHash: Hex }> {
  const raw = await account.signTransaction({
    chainId: CHAIN_ID,
    type: 'eip1559',
    nonce,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 1n,
    gas: 21000n,
    maxFeePerGas: parseGwei('50'),
    maxPriorityFeePerGas: parseGwei(priorityGwei),
  });
  const { keccak256 } = await import('viem');
  return { raw, txHash: keccak256(raw) };
}

/** The hash of our account's mined transaction at `nonce`, by walking every block (the test's own oracle). */
async function minedAt(nonce: number): Promise<string | undefined> {
  const head = Number(await node.rpc<string>('eth_blockNumber', []));
  for (let b = 0; b <= head; b++) {
    const block = await node.rpc<{ transactions: Array<{ hash: string; from: string; nonce: string }> }>(
      'eth_getBlockByNumber',
      [`0x${b.toString(16)}`, true],
    );
    const t = block.transactions.find(
      (x) => x.from.toLowerCase() === account.address.toLowerCase() && Number(x.nonce) === nonce,
    );
    if (t !== undefined) return t.hash.toLowerCase();
  }
  return undefined;
}

function pool(...names: string[]): ProviderPool {
  return new ProviderPool({
    chainId: CHAIN_ID,
    providers: names.map((n) => ({ name: n, url: proxies['abc'.indexOf(n)].url })),
    limits,
  });
}

beforeAll(async () => {
  node = await startEvmNode({ chainId: CHAIN_ID });
  proxies = await Promise.all([0, 1, 2].map(() => startFaultProxy(node.url)));
  nextNonce = Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending']));
});
afterAll(async () => {
  await Promise.all((proxies ?? []).map((p) => p.stop()));
  await node?.stop();
});
beforeEach(async () => {
  await Promise.all(proxies.map((p) => p.setFaults({})));
  proxies.forEach((p) => p.resetCounts());
});

describe('health', () => {
  it('counts every provider healthy when all answer the same head on the right chain', async () => {
    const h = await pool('a', 'b', 'c').refresh();
    expect(h.map((x) => [x.name, x.healthy, x.chainId, x.lagBlocks])).toEqual([
      ['a', true, CHAIN_ID, 0],
      ['b', true, CHAIN_ID, 0],
      ['c', true, CHAIN_ID, 0],
    ]);
    expect(h[0].headNumber).toBe(BigInt(await node.rpc<string>('eth_blockNumber')));
  });

  it('fails a provider that is down (connection refused) with the reason, and reads move to the healthy one', async () => {
    await proxies[0].setFaults({ down: 'refused' });
    const p = pool('a', 'b');
    const h = await p.refresh();
    expect(h[0]).toMatchObject({ name: 'a', healthy: false });
    expect(h[0].reason).toMatch(/^probe failed: /);
    expect(h[1]).toMatchObject({ name: 'b', healthy: true });
    proxies[1].resetCounts();
    const used = await p.read('block number', async (c, name) => ({ n: await c.getBlockNumber(), name }));
    expect(used.name).toBe('b');
    expect(proxies[1].counts().eth_blockNumber).toBe(1);
  });

  it('fails a provider answering 503 with the reason', async () => {
    await proxies[0].setFaults({ down: 'http-503' });
    const [a] = await pool('a', 'b').refresh();
    expect(a.healthy).toBe(false);
    expect(a.reason).toMatch(/probe failed: .*(503|HTTP request failed)/i);
  });

  it('marks a provider whose head is stuck as lagging once the chain moves past the limit, and reads avoid it', async () => {
    await proxies[0].setFaults({ headStuck: true });
    const p = pool('a', 'b');
    let [a] = await p.refresh();
    expect(a.healthy).toBe(true); // still within the limit
    await node.mine(limits.maxLagBlocks); // exactly at the limit: still healthy
    [a] = await p.refresh();
    expect(a).toMatchObject({ healthy: true, lagBlocks: limits.maxLagBlocks });
    await node.mine(1);
    [a] = await p.refresh();
    expect(a).toMatchObject({ healthy: false, lagBlocks: limits.maxLagBlocks + 1 });
    expect(a.reason).toBe(
      `lagging: ${limits.maxLagBlocks + 1} blocks behind the best head (limit ${limits.maxLagBlocks})`,
    );
    const used = await p.read('head', async (_c, name) => name);
    expect(used).toBe('b');
    await proxies[0].setFaults({}); // it catches up
    [a] = await p.refresh();
    expect(a).toMatchObject({ healthy: true, lagBlocks: 0 });
  });

  it('marks lag in seconds past the limit', async () => {
    await proxies[0].setFaults({ headStuck: true });
    const p = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [
        { name: 'a', url: proxies[0].url },
        { name: 'b', url: proxies[1].url },
      ],
      limits: { ...limits, maxLagBlocks: 1000, maxLagSeconds: 100 },
    });
    await node.rpc('evm_increaseTime', [101]);
    await node.mine(1);
    const [a, b] = await p.refresh();
    expect(b.healthy).toBe(true);
    expect(a.healthy).toBe(false);
    expect(a.lagSeconds).toBeGreaterThan(100);
    expect(a.reason).toMatch(/^lagging: head \d+ s older than the best head \(limit 100 s\)$/);
  });

  it('refuses a provider on another chain for good, even after it answers the right chain id again', async () => {
    await proxies[0].setFaults({ chainId: 1 });
    const p = pool('a', 'b');
    let [a] = await p.refresh();
    expect(a).toMatchObject({ healthy: false, chainId: 1 });
    expect(a.reason).toBe(`wrong chain id: the provider answers 1, the config says ${CHAIN_ID} (refused for good)`);
    await proxies[0].setFaults({});
    [a] = await p.refresh();
    expect(a.healthy).toBe(false);
    expect(a.reason).toMatch(/^wrong chain id/);
  });

  it.each([['non-json'], ['wrong-shape'], ['rpc-error']] as const)(
    'marks a provider answering garbage (%s) unhealthy with the reason, never throwing from refresh',
    async (garbage) => {
      await proxies[0].setFaults({ garbage });
      const p = pool('a', 'b');
      const [a, b] = await p.refresh();
      expect(a.healthy).toBe(false);
      expect(a.reason).toMatch(/^probe failed: /);
      if (garbage === 'wrong-shape') expect(a.reason).toMatch(/garbage answer to eth_(chainId|getBlockByNumber)/);
      expect(b.healthy).toBe(true);
      await expect(p.read('head', async (_c, name) => name)).resolves.toBe('b');
    },
  );

  it('reports a provider that never answered as not healthy and throws NoHealthyProviderError when none is', async () => {
    await proxies[0].setFaults({ down: 'refused' });
    const p = pool('a');
    await expect(p.read('head', async () => 1)).rejects.toThrow(NoHealthyProviderError);
    await expect(p.read('head', async () => 1)).rejects.toThrow(/head: no healthy RPC provider \(a: probe failed: /);
    expect(p.health()[0].headNumber).toBeUndefined();
  });

  it('fails over to the next provider when a read fails, and counts the failure', async () => {
    const p = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [
        { name: 'a', url: proxies[0].url },
        { name: 'b', url: proxies[1].url },
      ],
      limits: { ...limits, refreshIntervalMs: 60_000 },
    });
    await p.refresh();
    await proxies[0].setFaults({ down: 'http-503' });
    await proxies[1].setFaults({ down: 'http-503' });
    await expect(p.read('balance', (c) => c.getBalance({ address: account.address }))).rejects.toThrow(
      /^balance failed on every healthy provider: (a|b): HTTP request failed.*; (a|b): HTTP request failed/,
    );
    await proxies[1].setFaults({});
    await expect(
      p.read('balance', async (c, name) => (await c.getBalance({ address: account.address }), name)),
    ).resolves.toBe('b');
    expect(p.health()[0].errorRate).toBeGreaterThan(0);
  });

  it('marks a provider whose error rate passes the limit', async () => {
    const p = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [
        { name: 'a', url: proxies[0].url },
        { name: 'b', url: proxies[1].url },
      ],
      limits: { ...limits, refreshIntervalMs: 60_000, maxErrorRate: 0.3 },
    });
    await p.refresh(); // a: 1 ok of 1
    const seen: string[] = [];
    const call = async (_c: unknown, name: string) => {
      seen.push(name);
      if (name === 'a') throw new Error('rate limited');
      return name;
    };
    await proxies[1].setFaults({ delayMs: 50 });
    await p.refresh(); // a: 2 ok of 2, b slower
    await expect(p.read('boom', call)).resolves.toBe('b'); // a: 1 error of 3 (0.33 > 0.3)
    expect(seen).toEqual(['a', 'b']);
    const [a, b] = p.health();
    expect(b.healthy).toBe(true);
    expect(a.healthy).toBe(false);
    expect(a.reason).toBe('error rate 1/3 over the last requests (limit 0.3); last error: rate limited');
    seen.length = 0;
    await expect(p.read('boom', call)).resolves.toBe('b');
    expect(seen).toEqual(['b']); // the unhealthy one is no longer asked
    await proxies[1].setFaults({});
    await p.refresh(); // a: 1 error of 4 (0.25): healthy again from good probes
    expect(p.health()[0]).toMatchObject({ name: 'a', healthy: true, errorRate: 0.25 });
  });
});

describe('pendingNonce (agreement of two)', () => {
  it('answers the nonce two healthy providers agree on', async () => {
    const { raw, txHash } = await signTransfer(nextNonce);
    await pool('a', 'b', 'c').broadcast(raw, { address: account.address, nonce: nextNonce, txHash });
    nextNonce += 1;
    await expect(poolNonceSource(pool('a', 'b')).pendingNonce(account.address)).resolves.toBe(nextNonce);
  });

  it('takes the highest answer when a stale provider answers lower and two agree on the highest', async () => {
    await proxies[2].setFaults({ staleNonce: 0 });
    await expect(pool('a', 'b', 'c').pendingNonce(account.address)).resolves.toBe(nextNonce);
  });

  it('fails closed when the highest answer has no second (one stale provider beside one healthy)', async () => {
    await proxies[1].setFaults({ staleNonce: 0 });
    const err = await pool('a', 'b')
      .pendingNonce(account.address)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonceAgreementError);
    expect((err as Error).message).toMatch(new RegExp(`a: ${nextNonce}; b: 0|b: 0; a: ${nextNonce}`));
    expect((err as Error).message).toMatch(/comes from one provider only; reconciliation fails closed/);
  });

  it('fails closed with one healthy provider, naming why the other is not', async () => {
    await proxies[1].setFaults({ down: 'refused' });
    await expect(pool('a', 'b').pendingNonce(account.address)).rejects.toThrow(
      /needs two healthy providers to agree, and only a is healthy \(a: healthy; b: probe failed: /,
    );
  });

  it('refuses a malformed address', async () => {
    await expect(pool('a', 'b').pendingNonce('0x1234')).rejects.toThrow(/"0x1234" is not an address/);
  });
});

describe('broadcast', () => {
  it('reaches the node through a healthy provider when another swallows the transaction', async () => {
    await proxies[0].setFaults({ swallowSends: true });
    const { raw, txHash } = await signTransfer(nextNonce);
    const report = await pool('a', 'b').broadcast(raw, { address: account.address, nonce: nextNonce, txHash });
    nextNonce += 1;
    expect(proxies[0].swallowed()).toContain(txHash);
    expect(report.acceptedBy).toEqual(['a', 'b']);
    const receipt = await node.rpc<{ status: string } | null>('eth_getTransactionReceipt', [txHash]);
    expect(receipt?.status).toBe('0x1');
  });

  it('counts a rebroadcast of a mined transaction as success (own hash known), and a pending one as already known', async () => {
    const { raw, txHash } = await signTransfer(nextNonce);
    const p = pool('a', 'b');
    await p.broadcast(raw, { address: account.address, nonce: nextNonce, txHash });
    const again = await p.broadcast(raw, { address: account.address, nonce: nextNonce, txHash });
    nextNonce += 1;
    expect(again.acceptedBy).toEqual(['a', 'b']);
    expect(again.results.map((r) => r.outcome)).toEqual(expect.arrayContaining(['own-tx-known']));

    await node.rpc('evm_setAutomine', [false]);
    try {
      const pending = await signTransfer(nextNonce);
      const meta = { address: account.address, nonce: nextNonce, txHash: pending.txHash };
      await p.broadcast(pending.raw, meta);
      const re = await p.broadcast(pending.raw, meta);
      expect(re.results.map((r) => [r.provider, r.outcome])).toEqual([
        ['a', 'already-known'],
        ['b', 'already-known'],
      ]);
      expect(re.results[0].detail).toMatch(/known transaction/i);
    } finally {
      await node.rpc('evm_setAutomine', [true]);
      await node.mine(1);
      nextNonce += 1;
    }
  });

  it('throws NonceTakenError when another transaction holds the nonce (mined)', async () => {
    const taken = nextNonce - 1;
    const other = await signTransfer(taken, '2');
    const err = await pool('a', 'b')
      .broadcast(other.raw, { address: account.address, nonce: taken, txHash: other.txHash })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonceTakenError);
    expect((err as NonceTakenError).taken.nonce).toBe(taken);
    // the transaction that holds it, found by the node (bisection over eth_getTransactionCount), checked
    // here against a brute-force walk of every block
    const holder = await minedAt(taken);
    expect(holder).toMatch(/^0x[0-9a-f]{64}$/);
    expect((err as NonceTakenError).taken.heldByHash).toBe(holder);
    expect((err as Error).message).toMatch(new RegExp(`nonce ${taken} of ${account.address} is held by ${holder}`));
  });

  it('findNonceHolder never guesses: a nonce nothing holds, or only our own transaction, is unknown', async () => {
    const client = createPublicClient({ transport: http(node.url) });
    expect(await findNonceHolder(client, account.address, nextNonce + 5, `0x${'11'.repeat(32)}`)).toBeUndefined();
    const ours = (await minedAt(nextNonce - 1)) as string;
    expect(ours).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await findNonceHolder(client, account.address, nextNonce - 1, ours)).toBeUndefined();
    expect(await findNonceHolder(client, account.address, nextNonce - 1, `0x${'11'.repeat(32)}`)).toBe(ours);
  });

  it('throws a transient error when every provider fails, and through the Broadcaster adapter too', async () => {
    await proxies[0].setFaults({ down: 'http-503' });
    const p = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [{ name: 'a', url: proxies[0].url }],
      limits: { ...limits, refreshIntervalMs: 60_000 },
    });
    await proxies[0].setFaults({});
    await p.refresh();
    await proxies[0].setFaults({ down: 'http-503' });
    const { raw, txHash } = await signTransfer(nextNonce);
    const err = await poolBroadcaster(p)
      .broadcast(raw, { address: account.address, nonce: nextNonce, txHash })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NonceTakenError);
    expect((err as Error).message).toMatch(/failed on every provider \(transient; retried\): a: error/);
  });

  it('throws NonceTakenError when another pending transaction holds the nonce (replacement underpriced)', async () => {
    await node.rpc('evm_setAutomine', [false]);
    try {
      const first = await signTransfer(nextNonce, '2');
      const other = await signTransfer(nextNonce, '1'); // same nonce, lower tip: not a valid replacement
      const p = pool('a', 'b');
      await p.broadcast(first.raw, { address: account.address, nonce: nextNonce, txHash: first.txHash });
      const err = await p
        .broadcast(other.raw, { address: account.address, nonce: nextNonce, txHash: other.txHash })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonceTakenError);
      // the pending transaction holding the nonce, from the node's pending block
      expect((err as NonceTakenError).taken.heldByHash).toBe(first.txHash.toLowerCase());
      expect((err as Error).message).toMatch(
        /a, b refused 0x[0-9a-f]{64} and no provider knows it \(a: nonce-taken \(.*underpriced/i,
      );
    } finally {
      await node.rpc('evm_setAutomine', [true]);
      await node.mine(1);
      nextNonce += 1;
    }
  });

  it('does not call the nonce taken when the provider cannot tell whether it knows our hash (transient)', async () => {
    await proxies[0].setFaults({ garbage: 'rpc-error', garbageMethods: ['eth_getTransactionByHash'] });
    const taken = nextNonce - 1;
    const other = await signTransfer(taken, '3');
    const err = await pool('a')
      .broadcast(other.raw, { address: account.address, nonce: taken, txHash: other.txHash })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NonceTakenError);
    expect((err as Error).message).toMatch(
      /transient; retried\): a: error \(.*[Nn]once too low.*could not tell whether it knows/,
    );
  });

  it('never sends to a provider on another chain', async () => {
    await proxies[0].setFaults({ chainId: 1 });
    const { raw, txHash } = await signTransfer(nextNonce);
    const report = await pool('a', 'b').broadcast(raw, { address: account.address, nonce: nextNonce, txHash });
    nextNonce += 1;
    expect(report.acceptedBy).toEqual(['b']);
    expect(report.results.map((r) => r.provider)).toEqual(['b']);
    expect(proxies[0].counts().eth_sendRawTransaction).toBeUndefined();
    expect(proxies[1].counts().eth_sendRawTransaction).toBe(1);
  });

  it('throws a transient error (not NonceTakenError) when no provider is healthy', async () => {
    await proxies[0].setFaults({ down: 'refused' });
    const { raw, txHash } = await signTransfer(nextNonce);
    const err = await pool('a')
      .broadcast(raw, { address: account.address, nonce: nextNonce, txHash })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(NonceTakenError);
    expect((err as Error).message).toBe(
      `broadcast of ${txHash} failed: no healthy provider to send it to (transient; retried)`,
    );
  });

  it('refuses a raw transaction whose hash is not the txHash given', async () => {
    const { raw } = await signTransfer(nextNonce);
    await expect(
      pool('a').broadcast(raw, { address: account.address, nonce: nextNonce, txHash: `0x${'11'.repeat(32)}` }),
    ).rejects.toThrow(/the raw transaction hashes to 0x[0-9a-f]{64}, not the txHash given/);
  });

  it('treats a provider returning another hash as an error, not as acceptance', async () => {
    await proxies[0].setFaults({ garbage: 'wrong-shape' });
    const p = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [
        { name: 'a', url: proxies[0].url },
        { name: 'b', url: proxies[1].url },
      ],
      limits: { ...limits, refreshIntervalMs: 60_000 },
    });
    await proxies[0].setFaults({});
    await p.refresh();
    await proxies[0].setFaults({ garbage: 'wrong-shape' });
    const { raw, txHash } = await signTransfer(nextNonce);
    const report = await p.broadcast(raw, { address: account.address, nonce: nextNonce, txHash });
    nextNonce += 1;
    expect(report.results.map((r) => [r.provider, r.outcome])).toEqual([
      ['a', 'error'],
      ['b', 'accepted'],
    ]);
    expect(report.results[0].detail).toMatch(/garbage answer to eth_sendRawTransaction/);
  });
});
