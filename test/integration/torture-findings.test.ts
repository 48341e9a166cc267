import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Transaction } from 'ethers';
import { randomUUID } from 'node:crypto';
import { Broadcaster, NonceTakenError, StaticChainNonceSource } from '../../lambda/shared/chain';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import {
  assignNonce,
  createTransaction,
  getTransaction,
  Ledger,
  markSigned,
  putWallet,
  quarantineTransaction,
  reserveNonce,
  TransactionRecord,
} from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { reconcileAfterFailover } from '../../lambda/shared/reconcile';
import type { TxRequest } from '../../lambda/shared/signing';
import { createSigner } from '../../lambda/signer/handler';
import { initLease, moveLease, readLease } from '../../lib/failover/lease';
import { allocateNonce, releaseNonceAllocation } from '../../lib/failover/nonce';
import { findNonceGaps } from '../../lib/operator/gaps';
import { handOffStrandedWork } from '../../lib/failover/handoff';
import { faultyLedger, updateMentions } from '../helpers/faults';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { pk, replicate } from '../helpers/replicator';

/**
 * What the torture harness (torture/, `npm run torture`) found, each as a regression test against
 * moto_server that failed on the code before its fix.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const ADDRESS = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';
const REQUEST: TxRequest = {
  to: '0x7777777777777777777777777777777777777777',
  value: '1000',
  gasLimit: '21000',
  maxFeePerGas: '20000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 11155111,
};
const healthy = async () => ({ healthy: true, reasons: [] as string[] });

let moto: MotoServer;
let n = 0;

beforeAll(async () => {
  moto = await sharedMoto();
});

async function freshTable(address = ADDRESS): Promise<Ledger> {
  const ledger = await createLedgerTable(moto.clientConfig(PRIMARY), `torture-found-${++n}`);
  await putWallet(ledger, {
    walletId: 'w-1',
    address,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  await initLease(ledger, { address, region: PRIMARY, actor: 'test' });
  return ledger;
}

async function queuedTx(
  ledger: Ledger,
  intakeEpoch = 1,
  intake: { address?: string; region?: string; value?: string } = {},
): Promise<TransactionRecord> {
  const at = new Date().toISOString();
  const txId = randomUUID();
  const tx: TransactionRecord = {
    walletId: 'w-1',
    txId,
    address: intake.address ?? ADDRESS,
    status: 'queued',
    request: { ...REQUEST, value: intake.value ?? REQUEST.value },
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: intake.region ?? PRIMARY,
    intakeEpoch,
    createdAt: at,
    updatedAt: at,
  };
  await createTransaction(ledger, tx);
  return tx;
}

test('the hand-off re-sends a SIGNED transaction too (its message sat in a stopped region, and it stalled every later nonce)', async () => {
  // Prepare: signed at nonce 0 in the primary, never broadcast; the lease moves to the standby
  const ledger = await freshTable();
  const tx = await queuedTx(ledger);
  const nonce = await allocateNonce(ledger, ADDRESS, PRIMARY, 1, tx.txId);
  await assignNonce(ledger, tx, nonce, 1, PRIMARY, new Date().toISOString());
  const assigned = (await getTransaction(ledger, 'w-1', tx.txId))!;
  await markSigned(
    ledger,
    assigned,
    { nonce, digest: '0xd', raw: '0x02', hash: '0xh', epoch: 1, region: PRIMARY },
    new Date().toISOString(),
  );
  await moveLease(ledger, {
    address: ADDRESS,
    toRegion: STANDBY,
    actor: 'test',
    reason: 'test',
    isTargetHealthy: healthy,
  });
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  const target = (
    await sqs.send(new CreateQueueCommand({ QueueName: `found-${n}.fifo`, Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl!;
  // Act
  const report = await handOffStrandedWork({
    ledger,
    sqs,
    address: ADDRESS,
    queueUrlFor: () => target,
    deadLetterQueueUrls: [],
    actor: 'test',
  });
  // Assess
  expect(report.requeued).toEqual([tx.txId]);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: target, MaxNumberOfMessages: 10 }));
  expect((got.Messages ?? []).map((m) => JSON.parse(m.Body!))).toEqual([{ walletId: 'w-1', txId: tx.txId }]);
});

test('reconciliation releases the nonce allocation of a transaction it quarantines, so the gap detector reports the nonce', async () => {
  // Prepare: the primary allocated nonce 0 to a transaction and stopped before recording it; the lease moves (MREC)
  const ledger = await freshTable();
  const tx = await queuedTx(ledger);
  await allocateNonce(ledger, ADDRESS, PRIMARY, 1, tx.txId);
  await moveLease(ledger, {
    address: ADDRESS,
    toRegion: STANDBY,
    actor: 'test',
    reason: 'test',
    isTargetHealthy: healthy,
  });
  // Act
  const report = await reconcileAfterFailover({
    ledger,
    address: ADDRESS,
    region: STANDBY,
    chain: new StaticChainNonceSource({ [ADDRESS]: 0 }),
    actor: 'test',
    reason: 'test',
    confirmOldSignerStopped: true,
  });
  // Assess
  expect(report.quarantined.map((q) => q.txId)).toEqual([tx.txId]);
  expect((await readLease(ledger, ADDRESS))!.allocations).toEqual({});
  expect(await findNonceGaps(ledger, ADDRESS)).toEqual([{ address: ADDRESS, nonce: 0, kind: 'missing' }]);
});

test('the gap detector reports a nonce reserved for a QUARANTINED transaction (under MREC its item may have lost the nonce)', async () => {
  // Prepare: nonce 0 reserved for a transaction that is now quarantined without it
  const ledger = await freshTable();
  const tx = await queuedTx(ledger);
  await allocateNonce(ledger, ADDRESS, PRIMARY, 1, tx.txId);
  await reserveNonce(ledger, {
    address: ADDRESS,
    nonce: 0,
    kind: 'tx',
    txId: tx.txId,
    walletId: 'w-1',
    digest: '0xd',
    epoch: 1,
    region: PRIMARY,
    reservedAt: new Date().toISOString(),
  });
  await ledger.ddb.send(
    new (jest.requireActual('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb')).UpdateCommand({
      TableName: ledger.tableName,
      Key: { pk: `LEASE#${ADDRESS}`, sk: 'LEASE' },
      UpdateExpression: `REMOVE #a`,
      ExpressionAttributeNames: { '#a': `alloc_${tx.txId}` },
    }),
  );
  await quarantineTransaction(ledger, tx, 'accepted under another epoch', new Date().toISOString());
  // Act
  const gaps = await findNonceGaps(ledger, ADDRESS);
  // Assess
  expect(gaps).toEqual([{ address: ADDRESS, nonce: 0, kind: 'quarantined-tx', owner: tx.txId }]);
});

test('reconciliation releases again the allocation of a quarantined transaction that a newer lease write brought back (MREC, last writer wins; torture MREC schedule 1506)', async () => {
  // Prepare: two replicas; the primary allocated nonce 0 to T1 (its signer paused), and both replicas saw it
  const p = await freshTable();
  const s = await createLedgerTable(moto.clientConfig(PRIMARY), `torture-found-${++n}-standby`);
  const ddb = new DynamoDBClient(moto.clientConfig(PRIMARY));
  const t1 = await queuedTx(p);
  await allocateNonce(p, ADDRESS, PRIMARY, 1, t1.txId);
  await replicate(ddb, p.tableName, s.tableName);
  // Failover to the standby (epoch 2), which the primary's replica sees
  await moveLease(s, { address: ADDRESS, toRegion: STANDBY, actor: 'drill', reason: 'test', isTargetHealthy: healthy });
  await replicate(ddb, s.tableName, p.tableName, pk('LEASE#'));
  // The standby reconciles: T1 (accepted by the primary in epoch 1) is quarantined, its allocation released
  const standby = await reconcileAfterFailover({
    ledger: s,
    address: ADDRESS,
    region: STANDBY,
    chain: new StaticChainNonceSource({ [ADDRESS]: 0 }),
    actor: 'drill',
    reason: 'test',
    confirmOldSignerStopped: true,
  });
  expect(standby.quarantined.map((q) => q.txId)).toEqual([t1.txId]);
  // Failover back (epoch 3) in the primary's replica before the release replicated: its lease write is newer, so
  // last writer wins keeps the allocation; only T1's quarantine replicates
  await moveLease(p, { address: ADDRESS, toRegion: PRIMARY, actor: 'drill', reason: 'test', isTargetHealthy: healthy });
  await replicate(ddb, s.tableName, p.tableName, pk('WALLET#'));
  expect((await readLease(p, ADDRESS))!.allocations).toEqual({ [t1.txId]: 0 });
  // Act
  await reconcileAfterFailover({
    ledger: p,
    address: ADDRESS,
    region: PRIMARY,
    chain: new StaticChainNonceSource({ [ADDRESS]: 0 }),
    actor: 'drill',
    reason: 'test',
    confirmOldSignerStopped: true,
  });
  // Assess: the nonce is no longer hidden as in flight; the gap detector reports it, and fill-gap can fill it
  expect((await readLease(p, ADDRESS))!.allocations).toEqual({});
  expect(await findNonceGaps(p, ADDRESS)).toEqual([{ address: ADDRESS, nonce: 0, kind: 'missing' }]);
});

describe('MREC: a nonce the old holder used behind a gap is handed out again (torture MREC schedule 1025)', () => {
  let keyArns: Record<string, string>;
  let address: string;

  beforeAll(async () => {
    ({ keyArns, address } = await replicatedSigningKey(moto, PRIMARY, STANDBY));
  });

  /**
   * A node as geth answers eth_sendRawTransaction: a nonce beyond a gap is accepted and waits (the
   * "queued" pool), a different transaction at a held nonce is refused (NonceTakenError, as the
   * Broadcaster contract types "replacement transaction underpriced"), and the pending count
   * (eth_getTransactionCount "pending") stops at the first gap.
   */
  function gethLikeChain() {
    const held = new Map<number, { raw: string; hash: string }>();
    const broadcaster: Broadcaster = {
      name: 'geth-like',
      enabled: true,
      broadcast: async (raw, meta) => {
        const nonce = Transaction.from(raw).nonce;
        const current = held.get(nonce);
        if (current === undefined) held.set(nonce, { raw, hash: meta.txHash });
        else if (current.raw !== raw) {
          throw new NonceTakenError(`nonce ${nonce} is taken by ${current.hash}: replacement transaction underpriced`, {
            nonce,
            heldByHash: current.hash,
          });
        }
      },
    };
    const pendingNonce = () => {
      let next = 0;
      while (held.has(next)) next++;
      return next;
    };
    return { held, broadcaster, pendingNonce };
  }

  const signer = (region: string, ledger: Ledger, broadcaster: Broadcaster) =>
    createSigner({
      env: {
        region,
        tableName: ledger.tableName,
        signingKeyArn: keyArns[region],
        chainId: 11155111,
        consistency: 'MREC',
      },
      ledger,
      key: new KmsSigningKey(new KMSClient(moto.clientConfig(region)), keyArns[region]),
      logger: silentLogger(),
      broadcaster,
    });
  const body = (tx: TransactionRecord) => JSON.stringify({ walletId: 'w-1', txId: tx.txId });

  test("the new holder's transaction the chain refuses at that nonce is quarantined with the reason, not left signed forever", async () => {
    // Prepare: two replicas (MREC as two moto tables), in step
    const p = await freshTable(address);
    const s = await createLedgerTable(moto.clientConfig(PRIMARY), `torture-found-${++n}-standby`);
    await replicate(new DynamoDBClient(moto.clientConfig(PRIMARY)), p.tableName, s.tableName);
    const chain = gethLikeChain();
    // The primary's signer allocated nonce 0 to t1 and recorded it; that write's reply timed out, so it never signed
    const t1 = await queuedTx(p, 1, { address });
    const zero = await allocateNonce(p, address, PRIMARY, 1, t1.txId);
    await assignNonce(p, t1, zero, 1, PRIMARY, new Date().toISOString());
    // The lease moves at the standby; nothing replicates (10 s of lag)
    await moveLease(s, { address, toRegion: STANDBY, actor: 'drill', reason: 'test', isTargetHealthy: healthy });
    // The primary, not stopped yet and not seeing the move, signs and broadcasts t2 at nonce 1, behind the gap at 0
    const t2 = await queuedTx(p, 1, { address, value: '2000' });
    expect(await signer(PRIMARY, p, chain.broadcaster).processMessage(body(t2))).toBe('broadcast');
    const paid = (await getTransaction(p, 'w-1', t2.txId))!;
    expect([paid.nonce, chain.pendingNonce()]).toEqual([1, 0]);
    // The old signer is stopped; the standby reconciles: its replica and the chain's pending count both say 0
    const report = await reconcileAfterFailover({
      ledger: s,
      address,
      region: STANDBY,
      chain: new StaticChainNonceSource({ [address]: chain.pendingNonce() }),
      actor: 'drill',
      reason: 'test',
      confirmOldSignerStopped: true,
    });
    expect(report.nextNonce).toBe(0);
    // The standby's own requests: t3 takes nonce 0 (broadcast), t4 takes nonce 1, which t2 holds on chain
    const standby = signer(STANDBY, s, chain.broadcaster);
    const t3 = await queuedTx(s, 2, { address, region: STANDBY, value: '3000' });
    expect(await standby.processMessage(body(t3))).toBe('broadcast');
    const t4 = await queuedTx(s, 2, { address, region: STANDBY, value: '4000' });
    // Act: the delivery of t4, then its redelivery
    const outcome = await standby.processMessage(body(t4));
    const redelivery = await standby.processMessage(body(t4));
    // Assess: quarantined, with a reason naming the nonce and the transaction holding it; not re-signed elsewhere
    expect(outcome).toBe('quarantined');
    expect(redelivery).toBe('skipped-quarantined');
    const refused = (await getTransaction(s, 'w-1', t4.txId, true))!;
    expect(refused.status).toBe('quarantined');
    expect(refused.nonce).toBe(1);
    expect(refused.quarantineReason).toContain(
      `the chain refused ${refused.txHash} at nonce 1: ${paid.txHash} holds that nonce`,
    );
    expect(refused.quarantineReason).toContain('never re-sign it at another nonce');
    expect([...chain.held.keys()].sort()).toEqual([0, 1]);
    expect(chain.held.get(1)!.raw).toBe(paid.signedRaw);
    expect(chain.held.get(0)!.raw).toBe((await getTransaction(s, 'w-1', t3.txId))!.signedRaw);
    expect((await readLease(s, address))!.nextNonce).toBe(2);
  });

  test('a transient broadcast failure is not a taken nonce: the message fails (retried), the transaction stays signed', async () => {
    // Prepare
    const ledger = await freshTable(address);
    const t = await queuedTx(ledger, 1, { address });
    const down: Broadcaster = {
      name: 'down',
      enabled: true,
      broadcast: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8545'), { name: 'Error' });
      },
    };
    // Act
    const outcome = signer(PRIMARY, ledger, down).processMessage(body(t));
    // Assess
    await expect(outcome).rejects.toThrow('ECONNREFUSED');
    expect((await getTransaction(ledger, 'w-1', t.txId, true))!.status).toBe('signed');
  });

  test("the quarantine write's reply is lost: the SDK retry fails its own condition, the delivery fails and is retried, and the redelivery finds it quarantined (nothing left signed)", async () => {
    // Prepare: a signed transaction (its first broadcast failed transiently); the chain holds another transaction at its nonce
    const ledger = await freshTable(address);
    const t = await queuedTx(ledger, 1, { address });
    const down: Broadcaster = {
      name: 'down',
      enabled: true,
      broadcast: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8545'), { name: 'Error' });
      },
    };
    await expect(signer(PRIMARY, ledger, down).processMessage(body(t))).rejects.toThrow('ECONNREFUSED');
    const signed = (await getTransaction(ledger, 'w-1', t.txId, true))!;
    const chain = gethLikeChain();
    chain.held.set(signed.nonce!, { raw: '0x02f8', hash: `0x${'cd'.repeat(32)}` });
    const lossy = faultyLedger(moto.clientConfig(PRIMARY), ledger.tableName, [
      { command: 'UpdateItemCommand', match: updateMentions('quarantineReason') },
    ]);
    // Act: the delivery whose quarantine reply is lost, then the redelivery
    const first = signer(PRIMARY, lossy, chain.broadcaster).processMessage(body(t));
    await expect(first).rejects.toThrow('left signed while quarantining');
    const redelivery = await signer(PRIMARY, lossy, chain.broadcaster).processMessage(body(t));
    // Assess
    expect(lossy.lost()).toBe(1);
    expect(redelivery).toBe('skipped-quarantined');
    const stored = (await getTransaction(ledger, 'w-1', t.txId, true))!;
    expect(stored.status).toBe('quarantined');
    expect(stored.quarantineReason).toContain(`at nonce ${signed.nonce}`);
  });

  test('a fill-gap whose nonce another transaction already fills on chain is done (the void filler is not needed)', async () => {
    // Prepare: nonce 0 handed out and released with no reservation (a gap in this replica); the chain holds another transaction there
    const ledger = await freshTable(address);
    await allocateNonce(ledger, address, PRIMARY, 1, 'lost');
    await releaseNonceAllocation(ledger, address, 'lost');
    const chain = gethLikeChain();
    chain.held.set(0, { raw: '0x02f8', hash: `0x${'ab'.repeat(32)}` });
    // Act
    const outcome = await signer(PRIMARY, ledger, chain.broadcaster).processMessage(
      JSON.stringify({ kind: 'fill-gap', nonce: 0, maxFeePerGas: '30000000000', maxPriorityFeePerGas: '1000000000' }),
    );
    // Assess
    expect(outcome).toBe('gap-filled');
    expect(chain.held.get(0)!.raw).toBe('0x02f8');
  });
});
