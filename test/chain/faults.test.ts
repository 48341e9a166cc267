import { keccak256, parseGwei } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { classifyBroadcastError } from '../../lib/chain/broadcast';
import { jsonRpc, startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import { startFaultProxy, type FaultProxy } from '../../lib/chain/devnet/fault-proxy';
import { NonceAgreementError, ProviderPool, type PoolLimits } from '../../lib/chain/pool';
import { redactUrls, shortError } from '../../lib/chain/rpc';

/** The fault proxy's faults one by one, and the pool's answer to the ones pool.test.ts leaves out. */
const CHAIN_ID = 31337;
const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const limits: PoolLimits = {
  maxLagBlocks: 3,
  maxLagSeconds: 3600,
  maxErrorRate: 0.5,
  requestTimeoutMs: 300,
  refreshIntervalMs: 0,
};
let node: EvmNode;
let a: FaultProxy;
let b: FaultProxy;
let c: FaultProxy;

const poolOf = (...p: FaultProxy[]) =>
  new ProviderPool({ chainId: CHAIN_ID, providers: p.map((x, i) => ({ name: 'abc'[i], url: x.url })), limits });

beforeAll(async () => {
  node = await startEvmNode({ chainId: CHAIN_ID });
  [a, b, c] = await Promise.all([0, 1, 2].map(() => startFaultProxy(node.url)));
});
afterAll(async () => {
  await Promise.all([a, b, c].filter(Boolean).map((p) => p.stop()));
  await node?.stop();
});
beforeEach(async () => {
  await Promise.all([a, b, c].map((p) => p.setFaults({})));
});

describe('the fault proxy', () => {
  it('forwards unchanged without faults, and counts methods', async () => {
    a.resetCounts();
    expect(await jsonRpc(a.url, 'eth_chainId')).toBe('0x7a69');
    expect(a.counts()).toEqual({ eth_chainId: 1 });
  });

  it('refuses connections when down, then serves on the same URL once healed', async () => {
    await a.setFaults({ down: 'refused' });
    await expect(jsonRpc(a.url, 'eth_chainId')).rejects.toThrow(/ECONNREFUSED/);
    await a.setFaults({});
    expect(await jsonRpc(a.url, 'eth_chainId')).toBe('0x7a69');
  });

  it('freezes the nonce per address with staleNonce "freeze"', async () => {
    await a.setFaults({ staleNonce: 'freeze' });
    const before = await jsonRpc<string>(a.url, 'eth_getTransactionCount', [account.address, 'pending']);
    await node.rpc('hardhat_setNonce', [account.address, '0x5']);
    expect(await jsonRpc(a.url, 'eth_getTransactionCount', [account.address, 'pending'])).toBe(before);
    expect(await jsonRpc(b.url, 'eth_getTransactionCount', [account.address, 'pending'])).toBe('0x5');
  });

  it('answers garbage as told', async () => {
    await a.setFaults({ garbage: 'wrong-shape' });
    expect(await jsonRpc(a.url, 'eth_blockNumber')).toEqual({ unexpected: true });
    await a.setFaults({ garbage: 'rpc-error' });
    await expect(jsonRpc(a.url, 'eth_blockNumber')).rejects.toThrow(/internal error \(fault proxy\)/);
  });
});

describe('the pool under the remaining faults', () => {
  it('marks a provider slower than the request timeout unhealthy and reads move to the fast one', async () => {
    await a.setFaults({ delayMs: 600 });
    const p = poolOf(a, b);
    const [ha, hb] = await p.refresh();
    expect(ha.healthy).toBe(false);
    expect(ha.reason).toMatch(/^probe failed: .*(took too long|timed out)/i);
    expect(hb.healthy).toBe(true);
    await expect(p.read('head', async (_c, name) => name)).resolves.toBe('b');
  });

  it('ranks a slow-but-in-time provider after a fast one', async () => {
    await a.setFaults({ delayMs: 100 });
    const p = poolOf(a, b);
    await p.refresh();
    await expect(p.read('head', async (_c, name) => name)).resolves.toBe('b');
  });

  it('survives garbage answers to the nonce read and still needs two to agree', async () => {
    // c passes its probe, then answers garbage to the nonce read: a and b still agree.
    const p2 = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [a, b, c].map((x, i) => ({ name: 'abc'[i], url: x.url })),
      limits: { ...limits, refreshIntervalMs: 60_000 },
    });
    await c.setFaults({});
    await p2.refresh();
    await c.setFaults({ garbage: 'wrong-shape' });
    const nonce = Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending']));
    await expect(p2.pendingNonce(account.address)).resolves.toBe(nonce);
    await b.setFaults({ garbage: 'non-json' });
    const err = await p2.pendingNonce(account.address).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonceAgreementError);
    expect((err as NonceAgreementError).answers).toMatchObject({ a: nonce });
    expect(String((err as NonceAgreementError).answers.c)).toMatch(/^error: garbage answer to eth_getTransactionCount/);
  });

  it('highestPendingNonce takes the highest answer of any one provider (no agreement: it only ever refuses), and fails when none answers', async () => {
    const p2 = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [a, b].map((x, i) => ({ name: 'ab'[i], url: x.url })),
      limits: { ...limits, refreshIntervalMs: 60_000 },
    });
    await p2.refresh();
    const nonce = Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending']));
    // One provider alone answers higher: pendingNonce refuses (no second), highestPendingNonce takes it.
    await b.setFaults({ staleNonce: nonce + 7 });
    await expect(p2.highestPendingNonce(account.address)).resolves.toBe(nonce + 7);
    await expect(p2.pendingNonce(account.address)).rejects.toThrow(/no agreement of two healthy providers/);
    // One answers lower (stale): the other's count wins.
    await b.setFaults({ staleNonce: 0 });
    await expect(p2.highestPendingNonce(account.address)).resolves.toBe(nonce);
    await a.setFaults({ garbage: 'non-json' });
    await b.setFaults({ garbage: 'rpc-error' });
    const err = await p2.highestPendingNonce(account.address).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonceAgreementError);
    expect((err as Error).message).toMatch(/^no healthy provider answered the pending nonce of 0x[0-9a-fA-F]{40} \(/);
    expect((err as Error).message).toMatch(/a: error: HTTP request failed/);
    expect((err as Error).message).toMatch(/b: error: .*internal error \(fault proxy\)/);
  });

  it('broadcasts past a provider that is down', async () => {
    await a.setFaults({ down: 'refused' });
    const p = new ProviderPool({
      chainId: CHAIN_ID,
      providers: [
        { name: 'a', url: a.url },
        { name: 'b', url: b.url },
      ],
      limits: { ...limits, refreshIntervalMs: 60_000 },
    });
    await a.setFaults({});
    await p.refresh(); // both healthy
    await a.setFaults({ down: 'refused' });
    const nonce = Number(await node.rpc<string>('eth_getTransactionCount', [account.address, 'pending']));
    await node.setBalance(account.address, 10n ** 18n);
    const raw = await account.signTransaction({
      chainId: CHAIN_ID,
      type: 'eip1559',
      nonce,
      to: '0x000000000000000000000000000000000000dEaD',
      value: 1n,
      gas: 21000n,
      maxFeePerGas: parseGwei('50'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    const report = await p.broadcast(raw, { address: account.address, nonce, txHash: keccak256(raw) });
    expect(report.acceptedBy).toEqual(['b']);
    expect(report.results[0]).toMatchObject({ provider: 'a', outcome: 'error' });
    expect(await node.rpc('eth_getTransactionReceipt', [keccak256(raw)])).not.toBeNull();
  });
});

describe('broadcast answers of other clients', () => {
  it.each([
    ['already known', 'already-known'], // geth
    ['Known transaction: 0xabc', 'already-known'], // Hardhat, Besu
    ['Transaction with the same hash was already imported.', 'already-known'], // OpenEthereum
    ['INTERNAL_ERROR: existing tx with same hash', 'already-known'], // Erigon
    ['Transaction nonce is too low. Try incrementing the nonce.', 'nonce-conflict'], // OpenEthereum
    ['AlreadyKnown', 'transient'], // a bare enum name is not matched: not a documented message
    ['nonce too low: next nonce 5, tx nonce 4', 'nonce-conflict'], // geth
    ['replacement transaction underpriced', 'nonce-conflict'], // geth
    ['Nonce too low. Expected nonce to be 3 but got 2.', 'nonce-conflict'], // Hardhat
    ['insufficient funds for gas * price + value', 'transient'],
    ['429 Too Many Requests', 'transient'],
  ])('%s -> %s', (message, kind) => {
    expect(classifyBroadcastError(new Error(message))).toBe(kind);
  });
});

describe('URLs in reasons', () => {
  it('cuts provider URLs to their origin (the key lives in the path)', () => {
    expect(
      redactUrls('HTTP request failed. URL: https://eth-sepolia.g.alchemy.com/v2/SECRET123 Request body: {}'),
    ).toBe('HTTP request failed. URL: https://eth-sepolia.g.alchemy.com/<redacted> Request body: {}');
    expect(redactUrls('see http://127.0.0.1:8545')).toBe('see http://127.0.0.1:8545');
    const err = Object.assign(new Error('x'), {
      shortMessage: 'failed',
      details: 'at https://h.example/k?apikey=SECRET',
    });
    expect(shortError(err)).not.toContain('SECRET');
  });
});
