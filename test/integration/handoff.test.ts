import { KMSClient } from '@aws-sdk/client-kms';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { Transaction } from 'ethers';
import { Broadcaster } from '../../lambda/shared/chain';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { getTransaction, Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { createSigner } from '../../lambda/signer/handler';
import { handOffStrandedWork } from '../../lib/failover/handoff';
import { initLease, moveLease } from '../../lib/failover/lease';
import { createLedgerTable, putTestTransaction } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { sqsEvent } from '../lambda/helpers';

/**
 * The hand-off after a lease move (lib/failover/handoff.ts) against moto_server (SQS FIFO queues and
 * DynamoDB): stranded work reaches the new holder once, a redelivered or retried hand-off adds
 * nothing, a lost SendMessage / DeleteMessage reply is absorbed, a stale epoch does nothing, and a
 * transaction already signed is broadcast as stored, never signed again.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const CHAIN_ID = 11155111;
const healthy = async () => ({ healthy: true, reasons: ['test'] });

let moto: MotoServer;
let keyArns: Record<string, string>;
let address: string;
let n = 0;

beforeAll(async () => {
  moto = await sharedMoto();
  ({ keyArns, address } = await replicatedSigningKey(moto, PRIMARY, STANDBY));
});

/** An SQS client whose chosen replies are dropped AFTER the call applied (the SDK then retries it). */
function lossySqs(rules: Array<{ command: string; times: number }>) {
  const client = new SQSClient({ ...moto.clientConfig(PRIMARY), maxAttempts: 3 });
  const left = rules.map((r) => r.times);
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      calls.set(command, (calls.get(command) ?? 0) + 1);
      const result = await next(args);
      const i = rules.findIndex((r, k) => left[k] > 0 && r.command === command);
      if (i >= 0) {
        left[i] -= 1;
        throw Object.assign(new Error('socket hang up after the call was applied'), { name: 'TimeoutError' });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseResponse' },
  );
  return {
    client,
    calls: (c: string) => calls.get(c) ?? 0,
    lost: () => rules.reduce((s, r, k) => s + r.times - left[k], 0),
  };
}

async function fifo(sqs: SQSClient, name: string): Promise<string> {
  return (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `${name}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
}

async function setUp(status: 'queued' | 'none' = 'queued') {
  const i = ++n;
  const table = await createLedgerTable(moto.clientConfig(PRIMARY), `handoff-${i}`);
  await putWallet(table, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
  await initLease(table, { address, region: PRIMARY, actor: 'test', now: new Date('2026-01-01T00:00:00Z') });
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  const q = {
    primary: await fifo(sqs, `handoff-${i}-primary`),
    primaryDlq: await fifo(sqs, `handoff-${i}-primary-dlq`),
    standby: await fifo(sqs, `handoff-${i}-standby`),
  };
  const txId = randomUUID();
  if (status === 'queued') await queueTx(table, txId);
  return { table, sqs, q, txId };
}

async function queueTx(table: Ledger, txId: string) {
  await putTestTransaction(table, { address, txId, intakeRegion: PRIMARY });
}

async function deadLetter(sqs: SQSClient, dlq: string, txId: string) {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlq,
      MessageBody: JSON.stringify({ walletId: 'w-1', txId }),
      MessageGroupId: 'w-1',
      MessageDeduplicationId: `dead-${txId}`,
    }),
  );
}

async function receiveAll(sqs: SQSClient, url: string): Promise<string[]> {
  const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  return (res.Messages ?? []).map((m) => m.Body!);
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

async function moveToStandby(table: Ledger) {
  return moveLease(table, { address, toRegion: STANDBY, actor: 'test', reason: 'drill', isTargetHealthy: healthy });
}

function handOff(
  table: Ledger,
  sqs: SQSClient,
  q: { primary: string; primaryDlq: string; standby: string },
  extra = {},
) {
  return handOffStrandedWork({
    ledger: table,
    sqs,
    address,
    queueUrlFor: (region) => (region === PRIMARY ? q.primary : q.standby),
    deadLetterQueueUrls: [q.primaryDlq],
    actor: 'test',
    ...extra,
  });
}

function signer(region: string, table: Ledger, broadcaster: Broadcaster) {
  return createSigner({
    env: { region, tableName: table.tableName, signingKeyArn: keyArns[region], chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger: table,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(region)), keyArns[region]),
    logger: silentLogger(),
    broadcaster,
  });
}

test('after a move, the old holder DLQ and the accepted-not-signed items reach the new holder; a redelivered hand-off adds nothing', async () => {
  // Prepare: tx A died in the primary's DLQ, tx B is only in the ledger (its message sits in a queue nobody drains)
  const { table, sqs, q, txId: a } = await setUp();
  const b = randomUUID();
  await queueTx(table, b);
  await deadLetter(sqs, q.primaryDlq, a);
  const move = await moveToStandby(table);
  // Act: the hand-off, then the same hand-off again (a redelivered event, a retried invocation)
  const first = await handOff(table, sqs, q, { expectedEpoch: move.after.epoch, runId: 'r1' });
  const second = await handOff(table, sqs, q, { expectedEpoch: move.after.epoch, runId: 'r1' });
  // Assess
  expect(first).toMatchObject({ holder: STANDBY, epoch: 2, fenced: false, fromDeadLetterQueues: 1 });
  expect([...first.requeued].sort()).toEqual([a, b].sort());
  expect(second).toMatchObject({ fenced: false, fromDeadLetterQueues: 0 });
  const atHolder = (await receiveAll(sqs, q.standby)).map((m) => JSON.parse(m).txId as string);
  expect(atHolder.sort()).toEqual([a, b].sort());
  expect(await depth(sqs, q.primaryDlq)).toBe(0);
  const audit = await table.ddb.send(
    new GetCommand({ TableName: table.tableName, Key: first.auditKey as { pk: string; sk: string } }),
  );
  expect(audit.Item).toMatchObject({ kind: 'work-handoff', holder: STANDBY, epoch: 2, actor: 'test' });
});

test('a lost SendMessage reply and a lost DeleteMessage reply: each message arrives once, the DLQ ends empty', async () => {
  const { table, q, txId } = await setUp('none');
  const plain = new SQSClient(moto.clientConfig(PRIMARY));
  await deadLetter(plain, q.primaryDlq, txId);
  const move = await moveToStandby(table);
  const lossy = lossySqs([
    { command: 'SendMessageCommand', times: 1 },
    { command: 'DeleteMessageCommand', times: 1 },
  ]);
  // Act
  const report = await handOff(table, lossy.client, q, { expectedEpoch: move.after.epoch });
  // Assess: both replies were lost and retried by the SDK; SQS deduplicated the resend
  expect(lossy.lost()).toBe(2);
  expect(lossy.calls('SendMessageCommand')).toBe(2);
  expect(report.fromDeadLetterQueues).toBe(1);
  expect(await receiveAll(plain, q.standby)).toEqual([JSON.stringify({ walletId: 'w-1', txId })]);
  expect(await depth(plain, q.primaryDlq)).toBe(0);
});

test('fails to hand off with a stale epoch: nothing is sent, the DLQ keeps its messages, no audit', async () => {
  // Prepare: the drill moved to the standby (epoch 2), then someone moved it back (epoch 3)
  const { table, sqs, q, txId } = await setUp();
  await deadLetter(sqs, q.primaryDlq, txId);
  const first = await moveToStandby(table);
  await moveLease(table, { address, toRegion: PRIMARY, actor: 'op', reason: 'back', isTargetHealthy: healthy });
  // Act: the first mover's (late) hand-off
  const stale = await handOff(table, sqs, q, { expectedEpoch: first.after.epoch });
  // Assess
  expect(stale.fenced).toBe(true);
  expect(stale.stoppedBecause).toContain('epoch 3');
  expect(stale.auditKey).toBeUndefined();
  expect(await receiveAll(sqs, q.standby)).toEqual([]);
  expect(await receiveAll(sqs, q.primary)).toEqual([]);
  expect(await depth(sqs, q.primaryDlq)).toBe(1);
});

test('the fence is checked per page: a move in the middle of a run stops it', async () => {
  const { table, q, txId } = await setUp();
  const plain = new SQSClient(moto.clientConfig(PRIMARY));
  await deadLetter(plain, q.primaryDlq, txId);
  const move = await moveToStandby(table);
  // A client that moves the lease back right after the first SendMessage (another operator, mid-run)
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  let moved = false;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'SendMessageCommand' && !moved) {
        moved = true;
        await moveLease(table, { address, toRegion: PRIMARY, actor: 'op', reason: 'back', isTargetHealthy: healthy });
      }
      return out;
    },
    { step: 'deserialize', name: 'interleave' },
  );
  const report = await handOff(table, sqs, q, { expectedEpoch: move.after.epoch });
  expect(report.fenced).toBe(false);
  expect(report.stoppedBecause).toContain('epoch 3');
  // The ledger step never ran: the queued tx was not re-sent to the (now stale) standby queue
  expect(report.requeued).toEqual([]);
});

test('a dry run moves nothing and writes nothing, and says what it would move', async () => {
  const { table, sqs, q, txId } = await setUp();
  await deadLetter(sqs, q.primaryDlq, txId);
  const move = await moveToStandby(table);
  const report = await handOff(table, sqs, q, { expectedEpoch: move.after.epoch, dryRun: true });
  expect(report).toMatchObject({ dryRun: true, fromDeadLetterQueues: 1, requeued: [txId] });
  expect(report.auditKey).toBeUndefined();
  expect(await depth(sqs, q.primaryDlq)).toBe(1);
  expect(await depth(sqs, q.standby)).toBe(0);
});

test('a transaction already signed by the old holder is handed off and broadcast as stored, never signed again', async () => {
  // Prepare: the primary signs (no broadcast), then the lease moves to the standby
  const { table, sqs, q, txId } = await setUp();
  const quiet: Broadcaster = { name: 'off', enabled: false, broadcast: async () => undefined };
  await signer(PRIMARY, table, quiet).handler(sqsEvent([JSON.stringify({ walletId: 'w-1', txId })]));
  const signed = await getTransaction(table, 'w-1', txId, true);
  expect(signed?.status).toBe('signed');
  const move = await moveToStandby(table);
  // Act: the hand-off, its message and a second copy (a duplicate beyond the dedup window) at the holder
  await handOff(table, sqs, q, { expectedEpoch: move.after.epoch });
  const accepted: string[] = [];
  const chain: Broadcaster = { name: 'chain', enabled: true, broadcast: async (raw) => void accepted.push(raw) };
  const standby = signer(STANDBY, table, chain);
  for (const m of await receiveAll(sqs, q.standby)) await standby.handler(sqsEvent([m]));
  await standby.handler(sqsEvent([JSON.stringify({ walletId: 'w-1', txId })]));
  // Assess: the stored raw transaction went out, at the nonce the old holder signed it with
  const after = await getTransaction(table, 'w-1', txId, true);
  expect(after?.signedRaw).toBe(signed?.signedRaw);
  expect(new Set(accepted)).toEqual(new Set([signed?.signedRaw]));
  expect(Transaction.from(accepted[0]).nonce).toBe(signed?.nonce);
});
