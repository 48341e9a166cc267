import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { createApiHandler } from '../../lambda/api/handler';
import { createChainWatcher } from '../../lambda/chain-watcher/handler';
import { poolChain } from '../../lambda/chain-watcher/pool-chain';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { createTransaction, getTransaction, type Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { createSpendingGate } from '../../lambda/shared/policy/gate';
import type { TxRequest } from '../../lambda/shared/signing';
import { createSigner } from '../../lambda/signer/handler';
import { claimSweep, markSubmitted, readControl } from '../../lambda/sweeper/control';
import { createSweeper, type SweeperDeps } from '../../lambda/sweeper/handler';
import { apiIntake } from '../../lambda/sweeper/intake';
import { type EvmNode, startEvmNode } from '../../lib/chain/devnet/evm-node';
import { feePolicy, firstFees } from '../../lib/chain/fees';
import { poolBroadcaster, poolHighestNonceSource, ProviderPool } from '../../lib/chain/pool';
import { CHAIN_FEE_DEFAULTS } from '../../lib/contract/chain-settings';
import { ledgerKeys, txStatusPartition, type TxStatus } from '../../lib/contract/ledger';
import type { RuntimeSpendingPolicy } from '../../lib/contract/policy';
import { SWEEP_METRICS, sweepIdempotencyKey } from '../../lib/contract/sweep';
import { initLease, moveLease } from '../../lib/failover/lease';
import { faultyLedger, updateMentions } from '../helpers/faults';
import { createLedgerTable } from '../helpers/ledger-table';
import { type MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The sweeper against moto (DynamoDB with atomic conditional writes, KMS signing DIGESTs, SQS FIFO)
 * and a real EVM node (Hardhat's EDR): the hot balance is read through the provider pool, the sweep
 * goes through the real API handler's intake and the real signer (both with the spending gate:
 * cold-only, to the cold address only), is broadcast through the pool and mined. Then the faults:
 * duplicated and concurrent invocations, lost DynamoDB replies, the lease moving mid-run, an
 * unreadable balance, a refusal by the policy, a failed sweep.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const CHAIN_ID = 31337;
const ETH = 10n ** 18n;
const COLD = '0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d';
const CEILING = 10n * ETH;
const MINIMUM = ETH / 10n;
const FN_ARN = 'arn:aws:lambda:us-east-2:111111111111:function:wallet-sweeper';

const policy = (
  coldAddress = COLD,
  sweepOutgoing: 'cold-only' | 'deposit-only' = 'cold-only',
): RuntimeSpendingPolicy => ({
  version: `sweep-test-${sweepOutgoing}-${coldAddress.slice(2, 6)}`,
  default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
  wallets: {
    'w-sweep': { outgoing: sweepOutgoing, velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
    'w-pay': {
      outgoing: 'allowed',
      perTransactionWei: (5n * ETH).toString(),
      velocity: [],
      destinations: 'any',
      unlistedDestination: 'refuse',
    },
  },
  allowlistTimeLockHours: 48,
  coldAddress,
});

let node: EvmNode;
let moto: MotoServer;
let keyArn: string;
let hot: string;
let pool: ProviderPool;
let tables = 0;

beforeAll(async () => {
  [node, moto] = await Promise.all([startEvmNode({ chainId: CHAIN_ID }), sharedMoto()]);
  const kms = new KMSClient(moto.clientConfig(PRIMARY));
  keyArn = (
    await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))
  ).KeyMetadata!.Arn!;
  hot = (await new KmsSigningKey(kms, keyArn).publicKey()).address.toLowerCase();
  pool = new ProviderPool({
    chainId: CHAIN_ID,
    providers: [{ name: 'direct', url: node.url }],
    limits: { maxLagBlocks: 5, maxLagSeconds: 3600, maxErrorRate: 0.5, requestTimeoutMs: 3000, refreshIntervalMs: 500 },
  });
}, 60_000);
afterAll(async () => {
  await node?.stop();
});

interface Env {
  ledger: Ledger;
  queueUrl: string;
  sqs: SQSClient;
  metrics: Array<Record<string, unknown>>;
}

async function freshEnv(): Promise<Env> {
  const name = `sweeper-${++tables}-${Date.now()}`;
  const ledger = await createLedgerTable(moto.clientConfig(PRIMARY), name);
  const at = new Date().toISOString();
  for (const walletId of ['w-sweep', 'w-pay'])
    await putWallet(ledger, { walletId, address: hot, status: 'active', createdAt: at });
  // As a deploy's set-up does: the counter starts at the network's count (earlier tests used nonces).
  const nextNonce = await pool.highestPendingNonce(hot);
  await initLease(ledger, { address: hot, region: PRIMARY, actor: 'test', nextNonce });
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  const queueUrl = (
    await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' } }),
    )
  ).QueueUrl!;
  return { ledger, queueUrl, sqs, metrics: [] };
}

const gate = (ledger: Ledger, p: RuntimeSpendingPolicy) =>
  createSpendingGate({ policy: () => p, ledger, consistency: 'MRSC', region: PRIMARY, now: () => new Date() });

const chainBalance = (address: string) =>
  pool.read('eth_getBalance', (c) => c.getBalance({ address: address as `0x${string}` }));
const chainFees = async () => {
  const h = await pool.read('eth_feeHistory', (c) => c.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] }));
  return firstFees({ baseFeePerGas: h.baseFeePerGas, reward: h.reward }, feePolicy(CHAIN_FEE_DEFAULTS)).fees;
};

/** One sweeper "container" in `region`, with the real API handler as its intake. */
function sweeper(env: Env, overrides: Partial<SweeperDeps> = {}, p = policy(), region = PRIMARY) {
  const api = createApiHandler({
    env: {
      region,
      tableName: env.ledger.tableName,
      signingQueueUrl: env.queueUrl,
      chainId: CHAIN_ID,
      consistency: 'MRSC',
    },
    ledger: overrides.ledger ?? env.ledger,
    sqs: env.sqs,
    logger: silentLogger(),
    spending: gate(overrides.ledger ?? env.ledger, p),
  });
  return createSweeper({
    region,
    envName: 'test',
    ledger: env.ledger,
    settings: {
      coldAddress: COLD,
      floatCeilingWei: CEILING.toString(),
      minimumSweepWei: MINIMUM.toString(),
      sweepWalletId: 'w-sweep',
    },
    chainId: CHAIN_ID,
    balance: chainBalance,
    chainNonce: poolHighestNonceSource(pool),
    fees: chainFees,
    intake: apiIntake(api, () => FN_ARN),
    logger: silentLogger(),
    emitMetrics: (m) => env.metrics.push(m),
    ...overrides,
  });
}

/** The signer with the spending gate and the pool's broadcaster; takes what the queue holds. */
async function pump(env: Env, p = policy()): Promise<string[]> {
  const signer = createSigner({
    env: {
      region: PRIMARY,
      tableName: env.ledger.tableName,
      signingKeyArn: keyArn,
      chainId: CHAIN_ID,
      consistency: 'MRSC',
    },
    ledger: env.ledger,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(PRIMARY)), keyArn),
    logger: silentLogger(),
    broadcaster: poolBroadcaster(pool),
    spending: gate(env.ledger, p),
  });
  const outcomes: string[] = [];
  for (;;) {
    const res = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.queueUrl, MaxNumberOfMessages: 10 }));
    if (!res.Messages?.length) return outcomes;
    for (const m of res.Messages) {
      outcomes.push(await signer.processMessage(m.Body!));
      await env.sqs.send(new DeleteMessageCommand({ QueueUrl: env.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

function watcher(env: Env) {
  return createChainWatcher({
    region: PRIMARY,
    envName: 'test',
    ledger: env.ledger,
    address: async () => hot,
    chain: poolChain(pool),
    settings: { confirmations: 1, resubmitAfterSeconds: 3600, receiptPollSeconds: 1 },
    sqs: env.sqs,
    signingQueueUrl: env.queueUrl,
    logger: silentLogger(),
    emitMetrics: () => undefined,
    runForMs: 0,
    sleep: async () => undefined,
  });
}

/** Every transaction of the sweep wallet. */
async function sweepTxs(ledger: Ledger) {
  const res = await ledger.ddb.send(
    new QueryCommand({
      TableName: ledger.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :tx)',
      ExpressionAttributeValues: { ':p': 'WALLET#w-sweep', ':tx': 'TX#' },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}

const metric = (env: Env, name: string) => env.metrics.filter((m) => m[name] !== undefined).map((m) => m[name]);

async function setTxStatus(ledger: Ledger, walletId: string, txId: string, status: string) {
  await ledger.ddb.send(
    new UpdateCommand({
      TableName: ledger.tableName,
      Key: ledgerKeys.transaction(walletId, txId),
      UpdateExpression: 'SET #s = :s, gsi1pk = :g',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':g': txStatusPartition(hot, status as TxStatus) },
    }),
  );
}

async function queueWithdrawal(ledger: Ledger, value: bigint): Promise<TxRequest> {
  const txId = randomUUID();
  const at = new Date().toISOString();
  const request: TxRequest = {
    to: '0x4444444444444444444444444444444444444444',
    value: value.toString(),
    gasLimit: '21000',
    maxFeePerGas: '30000000000',
    maxPriorityFeePerGas: '1000000000',
    chainId: CHAIN_ID,
  };
  await createTransaction(ledger, {
    walletId: 'w-pay',
    txId,
    address: hot,
    status: 'queued',
    request,
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: PRIMARY,
    createdAt: at,
    updatedAt: at,
  });
  return request;
}

describe('sweeper', () => {
  test('a sweep moves exactly the excess to the cold address; none again while it is in flight; the next only after it is confirmed', async () => {
    // Prepare: 12.5 ETH on the hot address, a ceiling of 10 ETH
    const env = await freshEnv();
    await node.setBalance(hot, 12n * ETH + ETH / 2n);
    await node.setBalance(COLD, 0n);
    const s = sweeper(env);

    // Act: the sweeper submits, the signer (policy again) signs and broadcasts, the node mines
    const first = await s.run();
    const signed = await pump(env);
    const coldAfter = await chainBalance(COLD);
    const hotAfter = await chainBalance(hot);
    const again = await s.run();
    await watcher(env).run(); // mined
    await watcher(env).run(); // confirmed (1 confirmation)
    const afterConfirmed = await s.run();

    // Assess
    expect(first).toMatchObject({ kind: 'submitted', amountWei: 2n * ETH + ETH / 2n });
    expect(signed).toEqual(['broadcast']);
    expect(coldAfter).toBe(2n * ETH + ETH / 2n);
    expect(hotAfter).toBeLessThan(CEILING); // the ceiling minus the fee the sweep paid
    expect(hotAfter).toBeGreaterThan(CEILING - 21000n * 200n * 10n ** 9n);
    expect(again).toMatchObject({ kind: 'in-flight', status: 'broadcast' });
    expect(afterConfirmed).toMatchObject({ kind: 'below-minimum', excessWei: 0n });
    const txs = await sweepTxs(env.ledger);
    expect(txs).toHaveLength(1);
    expect(txs[0]).toMatchObject({
      status: 'confirmed',
      request: { to: COLD, value: (2n * ETH + ETH / 2n).toString() },
      initiator: FN_ARN,
      idempotencyKey: sweepIdempotencyKey((first as { sweepId: string }).sweepId),
    });
    expect(await readControl(env.ledger, hot)).toMatchObject({ state: 'idle', last: { outcome: 'confirmed' } });
    expect(metric(env, SWEEP_METRICS.sweepsStarted)).toEqual([1]);
  }, 60_000);

  test('deducts the value and worst-case fee of the hot address unmined transactions from the balance', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 13n * ETH);
    const pending = await queueWithdrawal(env.ledger, 2n * ETH);

    const run = await sweeper(env).run();

    const worstFee = 21000n * BigInt(pending.maxFeePerGas);
    expect(run).toMatchObject({ kind: 'submitted', amountWei: ETH - worstFee });
    const [tx] = await sweepTxs(env.ledger);
    expect(tx.request.value).toBe((ETH - worstFee).toString());
  });

  test('below the minimum sweep: nothing is claimed or submitted; the excess metric is published', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, CEILING + MINIMUM - 1n);

    const run = await sweeper(env).run();

    expect(run).toMatchObject({ kind: 'below-minimum', excessWei: MINIMUM - 1n });
    expect(await readControl(env.ledger, hot)).toBeUndefined();
    expect(await sweepTxs(env.ledger)).toHaveLength(0);
    expect(metric(env, SWEEP_METRICS.excessWei)).toEqual([Number(MINIMUM - 1n)]);
    expect(metric(env, SWEEP_METRICS.aboveCeiling)).toEqual([0]);
    // One Embedded Metric Format document: the namespace, dimension and names an alarm would read.
    expect(env.metrics[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Wallet/Sweep/test',
            Dimensions: [['Region']],
            Metrics: [
              { Name: 'FloatExcessWei', Unit: 'None' },
              { Name: 'FloatAboveCeiling', Unit: 'Count' },
            ],
          },
        ],
      },
      Region: PRIMARY,
    });
  });

  test('balance unreadable: nothing swept, the metric published', async () => {
    const env = await freshEnv();
    const run = await sweeper(env, { balance: async () => Promise.reject(new Error('no healthy RPC provider')) }).run();

    expect(run).toEqual({ kind: 'balance-unreadable', error: 'no healthy RPC provider' });
    expect(await readControl(env.ledger, hot)).toBeUndefined();
    expect(metric(env, SWEEP_METRICS.balanceUnreadable)).toEqual([1]);
  });

  test('the network has used nonces the lease counter does not know of (a replica behind, a signer it has not heard from): nothing is claimed, the excess still published', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 13n * ETH);
    const counter = await pool.highestPendingNonce(hot);
    // As if the new holder of an MREC failover had broadcast two transactions this replica never saw.
    await node.rpc('hardhat_setNonce', [hot, `0x${(counter + 2).toString(16)}`]);

    const run = await sweeper(env).run();

    expect(run).toEqual({
      kind: 'replica-behind',
      chainNonce: counter + 2,
      ledgerNextNonce: counter,
      excessWei: 3n * ETH,
    });
    expect(await readControl(env.ledger, hot)).toBeUndefined();
    expect(await sweepTxs(env.ledger)).toHaveLength(0);
    // The float alarm still sees the float above its ceiling while sweeps are refused.
    expect(metric(env, SWEEP_METRICS.aboveCeiling)).toEqual([1]);

    // Once the counter covers what the network used (reconciliation raises it), the same state sweeps.
    await env.ledger.ddb.send(
      new UpdateCommand({
        TableName: env.ledger.tableName,
        Key: ledgerKeys.lease(hot),
        UpdateExpression: 'SET nextNonce = :n',
        ExpressionAttributeValues: { ':n': counter + 2 },
      }),
    );
    expect(await sweeper(env).run()).toMatchObject({ kind: 'submitted', amountWei: 3n * ETH });
  });

  test('pending nonce unreadable: nothing swept, the unreadable metric published', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 13n * ETH);
    const run = await sweeper(env, {
      chainNonce: { name: 'down', pendingNonce: async () => Promise.reject(new Error('no healthy provider answered')) },
    }).run();

    expect(run).toEqual({ kind: 'nonce-unreadable', error: 'no healthy provider answered' });
    expect(await readControl(env.ledger, hot)).toBeUndefined();
    expect(metric(env, SWEEP_METRICS.balanceUnreadable)).toEqual([1]);
  });

  test('a duplicated schedule invocation creates no second sweep', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    const first = await sweeper(env).run();
    const second = await sweeper(env).run();
    expect(first.kind).toBe('submitted');
    expect(second).toMatchObject({ kind: 'in-flight', status: 'queued' });
    expect(await sweepTxs(env.ledger)).toHaveLength(1);
  });

  test('two invocations at once: exactly one sweep', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    const runs = await Promise.all([sweeper(env).run(), sweeper(env).run(), sweeper(env).run()]);
    expect(runs.filter((r) => r.kind === 'submitted')).toHaveLength(1);
    expect(runs.filter((r) => r.kind !== 'submitted').every((r) => r.kind === 'busy' || r.kind === 'in-flight')).toBe(
      true,
    );
    expect(await sweepTxs(env.ledger)).toHaveLength(1);
  });

  test.each([
    ['the claim', 'claimedAt'],
    ['the submitted mark', 'submittedAt'],
    ['the txId record', 'txId = :tx'],
  ])('a lost reply on %s: the SDK retry meets our own write, one sweep', async (_name, mention) => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    const lossy = faultyLedger(moto.clientConfig(PRIMARY), env.ledger.tableName, [
      {
        command: 'UpdateItemCommand',
        match: (input) => updateMentions(mention)(input) || String(input.UpdateExpression).includes(mention),
      },
    ]);

    const run = await sweeper(env, { ledger: lossy }).run();

    expect(lossy.lost()).toBe(1);
    expect(run).toMatchObject({ kind: 'submitted', amountWei: ETH });
    expect(await sweepTxs(env.ledger)).toHaveLength(1);
    expect(await readControl(env.ledger, hot)).toMatchObject({
      state: 'submitted',
      txId: (run as { txId: string }).txId,
    });
  });

  test('a lost reply on the close: the sweep is closed once and the next one starts', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    const first = await sweeper(env).run();
    await setTxStatus(env.ledger, 'w-sweep', (first as { txId: string }).txId, 'confirmed');
    await node.setBalance(hot, 12n * ETH);
    const lossy = faultyLedger(moto.clientConfig(PRIMARY), env.ledger.tableName, [
      { command: 'UpdateItemCommand', match: (input) => String(input.UpdateExpression).includes('#last = :last') },
    ]);

    const next = await sweeper(env, { ledger: lossy }).run();

    expect(lossy.lost()).toBe(1);
    expect(next).toMatchObject({ kind: 'submitted', amountWei: 2n * ETH });
    expect(await sweepTxs(env.ledger)).toHaveLength(2);
  });

  test('the lease moving mid-run: the old holder submits nothing; the new holder sweeps once', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    const move = async () => {
      await moveLease(env.ledger, {
        address: hot,
        toRegion: STANDBY,
        actor: 'drill',
        reason: 'test: lease moved mid-run',
        isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
      });
    };

    const old = await sweeper(env, { afterLeaseRead: move }).run();
    const oldAgain = await sweeper(env).run();
    const standby = await sweeper(env, {}, policy(), STANDBY).run();

    expect(old).toMatchObject({ kind: 'lease-lost' });
    expect(oldAgain).toMatchObject({ kind: 'not-holder', holder: STANDBY });
    expect(standby).toMatchObject({ kind: 'submitted', amountWei: ETH });
    const txs = await sweepTxs(env.ledger);
    expect(txs).toHaveLength(1);
    expect(txs[0].intakeRegion).toBe(STANDBY);
  });

  test('under MREC the new holder sweeps nothing until its epoch is reconciled (the intake fence is open)', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    await moveLease(env.ledger, {
      address: hot,
      toRegion: STANDBY,
      actor: 'drill',
      reason: 'test',
      isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
    });

    const run = await sweeper(env, { consistency: 'MREC' }, policy(), STANDBY).run();

    expect(run).toEqual({ kind: 'not-reconciled', epoch: 2 });
    expect(await readControl(env.ledger, hot)).toBeUndefined();
    expect(await sweepTxs(env.ledger)).toHaveLength(0);
  });

  test('a sweep claimed by the old holder is adopted by the new one (the same request), and the old holder can no longer submit it', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 15n * ETH);
    const request: TxRequest = {
      to: COLD,
      value: ETH.toString(),
      gasLimit: '21000',
      maxFeePerGas: '30000000000',
      maxPriorityFeePerGas: '1000000000',
      chainId: CHAIN_ID,
    };
    // The old holder (epoch 1) claimed and crashed before submitting.
    const claimed = await claimSweep(env.ledger, {
      address: hot,
      sweepId: 'old-sweep',
      epoch: 1,
      region: PRIMARY,
      walletId: 'w-sweep',
      request,
      at: new Date().toISOString(),
    });
    await moveLease(env.ledger, {
      address: hot,
      toRegion: STANDBY,
      actor: 'drill',
      reason: 'test',
      isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
    });

    const adopted = await sweeper(env, {}, policy(), STANDBY).run();

    expect(adopted).toMatchObject({ kind: 'submitted', sweepId: 'old-sweep', amountWei: ETH });
    expect(await markSubmitted(env.ledger, claimed.control!, 1, new Date().toISOString())).toBe(false);
    const late = await claimSweep(env.ledger, {
      address: hot,
      sweepId: 'late',
      epoch: 1,
      region: PRIMARY,
      walletId: 'w-sweep',
      request,
      at: new Date().toISOString(),
    });
    expect(late).toMatchObject({ claimed: false, control: { sweepId: 'old-sweep', epoch: 2 } });
    expect(await sweepTxs(env.ledger)).toHaveLength(1);
  });

  test('fails a sweep the policy refuses (the sweep wallet is not cold-only): refused, recorded, metric; the next run may try again', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);

    const run = await sweeper(env, {}, policy(COLD, 'deposit-only')).run();

    expect(run).toMatchObject({ kind: 'refused' });
    expect((run as { reason: string }).reason).toContain('403');
    expect((run as { reason: string }).reason).toContain('deposit-only');
    expect(await readControl(env.ledger, hot)).toMatchObject({ state: 'idle', last: { outcome: 'refused' } });
    expect(metric(env, SWEEP_METRICS.sweepsFailed)).toEqual([1]);
    expect(await sweepTxs(env.ledger)).toHaveLength(0);
  });

  test('fails at the signer a sweep whose cold address changed since intake: quarantined, never signed, the sweep stays in flight', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    await env.sqs.send(new PurgeQueueCommand({ QueueUrl: env.queueUrl })).catch(() => undefined);
    const run = await sweeper(env).run();

    const outcomes = await pump(env, policy('0x00000000000000000000000000000000000c01d2'));
    const tx = await getTransaction(env.ledger, 'w-sweep', (run as { txId: string }).txId);

    expect(outcomes).toEqual(['quarantined']);
    expect(tx?.status).toBe('quarantined');
    expect(tx?.quarantineReason).toContain('rule "cold-only"');
    expect(tx?.signedRaw).toBeUndefined();
    expect(await sweeper(env).run()).toMatchObject({ kind: 'in-flight', status: 'quarantined' });
  });

  test('a failed (cancelled) sweep ends: the failure is counted and a new sweep may start', async () => {
    const env = await freshEnv();
    await node.setBalance(hot, 11n * ETH);
    const first = await sweeper(env).run();
    await setTxStatus(env.ledger, 'w-sweep', (first as { txId: string }).txId, 'cancelled');

    const next = await sweeper(env).run();

    expect(next).toMatchObject({ kind: 'submitted' });
    expect((next as { sweepId: string }).sweepId).not.toBe((first as { sweepId: string }).sweepId);
    expect(metric(env, SWEEP_METRICS.sweepsFailed)).toEqual([1]);
  });
});
