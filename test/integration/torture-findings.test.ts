import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { StaticChainNonceSource } from '../../lambda/shared/chain';
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
import { reconcileAfterFailover } from '../../lambda/shared/reconcile';
import type { TxRequest } from '../../lambda/shared/signing';
import { initLease, moveLease, readLease } from '../../lib/failover/lease';
import { allocateNonce } from '../../lib/failover/nonce';
import { findNonceGaps } from '../../lib/operator/gaps';
import { handOffStrandedWork } from '../../lib/operator/handoff';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';

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

async function freshTable(): Promise<Ledger> {
  const ledger = await createLedgerTable(moto.clientConfig(PRIMARY), `torture-found-${++n}`);
  await putWallet(ledger, {
    walletId: 'w-1',
    address: ADDRESS,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  await initLease(ledger, { address: ADDRESS, region: PRIMARY, actor: 'test' });
  return ledger;
}

async function queuedTx(ledger: Ledger, intakeEpoch = 1): Promise<TransactionRecord> {
  const at = new Date().toISOString();
  const txId = randomUUID();
  const tx: TransactionRecord = {
    walletId: 'w-1',
    txId,
    address: ADDRESS,
    status: 'queued',
    request: REQUEST,
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: PRIMARY,
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
