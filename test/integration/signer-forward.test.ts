import { KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Transaction } from 'ethers';
import { Broadcaster } from '../../lambda/shared/chain';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { getTransaction, Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { createQueueForwarder } from '../../lambda/signer/forward';
import { createSigner } from '../../lambda/signer/handler';
import { initLease } from '../../lib/failover/lease';
import { createLedgerTable, putTestTransaction } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { sqsEvent } from '../lambda/helpers';

/**
 * The deployed signer's forward hook (lambda/signer/forward.ts) against moto_server: a signer
 * without the lease moves the message to the holder's queue, and a double forward (a redelivery,
 * or a forward whose reply was lost and is retried) is harmless: SQS deduplicates it within its
 * window, and beyond it the holder's signer signs once (idempotent per txId, epoch-fenced).
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const CHAIN_ID = 11155111;

let moto: MotoServer;
let keyArns: Record<string, string>;
let address: string;
let n = 0;

beforeAll(async () => {
  moto = await sharedMoto();
  ({ keyArns, address } = await replicatedSigningKey(moto, PRIMARY, STANDBY));
});

async function setUp() {
  const i = ++n;
  const table = await createLedgerTable(moto.clientConfig(PRIMARY), `forward-${i}`);
  await putWallet(table, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
  await initLease(table, { address, region: PRIMARY, actor: 'test', now: new Date('2026-01-01T00:00:00Z') });
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  const holderQueue = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `forward-${i}-holder.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    )
  ).QueueUrl!;
  const txId = await putTestTransaction(table, { address, intakeRegion: STANDBY });
  return { table, sqs, holderQueue, txId };
}

function signer(region: string, table: Ledger, extra: Partial<Parameters<typeof createSigner>[0]> = {}) {
  return createSigner({
    env: { region, tableName: table.tableName, signingKeyArn: keyArns[region], chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger: table,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(region)), keyArns[region]),
    logger: silentLogger(),
    ...extra,
  });
}

async function receiveAll(sqs: SQSClient, url: string): Promise<string[]> {
  const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  return (res.Messages ?? []).map((m) => m.Body!);
}

function recordingChain() {
  const accepted: { nonce: number; raw: string }[] = [];
  const broadcaster: Broadcaster = {
    name: 'test-chain',
    enabled: true,
    broadcast: async (raw) => {
      accepted.push({ nonce: Transaction.from(raw).nonce, raw });
    },
  };
  return { accepted, broadcaster };
}

test('a signer without the lease forwards to the peer queue; a redelivered message is forwarded once (SQS dedup)', async () => {
  // Prepare: the primary holds the lease; the standby's queue got the message
  const { table, sqs, holderQueue, txId } = await setUp();
  const forward = createQueueForwarder(sqs, {
    region: STANDBY,
    peer: { region: PRIMARY, signingQueueUrl: holderQueue },
  });
  const standby = signer(STANDBY, table, { forward });
  const message = JSON.stringify({ walletId: 'w-1', txId });
  // Act: the same message delivered twice to the standby (at-least-once, or a lost delete)
  const first = await standby.handler(sqsEvent([message]));
  const second = await standby.handler(sqsEvent([message]));
  const atHolder = await receiveAll(sqs, holderQueue);
  // Assess: both deliveries done (nothing left to die in the standby's DLQ), one message at the holder
  expect(first.batchItemFailures).toEqual([]);
  expect(second.batchItemFailures).toEqual([]);
  expect(atHolder.map((b) => JSON.parse(b))).toEqual([{ walletId: 'w-1', txId, forwardedFrom: STANDBY }]);
});

test('a duplicate that escapes SQS dedup (after its window) is signed once, at one nonce, by the holder', async () => {
  // Prepare: two copies at the holder (as if forwarded twice 5+ minutes apart)
  const { table, sqs, holderQueue, txId } = await setUp();
  const forwarded = JSON.stringify({ walletId: 'w-1', txId, forwardedFrom: STANDBY });
  for (const dedup of ['a', 'b']) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: holderQueue,
        MessageBody: forwarded,
        MessageGroupId: 'w-1',
        MessageDeduplicationId: dedup,
      }),
    );
  }
  const chain = recordingChain();
  const primary = signer(PRIMARY, table, { broadcaster: chain.broadcaster });
  // Act
  const copies = await receiveAll(sqs, holderQueue);
  for (const copy of copies) await primary.handler(sqsEvent([copy]));
  // Assess: two deliveries, one signature at one nonce, the transaction signed/broadcast once
  expect(copies).toHaveLength(2);
  const tx = await getTransaction(table, 'w-1', txId);
  expect(tx?.nonce).toBe(0);
  expect(new Set(chain.accepted.map((a) => a.raw)).size).toBe(1);
  expect(chain.accepted.every((a) => a.nonce === 0)).toBe(true);
});

test('fails when the holder is not the configured peer: the message stays (returned) rather than sent anywhere', async () => {
  const { table, sqs, holderQueue, txId } = await setUp();
  // A misconfigured peer: the standby believes its peer is eu-west-1
  const forward = createQueueForwarder(sqs, {
    region: STANDBY,
    peer: { region: 'eu-west-1', signingQueueUrl: holderQueue },
  });
  const answer = await signer(STANDBY, table, { forward }).handler(
    sqsEvent([JSON.stringify({ walletId: 'w-1', txId })]),
  );
  expect(answer.batchItemFailures).toHaveLength(1);
  expect(await receiveAll(sqs, holderQueue)).toEqual([]);
});

test('a forwarded message is never forwarded again (no ping-pong while the lease moves)', async () => {
  const { table, sqs, holderQueue, txId } = await setUp();
  const forward = createQueueForwarder(sqs, {
    region: STANDBY,
    peer: { region: PRIMARY, signingQueueUrl: holderQueue },
  });
  const answer = await signer(STANDBY, table, { forward }).handler(
    sqsEvent([JSON.stringify({ walletId: 'w-1', txId, forwardedFrom: PRIMARY })]),
  );
  expect(answer.batchItemFailures).toHaveLength(1);
  expect(await receiveAll(sqs, holderQueue)).toEqual([]);
});
