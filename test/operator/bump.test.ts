import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  createTransaction,
  getTransaction,
  Ledger,
  listTransactionsByStatus,
  putWallet,
} from '../../lambda/shared/ledger';
import { markMined, type ChainTransaction } from '../../lambda/shared/ledger-chain';
import { releaseStuck } from '../../lambda/shared/ledger-variants';
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

const item = async (w: World, txId: string) =>
  (await getTransaction(w.table, 'w-1', txId, true)) as ChainTransaction & Record<string, unknown>;

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
