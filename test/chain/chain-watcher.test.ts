import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { type Hex, keccak256, recoverTransactionAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createChainWatcher, type WatcherDeps } from '../../lambda/chain-watcher/handler';
import { createApiHandler } from '../../lambda/api/handler';
import { createTransaction, type Ledger, putWallet, reserveNonce } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { type ChainTransaction, markMined } from '../../lambda/shared/ledger-chain';
import { startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import { API_PATHS } from '../../lib/contract/api';
import { CHAIN_METRICS } from '../../lib/contract/chain';
import { ledgerKeys } from '../../lib/contract/ledger';
import { initLease, moveLease } from '../../lib/failover/lease';
import { faultyLedger, updateMentions } from '../helpers/faults';
import { createLedgerTable, TEST_TX_REQUEST } from '../helpers/ledger-table';
import { type MotoServer, sharedMoto } from '../helpers/moto';
import { apiEvent } from '../lambda/helpers';
import { directChain } from './helpers/direct-chain';

/**
 * The chain watcher (lambda/chain-watcher/handler.ts) on a real EVM node (Hardhat, automine off)
 * and the ledger in moto: confirmation after N blocks visible through the API handler, a dropped
 * transaction broadcast again and mined once, a reorg (evm_snapshot / evm_revert) that sends a
 * mined transaction back to broadcast and gets the same raw mined again, a region without the
 * lease that writes nothing, a bump request when a transaction waits too long, and the fenced
 * writes under a lost reply and a newer epoch.
 */
const REGION = 'us-east-2';
const OTHER = 'us-west-2';
const CHAIN_ID = 31337;
const settings = { confirmations: 3, resubmitAfterSeconds: 60, receiptPollSeconds: 1 };

let node: EvmNode;
let moto: MotoServer;
let sqs: SQSClient;
let n = 0;

beforeAll(async () => {
  [node, moto] = await Promise.all([startEvmNode({ chainId: CHAIN_ID, automine: false }), sharedMoto()]);
  sqs = new SQSClient(moto.clientConfig(REGION));
});
afterAll(async () => {
  await node?.stop();
});

interface World {
  ledger: Ledger;
  address: string;
  account: ReturnType<typeof privateKeyToAccount>;
  queueUrl: string;
  metrics: Array<Record<string, unknown>>;
  chain: ReturnType<typeof directChain>;
  watcher(region?: string, extra?: Partial<WatcherDeps>): ReturnType<typeof createChainWatcher>;
  api: ReturnType<typeof createApiHandler>;
  /** Signs a transfer at `nonce` and stores it as the signer does after broadcasting (status broadcast). */
  signed(
    nonce: number,
    o?: { status?: 'signed' | 'broadcast'; at?: string },
  ): Promise<{ txId: string; raw: Hex; hash: Hex }>;
  item(txId: string): Promise<ChainTransaction & Record<string, unknown>>;
}

async function world(): Promise<World> {
  n += 1;
  const ledger = await createLedgerTable(moto.clientConfig(REGION), `watcher-${n}-${randomUUID().slice(0, 8)}`);
  const account = privateKeyToAccount(generatePrivateKey());
  const address = account.address.toLowerCase();
  await node.setBalance(account.address, 10n ** 20n);
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: new Date().toISOString() });
  await initLease(ledger, { address, region: REGION, actor: 'test' });
  const queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `watcher-${n}-${randomUUID().slice(0, 8)}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
  const metrics: Array<Record<string, unknown>> = [];
  const chain = directChain(node.url);
  const w: World = {
    ledger,
    address,
    account,
    queueUrl,
    metrics,
    chain,
    watcher: (region = REGION, extra = {}) =>
      createChainWatcher({
        region,
        envName: 'test',
        ledger,
        address: async () => address,
        chain,
        settings,
        sqs,
        signingQueueUrl: queueUrl,
        logger: silentLogger(),
        emitMetrics: (m) => metrics.push(m),
        runForMs: 0,
        sleep: async () => undefined,
        ...extra,
      }),
    api: createApiHandler({
      env: {
        region: REGION,
        tableName: ledger.tableName,
        signingQueueUrl: queueUrl,
        chainId: CHAIN_ID,
        consistency: 'MRSC',
      },
      ledger,
      sqs,
      logger: silentLogger(),
    }),
    async signed(nonce, o = {}) {
      const raw = await account.signTransaction({
        chainId: CHAIN_ID,
        type: 'eip1559',
        nonce,
        to: TEST_TX_REQUEST.to,
        value: 1000n,
        gas: 21000n,
        maxFeePerGas: 20_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      });
      const hash = keccak256(raw);
      const txId = randomUUID();
      const at = o.at ?? new Date().toISOString();
      const status = o.status ?? 'broadcast';
      await createTransaction(ledger, {
        walletId: 'w-1',
        txId,
        address,
        status,
        request: { ...TEST_TX_REQUEST, chainId: CHAIN_ID },
        requestHash: txId,
        idempotencyKey: `key-${txId}`,
        intakeRegion: REGION,
        intakeEpoch: 1,
        createdAt: at,
        updatedAt: at,
        nonce,
        digest: txId,
        signedRaw: raw,
        txHash: hash,
        signedAt: at,
        ...(status === 'broadcast' ? { broadcastAt: at } : {}),
      });
      await reserveNonce(ledger, {
        address,
        nonce,
        kind: 'tx',
        txId,
        walletId: 'w-1',
        digest: txId,
        epoch: 1,
        region: REGION,
        reservedAt: at,
      });
      return { txId, raw, hash };
    },
    async item(txId) {
      const res = await ledger.ddb.send(
        new GetCommand({ TableName: ledger.tableName, Key: ledgerKeys.transaction('w-1', txId), ConsistentRead: true }),
      );
      return res.Item as ChainTransaction & Record<string, unknown>;
    },
  };
  return w;
}

async function view(w: World, txId: string) {
  const res = await w.api(
    apiEvent({
      method: 'GET',
      resource: API_PATHS.transaction,
      path: `/v1/wallets/w-1/transactions/${txId}`,
      pathParameters: { walletId: 'w-1', txId },
    }),
  );
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as Record<string, unknown> & { status: string };
}

const send = (raw: Hex) => node.rpc('eth_sendRawTransaction', [raw]);
/** A transfer the wallet's key signs at `nonce` that the ledger does not hold (a 0-value self-transfer). */
const signedOutsideLedger = (w: World, nonce: number) =>
  w.account.signTransaction({
    chainId: CHAIN_ID,
    type: 'eip1559',
    nonce,
    to: w.account.address,
    value: 0n,
    gas: 21000n,
    maxFeePerGas: 30_000_000_000n,
    maxPriorityFeePerGas: 2_000_000_000n,
  });
const steps = async (w: World) => (await w.watcher().run()).walks.flatMap((walk) => walk.steps.map((s) => s.step));

it('confirms after N blocks and the API shows status, block, confirmations and hash', async () => {
  const w = await world();
  const { txId, raw, hash } = await w.signed(0);
  await send(raw);
  expect(await steps(w)).toEqual(['nothing']);
  expect((await view(w, txId)).status).toBe('broadcast');

  await node.mine(1);
  expect(await steps(w)).toEqual(['mined']);
  const receipt = await node.rpc<{ blockNumber: string; blockHash: string }>('eth_getTransactionReceipt', [hash]);
  const mined = await view(w, txId);
  expect(mined).toMatchObject({
    status: 'mined',
    transactionHash: hash,
    mined: { blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash, receiptStatus: 'success' },
  });
  expect(mined.confirmations).toBeUndefined();

  await node.mine(1);
  expect(await steps(w)).toEqual(['nothing']); // 2 of 3
  await node.mine(1);
  expect(await steps(w)).toEqual(['confirmed']);
  const confirmed = await view(w, txId);
  expect(confirmed).toMatchObject({ status: 'confirmed', confirmations: 3, transactionHash: hash });
  expect(typeof confirmed.confirmedAt).toBe('string');
  // Confirmed is final: the next walk does not list it.
  expect(await steps(w)).toEqual([]);
  // An independent reading of the mined transaction recovers the wallet's address.
  const onChain = await node.rpc<{ from: string; nonce: string }>('eth_getTransactionByHash', [hash]);
  expect(onChain.from.toLowerCase()).toBe(w.address);
  expect(await recoverTransactionAddress({ serializedTransaction: raw as never })).toBe(w.account.address);
  // request-to-mined was published once.
  expect(w.metrics.filter((m) => CHAIN_METRICS.requestToMinedSeconds in m)).toHaveLength(1);
});

it('a dropped transaction is broadcast again, unchanged, and mined once', async () => {
  const w = await world();
  const { txId, raw, hash } = await w.signed(0);
  await send(raw);
  expect(await node.rpc('hardhat_dropTransaction', [hash])).toBe(true);
  expect(await node.rpc('eth_getTransactionByHash', [hash])).toBeNull();

  expect(await steps(w)).toEqual(['dropped']);
  expect(w.chain.broadcasts).toEqual([raw]);
  expect(await node.rpc('eth_getTransactionByHash', [hash])).not.toBeNull();
  expect((await w.item(txId)).lastRebroadcastReason).toBe('dropped');
  // Known again: the next walk waits.
  expect(await steps(w)).toEqual(['nothing']);

  await node.mine(1);
  expect(await steps(w)).toEqual(['mined']);
  expect(Number(await node.rpc<string>('eth_getTransactionCount', [w.address, 'latest']))).toBe(1);
  await node.mine(2);
  expect(await steps(w)).toEqual(['confirmed']);
  expect(w.chain.broadcasts).toHaveLength(1);
});

it('a reorg sends a mined transaction back to broadcast; the same raw is mined again and confirmed', async () => {
  const w = await world();
  const { txId, raw, hash } = await w.signed(0);
  const snapshot = await node.rpc<string>('evm_snapshot');
  await send(raw);
  await node.mine(1);
  expect(await steps(w)).toEqual(['mined']);
  const first = await w.item(txId);

  // The reorg: the chain goes back before the transaction, and grows a different branch.
  expect(await node.rpc('evm_revert', [snapshot])).toBe(true);
  await node.mine(2);
  expect(await node.rpc('eth_getTransactionReceipt', [hash])).toBeNull();

  expect(await steps(w)).toEqual(['reorged']);
  const back = await w.item(txId);
  expect(back).toMatchObject({ status: 'broadcast', reorgs: 1, reorgedBlockHash: first.minedBlockHash });
  expect(back.minedBlockHash).toBeUndefined();
  expect((await view(w, txId)).status).toBe('broadcast');
  // Broadcast again unchanged: the very bytes stored, the same hash, no new signature.
  expect(w.chain.broadcasts).toEqual([raw]);
  expect(back.signedRaw).toBe(raw);
  expect(back.txHash).toBe(hash);
  expect(keccak256(raw)).toBe(hash);

  await node.mine(1);
  expect(await steps(w)).toEqual(['mined']);
  const again = await w.item(txId);
  expect(again.minedBlockHash).not.toBe(first.minedBlockHash);
  await node.mine(2);
  expect(await steps(w)).toEqual(['confirmed']);
  expect(await view(w, txId)).toMatchObject({ status: 'confirmed', reorgs: 1, transactionHash: hash });
  expect(Number(await node.rpc<string>('eth_getTransactionCount', [w.address, 'latest']))).toBe(1);
});

it('a transaction whose nonce another transaction used (confirmations deep) is quarantined with its hash, never broadcast again', async () => {
  const w = await world();
  const { txId, hash } = await w.signed(0);
  // The same key signs something else at nonce 0 outside the ledger (a swallowing provider had
  // answered our broadcast with success, so the ledger says broadcast).
  const foreign = await signedOutsideLedger(w, 0);
  await send(foreign);
  await node.mine(1);
  // One block deep (confirmations 3): not yet final, so the watcher still treats it as dropped; the
  // rebroadcast fails on the node ("nonce too low") and the transaction stays as it was.
  const early = await w.watcher().run();
  expect(early.walks.flatMap((walk) => walk.steps.map((s) => s.outcome))).toEqual(['failed']);
  expect((await w.item(txId)).status).toBe('broadcast');
  await node.mine(2);
  expect(await steps(w)).toEqual(['superseded']);
  const item = await w.item(txId);
  expect(item.status).toBe('quarantined');
  expect(item.supersededBy).toBe(keccak256(foreign).toLowerCase());
  expect(item.quarantineReason).toContain(keccak256(foreign).toLowerCase());
  expect(item.quarantinedFrom).toBe('broadcast');
  const broadcastsBefore = w.chain.broadcasts.length;
  expect(await steps(w)).toEqual([]); // no longer walked
  expect(w.chain.broadcasts.length).toBe(broadcastsBefore);
  expect(item.txHash).toBe(hash);
});

it('under MREC before reconciliation, a nonce holder that looks foreign is not acted on (the replica may lack a variant)', async () => {
  const w = await world();
  const { txId } = await w.signed(0);
  const other = await signedOutsideLedger(w, 0);
  await send(other);
  await node.mine(3);
  await moveLease(w.ledger, {
    address: w.address,
    toRegion: OTHER,
    actor: 'test',
    reason: 'unplanned failover',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  });
  const run = await w.watcher(OTHER, { consistency: 'MREC' }).run();
  expect(run.walks.flatMap((walk) => walk.steps.map((s) => [s.step, s.outcome]))).toEqual([['superseded', 'skipped']]);
  expect((await w.item(txId)).status).toBe('broadcast');
});

it('past the step deadline a run defers the remaining transactions: counted in the metrics, nothing written or sent', async () => {
  const w = await world();
  const a = await w.signed(0, { status: 'signed' });
  const b = await w.signed(1, { status: 'signed' });
  // A deadline already passed when the run starts (as a walk over many transactions at a slow
  // provider reaches it): every step waits for the next run.
  const run = await w.watcher(REGION, { stepDeadlineMs: -1 }).run();
  expect(run.walks.flatMap((walk) => walk.steps.map((s) => s.outcome))).toEqual(['deferred', 'deferred']);
  expect(run.walks[0].pending).toBe(2);
  expect(w.chain.broadcasts).toEqual([]);
  expect((await w.item(a.txId)).status).toBe('signed');
  // The next run, in time, takes them.
  expect(await steps(w)).toEqual(['broadcast', 'broadcast']);
  expect((await w.item(b.txId)).status).toBe('broadcast');
});

it('a region without the lease publishes provider metrics and writes nothing', async () => {
  const w = await world();
  const { txId, raw } = await w.signed(0);
  await send(raw);
  await node.mine(3);
  const before = await w.item(txId);
  const report = await w.watcher(OTHER).run();
  expect(report).toMatchObject({ region: OTHER, holder: false, walks: [] });
  expect(await w.item(txId)).toEqual(before);
  expect(w.chain.broadcasts).toEqual([]);
  expect(w.metrics.map((m) => Object.keys(m).filter((k) => k in METRIC_NAMES))).toEqual([
    [CHAIN_METRICS.healthyProviders, CHAIN_METRICS.headAgeSeconds],
    [CHAIN_METRICS.providerHealthy, CHAIN_METRICS.providerHeadLagBlocks, CHAIN_METRICS.providerLatencyMs],
  ]);
  expect(w.metrics[1]).toMatchObject({ Region: OTHER, Provider: 'node', ProviderHealthy: 1 });
  // The holder's watcher does the work (proves the item was workable).
  expect(await steps(w)).toEqual(['mined']);
});

const METRIC_NAMES = Object.fromEntries(Object.values(CHAIN_METRICS).map((name) => [name, true]));

it('asks the signer for a bump (FIFO group = wallet, dedup = txId + hash) once a transaction waited too long', async () => {
  const w = await world();
  const signedAt = new Date(Date.now() - 120_000).toISOString();
  const { txId, raw, hash } = await w.signed(0, { at: signedAt });
  await send(raw);
  const run = await w.watcher().run();
  expect(run.walks[0].steps).toEqual([{ txId, step: 'resubmit', outcome: 'applied' }]);
  expect(run.walks[0]).toMatchObject({ pending: 1, stuck: 0 });
  expect(run.walks[0].oldestPendingSeconds).toBeGreaterThanOrEqual(120);
  const got = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: w.queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
  );
  expect(got.Messages).toHaveLength(1);
  expect(JSON.parse(got.Messages![0].Body!)).toEqual({ kind: 'bump', walletId: 'w-1', txId, fromTxHash: hash });
  expect(got.Messages![0].Attributes).toMatchObject({
    MessageGroupId: 'w-1',
    MessageDeduplicationId: `bump-${txId}-${hash}`,
  });
  // Asked once: the next walk waits resubmitAfterSeconds again.
  expect(await steps(w)).toEqual(['nothing']);
});

it('a stored but unbroadcast (signed) transaction is broadcast and marked broadcast', async () => {
  const w = await world();
  const { txId, raw } = await w.signed(0, { status: 'signed' });
  expect(await steps(w)).toEqual(['broadcast']);
  expect(w.chain.broadcasts).toEqual([raw]);
  expect((await w.item(txId)).status).toBe('broadcast');
  await node.mine(1);
  expect(await steps(w)).toEqual(['mined']);
});

describe('fenced writes', () => {
  /** One watcher run whose first UpdateItem naming `attribute` is applied but its reply lost. */
  async function runLosingReplyOf(w: Awaited<ReturnType<typeof world>>, attribute: string) {
    const lossy = faultyLedger(moto.clientConfig(REGION), w.ledger.tableName, [
      { command: 'UpdateItemCommand', match: updateMentions(attribute) },
    ]);
    const run = await w.watcher(REGION, { ledger: lossy }).run();
    return { run, lost: lossy.lost() };
  }

  it('a lost reply on the superseded write (the SDK retry fails its own condition) is recognised as applied', async () => {
    const w = await world();
    const { txId } = await w.signed(0);
    const foreign = await signedOutsideLedger(w, 0);
    await send(foreign);
    await node.mine(3);
    const { run, lost } = await runLosingReplyOf(w, 'supersededBy');
    expect(lost).toBe(1);
    expect(run.walks[0].steps).toEqual([{ txId, step: 'superseded', outcome: 'already' }]);
    expect((await w.item(txId)).supersededBy).toBe(keccak256(foreign).toLowerCase());
  });

  it('a lost reply on the mined write is recognised as applied', async () => {
    const w = await world();
    const { txId, raw } = await w.signed(0);
    await send(raw);
    await node.mine(1);
    const { run, lost } = await runLosingReplyOf(w, 'minedBlockHash');
    expect(lost).toBe(1);
    expect(run.walks[0].steps).toEqual([{ txId, step: 'mined', outcome: 'already' }]);
    expect((await w.item(txId)).status).toBe('mined');
  });

  it('after the lease moved and the new holder wrote, the old epoch can write nothing', async () => {
    const w = await world();
    const { txId, raw } = await w.signed(0);
    await send(raw);
    await node.mine(1);
    const seen = await w.item(txId);
    await moveLease(w.ledger, {
      address: w.address,
      toRegion: OTHER,
      actor: 'test',
      reason: 'test',
      isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
    });
    expect(await w.watcher(OTHER).run()).toMatchObject({ holder: true });
    expect((await w.item(txId)).trackedEpoch).toBe(2);
    // The old holder, still at epoch 1 with what it saw before the move:
    const receipt = await w.chain.receipt(seen.txHash!);
    const outcome = await markMined(
      w.ledger,
      seen,
      {
        txHash: seen.txHash!,
        blockNumber: receipt!.blockNumber,
        blockHash: receipt!.blockHash,
        receiptStatus: 'success',
        replaced: [],
      },
      1,
      new Date().toISOString(),
    );
    expect(outcome).toBe('conflict');
  });
});

it('marks the variants not mined replaced, and the API shows which one was mined', async () => {
  const w = await world();
  const { txId, raw: rawA, hash: hashA } = await w.signed(0, { at: new Date(Date.now() - 30_000).toISOString() });
  // A replacement variant at the same nonce with higher fees, as the signer (c-fees) stores it.
  const rawB = await w.account.signTransaction({
    chainId: CHAIN_ID,
    type: 'eip1559',
    nonce: 0,
    to: TEST_TX_REQUEST.to,
    value: 1000n,
    gas: 21000n,
    maxFeePerGas: 40_000_000_000n,
    maxPriorityFeePerGas: 2_000_000_000n,
  });
  const hashB = keccak256(rawB);
  const signedAtB = new Date().toISOString();
  await w.ledger.ddb.send(
    new UpdateCommand({
      TableName: w.ledger.tableName,
      Key: ledgerKeys.transaction('w-1', txId),
      UpdateExpression: 'SET variants = :v, txHash = :h, signedRaw = :r',
      ExpressionAttributeValues: {
        ':v': [
          { index: 0, txHash: hashA, signedRaw: rawA, signedAt: new Date(Date.now() - 30_000).toISOString() },
          { index: 1, txHash: hashB, signedRaw: rawB, signedAt: signedAtB },
        ],
        ':h': hashB,
        ':r': rawB,
      },
    }),
  );
  await send(rawA);
  await send(rawB); // replaces A in the node's pool (enough of a bump)
  await node.mine(1);
  expect(await steps(w)).toEqual(['mined']);
  const item = await w.item(txId);
  expect(item).toMatchObject({ minedTxHash: hashB, replacedTxHashes: [hashA] });
  const v = await view(w, txId);
  expect(v.transactionHash).toBe(hashB);
  expect(v.variants).toEqual([
    { index: 0, transactionHash: hashA, signedAt: expect.any(String), replaced: true },
    { index: 1, transactionHash: hashB, signedAt: signedAtB, replaced: false },
  ]);
});

it('under MREC before reconciliation, a new holder neither broadcasts nor bumps (and writes nothing for it)', async () => {
  const w = await world();
  const dropped = await w.signed(0, { at: new Date(Date.now() - 120_000).toISOString() });
  await moveLease(w.ledger, {
    address: w.address,
    toRegion: OTHER,
    actor: 'test',
    reason: 'unplanned failover',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  });
  // Never sent: no provider knows it (dropped), and it is old enough for a bump too.
  const run = await w.watcher(OTHER, { consistency: 'MREC' }).run();
  expect(run.walks[0].steps).toEqual([{ txId: dropped.txId, step: 'dropped', outcome: 'skipped' }]);
  expect(w.chain.broadcasts).toEqual([]);
  expect((await w.item(dropped.txId)).trackedEpoch).toBeUndefined();
  // The same under MRSC: broadcast.
  expect((await w.watcher(OTHER).run()).walks[0].steps[0]).toMatchObject({ step: 'dropped', outcome: 'applied' });
  expect(w.chain.broadcasts).toEqual([dropped.raw]);
  await node.mine(1);
});

it('publishes Embedded Metric Format documents in the chain namespace with Region (and Provider) dimensions', async () => {
  const w = await world();
  await w.watcher().run();
  const docs = w.metrics as Array<{
    _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
  }>;
  expect(docs.map((d) => d._aws.CloudWatchMetrics[0].Dimensions)).toEqual([
    [['Region']],
    [['Region', 'Provider']],
    [['Region']],
  ]);
  expect(new Set(docs.map((d) => d._aws.CloudWatchMetrics[0].Namespace))).toEqual(new Set(['Wallet/Chain/test']));
  expect(w.metrics[2]).toMatchObject({
    Region: REGION,
    [CHAIN_METRICS.pendingTransactions]: 0,
    [CHAIN_METRICS.stuckTransactions]: 0,
    [CHAIN_METRICS.oldestPendingSeconds]: 0,
  });
});
