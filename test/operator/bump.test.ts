import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type Hex, parseTransaction } from 'viem';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  createTransaction,
  getTransaction,
  Ledger,
  listTransactionsByStatus,
  putWallet,
} from '../../lambda/shared/ledger';
import { markMined, type ChainTransaction } from '../../lambda/shared/ledger-chain';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { releaseStuck, variantsOf } from '../../lambda/shared/ledger-variants';
import { silentLogger } from '../../lambda/shared/logger';
import { createSigner } from '../../lambda/signer/handler';
import { startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import type { FeePolicy } from '../../lib/chain/fees';
import { poolBroadcaster, ProviderPool } from '../../lib/chain/pool';
import { ledgerKeys, txStatusPartition } from '../../lib/contract/ledger';
import { initLease, moveLease } from '../../lib/failover/lease';
import { runOps } from '../../lib/operator/cli';
import { weiToGwei } from '../../lib/operator/commands/bump';
import { OPS_EXIT } from '../../lib/operator/exit-codes';
import type { OperatorLedger } from '../../lib/operator/ports';
import { operatorLedger } from '../../bin/ops-ledger';
import { rawConfig } from '../helpers/config';
import { faultyLedger, updateMentions } from '../helpers/faults';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { trackedTempDir } from '../helpers/temp-dirs';

/**
 * `wallet-ops bump` against moto_server (DynamoDB, SQS, STS), through the ledger port bin/ops.ts
 * wires: a transaction stuck at the fee cap goes back to `broadcast` and a bump message goes to the
 * holder's signing queue, with a conditional write that is right under a lost reply and loses to a
 * concurrent watcher; refusals (not stuck, the cap still too low, the client's ceiling, a newer
 * holder's write) change nothing and say what was received and what to do.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const GWEI = 10n ** 9n;
const NOW = '2026-01-01T01:00:00.000Z';
const healthy = async () => ({ healthy: true, reasons: ['test'] });

let moto: MotoServer;
let n = 0;

beforeAll(async () => {
  moto = await sharedMoto();
});

interface World {
  env: string;
  configPath: string;
  /** The signing address (a test may swap in a real KMS key's). */
  address: string;
  table: Ledger;
  sqs: SQSClient;
  signingQueue: string;
}

/** A fresh environment: its own table, the holder's signing queue, a config with `maxFeePerGasGwei`. */
async function world(o: { capGwei?: string; holder?: string } = {}): Promise<World> {
  const env = `bump${++n}-${randomBytes(3).toString('hex')}`;
  const configPath = path.join(trackedTempDir('wallet-ops-bump-'), 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify(rawConfig({ envName: env, chain: { fees: { maxFeePerGasGwei: o.capGwei ?? '100' } } })),
  );
  const table = await createLedgerTable(moto.clientConfig(PRIMARY), `${env}-wallet-ledger`);
  const address = `0x${randomBytes(20).toString('hex')}`;
  await putWallet(table, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
  await initLease(table, { address, region: PRIMARY, actor: 'test', now: new Date('2026-01-01T00:00:00Z') });
  if (o.holder !== undefined && o.holder !== PRIMARY) {
    await moveLease(table, { address, toRegion: o.holder, actor: 'test', reason: 'setup', isTargetHealthy: healthy });
  }
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  const signingQueue = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `${env}-wallet-signing.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
  // the DLQ exists too (wallet-ops resolves queue URLs by name)
  await sqs.send(
    new CreateQueueCommand({ QueueName: `${env}-wallet-signing-dlq.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  return { env, configPath, address, table, sqs, signingQueue };
}

const hash = (c: string) => `0x${c.repeat(64)}`;

/**
 * A transaction the signer left stuck at the fee cap: two variants (the second at `latestFeeGwei`),
 * the watcher's bump request for the latest, the signer's stuck reason.
 */
async function stuckTx(
  w: World,
  o: { latestFeeGwei?: bigint; clientMaxFeeGwei?: bigint; status?: string; trackedEpoch?: number } = {},
): Promise<string> {
  const txId = randomUUID();
  const latestFee = (o.latestFeeGwei ?? 25n) * GWEI;
  await createTransaction(w.table, {
    walletId: 'w-1',
    txId,
    address: w.address,
    status: 'broadcast',
    request: {
      to: '0x7777777777777777777777777777777777777777',
      value: '1000',
      gasLimit: '21000',
      maxFeePerGas: ((o.clientMaxFeeGwei ?? 500n) * GWEI).toString(),
      maxPriorityFeePerGas: (2n * GWEI).toString(),
      chainId: 11155111,
    },
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: PRIMARY,
    intakeEpoch: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const variants = [
    {
      index: 0,
      txHash: hash('a'),
      signedRaw: '0x02aa',
      digest: hash('d'),
      maxFeePerGas: (10n * GWEI).toString(),
      maxPriorityFeePerGas: (1n * GWEI).toString(),
      signedAt: '2026-01-01T00:00:00.000Z',
    },
    {
      index: 1,
      txHash: hash('b'),
      signedRaw: '0x02bb',
      digest: hash('e'),
      maxFeePerGas: latestFee.toString(),
      maxPriorityFeePerGas: (2n * GWEI).toString(),
      signedAt: '2026-01-01T00:01:00.000Z',
    },
  ];
  const status = o.status ?? 'stuck';
  await w.table.ddb.send(
    new UpdateCommand({
      TableName: w.table.tableName,
      Key: ledgerKeys.transaction('w-1', txId),
      UpdateExpression:
        'SET #status = :s, gsi1pk = :g1, nonce = :nonce, txHash = :h, signedRaw = :raw, digest = :d, variants = :v, ' +
        'stuckReason = :why, stuckAt = :at, bumpRequestedFor = :h, bumpRequestedAt = :at, trackedEpoch = :te',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':s': status,
        ':g1': txStatusPartition(w.address, status as never),
        ':nonce': 0,
        ':h': variants[1].txHash,
        ':raw': variants[1].signedRaw,
        ':d': variants[1].digest,
        ':v': variants,
        ':why':
          'a replacement needs maxFeePerGas >= 27500000000 wei (10% over 25000000000), above the cap of 25000000000 wei',
        ':at': '2026-01-01T00:02:00.000Z',
        ':te': o.trackedEpoch ?? 1,
      },
    }),
  );
  return txId;
}

async function ops(w: World, args: string[], ledger: OperatorLedger = operatorLedger) {
  let stdout = '';
  let stderr = '';
  const code = await runOps([...args, '-c', w.configPath, '--address', w.address, '--region', PRIMARY], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: process.cwd(),
    ledger,
    now: () => Date.parse(NOW),
    clientOptions: {
      endpoint: moto.clientConfig(PRIMARY).endpoint,
      credentials: moto.clientConfig(PRIMARY).credentials,
    },
  });
  return { code, stdout, stderr };
}

async function opsAudit(w: World): Promise<Record<string, unknown>[]> {
  const res = await w.table.ddb.send(
    new QueryCommand({
      TableName: w.table.tableName,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': `AUDIT#ops#${w.address}` },
    }),
  );
  return res.Items ?? [];
}

async function queued(w: World): Promise<unknown[]> {
  const got = await w.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: w.signingQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (got.Messages ?? []).map((m) => JSON.parse(m.Body!));
}

const item = async (w: World, txId: string, walletId = 'w-1') =>
  (await getTransaction(w.table, walletId, txId, true)) as ChainTransaction & Record<string, unknown>;

describe('wallet-ops bump', () => {
  test('--dry-run prints the plan (the minimum replacement under the raised cap) and changes nothing', async () => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w);
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice', '--dry-run', '--json']);
    expect(run.code).toBe(OPS_EXIT.ok);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'bump', dryRun: true, changed: false });
    expect(doc.wouldDo).toEqual([
      `move w-1/${id} from stuck to broadcast (only if still stuck at ${hash('b')} with 2 variant(s))`,
      `put a bump of ${hash('b')} on ${PRIMARY}'s signing queue: the signer replaces it at >= 27500000000 wei (27.5 gwei) ` +
        `under the cap it was deployed with (200000000000 wei in this config; deploy a raised cap first)`,
    ]);
    expect((await item(w, id)).status).toBe('stuck');
    expect(await queued(w)).toEqual([]);
    expect(await opsAudit(w)).toEqual([]);
  });

  test('moves a stuck transaction back to broadcast and asks the holder signer for a bump, audited', async () => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w);
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice', '--json']);
    expect(run.code).toBe(OPS_EXIT.ok);
    expect(JSON.parse(run.stdout).result).toMatchObject({
      from: 'stuck',
      status: 'broadcast',
      fromTxHash: hash('b'),
      bumpMessage: { sent: true },
    });
    const now = await item(w, id);
    expect(now).toMatchObject({
      status: 'broadcast',
      txHash: hash('b'),
      lastStuckReason: expect.stringContaining('above the cap of 25000000000 wei'),
      stuckReleasedBy: 'alice',
      stuckReleasedAt: NOW,
    });
    // the variants are untouched; the watcher's pending bump request is gone (it asks again next walk)
    expect((now.variants as unknown[]).length).toBe(2);
    for (const gone of ['stuckReason', 'stuckAt', 'bumpRequestedFor', 'bumpRequestedAt'])
      expect(now[gone]).toBeUndefined();
    // the status index moved with it: the watcher walks it as broadcast, stuck no longer lists it
    expect((await listTransactionsByStatus(w.table, w.address, 'broadcast')).map((t) => t.txId)).toEqual([id]);
    expect(await listTransactionsByStatus(w.table, w.address, 'stuck')).toEqual([]);
    expect(await queued(w)).toEqual([{ kind: 'bump', walletId: 'w-1', txId: id, fromTxHash: hash('b') }]);
    const [audit, ...more] = await opsAudit(w);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ command: 'bump', actor: 'alice', epoch: 1, input: { walletId: 'w-1', txId: id } });
  });

  test.each([
    ['broadcast', 'still being replaced by the chain watcher'],
    ['mined', 'it is mined; nothing to do'],
    ['quarantined', 'resolve or cancel it'],
  ])('fails on a transaction that is %s, not stuck: the status received and the next step', async (status, fix) => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w, { status });
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice', '--json']);
    expect(run.code).toBe(OPS_EXIT.refused);
    expect(run.stderr).toContain(`refusing: w-1/${id} is ${status}, not stuck; bump only sends a transaction stuck`);
    expect(run.stderr).toContain(fix);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: 'refused', status });
    expect((await item(w, id)).status).toBe(status);
    expect(await queued(w)).toEqual([]);
    expect(await opsAudit(w)).toEqual([]);
  });

  test('fails when the cap in the config is still too low: the wei needed, the field and its fix', async () => {
    const w = await world({ capGwei: '25' }); // the cap it got stuck at, not raised
    const id = await stuckTx(w);
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice', '--json']);
    expect(run.code).toBe(OPS_EXIT.refused);
    expect(run.stderr).toContain(
      `needs maxFeePerGas >= 27500000000 wei (27.5 gwei: 10% over its latest variant's 25000000000 wei), above the cap in force of 25000000000 wei ` +
        `(chain.fees.maxFeePerGasGwei is "25" in ${w.configPath}). Fix: raise chain.fees.maxFeePerGasGwei to at least 27.5 and deploy it`,
    );
    expect(JSON.parse(run.stdout)).toMatchObject({
      neededMaxFeePerGas: '27500000000',
      capPerGas: '25000000000',
      capFrom: 'chain.fees.maxFeePerGasGwei',
    });
    expect((await item(w, id)).status).toBe('stuck');
    expect(await queued(w)).toEqual([]);
  });

  test("fails when the client's own maxFeePerGas is the limit: raising the chain cap would not help", async () => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w, { latestFeeGwei: 30n, clientMaxFeeGwei: 30n });
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice']);
    expect(run.code).toBe(OPS_EXIT.refused);
    expect(run.stderr).toContain("(the request's own maxFeePerGas, which the wallet never exceeds)");
    expect(run.stderr).toContain('Raising the chain cap does not help: wait for fees to fall');
    expect((await item(w, id)).status).toBe('stuck');
  });

  test('fails without the lease, naming the holder (dry run too), and changes nothing', async () => {
    const w = await world({ capGwei: '200', holder: STANDBY });
    const id = await stuckTx(w);
    for (const extra of [[], ['--dry-run']]) {
      const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice', ...extra]);
      expect(run.code).toBe(OPS_EXIT.refused);
      expect(run.stderr).toContain(`it is held by ${STANDBY} at epoch 2`);
    }
    expect((await item(w, id)).status).toBe('stuck');
  });

  test('a lost reply on the release: the SDK retry fails its condition, the write token says it was ours', async () => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w);
    const faulty = faultyLedger(moto.clientConfig(PRIMARY), w.table.tableName, [
      { command: 'UpdateItemCommand', match: updateMentions('stuckReleaseToken') },
    ]);
    const lossy: OperatorLedger = {
      ...operatorLedger,
      releaseStuck: (_s, v, by) => operatorLedger.releaseStuck(faulty, v, by),
    };
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice', '--json'], lossy);
    expect(faulty.lost()).toBe(1);
    expect(faulty.calls('UpdateItemCommand')).toBe(2); // the SDK retried the applied write
    expect(run.code).toBe(OPS_EXIT.ok);
    expect((await item(w, id)).status).toBe('broadcast');
    expect(await queued(w)).toHaveLength(1);
  });

  test('fails when the watcher records it mined between the read and the write: refused, mined stays', async () => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w);
    const racing: OperatorLedger = {
      ...operatorLedger,
      releaseStuck: async (store, view, by) => {
        // the lease holder's watcher sees the latest variant's receipt and writes first
        const seen = await item(w, id);
        expect(
          await markMined(
            w.table,
            seen,
            {
              txHash: hash('b'),
              blockNumber: 9n,
              blockHash: hash('c'),
              receiptStatus: 'success',
              replaced: [hash('a')],
            },
            1,
            NOW,
          ),
        ).toBe('applied');
        return operatorLedger.releaseStuck(store, view, by);
      },
    };
    const run = await ops(w, ['bump', 'w-1', id, '--actor', 'alice'], racing);
    expect(run.code).toBe(OPS_EXIT.refused);
    expect(run.stderr).toContain(`refusing: w-1/${id} changed meanwhile (now mined); nothing changed`);
    expect(await item(w, id)).toMatchObject({ status: 'mined', minedTxHash: hash('b') });
    expect(await queued(w)).toEqual([]);
    // the refusal is audited with its error
    expect(await opsAudit(w)).toEqual([
      expect.objectContaining({ command: 'bump', error: expect.stringContaining('changed meanwhile') }),
    ]);
  });

  test('a watcher that saw it stuck writes after the release: its conditional write loses, the next walk sees broadcast', async () => {
    const w = await world({ capGwei: '200' });
    const id = await stuckTx(w);
    const seenStuck = await item(w, id);
    expect((await ops(w, ['bump', 'w-1', id, '--actor', 'alice'])).code).toBe(OPS_EXIT.ok);
    const mined = {
      txHash: hash('b'),
      blockNumber: 9n,
      blockHash: hash('c'),
      receiptStatus: 'success' as const,
      replaced: [],
    };
    expect(await markMined(w.table, seenStuck, mined, 1, NOW)).toBe('conflict');
    expect((await item(w, id)).status).toBe('broadcast');
    expect(await markMined(w.table, await item(w, id), mined, 1, NOW)).toBe('applied');
  });

  test('fails once a newer lease holder tracked it (the fence), and when a variant was added meanwhile', async () => {
    const w = await world({ capGwei: '200' });
    const fenced = await stuckTx(w, { trackedEpoch: 5 });
    const run = await ops(w, ['bump', 'w-1', fenced, '--actor', 'alice']);
    expect(run.code).toBe(OPS_EXIT.refused);
    expect(run.stderr).toContain('changed meanwhile (now stuck)');
    expect((await item(w, fenced)).status).toBe('stuck');
    // the ledger write itself: a view with one variant fewer than the item holds does not apply
    const id = await stuckTx(w);
    const tx = await item(w, id);
    const out = await releaseStuck(w.table, tx, hash('b'), 1, { actor: 'a', at: NOW, epoch: 1 });
    expect(out.released).toBe(false);
    expect((await item(w, id)).status).toBe('stuck');
  });

  test('fails with every input problem at once', async () => {
    const w = await world();
    const run = await ops(w, ['bump', 'w 1', 'tx/1', '--json']);
    expect(run.code).toBe(OPS_EXIT.usage);
    expect(JSON.parse(run.stdout).problems).toEqual([
      `<walletId> must be 1-64 letters, digits, '-' or '_'; received "w 1"`,
      `<txId> must be 1-64 letters, digits, '-' or '_' (the txId the API returned); received "tx/1"`,
    ]);
  });

  test('stuck lists the bump command for a transaction at the fee cap', async () => {
    const w = await world();
    const id = await stuckTx(w);
    const run = await ops(w, ['stuck']);
    expect(run.stdout).toContain(`wallet-ops bump w-1 ${id} --region ${PRIMARY} --address ${w.address} --dry-run`);
  });

  test.each([
    [27_500_000_000n, '27.5'],
    [100n * GWEI, '100'],
    [1n, '0.000000001'],
  ])('weiToGwei(%s) = %s', (wei, gwei) => {
    expect(weiToGwei(wei)).toBe(gwei);
  });
});

/**
 * End to end on a real node (Hardhat's EDR, automine off) with the signer's KMS key in moto: the
 * signer reaches the cap and reports the transaction stuck; the operator raises the cap, "deploys"
 * (a signer built with the new cap), runs wallet-ops bump; the signer takes the bump message from
 * the queue and replaces the transaction under the new cap; the chain mines exactly one variant.
 */
describe('wallet-ops bump, end to end with the signer and a real node', () => {
  let node: EvmNode;
  beforeAll(async () => {
    node = await startEvmNode({ chainId: 31337, automine: false });
  });
  afterAll(async () => node?.stop());

  const spike = (gwei: bigint) => node.rpc('hardhat_setNextBlockBaseFeePerGas', [`0x${(gwei * GWEI).toString(16)}`]);

  function signerWithCap(w: World, keyArn: string, capGwei: bigint) {
    const pool = new ProviderPool({
      chainId: 31337,
      providers: [{ name: 'local', url: node.url }],
      limits: {
        maxLagBlocks: 5,
        maxLagSeconds: 86_400,
        maxErrorRate: 0.5,
        requestTimeoutMs: 3000,
        refreshIntervalMs: 0,
      },
    });
    const policy: FeePolicy = {
      priorityFeePerGas: 1n * GWEI,
      capPerGas: capGwei * GWEI,
      bumpPercent: 10,
      baseFeeMultiplier: 2,
    };
    return createSigner({
      env: {
        region: PRIMARY,
        tableName: w.table.tableName,
        signingKeyArn: keyArn,
        chainId: 31337,
        consistency: 'MRSC',
      },
      ledger: w.table,
      key: new KmsSigningKey(new KMSClient(moto.clientConfig(PRIMARY)), keyArn),
      logger: silentLogger(),
      broadcaster: poolBroadcaster(pool),
      chainFees: {
        policy,
        feeHistory: () =>
          pool.read('eth_feeHistory', async (c) => {
            const h = await c.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] });
            return { baseFeePerGas: h.baseFeePerGas, reward: h.reward };
          }),
      },
    });
  }

  test('stuck at a 25 gwei cap; cap raised to 60 and bumped: replaced under the new cap, mined once', async () => {
    // Prepare: a world whose lease and wallet belong to a funded moto KMS key
    const w = await world({ capGwei: '60' });
    const key = await replicatedSigningKey(moto, PRIMARY, STANDBY);
    const keyArn = key.keyArns[PRIMARY];
    w.address = key.address;
    await putWallet(w.table, { walletId: 'w-2', address: key.address, status: 'active', createdAt: NOW });
    await initLease(w.table, { address: key.address, region: PRIMARY, actor: 'test' });
    await node.setBalance(key.address, 10n ** 20n);
    await spike(1n);
    await node.mine(2);
    const txId = randomUUID();
    await createTransaction(w.table, {
      walletId: 'w-2',
      txId,
      address: key.address,
      status: 'queued',
      request: {
        to: '0x7777777777777777777777777777777777777777',
        value: '1000',
        gasLimit: '21000',
        maxFeePerGas: (100n * GWEI).toString(),
        maxPriorityFeePerGas: (1n * GWEI).toString(),
        chainId: 31337,
      },
      requestHash: txId,
      idempotencyKey: `key-${txId}`,
      intakeRegion: PRIMARY,
      intakeEpoch: 1,
      createdAt: NOW,
      updatedAt: NOW,
    });
    const before = signerWithCap(w, keyArn, 25n);
    const body = (fromTxHash: string) => JSON.stringify({ kind: 'bump', walletId: 'w-2', txId, fromTxHash });
    expect(await before.processMessage(JSON.stringify({ walletId: 'w-2', txId }))).toBe('broadcast');
    await spike(100n);
    await node.mine(1);
    expect(await before.processMessage(body((await item(w, txId, 'w-2')).txHash!))).toBe('replaced'); // held at 25 gwei
    expect(await before.processMessage(body((await item(w, txId, 'w-2')).txHash!))).toBe('stuck');
    const stuck = await item(w, txId, 'w-2');
    expect(stuck.status).toBe('stuck');
    // the market falls, but not below the 25 gwei the latest variant pays
    await spike(40n);
    await node.mine(1);
    // Act: the operator raised chain.fees.maxFeePerGasGwei to 60 (the config), deployed it (the signer), bumps
    const run = await ops(w, ['bump', 'w-2', txId, '--actor', 'alice']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(OPS_EXIT.ok);
    const got = await w.sqs.send(new ReceiveMessageCommand({ QueueUrl: w.signingQueue, MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(1);
    const after = signerWithCap(w, keyArn, 60n);
    expect(await after.processMessage(got.Messages![0].Body!)).toBe('replaced');
    // Assert: a third variant under the new cap, same nonce and intent, and exactly one mined
    const replaced = await item(w, txId, 'w-2');
    const variants = variantsOf(replaced);
    expect(replaced.status).toBe('broadcast');
    expect(variants.map((v) => v.index)).toEqual([0, 1, 2]);
    expect(BigInt(variants[2].maxFeePerGas)).toBeGreaterThan(25n * GWEI);
    expect(BigInt(variants[2].maxFeePerGas)).toBeLessThanOrEqual(60n * GWEI);
    expect(parseTransaction(variants[2].signedRaw as Hex)).toMatchObject({ nonce: stuck.nonce, value: 1000n });
    await node.mine(1);
    const receipt = await node.rpc<{ status: string } | null>('eth_getTransactionReceipt', [variants[2].txHash]);
    expect(receipt?.status).toBe('0x1');
    for (const v of variants.slice(0, 2)) {
      expect(await node.rpc('eth_getTransactionReceipt', [v.txHash])).toBeNull();
    }
    expect(Number(await node.rpc<string>('eth_getTransactionCount', [key.address, 'latest']))).toBe(stuck.nonce! + 1);
  });
});
