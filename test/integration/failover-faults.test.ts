import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { Transaction } from 'ethers';
import { createApiHandler } from '../../lambda/api/handler';
import { ledgerClaims } from '../../lambda/remediation/adapters/ledger';
import { Broadcaster, StaticChainNonceSource } from '../../lambda/shared/chain';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import {
  createTransaction,
  getReservation,
  getTransaction,
  Ledger,
  putWallet,
  quarantineTransaction,
  TransactionRecord,
} from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { reconcileAfterFailover, resolveQuarantined } from '../../lambda/shared/reconcile';
import type { TxRequest } from '../../lambda/shared/signing';
import { createSigner, ForwardedMessage } from '../../lambda/signer/handler';
import { findNonceGaps } from '../../lib/operator/gaps';
import { handOffStrandedWork } from '../../lib/failover/handoff';
import { initLease, moveLease, readLease } from '../../lib/failover/lease';
import { allocateNonce, releaseNonceAllocation } from '../../lib/failover/nonce';
import { faultyLedger, updateMentions } from '../helpers/faults';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { pk, replicate } from '../helpers/replicator';
import { apiEvent, sqsEvent } from '../lambda/helpers';

/**
 * The seven failover faults of issue 15, each reproduced against moto_server (DynamoDB, KMS, SQS)
 * with the fault injected at the SDK boundary (a reply lost after the call applied) or, for MREC,
 * as two tables and a replicator the test controls. Each test failed on the code before its fix.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const CHAIN_ID = 11155111;
const REQUEST: TxRequest = {
  to: '0x7777777777777777777777777777777777777777',
  value: '1000',
  gasLimit: '21000',
  maxFeePerGas: '20000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: CHAIN_ID,
};
const healthy = async () => ({ healthy: true, reasons: [] as string[] });

let moto: MotoServer;
let keyArns: Record<string, string>;
let address: string;
let tables = 0;

beforeAll(async () => {
  moto = await sharedMoto();
  ({ keyArns, address } = await replicatedSigningKey(moto, PRIMARY, STANDBY));
});

async function freshTable(region = PRIMARY, lease = true): Promise<Ledger> {
  const ledger = await createLedgerTable(moto.clientConfig(region), `faults-${++tables}-${region}`);
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
  if (lease)
    await initLease(ledger, { address, region: PRIMARY, actor: 'test', now: new Date('2026-01-01T00:00:00Z') });
  return ledger;
}

/** A chain that records what it accepted: one transaction per (from, nonce). */
function recordingChain() {
  const accepted = new Map<number, string>();
  const broadcaster: Broadcaster = {
    name: 'test-chain',
    enabled: true,
    broadcast: async (raw) => {
      const tx = Transaction.from(raw);
      if (!accepted.has(tx.nonce)) accepted.set(tx.nonce, raw);
    },
  };
  return { accepted, broadcaster, pendingNonce: () => accepted.size };
}

function signer(
  region: string,
  ledger: Ledger,
  options: {
    broadcaster?: Broadcaster;
    consistency?: 'MRSC' | 'MREC';
    key?: KmsSigningKey;
    forward?: Parameters<typeof createSigner>[0]['forward'];
  } = {},
) {
  return createSigner({
    env: {
      region,
      tableName: ledger.tableName,
      signingKeyArn: keyArns[region],
      chainId: CHAIN_ID,
      consistency: options.consistency ?? 'MRSC',
    },
    ledger,
    key: options.key ?? new KmsSigningKey(new KMSClient(moto.clientConfig(region)), keyArns[region]),
    logger: silentLogger(),
    ...(options.broadcaster ? { broadcaster: options.broadcaster } : {}),
    ...(options.forward ? { forward: options.forward } : {}),
  });
}

async function queueTx(ledger: Ledger, request: TxRequest = REQUEST): Promise<string> {
  const txId = randomUUID();
  const at = new Date().toISOString();
  await createTransaction(ledger, {
    walletId: 'w-1',
    txId,
    address,
    status: 'queued',
    request,
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: PRIMARY,
    intakeEpoch: 1,
    createdAt: at,
    updatedAt: at,
  });
  return txId;
}

const body = (txId: string) => JSON.stringify({ walletId: 'w-1', txId });

describe('scenario 5: a lost write response (signed, stored, never broadcast)', () => {
  test('markSigned applied, its reply lost, the SDK retry fails its own condition: the signer still broadcasts', async () => {
    // Prepare
    const table = await freshTable();
    const ledger = faultyLedger(moto.clientConfig(PRIMARY), table.tableName, [
      { command: 'UpdateItemCommand', match: updateMentions('signedRaw') },
    ]);
    const chain = recordingChain();
    const txId = await queueTx(table);
    // Act
    const outcome = await signer(PRIMARY, ledger, { broadcaster: chain.broadcaster }).processMessage(body(txId));
    // Assess
    expect(ledger.lost()).toBe(1);
    expect(outcome).toBe('broadcast');
    const tx = (await getTransaction(table, 'w-1', txId))!;
    expect(tx.status).toBe('broadcast');
    expect(chain.accepted.get(0)).toBe(tx.signedRaw);
  });

  test('recordVoidSignature applied, its reply lost: the void filler is still broadcast', async () => {
    // Prepare: nonce 0 handed out and released with no reservation (a gap)
    const table = await freshTable();
    await allocateNonce(table, address, PRIMARY, 1, 'lost');
    await releaseNonceAllocation(table, address, 'lost');
    const ledger = faultyLedger(moto.clientConfig(PRIMARY), table.tableName, [
      { command: 'UpdateItemCommand', match: updateMentions('signedRaw') },
    ]);
    const chain = recordingChain();
    // Act
    const outcome = await signer(PRIMARY, ledger, { broadcaster: chain.broadcaster }).processMessage(
      JSON.stringify({ kind: 'fill-gap', nonce: 0, maxFeePerGas: '30000000000', maxPriorityFeePerGas: '1000000000' }),
    );
    // Assess
    expect(ledger.lost()).toBe(1);
    expect(outcome).toBe('gap-filled');
    const reservation = (await getReservation(table, address, 0))!;
    expect(chain.accepted.get(0)).toBe(reservation.signedRaw);
  });
});

describe('scenario 6: a lost response on the lease move', () => {
  test('the move applied and its retry met its own condition: reported as the move it was, audited once', async () => {
    // Prepare
    const table = await freshTable();
    const ledger = faultyLedger(moto.clientConfig(PRIMARY), table.tableName, [
      { command: 'UpdateItemCommand', match: updateMentions('activeRegion = :to') },
      {
        command: 'PutItemCommand',
        match: (i) => String((i.Item as Record<string, { S?: string }>)?.pk?.S).startsWith('AUDIT#lease'),
      },
    ]);
    // Act
    const move = await moveLease(ledger, {
      address,
      toRegion: STANDBY,
      actor: 'drill',
      reason: 'test',
      isTargetHealthy: healthy,
    });
    // Assess
    expect(ledger.lost()).toBe(2);
    expect([move.changed, move.after.activeRegion, move.after.epoch]).toEqual([true, STANDBY, 2]);
    const lease = (await readLease(table, address))!;
    expect([lease.activeRegion, lease.epoch]).toEqual([STANDBY, 2]);
    const audits = await table.ddb.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `AUDIT#lease#${address}` },
      }),
    );
    expect(audits.Items).toHaveLength(1);
  });

  test('fails with LeaseConflictError when ANOTHER writer moved the lease between our read and write', async () => {
    // Prepare: the other writer moves it first; our move still expects epoch 1
    const table = await freshTable();
    await moveLease(table, { address, toRegion: STANDBY, actor: 'other', reason: 'x', isTargetHealthy: healthy });
    // Act / Assess
    await expect(
      moveLease(table, {
        address,
        toRegion: PRIMARY,
        actor: 'drill',
        reason: 'y',
        isTargetHealthy: healthy,
        expectedEpoch: 1,
      }),
    ).rejects.toThrow('is at epoch 2');
  });
});

describe('scenario 7: remediation and its own claim after a lost response', () => {
  test('the claim applied and its reply was lost: the same invocation holds it (no skipped failover)', async () => {
    // Prepare
    const table = await freshTable();
    const ledger = faultyLedger(moto.clientConfig(PRIMARY), table.tableName, [
      {
        command: 'PutItemCommand',
        match: (i) => String((i.Item as Record<string, { S?: string }>)?.kind?.S) === 'remediation-claim',
      },
    ]);
    const claims = ledgerClaims(ledger, PRIMARY);
    const now = new Date();
    // Act
    const mine = await claims.claim('t-1', 'req-A', now, new Date(now.getTime() + 60000));
    const theirs = await claims.claim('t-1', 'req-B', now, new Date(now.getTime() + 60000));
    // Assess
    expect(ledger.lost()).toBe(1);
    expect(mine).toEqual({ claimed: true });
    expect(theirs).toMatchObject({ claimed: false, holder: { requestId: 'req-A', status: 'in-progress' } });
  });
});

describe('scenario 4: a nonce gap nothing fills', () => {
  test('(a) KMS fails while signing the void for an orphaned nonce: the redelivery finishes the void', async () => {
    // Prepare: delivery A signs the transaction at nonce 0 while delivery B, which read it queued,
    // is between its read and its nonce allocation; B then allocates nonce 1 (an orphan) and KMS fails.
    const table = await freshTable();
    const txId = await queueTx(table);
    const failingKey = new KmsSigningKey(new KMSClient(moto.clientConfig(PRIMARY)), keyArns[PRIMARY]);
    failingKey.signDigest = async () => {
      throw Object.assign(new Error('KMS is unavailable'), { name: 'KMSInternalException' });
    };
    let interleaved = false;
    const raw = new DynamoDBClient(moto.clientConfig(PRIMARY));
    const slow = createLedgerTableClient(raw, table.tableName, async () => {
      if (interleaved) return;
      interleaved = true;
      await signer(PRIMARY, table).processMessage(body(txId));
    });
    await expect(signer(PRIMARY, slow, { key: failingKey }).processMessage(body(txId))).rejects.toThrow(
      'KMS is unavailable',
    );
    const orphan = (await getReservation(table, address, 1))!;
    expect([orphan.kind, orphan.signedRaw]).toEqual(['void', undefined]);
    // Act: the redelivery of B's message, with KMS back
    await signer(PRIMARY, table).processMessage(body(txId));
    // Assess: the void is signed, no allocation is left, and no gap is found
    expect((await getReservation(table, address, 1))!.signedRaw).toMatch(/^0x02/);
    expect((await readLease(table, address))!.allocations).toEqual({});
    expect(await findNonceGaps(table, address)).toEqual([]);
  });

  test('(a) fill-gap fills a void reservation left unsigned, whoever owns it', async () => {
    // Prepare: an unsigned void reservation for an orphan, as the KMS failure leaves it
    const table = await freshTable();
    await allocateNonce(table, address, PRIMARY, 1, 'a');
    await releaseNonceAllocation(table, address, 'a');
    const failingKey = new KmsSigningKey(new KMSClient(moto.clientConfig(PRIMARY)), keyArns[PRIMARY]);
    failingKey.signDigest = async () => {
      throw new Error('KMS is unavailable');
    };
    const fill = JSON.stringify({
      kind: 'fill-gap',
      nonce: 0,
      maxFeePerGas: '30000000000',
      maxPriorityFeePerGas: '1000000000',
    });
    await expect(signer(PRIMARY, table, { key: failingKey }).processMessage(fill)).rejects.toThrow(
      'KMS is unavailable',
    );
    expect(await findNonceGaps(table, address)).toEqual([expect.objectContaining({ nonce: 0, kind: 'unsigned-void' })]);
    // Act
    const outcome = await signer(PRIMARY, table).processMessage(fill);
    // Assess
    expect(outcome).toBe('gap-filled');
    expect((await getReservation(table, address, 0))!.signedRaw).toMatch(/^0x02/);
    expect(await findNonceGaps(table, address)).toEqual([]);
  });

  test('(b) a cancelled transaction keeps its reservation: fill-gap still fills its nonce, and the detector finds it under MRSC', async () => {
    // Prepare: signed at nonce 0, then quarantined and cancelled by an operator
    const table = await freshTable();
    const txId = await queueTx(table);
    await signer(PRIMARY, table).processMessage(body(txId));
    await quarantineTransaction(table, (await getTransaction(table, 'w-1', txId))!, 'test', new Date().toISOString());
    await resolveQuarantined({
      ledger: table,
      walletId: 'w-1',
      txId,
      resolution: { kind: 'cancel' },
      actor: 'ops',
      evidence: 'not on chain',
    });
    expect(await findNonceGaps(table, address)).toEqual([expect.objectContaining({ nonce: 0, kind: 'cancelled-tx' })]);
    // Act
    const outcome = await signer(PRIMARY, table).processMessage(
      JSON.stringify({ kind: 'fill-gap', nonce: 0, maxFeePerGas: '40000000000', maxPriorityFeePerGas: '2000000000' }),
    );
    // Assess
    expect(outcome).toBe('gap-filled');
    const reservation = (await getReservation(table, address, 0))!;
    expect(reservation.kind).toBe('void');
    expect(Transaction.from(reservation.signedRaw!).value).toBe(0n);
    expect(await findNonceGaps(table, address)).toEqual([]);
  });
});

describe('scenario 1: MREC, double payment through reconciliation', () => {
  test('a request the partitioned primary accepted after the move is quarantined, not re-signed at the standby', async () => {
    // Prepare: two replicas; the lease moves at the standby only (the primary is partitioned)
    const p = await freshTable(PRIMARY);
    const s = await createLedgerTable(moto.clientConfig(PRIMARY), `faults-${++tables}-s`);
    const ddb = new DynamoDBClient(moto.clientConfig(PRIMARY));
    await replicate(ddb, p.tableName, s.tableName);
    const moved = new Date('2026-01-02T00:00:00Z');
    await moveLease(s, {
      address,
      toRegion: STANDBY,
      actor: 'ops',
      reason: 'outage',
      isTargetHealthy: healthy,
      now: moved,
    });
    const chain = recordingChain();
    const sqs = new SQSClient(moto.clientConfig(PRIMARY));
    const queues = await Promise.all(
      [PRIMARY, STANDBY].map(
        async (r) =>
          (
            await sqs.send(
              new CreateQueueCommand({ QueueName: `faults-${++tables}-${r}.fifo`, Attributes: { FifoQueue: 'true' } }),
            )
          ).QueueUrl!,
      ),
    );
    const api = (ledger: Ledger, region: string, queueUrl: string, at: Date) =>
      createApiHandler({
        env: { region, tableName: ledger.tableName, signingQueueUrl: queueUrl, chainId: CHAIN_ID, consistency: 'MREC' },
        ledger,
        sqs,
        logger: silentLogger(),
        now: () => at,
      });
    const post = (key: string) =>
      apiEvent({
        method: 'POST',
        resource: '/v1/wallets/{walletId}/transactions',
        path: '/v1/wallets/w-1/transactions',
        pathParameters: { walletId: 'w-1' },
        headers: { 'Idempotency-Key': key, 'Content-Type': 'application/json' },
        body: JSON.stringify(REQUEST),
      });
    // After T the primary accepts R (its clock ahead of the move); its signer, not yet fenced, signs and broadcasts it at 0
    const accepted = await api(p, PRIMARY, queues[0], new Date(moved.getTime() + 5000))(post('key-scenario-1'));
    expect(accepted.statusCode).toBe(202);
    const txId = JSON.parse(accepted.body).txId as string;
    await signer(PRIMARY, p, { broadcaster: chain.broadcaster, consistency: 'MREC' }).processMessage(body(txId));
    // Only R's idempotency record and its queued transaction item replicate (captured before signing)
    await replicate(ddb, p.tableName, s.tableName, pk('IDEMPOTENCY#'));
    const queued = { ...(await getTransaction(p, 'w-1', txId))! } as Record<string, unknown>;
    for (const k of [
      'nonce',
      'nonceEpoch',
      'nonceRegion',
      'digest',
      'signedRaw',
      'txHash',
      'signedAt',
      'signedEpoch',
      'signedRegion',
      'broadcastAt',
    ])
      delete queued[k];
    await createTransaction(s, { ...(queued as unknown as TransactionRecord), status: 'queued' });
    // Act: reconciliation at the standby, then the client's retry there and the standby signer
    const report = await reconcileAfterFailover({
      ledger: s,
      address,
      region: STANDBY,
      chain: new StaticChainNonceSource({ [address]: chain.pendingNonce() }),
      actor: 'ops',
      reason: 'failover',
      confirmOldSignerStopped: true,
      now: new Date(moved.getTime() + 60000),
    });
    const retry = await api(s, STANDBY, queues[1], new Date(moved.getTime() + 70000))(post('key-scenario-1'));
    await signer(STANDBY, s, { broadcaster: chain.broadcaster, consistency: 'MREC' })
      .processMessage(body(txId))
      .catch(() => undefined);
    // Assess: R is quarantined, never signed at the standby; the chain holds one transaction for R
    expect(report.quarantined.map((t) => t.txId)).toEqual([txId]);
    expect(retry.statusCode).not.toBe(500);
    const atStandby = (await getTransaction(s, 'w-1', txId))!;
    expect(atStandby.status).toBe('quarantined');
    expect(atStandby.signedRaw).toBeUndefined();
    expect([...chain.accepted.keys()]).toEqual([0]);
  });
});

describe('scenario 2: MREC, one Idempotency-Key, a second transaction', () => {
  test('the standby refuses a key it cannot prove unused (503 + Retry-After) until reconciliation proves it, then replays', async () => {
    // Prepare: the primary accepts, signs and broadcasts; the 202 is lost; nothing replicates
    const p = await freshTable(PRIMARY);
    const s = await createLedgerTable(moto.clientConfig(PRIMARY), `faults-${++tables}-s`);
    const ddb = new DynamoDBClient(moto.clientConfig(PRIMARY));
    await replicate(ddb, p.tableName, s.tableName);
    const chain = recordingChain();
    const sqs = new SQSClient(moto.clientConfig(PRIMARY));
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: `faults-${++tables}.fifo`, Attributes: { FifoQueue: 'true' } }),
      )
    ).QueueUrl!;
    const api = (ledger: Ledger, region: string) =>
      createApiHandler({
        env: { region, tableName: ledger.tableName, signingQueueUrl: queueUrl, chainId: CHAIN_ID, consistency: 'MREC' },
        ledger,
        sqs,
        logger: silentLogger(),
      });
    const post = () =>
      apiEvent({
        method: 'POST',
        resource: '/v1/wallets/{walletId}/transactions',
        path: '/v1/wallets/w-1/transactions',
        pathParameters: { walletId: 'w-1' },
        headers: { 'Idempotency-Key': 'key-scenario-2', 'Content-Type': 'application/json' },
        body: JSON.stringify(REQUEST),
      });
    const first = JSON.parse((await api(p, PRIMARY)(post())).body).txId as string;
    await signer(PRIMARY, p, { broadcaster: chain.broadcaster, consistency: 'MREC' }).processMessage(body(first));
    await moveLease(s, { address, toRegion: STANDBY, actor: 'ops', reason: 'outage', isTargetHealthy: healthy });
    const reconcile = () =>
      reconcileAfterFailover({
        ledger: s,
        address,
        region: STANDBY,
        chain: new StaticChainNonceSource({ [address]: chain.pendingNonce() }),
        actor: 'ops',
        reason: 'failover',
        confirmOldSignerStopped: true,
      });
    await reconcile();
    // Act 1: the client retries with the same key at the standby
    const refused = await api(s, STANDBY)(post());
    // Assess 1: no new transaction; a clear 503 with Retry-After
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Retry-After']).toBeDefined();
    expect(JSON.parse(refused.body).error.message).toContain('cannot prove');
    // Act 2: the primary's writes replicate; reconciliation runs again; the client retries
    await replicate(ddb, p.tableName, s.tableName, (i) => !pk('LEASE#')(i));
    await reconcile();
    const replayed = await api(s, STANDBY)(post());
    // Assess 2: the original transaction, replayed
    expect(replayed.statusCode).toBe(202);
    expect(JSON.parse(replayed.body).txId).toBe(first);
    expect(replayed.headers?.['Idempotent-Replayed']).toBe('true');
    expect([...chain.accepted.keys()]).toEqual([0]);
  });
});

describe('scenario 3: MRSC, requests stranded at a failover', () => {
  async function queuesIn(sqs: SQSClient) {
    const make = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const n = ++tables;
    return {
      primary: await make(`strand-${n}-p.fifo`),
      standby: await make(`strand-${n}-s.fifo`),
      standbyDlq: await make(`strand-${n}-s-dlq.fifo`),
    };
  }
  async function drain(sqs: SQSClient, url: string): Promise<string[]> {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    return (res.Messages ?? []).map((m) => m.Body!);
  }

  test("a message on a region that does not hold the lease is moved to the holder's queue and signed there", async () => {
    // Prepare: the standby's regional name took a request; the primary holds the lease
    const table = await freshTable();
    const sqs = new SQSClient(moto.clientConfig(PRIMARY));
    const q = await queuesIn(sqs);
    const txId = await queueTx(table);
    const forward = async (region: string, message: ForwardedMessage) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: region === PRIMARY ? q.primary : q.standby,
          MessageBody: JSON.stringify(message),
          MessageGroupId: 'w-1',
          MessageDeduplicationId: `fwd-${randomUUID()}`,
        }),
      );
    };
    // Act
    const answer = await signer(STANDBY, table, { forward }).handler(sqsEvent([{ walletId: 'w-1', txId }]));
    const atHolder = await drain(sqs, q.primary);
    await signer(PRIMARY, table).handler(sqsEvent(atHolder));
    // Assess: nothing left to die in the standby's DLQ; signed by the holder
    expect(answer.batchItemFailures).toEqual([]);
    expect(atHolder.map((m) => JSON.parse(m))).toEqual([{ walletId: 'w-1', txId, forwardedFrom: STANDBY }]);
    expect((await getTransaction(table, 'w-1', txId))!.status).toBe('signed');
  });

  test('after the lease moves, DLQ messages and queued transactions are handed to the new holder', async () => {
    // Prepare: one message died in the standby's DLQ; one transaction is queued with its message lost
    const table = await freshTable();
    const sqs = new SQSClient(moto.clientConfig(PRIMARY));
    const q = await queuesIn(sqs);
    const dead = await queueTx(table);
    const lost = await queueTx(table);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.standbyDlq,
        MessageBody: body(dead),
        MessageGroupId: 'w-1',
        MessageDeduplicationId: dead,
      }),
    );
    // Act
    const report = await handOffStrandedWork({
      ledger: table,
      sqs,
      address,
      queueUrlFor: (region: string) => (region === PRIMARY ? q.primary : q.standby),
      deadLetterQueueUrls: [q.standbyDlq],
      actor: 'test',
    });
    // Assess
    expect(report.holder).toBe(PRIMARY);
    const moved = await drain(sqs, q.primary);
    expect(moved.sort()).toEqual([body(dead), body(lost)].sort());
    expect(await drain(sqs, q.standbyDlq)).toEqual([]);
  });
});

/** A document client over `raw` that runs `before` ahead of its first lease UpdateItem (an interleaving point). */
function createLedgerTableClient(raw: DynamoDBClient, tableName: string, before: () => Promise<void>): Ledger {
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const key = input.Key as Record<string, { S?: string }> | undefined;
      if (context.commandName === 'UpdateItemCommand' && String(key?.pk?.S).startsWith('LEASE#')) await before();
      return next(args);
    },
    { step: 'serialize', name: 'interleave' },
  );
  const { DynamoDBDocumentClient } = jest.requireActual(
    '@aws-sdk/lib-dynamodb',
  ) as typeof import('@aws-sdk/lib-dynamodb');
  return { ddb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }), tableName };
}
