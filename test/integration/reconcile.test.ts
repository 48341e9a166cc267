import { KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Transaction } from 'ethers';
import { StaticChainNonceSource, UnavailableChainNonceSource } from '../../lambda/shared/chain';
import { ReconciliationRequiredError } from '../../lambda/shared/errors';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { initLease, moveLease, readLease } from '../../lib/failover/lease';
import { allocateNonce } from '../../lib/failover/nonce';
import {
  assignNonce,
  createTransaction,
  getReservation,
  getTransaction,
  Ledger,
  putWallet,
  TransactionRecord,
} from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { reconcileAfterFailover, ReconcileRefusedError, resolveQuarantined } from '../../lambda/shared/reconcile';
import type { TxRequest } from '../../lambda/shared/signing';
import { createSigner } from '../../lambda/signer/handler';
import { createLedgerTable } from '../helpers/ledger-table';
import { replicatedSigningKey } from '../helpers/replicated-key';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Reconciliation after an unplanned failover under MREC, against moto's DynamoDB (gsi1 queries,
 * conditional writes) and KMS. The one table stands for the standby's replica as it is when the
 * lease moves: whatever replicated before the failover, and nothing after.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const CHAIN_ID = 11155111;
const REQUEST: TxRequest = {
  to: '0x5555555555555555555555555555555555555555',
  value: '42',
  gasLimit: '21000',
  maxFeePerGas: '20000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: CHAIN_ID,
};

let moto: MotoServer;
let keyArns: Record<string, string>;
let address: string;
let tables = 0;

beforeAll(async () => {
  moto = await sharedMoto();
  ({ keyArns, address } = await replicatedSigningKey(moto, PRIMARY, STANDBY));
});

async function freshLedger(): Promise<Ledger> {
  const ledger = await createLedgerTable(moto.clientConfig(PRIMARY), `reconcile-ledger-${++tables}`);
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: '2025-01-01T00:00:00.000Z' });
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
      consistency: 'MREC',
    },
    ledger,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(region)), keyArns[region]),
    logger: silentLogger(),
  });
}

async function queue(ledger: Ledger, createdAt: string): Promise<TransactionRecord> {
  const txId = randomUUID();
  const tx: TransactionRecord = {
    walletId: 'w-1',
    txId,
    address,
    status: 'queued',
    request: REQUEST,
    requestHash: txId,
    idempotencyKey: `k-${txId}`,
    intakeRegion: PRIMARY,
    createdAt,
    updatedAt: createdAt,
  };
  await createTransaction(ledger, tx);
  return tx;
}

const msg = (txId: string) => JSON.stringify({ walletId: 'w-1', txId });
const failover = (ledger: Ledger, now: Date) =>
  moveLease(ledger, {
    address,
    toRegion: STANDBY,
    actor: 'operator',
    reason: 'unplanned failover: us-east-2 impaired',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
    now,
  });

test('the new holder signs nothing until reconciled; reconciliation quarantines what it cannot know and keeps the rest', async () => {
  // Prepare: the primary's history, as replicated to the standby before the failover
  const ledger = await freshLedger();
  const primary = signerIn(PRIMARY, ledger);
  const a = await queue(ledger, '2025-03-01T10:00:00.000Z'); // signed at nonce 0 and seen on chain
  const b = await queue(ledger, '2025-03-01T10:00:01.000Z'); // signed at nonce 1, not on chain yet
  await primary.processMessage(msg(a.txId));
  await primary.processMessage(msg(b.txId));
  const c = await queue(ledger, '2025-03-01T10:00:02.000Z'); // got nonce 2, crashed before signing
  const n = await allocateNonce(ledger, address, PRIMARY, 1, c.txId);
  await assignNonce(ledger, c, n, 1, PRIMARY, '2025-03-01T10:00:03.000Z');
  const d = await queue(ledger, '2025-03-01T10:00:04.000Z'); // queued, fate unknown to the standby
  await failover(ledger, new Date('2025-03-01T10:05:00.000Z'));
  const e = await queue(ledger, '2025-03-01T10:06:00.000Z'); // queued at the standby after the move
  const standby = signerIn(STANDBY, ledger);

  // Act 1: the standby holds the lease but has not reconciled
  // Assess 1: it refuses, and reconciliation refuses without a chain source or the operator's confirmation
  await expect(standby.processMessage(msg(e.txId))).rejects.toThrow(ReconciliationRequiredError);
  const base = { ledger, address, region: STANDBY, actor: 'operator', reason: 'incident 42' };
  await expect(
    reconcileAfterFailover({ ...base, chain: new UnavailableChainNonceSource(), confirmOldSignerStopped: true }),
  ).rejects.toThrow('no chain-nonce source is configured');
  await expect(
    reconcileAfterFailover({
      ...base,
      chain: new StaticChainNonceSource({ [address]: 1 }),
      confirmOldSignerStopped: false,
    }),
  ).rejects.toThrow(ReconcileRefusedError);

  // Act 2: the chain says its next nonce is 1 (it saw a's transaction at 0)
  const report = await reconcileAfterFailover({
    ...base,
    chain: new StaticChainNonceSource({ [address]: 1 }, 'node eth_getTransactionCount pending'),
    confirmOldSignerStopped: true,
    now: new Date('2025-03-01T10:07:00.000Z'),
  });

  // Assess 2
  expect(report).toMatchObject({
    epoch: 2,
    chainNextNonce: 1,
    ledgerNextNonceBefore: 3,
    nextNonce: 3,
    alreadyReconciled: false,
    gaps: [],
  });
  expect(report.kept.map((t) => t.txId).sort()).toEqual([b.txId, c.txId, e.txId].sort());
  expect(Object.fromEntries(report.quarantined.map((t) => [t.txId, t.reason]))).toEqual({
    [a.txId]: expect.stringContaining("its nonce 0 was assigned in epoch 1 and is below the chain's next nonce 1"),
    [d.txId]: expect.stringContaining(
      'queued at 2025-03-01T10:00:04.000Z, before the lease moved at 2025-03-01T10:05:00.000Z',
    ),
  });
  expect((await getTransaction(ledger, 'w-1', a.txId))!.status).toBe('quarantined');
  expect((await readLease(ledger, address))!.reconciledEpoch).toBe(2);
  const audit = await ledger.ddb.send(new GetCommand({ TableName: ledger.tableName, Key: report.auditKey }));
  expect(audit.Item).toMatchObject({
    kind: 'nonce-reconciliation',
    actor: 'operator',
    chainNextNonce: 1,
    nextNonce: 3,
  });

  // Act 3: the standby now signs c at its own nonce, e at the next one, and leaves the quarantined alone
  const outcomes = [
    await standby.processMessage(msg(c.txId)),
    await standby.processMessage(msg(e.txId)),
    await standby.processMessage(msg(d.txId)),
  ];
  // Assess 3
  expect(outcomes).toEqual(['signed', 'signed', 'skipped-quarantined']);
  const signedC = (await getTransaction(ledger, 'w-1', c.txId))!;
  const signedE = (await getTransaction(ledger, 'w-1', e.txId))!;
  expect([signedC.nonce, signedE.nonce]).toEqual([2, 3]);
  expect(Transaction.from(signedE.signedRaw!).from!.toLowerCase()).toBe(address);

  // Act 4: the operator checked the chain: a is mined; d never reached it and may be signed now
  const requeued: string[] = [];
  await resolveQuarantined({
    ledger,
    walletId: 'w-1',
    txId: a.txId,
    resolution: { kind: 'onchain', txHash: (await getTransaction(ledger, 'w-1', a.txId))!.txHash! },
    actor: 'operator',
    evidence: 'explorer: mined in block 123',
  });
  const resolved = await resolveQuarantined({
    ledger,
    walletId: 'w-1',
    txId: d.txId,
    resolution: { kind: 'requeue', enqueue: async (m) => void requeued.push(m.txId) },
    actor: 'operator',
    evidence: 'explorer: no transaction from the address at nonce >= 1 other than b',
  });
  const dOutcome = await standby.processMessage(msg(d.txId));
  // and a second reconciliation run (late replication sweep) changes nothing it should not
  const again = await reconcileAfterFailover({
    ...base,
    chain: new StaticChainNonceSource({ [address]: 1 }),
    confirmOldSignerStopped: true,
  });

  // Assess 4
  expect(resolved.status).toBe('queued');
  expect(requeued).toEqual([d.txId]);
  expect(dOutcome).toBe('signed');
  expect((await getTransaction(ledger, 'w-1', d.txId))!.nonce).toBe(4);
  expect((await getTransaction(ledger, 'w-1', a.txId))!.status).toBe('broadcast');
  expect(again).toMatchObject({ alreadyReconciled: true, quarantined: [], nextNonce: 5 });
});

test('a nonce the old holder allocated but whose transaction never replicated is a gap, filled on request with a void', async () => {
  // Prepare: nonce 0 went to a transaction the standby never saw; nonce 1 to one it did
  const ledger = await freshLedger();
  await allocateNonce(ledger, address, PRIMARY, 1, 'lost-in-replication');
  const y = await queue(ledger, '2025-03-01T10:00:00.000Z');
  await assignNonce(ledger, y, await allocateNonce(ledger, address, PRIMARY, 1, y.txId), 1, PRIMARY, 'x');
  await failover(ledger, new Date('2025-03-01T10:05:00.000Z'));
  const report = await reconcileAfterFailover({
    ledger,
    address,
    region: STANDBY,
    actor: 'operator',
    reason: 'incident 43',
    chain: new StaticChainNonceSource({ [address]: 0 }),
    confirmOldSignerStopped: true,
  });
  const standby = signerIn(STANDBY, ledger);
  // Act
  const filled = await standby.processMessage(
    JSON.stringify({ kind: 'fill-gap', nonce: 0, maxFeePerGas: '30000000000', maxPriorityFeePerGas: '2000000000' }),
  );
  // Assess
  expect(report.gaps).toEqual([0]);
  expect(report.kept.map((t) => [t.txId, t.nonce])).toEqual([[y.txId, 1]]);
  expect(filled).toBe('gap-filled');
  const reservation = (await getReservation(ledger, address, 0))!;
  const filler = Transaction.from(reservation.signedRaw!);
  expect([reservation.kind, filler.nonce, filler.value, filler.to!.toLowerCase(), filler.from!.toLowerCase()]).toEqual([
    'void',
    0,
    0n,
    address,
    address,
  ]);
  await expect(
    standby.processMessage(
      JSON.stringify({ kind: 'fill-gap', nonce: 9, maxFeePerGas: '1', maxPriorityFeePerGas: '1' }),
    ),
  ).rejects.toThrow('fill-gap nonce 9 was never allocated (next nonce is 2)');
});
