import { KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Transaction } from 'ethers';
import { TxStatus } from '../../lib/contract/ledger';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { initLease, moveLease, NotLeaseHolderError, readLease } from '../../lib/failover/lease';
import { allocateNonce } from '../../lib/failover/nonce';
import { createTransaction, getTransaction, Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import type { TxRequest } from '../../lambda/shared/signing';
import { createSigner } from '../../lambda/signer/handler';
import { createLedgerTable } from '../helpers/ledger-table';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { sqsEvent } from '../lambda/helpers';

/**
 * Lease fencing against moto's DynamoDB (one table standing for an MRSC global table) and moto's
 * KMS (one multi-region key, primary in us-east-2, replica in us-west-2): two signers, one per
 * region, each with its own regional copy of the key.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const CHAIN_ID = 11155111;
const REQUEST: TxRequest = {
  to: '0x3333333333333333333333333333333333333333',
  value: '5000',
  gasLimit: '21000',
  maxFeePerGas: '20000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: CHAIN_ID,
};

let moto: MotoServer;
let keyArns: Record<string, string>;
let address: string;
let tableCount = 0;

beforeAll(async () => {
  moto = await sharedMoto();
  ({ keyArns, address } = await replicatedSigningKey(moto, PRIMARY, STANDBY));
});

/** A fresh ledger table with the wallet registered and the lease at the primary (epoch 1, nonce 0). */
async function freshLedger(): Promise<Ledger> {
  const ledger = await createLedgerTable(moto.clientConfig(PRIMARY), `fencing-ledger-${++tableCount}`);
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: new Date().toISOString() });
  await initLease(ledger, { address, region: PRIMARY, actor: 'test' });
  return ledger;
}

function signerIn(region: string, ledger: Ledger) {
  return createSigner({
    env: {
      region,
      tableName: ledger.tableName,
      signingKeyArn: keyArns[region],
      chainId: CHAIN_ID,
      consistency: 'MRSC',
    },
    ledger,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(region)), keyArns[region]),
    logger: silentLogger(),
  });
}

async function queueTransaction(ledger: Ledger, request: TxRequest = REQUEST): Promise<string> {
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
    createdAt: at,
    updatedAt: at,
  });
  return txId;
}

async function reservations(ledger: Ledger): Promise<Array<Record<string, unknown>>> {
  const res = await ledger.ddb.send(
    new QueryCommand({
      TableName: ledger.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':p': `NONCE#${address}`, ':r': 'RESERVED#' },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}

test('two signers in two regions: only the lease holder signs, before and after the lease moves', async () => {
  // Prepare
  const ledger = await freshLedger();
  const primary = signerIn(PRIMARY, ledger);
  const standby = signerIn(STANDBY, ledger);
  const first = [await queueTransaction(ledger), await queueTransaction(ledger)];
  const event1 = sqsEvent(first.map((txId) => ({ walletId: 'w-1', txId })));

  // Act 1: both regions receive the same messages; the standby first
  const standbyAnswer = await standby.handler(event1);
  const primaryAnswer = await primary.handler(event1);

  // Assess 1: the standby left every message; the primary signed them at nonces 0 and 1
  expect(standbyAnswer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-1', 'm-2']);
  expect(primaryAnswer.batchItemFailures).toEqual([]);
  const signedFirst = await Promise.all(first.map((txId) => getTransaction(ledger, 'w-1', txId)));
  expect(signedFirst.map((t) => [t!.status, t!.nonce, t!.signedRegion])).toEqual([
    ['signed', 0, PRIMARY],
    ['signed', 1, PRIMARY],
  ]);

  // Act 2: the lease moves to the standby (epoch 2); new transactions go to both regions again
  await moveLease(ledger, {
    address,
    toRegion: STANDBY,
    actor: 'test',
    reason: 'drill',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  });
  const second = [await queueTransaction(ledger), await queueTransaction(ledger)];
  const event2 = sqsEvent(second.map((txId) => ({ walletId: 'w-1', txId })));
  const oldPrimaryAnswer = await primary.handler(event2);
  const newHolderAnswer = await standby.handler(event2);

  // Assess 2: the old primary is fenced off; the standby continues the nonce sequence
  expect(oldPrimaryAnswer.batchItemFailures).toHaveLength(2);
  expect(newHolderAnswer.batchItemFailures).toEqual([]);
  const signedSecond = await Promise.all(second.map((txId) => getTransaction(ledger, 'w-1', txId)));
  expect(signedSecond.map((t) => [t!.status, t!.nonce, t!.signedRegion, t!.signedEpoch])).toEqual([
    ['signed', 2, STANDBY, 2],
    ['signed', 3, STANDBY, 2],
  ]);
  // Every transaction, signed in either region, is from the same address (checked by ethers)
  const senders = [...signedFirst, ...signedSecond].map((t) => Transaction.from(t!.signedRaw!).from!.toLowerCase());
  expect(new Set(senders)).toEqual(new Set([address]));
  expect((await readLease(ledger, address))!.nextNonce).toBe(4);
});

test('concurrent nonce allocations never hand out one nonce twice, and one txId never gets two', async () => {
  // Prepare
  const ledger = await freshLedger();
  const txIds = Array.from({ length: 24 }, () => randomUUID());
  const repeated = randomUUID();
  // Act: 24 distinct transactions and 8 concurrent asks for one more, all at once
  const results = await Promise.all([
    ...txIds.map((txId) => allocateNonce(ledger, address, PRIMARY, 1, txId)),
    ...Array.from({ length: 8 }, () => allocateNonce(ledger, address, PRIMARY, 1, repeated)),
  ]);
  // Assess
  const distinct = results.slice(0, 24);
  const forRepeated = results.slice(24);
  expect(new Set(forRepeated).size).toBe(1);
  expect([...distinct, forRepeated[0]].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  const lease = await readLease(ledger, address);
  expect(lease!.nextNonce).toBe(25);
  expect(lease!.allocations[repeated]).toBe(forRepeated[0]);
});

test('a fenced-off region cannot allocate a nonce once the lease moved, even naming its old epoch', async () => {
  // Prepare
  const ledger = await freshLedger();
  await moveLease(ledger, {
    address,
    toRegion: STANDBY,
    actor: 'test',
    reason: 'drill',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  });
  // Act / Assess
  await expect(allocateNonce(ledger, address, PRIMARY, 1, randomUUID())).rejects.toThrow(NotLeaseHolderError);
  await expect(allocateNonce(ledger, address, PRIMARY, 1, randomUUID())).rejects.toThrow(
    `${PRIMARY} lost the lease for ${address} (epoch 1 is no longer current; held by ${STANDBY} at epoch 2)`,
  );
  expect(await allocateNonce(ledger, address, STANDBY, 2, randomUUID())).toBe(0);
});

test('concurrent deliveries of the same message sign one payload at one nonce, and leave no unfilled gap', async () => {
  // Prepare
  const ledger = await freshLedger();
  const signer = signerIn(PRIMARY, ledger);
  const txId = await queueTransaction(ledger);
  const body = JSON.stringify({ walletId: 'w-1', txId });
  // Act: six deliveries at once (visibility timeout expired, duplicate delivery, retries)
  const outcomes = await Promise.all(Array.from({ length: 6 }, () => signer.processMessage(body)));
  // Assess
  const tx = (await getTransaction(ledger, 'w-1', txId))!;
  expect(tx.status).toBe('signed');
  expect(Transaction.from(tx.signedRaw!).nonce).toBe(tx.nonce);
  expect(outcomes.filter((o) => o === 'signed')).toHaveLength(1);
  const reserved = await reservations(ledger);
  const lease = (await readLease(ledger, address))!;
  // Every nonce handed out is reserved exactly once: by this transaction or by a void filler.
  expect(reserved.map((r) => r.nonce).sort()).toEqual(Array.from({ length: lease.nextNonce }, (_, i) => i));
  expect(reserved.filter((r) => r.kind === 'tx')).toEqual([expect.objectContaining({ nonce: tx.nonce, txId })]);
  for (const filler of reserved.filter((r) => r.kind === 'void')) {
    const parsed = Transaction.from(filler.signedRaw as string);
    expect([parsed.nonce, parsed.value, parsed.to!.toLowerCase()]).toEqual([filler.nonce, 0n, address]);
  }
  expect(Object.keys(lease.allocations)).toEqual([]);
});

test('a transaction queued in both regions around a failover is signed once', async () => {
  // Prepare: signed by the primary, then the lease moves and the standby gets the same message
  const ledger = await freshLedger();
  const txId = await queueTransaction(ledger);
  const message = sqsEvent([{ walletId: 'w-1', txId }]);
  await signerIn(PRIMARY, ledger).handler(message);
  const before = (await getTransaction(ledger, 'w-1', txId))!;
  await moveLease(ledger, {
    address,
    toRegion: STANDBY,
    actor: 'test',
    reason: 'drill',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  });
  // Act
  const answer = await signerIn(STANDBY, ledger).handler(message);
  // Assess
  const after = (await getTransaction(ledger, 'w-1', txId))!;
  expect(answer.batchItemFailures).toEqual([]);
  expect([after.status, after.nonce, after.txHash]).toEqual(['signed' as TxStatus, before.nonce, before.txHash]);
  expect((await readLease(ledger, address))!.nextNonce).toBe(1);
});
