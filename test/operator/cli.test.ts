import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getTransaction, Ledger, putWallet } from '../../lambda/shared/ledger';
import { TxStatus } from '../../lib/contract/ledger';
import { initLease, moveLease, readLease } from '../../lib/failover/lease';
import { allocateNonce, releaseNonceAllocation } from '../../lib/failover/nonce';
import { runOps } from '../../lib/operator/cli';
import { OPS_EXIT } from '../../lib/operator/exit-codes';
import { operatorLedger } from '../../bin/ops-ledger';
import { rawConfig } from '../helpers/config';
import { createLedgerTable, putTestTransaction } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { trackedTempDir } from '../helpers/temp-dirs';

/**
 * wallet-ops in-process against moto_server (DynamoDB, SQS, STS), through the same ledger port
 * bin/ops.ts wires: the listings, each mutation with its audit record, --dry-run changing nothing,
 * the refusal without the lease, and bad input reported all at once.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
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
  sqs: Record<string, SQSClient>;
  queues: Record<string, { signing: string; dlq: string }>;
}

/** A fresh environment: its own table (in the caller's region), queues in both regions, a config file. */
async function world(holder = PRIMARY, tableRegion = PRIMARY): Promise<World> {
  const env = `ops${++n}-${randomBytes(3).toString('hex')}`;
  const dir = trackedTempDir('wallet-ops-');
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(rawConfig({ envName: env })));
  const table = await createLedgerTable(moto.clientConfig(tableRegion), `${env}-wallet-ledger`);
  const address = `0x${randomBytes(20).toString('hex')}`;
  await putWallet(table, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
  await initLease(table, { address, region: PRIMARY, actor: 'test', now: new Date('2026-01-01T00:00:00Z') });
  if (holder !== PRIMARY) {
    await moveLease(table, { address, toRegion: holder, actor: 'test', reason: 'setup', isTargetHealthy: healthy });
  }
  const sqs: Record<string, SQSClient> = {};
  const queues: Record<string, { signing: string; dlq: string }> = {};
  for (const region of [PRIMARY, STANDBY]) {
    sqs[region] = new SQSClient(moto.clientConfig(region));
    const make = async (name: string) =>
      (
        await sqs[region].send(
          new CreateQueueCommand({
            QueueName: name,
            Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
          }),
        )
      ).QueueUrl!;
    queues[region] = {
      signing: await make(`${env}-wallet-signing.fifo`),
      dlq: await make(`${env}-wallet-signing-dlq.fifo`),
    };
  }
  return { env, configPath, address, table, sqs, queues };
}

async function tx(w: World, status: TxStatus, updatedAt = '2026-01-01T00:00:00.000Z'): Promise<string> {
  return putTestTransaction(w.table, { address: w.address, status, intakeRegion: PRIMARY, at: updatedAt });
}

async function ops(w: World, args: string[], region = PRIMARY) {
  let stdout = '';
  let stderr = '';
  const code = await runOps([...args, '-c', w.configPath, '--address', w.address, '--region', region], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: process.cwd(),
    ledger: operatorLedger,
    now: () => Date.parse('2026-01-01T01:00:00Z'),
    clientOptions: { endpoint: moto.clientConfig(region).endpoint, credentials: moto.clientConfig(region).credentials },
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

async function depth(w: World, region: string, which: 'signing' | 'dlq'): Promise<number> {
  const res = await w.sqs[region].send(
    new GetQueueAttributesCommand({
      QueueUrl: w.queues[region][which],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages) + Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

describe('listings (read-only)', () => {
  test('stuck: an old open transaction, a quarantined one and a dead letter, as one JSON document', async () => {
    const w = await world();
    const old = await tx(w, 'queued');
    await tx(w, 'queued', '2026-01-01T00:59:00.000Z'); // one minute old: not stuck at --older-than 300
    const q = await tx(w, 'quarantined');
    const capped = await tx(w, 'stuck');
    await w.sqs[STANDBY].send(
      new SendMessageCommand({
        QueueUrl: w.queues[STANDBY].dlq,
        MessageBody: '{}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    const run = await ops(w, ['stuck', '--json']);
    expect(run.code).toBe(OPS_EXIT.ok);
    const doc = JSON.parse(run.stdout);
    expect(doc.stuck.map((t: { txId: string }) => t.txId)).toEqual([old]);
    expect(doc.quarantined.map((t: { txId: string }) => t.txId)).toEqual([q]);
    expect(doc.atFeeCap.map((t: { txId: string }) => t.txId)).toEqual([capped]);
    expect(doc.deadLetterQueues).toEqual([
      { region: PRIMARY, messages: 0 },
      { region: STANDBY, messages: 1 },
    ]);
    expect(doc.lease).toMatchObject({ holder: PRIMARY, epoch: 1 });
  });

  test('gaps: a nonce handed out and never used is listed as missing', async () => {
    const w = await world();
    await allocateNonce(w.table, w.address, PRIMARY, 1, 'lost-tx');
    await releaseNonceAllocation(w.table, w.address, 'lost-tx');
    const run = await ops(w, ['gaps', '--json']);
    expect(run.code).toBe(OPS_EXIT.ok);
    expect(JSON.parse(run.stdout).gaps).toEqual([{ address: w.address, nonce: 0, kind: 'missing' }]);
  });
});

describe('mutations', () => {
  test('quarantine --dry-run prints the plan and changes nothing (no write, no audit record)', async () => {
    const w = await world();
    const id = await tx(w, 'queued');
    const run = await ops(w, [
      'quarantine',
      'w-1',
      id,
      '--reason',
      'duplicate?',
      '--actor',
      'alice',
      '--dry-run',
      '--json',
    ]);
    expect(run.code).toBe(OPS_EXIT.ok);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      command: 'quarantine',
      dryRun: true,
      changed: false,
      lease: { holder: PRIMARY, epoch: 1 },
    });
    expect(doc.wouldDo).toEqual([
      `move w-1/${id} from queued to quarantined (only if still queued), reason "duplicate?"`,
    ]);
    expect((await getTransaction(w.table, 'w-1', id))?.status).toBe('queued');
    expect(await opsAudit(w)).toEqual([]);
  });

  test('quarantine acts and is audited: who, when, what, at which epoch', async () => {
    const w = await world();
    const id = await tx(w, 'queued');
    const run = await ops(w, ['quarantine', 'w-1', id, '--reason', 'duplicate?', '--actor', 'alice']);
    expect(run.code).toBe(OPS_EXIT.ok);
    expect(run.stdout).toContain(`Quarantined w-1/${id}`);
    expect((await getTransaction(w.table, 'w-1', id))?.status).toBe('quarantined');
    const [audit, ...more] = await opsAudit(w);
    expect(more).toEqual([]);
    expect(audit).toMatchObject({
      kind: 'operator-command',
      command: 'quarantine',
      actor: 'alice',
      region: PRIMARY,
      epoch: 1,
      at: '2026-01-01T01:00:00.000Z',
      input: { walletId: 'w-1', txId: id, reason: 'duplicate?' },
      result: { from: 'queued', to: 'quarantined' },
    });
  });

  test('the actor defaults to the STS caller ARN', async () => {
    const w = await world();
    const id = await tx(w, 'queued');
    expect((await ops(w, ['quarantine', 'w-1', id, '--reason', 'r'])).code).toBe(OPS_EXIT.ok);
    expect(String((await opsAudit(w))[0].actor)).toMatch(/^arn:aws:(iam|sts)::\d{12}:/);
  });

  test('fails without the lease: refuses, names the holder and epoch, changes nothing (dry run too)', async () => {
    const w = await world(STANDBY); // the lease is in the standby at epoch 2
    const id = await tx(w, 'queued');
    for (const extra of [[], ['--dry-run']]) {
      const run = await ops(w, [
        'cancel',
        'w-1',
        id,
        '--evidence',
        'client withdrew',
        '--actor',
        'bob',
        '--json',
        ...extra,
      ]);
      expect(run.code).toBe(OPS_EXIT.refused);
      expect(run.stderr).toContain(
        `${PRIMARY} does not hold the lease for ${w.address}; it is held by ${STANDBY} at epoch 2`,
      );
      expect(JSON.parse(run.stdout)).toMatchObject({ error: 'refused', holder: STANDBY, epoch: 2 });
    }
    expect((await getTransaction(w.table, 'w-1', id))?.status).toBe('queued');
    expect(await opsAudit(w)).toEqual([]);
  });

  test('cancel: a queued transaction is quarantined then cancelled, audited on the transaction and by wallet-ops', async () => {
    const w = await world();
    const id = await tx(w, 'queued');
    const run = await ops(w, ['cancel', 'w-1', id, '--evidence', 'client withdrew', '--actor', 'bob', '--json']);
    expect(run.code).toBe(OPS_EXIT.ok);
    expect(JSON.parse(run.stdout).result).toMatchObject({ from: 'queued', status: 'cancelled' });
    expect((await getTransaction(w.table, 'w-1', id))?.status).toBe('cancelled');
    expect((await opsAudit(w)).map((a) => a.command)).toEqual(['cancel']);
  });

  test('fails to cancel a signed transaction (it may be on chain): refused before anything changed, no audit record', async () => {
    const w = await world();
    const id = await tx(w, 'signed');
    const run = await ops(w, ['cancel', 'w-1', id, '--evidence', 'x', '--actor', 'bob']);
    expect(run.code).toBe(OPS_EXIT.refused);
    expect(run.stderr).toContain('is signed and may already be on chain');
    expect((await getTransaction(w.table, 'w-1', id))?.status).toBe('signed');
    expect(await opsAudit(w)).toEqual([]);
  });

  test('resolve --as requeue: out of quarantine and onto the holder queue', async () => {
    const w = await world();
    const id = await tx(w, 'quarantined');
    const run = await ops(w, [
      'resolve',
      'w-1',
      id,
      '--as',
      'requeue',
      '--evidence',
      'not on chain',
      '--actor',
      'carol',
    ]);
    expect(run.code).toBe(OPS_EXIT.ok);
    expect((await getTransaction(w.table, 'w-1', id))?.status).toBe('queued');
    const got = await w.sqs[PRIMARY].send(new ReceiveMessageCommand({ QueueUrl: w.queues[PRIMARY].signing }));
    expect(got.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([{ walletId: 'w-1', txId: id }]);
  });

  test('fill-gap sends one fill-gap message for a real gap, and refuses a nonce that is not one', async () => {
    const w = await world();
    await allocateNonce(w.table, w.address, PRIMARY, 1, 'lost-tx');
    await releaseNonceAllocation(w.table, w.address, 'lost-tx');
    const fees = ['--max-fee-per-gas', '30000000000', '--max-priority-fee-per-gas', '1000000000', '--actor', 'dan'];
    const notAGap = await ops(w, ['fill-gap', '--nonce', '5', ...fees]);
    expect(notAGap.code).toBe(OPS_EXIT.refused);
    expect(notAGap.stderr).toContain('nonce 5 was never handed out (next nonce is 1)');
    const run = await ops(w, ['fill-gap', '--nonce', '0', ...fees]);
    expect(run.code).toBe(OPS_EXIT.ok);
    const got = await w.sqs[PRIMARY].send(new ReceiveMessageCommand({ QueueUrl: w.queues[PRIMARY].signing }));
    expect(got.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([
      { kind: 'fill-gap', nonce: 0, maxFeePerGas: '30000000000', maxPriorityFeePerGas: '1000000000' },
    ]);
  });

  test('hand-off: --dry-run leaves the DLQ alone; the run moves the old holder DLQ to the holder queue', async () => {
    const w = await world(STANDBY, STANDBY); // the operator acts from the standby, which holds the lease
    await w.sqs[PRIMARY].send(
      new SendMessageCommand({
        QueueUrl: w.queues[PRIMARY].dlq,
        MessageBody: JSON.stringify({ walletId: 'w-1', txId: 'dead-1' }),
        MessageGroupId: 'w-1',
        MessageDeduplicationId: 'dead-1',
      }),
    );
    const dry = await ops(w, ['hand-off', '--dlq-only', '--dry-run', '--actor', 'erin'], STANDBY);
    expect(dry.code).toBe(OPS_EXIT.ok);
    expect(dry.stdout).toContain('DRY RUN');
    expect(dry.stdout).toContain(
      `move about 1 message(s) from the signing DLQs of ${PRIMARY} and ${STANDBY} to ${STANDBY}`,
    );
    expect(await depth(w, PRIMARY, 'dlq')).toBe(1);
    expect(await depth(w, STANDBY, 'signing')).toBe(0);
    const run = await ops(w, ['hand-off', '--dlq-only', '--actor', 'erin', '--json'], STANDBY);
    expect(run.code).toBe(OPS_EXIT.ok);
    expect(JSON.parse(run.stdout).result).toMatchObject({
      holder: STANDBY,
      epoch: 2,
      fromDeadLetterQueues: 1,
      fenced: false,
    });
    expect(await depth(w, PRIMARY, 'dlq')).toBe(0);
    expect(await depth(w, STANDBY, 'signing')).toBe(1);
    expect((await readLease(w.table, w.address))?.epoch).toBe(2);
  });
});

describe('bad input', () => {
  test('fails with every problem at once: the value received and how to fix it; nothing is read or written', async () => {
    const w = await world();
    const run = await ops(w, ['resolve', 'w 1', 'tx/1', '--as', 'onchain', '--tx-hash', '0x12', '--json']);
    expect(run.code).toBe(OPS_EXIT.usage);
    const doc = JSON.parse(run.stdout);
    expect(doc.error).toBe('usage');
    expect(doc.problems).toEqual([
      `<walletId> must be 1-64 letters, digits, '-' or '_'; received "w 1"`,
      `<txId> must be 1-64 letters, digits, '-' or '_' (the txId the API returned); received "tx/1"`,
      '--evidence is required and must not be empty (it goes into the audit record); received null. Example: --evidence "etherscan shows nonce 7 unused"',
      '--as onchain needs --tx-hash, a 0x-prefixed 32-byte hash; received "0x12"',
    ]);
  });

  test('fails with input and common-option problems together (a bad id and a bad --address)', async () => {
    const w = await world();
    let stderr = '';
    const code = await runOps(
      ['quarantine', 'w-1', 'tx/1', '--reason', 'r', '-c', w.configPath, '--address', '0x12', '--region', PRIMARY],
      {
        stdout: { write: () => true },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        cwd: process.cwd(),
        ledger: operatorLedger,
      },
    );
    expect(code).toBe(OPS_EXIT.usage);
    expect(stderr).toContain('2 problems');
    expect(stderr).toContain('<txId> must be');
    expect(stderr).toContain('--address must be the 0x-prefixed 20-byte signing address; received "0x12"');
  });

  test('fails on a region outside the config, naming the allowed ones', async () => {
    const w = await world();
    const run = await ops(w, ['stuck'], 'eu-west-1');
    expect(run.code).toBe(OPS_EXIT.usage);
    expect(run.stderr).toContain(
      `--region must be one of this config's regions (${PRIMARY}, ${STANDBY}); received "eu-west-1"`,
    );
  });
});
