import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { Transaction } from 'ethers';
import { APPROVAL_PATHS } from '../../lib/contract/approvals';
import { initLease } from '../../lib/failover/lease';
import { createApiHandler, ROUTES } from '../../lambda/api/handler';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { getTransaction, Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import type { ApprovalSettings } from '../../lambda/shared/approvals/types';
import { approvalCheck, holdForApproval } from '../../lambda/shared/approvals/store';
import { createSpendingGate } from '../../lambda/shared/policy/gate';
import type { RuntimeSpendingPolicy } from '../../lib/contract/policy';
import { createSigner } from '../../lambda/signer/handler';
import { faultyLedger } from '../helpers/faults';
import { createLedgerTable, putTestTransaction } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { apiEvent, parseBody } from '../lambda/helpers';

/**
 * Two-person approval end to end against moto (DynamoDB conditional writes, an SQS FIFO queue, KMS):
 * the real API handler (intake and the approval routes) and the real signer. The caller identity is
 * what API Gateway's IAM authorization puts in requestContext.identity.userArn.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 11155111;
const SETTINGS: ApprovalSettings = { thresholdWei: 1_000_000n, required: 2, expiresAfterHours: 24 };
/** The spending policy in force (lib/contract/policy.ts): withdrawals allowed, two approvals at or above 1e6 wei. */
const policyWith = (thresholdWei: string): RuntimeSpendingPolicy => ({
  version: `approvals-test-${thresholdWei}`,
  default: { outgoing: 'allowed', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
  wallets: {},
  allowlistTimeLockHours: 48,
  approvals: { thresholdWei, required: 2, expiresAfterHours: 24 },
});
const POLICY = policyWith('1000000');
const INITIATOR = 'arn:aws:sts::123456789012:assumed-role/WalletService/intake';
const ALICE = 'arn:aws:sts::123456789012:assumed-role/WalletApprover/alice';
const BOB = 'arn:aws:sts::123456789012:assumed-role/WalletApprover/bob';
const CAROL = 'arn:aws:sts::123456789012:assumed-role/WalletApprover/carol';
const BIG = {
  to: '0x4444444444444444444444444444444444444444',
  value: '5000000',
  gasLimit: '21000',
  maxFeePerGas: '25000000000',
  maxPriorityFeePerGas: '1500000000',
  chainId: CHAIN_ID,
};

let moto: MotoServer;
let ledger: Ledger;
let sqs: SQSClient;
let queueUrl: string;
let keyArn: string;
let address: string;
let clock = Date.parse('2026-12-02T12:00:00.000Z');
let keySeq = 0;
const now = () => new Date(clock);

const env = () => ({
  region: REGION,
  tableName: ledger.tableName,
  signingQueueUrl: queueUrl,
  chainId: CHAIN_ID,
  consistency: 'MRSC' as const,
});
const apiOn = (l: Ledger, consistency: 'MRSC' | 'MREC' = 'MRSC', region = REGION) =>
  createApiHandler({
    env: { ...env(), consistency, region },
    ledger: l,
    sqs,
    logger: silentLogger(),
    now,
    // As lambda/api/index.ts wires them: the policy engine decides, the approvals module holds.
    spending: createSpendingGate({ policy: () => POLICY, ledger: l, consistency, region, now }),
    holdForApproval: (candidate, reasons) => holdForApproval(l, candidate, reasons, SETTINGS),
  });
/** The signer as lambda/signer/index.ts wires it (the policy engine with the approvals check), or with no policy. */
const signer = (policy: RuntimeSpendingPolicy | undefined = POLICY) =>
  createSigner({
    env: { region: REGION, tableName: ledger.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(REGION)), keyArn),
    logger: silentLogger(),
    now,
    ...(policy === undefined
      ? {}
      : {
          spending: createSpendingGate({
            policy: () => policy,
            ledger,
            consistency: 'MRSC',
            region: REGION,
            now,
            approvals: approvalCheck(ledger, () => SETTINGS),
          }),
        }),
  });

beforeAll(async () => {
  moto = await sharedMoto();
  const kms = new KMSClient(moto.clientConfig(REGION));
  keyArn = (
    await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))
  ).KeyMetadata!.Arn!;
  address = (await new KmsSigningKey(kms, keyArn).publicKey()).address;
  ledger = await createLedgerTable(moto.clientConfig(REGION), 'approvals-ledger');
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: now().toISOString() });
  await initLease(ledger, { address, region: REGION, actor: 'test' });
  sqs = new SQSClient(moto.clientConfig(REGION));
  queueUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: 'approvals-signing.fifo', Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl!;
});

const as = (arn: string | undefined, event: APIGatewayProxyEvent): APIGatewayProxyEvent => ({
  ...event,
  requestContext: {
    ...event.requestContext,
    identity: { ...(arn === undefined ? {} : { userArn: arn }) },
  } as APIGatewayProxyEvent['requestContext'],
});

async function submit(body: unknown = BIG, caller: string | null = INITIATOR) {
  keySeq += 1;
  return apiOn(ledger)(
    as(
      caller ?? undefined,
      apiEvent({
        method: 'POST',
        resource: ROUTES.createTransaction,
        path: '/v1/wallets/w-1/transactions',
        pathParameters: { walletId: 'w-1' },
        headers: { 'Idempotency-Key': `approval-key-${keySeq}-${clock}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ),
  );
}

const show = (txId: string) =>
  apiOn(ledger)(
    as(
      ALICE,
      apiEvent({
        method: 'GET',
        resource: APPROVAL_PATHS.approval,
        path: `/v1/wallets/w-1/approvals/${txId}`,
        pathParameters: { walletId: 'w-1', txId },
      }),
    ),
  );

const decide = (caller: string, txId: string, body: Record<string, unknown>, l: Ledger = ledger) =>
  apiOn(l)(
    as(
      caller,
      apiEvent({
        method: 'POST',
        resource: APPROVAL_PATHS.approval,
        path: `/v1/wallets/w-1/approvals/${txId}`,
        pathParameters: { walletId: 'w-1', txId },
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ),
  );

async function pendingRequest(): Promise<{ txId: string; requestHash: string }> {
  const res = await submit();
  expect(res.statusCode).toBe(202);
  const { txId, status } = parseBody(res);
  expect(status).toBe('pending-approval');
  return { txId, requestHash: parseBody(await show(txId)).requestHash };
}

async function drainQueue(): Promise<SQSEvent> {
  const records: SQSEvent['Records'] = [];
  for (;;) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!res.Messages?.length) break;
    for (const m of res.Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      records.push({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: {} as SQSEvent['Records'][number]['attributes'],
        messageAttributes: {},
        md5OfBody: m.MD5OfBody!,
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:approvals-signing.fifo',
        awsRegion: REGION,
      });
    }
  }
  return { Records: records };
}

async function auditItems(txId: string) {
  const res = await ledger.ddb.send(
    new QueryCommand({
      TableName: ledger.tableName,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': `AUDIT#approval#w-1#${txId}` },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}

beforeEach(async () => {
  clock += 3_600_000 * 48; // every test on a fresh clock (nothing left from the previous one expires into it)
  await drainQueue();
});

test('a request above the threshold is stored pending-approval with its initiator and is not queued', async () => {
  const { txId } = await pendingRequest();
  const view = parseBody(await show(txId));
  expect(view).toMatchObject({
    status: 'pending-approval',
    initiator: INITIATOR,
    value: '5000000',
    to: BIG.to,
    feeCapWei: (21000n * 25000000000n).toString(),
    required: 2,
    approvals: [],
    expiresAt: new Date(clock + 24 * 3_600_000).toISOString(),
    // the policy engine's reason (lib/contract/policy.ts APPROVAL_REASONS)
    reasons: ['amount at or above the approval threshold of 1000000 wei'],
  });
  expect((await drainQueue()).Records).toHaveLength(0);
});

test('a request below the threshold is queued as before (the rule does not hold everything)', async () => {
  const res = await submit({ ...BIG, value: '999999' });
  expect(parseBody(res).status).toBe('queued');
  expect((await drainQueue()).Records).toHaveLength(1);
});

test('fails: an approval-required request from a caller with no verified identity is refused, no transaction created', async () => {
  const res = await submit(BIG, null);
  expect(res.statusCode).toBe(403);
  expect(parseBody(res).error.code).toBe('ApprovalForbidden');
  expect(parseBody(res).error.message).toContain('no verified identity');
  expect((await drainQueue()).Records).toHaveLength(0);
});

test('fails: the initiator cannot approve their own request', async () => {
  const { txId, requestHash } = await pendingRequest();
  const res = await decide(INITIATOR, txId, { decision: 'approve', requestHash });
  expect(res.statusCode).toBe(403);
  expect(parseBody(res).error).toMatchObject({ code: 'ApprovalForbidden' });
  expect(parseBody(res).error.message).toContain('the initiator may not approve it');
  // the same principal in another letter case is the same principal
  const shouted = await decide(INITIATOR.toUpperCase().replace('ARN:AWS:STS', 'arn:aws:sts'), txId, {
    decision: 'approve',
    requestHash,
  });
  expect(shouted.statusCode).toBe(403);
  expect((await getTransaction(ledger, 'w-1', txId))?.approvals).toEqual({});
});

test('fails: a second approval by the same principal is refused and does not count twice', async () => {
  const { txId, requestHash } = await pendingRequest();
  expect((await decide(ALICE, txId, { decision: 'approve', requestHash })).statusCode).toBe(200);
  const again = await decide(ALICE, txId, { decision: 'approve', requestHash });
  expect(again.statusCode).toBe(403);
  expect(parseBody(again).error.message).toContain('already approved');
  const tx = await getTransaction(ledger, 'w-1', txId);
  expect(tx?.status).toBe('pending-approval');
  expect(Object.keys(tx?.approvals ?? {})).toEqual([ALICE.toLowerCase()]);
  expect((await drainQueue()).Records).toHaveLength(0);
});

test('fails: an approval naming another request hash is refused', async () => {
  const { txId } = await pendingRequest();
  const res = await decide(ALICE, txId, { decision: 'approve', requestHash: 'ab'.repeat(32) });
  expect(res.statusCode).toBe(409);
  expect(parseBody(res).error.code).toBe('ApprovalRefused');
});

test('fails: approval of an expired request is refused and the request becomes expired', async () => {
  const { txId, requestHash } = await pendingRequest();
  expect((await decide(ALICE, txId, { decision: 'approve', requestHash })).statusCode).toBe(200);
  clock += 24 * 3_600_000; // exactly at expiresAt: expired
  const res = await decide(BOB, txId, { decision: 'approve', requestHash });
  expect(res.statusCode).toBe(409);
  expect(parseBody(res).error.details.status).toBe('expired');
  expect((await getTransaction(ledger, 'w-1', txId))?.status).toBe('expired');
  expect((await drainQueue()).Records).toHaveLength(0);
  expect((await auditItems(txId)).map((a) => a.decision).sort()).toEqual(['approve', 'expired']);
});

test('two distinct approvers: queued exactly once, signed, and every approval audited with what was seen', async () => {
  const { txId, requestHash } = await pendingRequest();
  const first = await decide(ALICE, txId, { decision: 'approve', requestHash, reason: 'invoice 42' });
  expect(parseBody(first)).toMatchObject({ status: 'pending-approval', approvals: 1, required: 2 });
  expect((await drainQueue()).Records).toHaveLength(0);
  const second = await decide(BOB, txId, { decision: 'approve', requestHash });
  expect(parseBody(second)).toMatchObject({ status: 'queued', approvals: 2 });

  const batch = await drainQueue();
  expect(batch.Records).toHaveLength(1);
  expect(JSON.parse(batch.Records[0].body)).toEqual({ walletId: 'w-1', txId });
  expect((await signer().handler(batch)).batchItemFailures).toEqual([]);
  const signed = await getTransaction(ledger, 'w-1', txId);
  expect(signed?.status).toBe('signed');
  expect(Transaction.from(signed!.signedRaw!).from?.toLowerCase()).toBe(address);

  const audits = await auditItems(txId);
  expect(audits.map((a) => a.actor).sort()).toEqual([ALICE, BOB]);
  for (const a of audits) {
    expect(a).toMatchObject({
      decision: 'approve',
      initiator: INITIATOR,
      saw: { to: BIG.to, value: '5000000', feeCapWei: (21000n * 25000000000n).toString(), requestHash },
    });
    expect(typeof a.at).toBe('string');
  }

  // Approval of an already-signed request is refused.
  const late = await decide(CAROL, txId, { decision: 'approve', requestHash });
  expect(late.statusCode).toBe(409);
  expect(parseBody(late).error.details.status).toBe('signed');
});

test('a reject ends the request: later approvals are refused and nothing is queued', async () => {
  const { txId, requestHash } = await pendingRequest();
  const missingReason = await decide(ALICE, txId, { decision: 'reject', requestHash });
  expect(missingReason.statusCode).toBe(400);
  expect((await decide(ALICE, txId, { decision: 'reject', requestHash, reason: 'unknown payee' })).statusCode).toBe(
    200,
  );
  expect((await getTransaction(ledger, 'w-1', txId))?.status).toBe('rejected');
  const res = await decide(BOB, txId, { decision: 'approve', requestHash });
  expect(res.statusCode).toBe(409);
  expect(parseBody(res).error.details.status).toBe('rejected');
  expect((await drainQueue()).Records).toHaveLength(0);
  expect((await auditItems(txId))[0]).toMatchObject({ decision: 'reject', actor: ALICE, reason: 'unknown payee' });
});

test('a lost reply on the approval write: the SDK retry finds its own write, counted once, queued once', async () => {
  const { txId, requestHash } = await pendingRequest();
  await decide(ALICE, txId, { decision: 'approve', requestHash });
  const flaky = faultyLedger(moto.clientConfig(REGION), ledger.tableName, [
    {
      command: 'UpdateItemCommand',
      match: (input) => String(input.UpdateExpression).startsWith('SET approvals.'),
    },
  ]);
  const res = await decide(BOB, txId, { decision: 'approve', requestHash }, flaky);
  expect(flaky.lost()).toBe(1);
  expect(res.statusCode).toBe(200);
  expect(parseBody(res)).toMatchObject({ status: 'queued', approvals: 2 });
  expect((await drainQueue()).Records).toHaveLength(1);
  // Bob's retry of the whole call (his client never heard) is refused as a second approval, and queues nothing new.
  const retry = await decide(BOB, txId, { decision: 'approve', requestHash });
  expect(retry.statusCode).toBe(403);
  expect((await auditItems(txId)).filter((a) => a.actor === BOB)).toHaveLength(1);
});

describe('the signer gate', () => {
  test('fails: a transaction that needs approvals but reached the queue without them is quarantined, never signed', async () => {
    // Prepare: written straight as queued (a bypass: a bug, a bad operator requeue), approvals required, none recorded.
    const txId = await putTestTransaction(ledger, { address, intakeRegion: REGION, at: now().toISOString() });
    await ledger.ddb.send(
      new (await import('@aws-sdk/lib-dynamodb')).UpdateCommand({
        TableName: ledger.tableName,
        Key: { pk: 'WALLET#w-1', sk: `TX#${txId}` },
        UpdateExpression: 'SET approvalRequired = :r, initiator = :i, approvals = :a, approvalExpiresAt = :e',
        ExpressionAttributeValues: {
          ':r': 2,
          ':i': INITIATOR,
          ':a': {
            [ALICE.toLowerCase()]: { principal: ALICE, at: now().toISOString(), token: 't', saw: { requestHash: 'x' } },
          },
          ':e': new Date(clock + 3_600_000).toISOString(),
        },
      }),
    );
    // Act
    const out = await signer(undefined).processMessage(JSON.stringify({ walletId: 'w-1', txId }));
    // Assess
    expect(out).toBe('quarantined');
    const tx = await getTransaction(ledger, 'w-1', txId);
    expect(tx?.status).toBe('quarantined');
    expect(tx?.signedRaw).toBeUndefined();
    expect(tx?.nonce).toBeUndefined();
    expect(tx?.quarantineReason).toContain('0 of 2 valid approvals');
    expect(tx?.quarantineReason).toContain('approved request x');
  });

  test('fails: the policy in force at signing asks for approval that intake did not record: quarantined', async () => {
    const txId = await putTestTransaction(ledger, { address, intakeRegion: REGION, at: now().toISOString() });
    const strict = policyWith('1'); // the test request is 1000 wei
    expect(await signer(strict).processMessage(JSON.stringify({ walletId: 'w-1', txId }))).toBe('quarantined');
    const tx = await getTransaction(ledger, 'w-1', txId);
    expect(tx?.quarantineReason).toContain('requires approval');
    expect(tx?.signedRaw).toBeUndefined();
  });

  test('the same transaction without an approval requirement is signed (the gate is not what refuses everything)', async () => {
    const txId = await putTestTransaction(ledger, { address, intakeRegion: REGION, at: now().toISOString() });
    expect(await signer(POLICY).processMessage(JSON.stringify({ walletId: 'w-1', txId }))).toBe('signed');
  });

  test('a pending-approval transaction is never signed, even if a message for it arrives', async () => {
    const { txId } = await pendingRequest();
    expect(await signer().processMessage(JSON.stringify({ walletId: 'w-1', txId }))).toBe('skipped-terminal');
    expect((await getTransaction(ledger, 'w-1', txId))?.status).toBe('pending-approval');
  });
});

test('the list shows the wallet pending requests and moves the expired ones out', async () => {
  const { txId } = await pendingRequest();
  const list = () =>
    apiOn(ledger)(
      as(
        ALICE,
        apiEvent({
          method: 'GET',
          resource: APPROVAL_PATHS.approvals,
          path: '/v1/wallets/w-1/approvals',
          pathParameters: { walletId: 'w-1' },
        }),
      ),
    );
  expect(parseBody(await list()).pending.map((p: { txId: string }) => p.txId)).toContain(txId);
  clock += 25 * 3_600_000;
  expect(parseBody(await list()).pending.map((p: { txId: string }) => p.txId)).not.toContain(txId);
  expect((await getTransaction(ledger, 'w-1', txId))?.status).toBe('expired');
});

test('fails: under MREC a region that does not hold the lease records no decision (last writer wins would lose it)', async () => {
  const { txId, requestHash } = await pendingRequest();
  const standby = apiOn(ledger, 'MREC', 'us-west-2');
  const res = await standby(
    as(
      ALICE,
      apiEvent({
        method: 'POST',
        resource: APPROVAL_PATHS.approval,
        path: `/v1/wallets/w-1/approvals/${txId}`,
        pathParameters: { walletId: 'w-1', txId },
        body: JSON.stringify({ decision: 'approve', requestHash }),
      }),
    ),
  );
  expect(res.statusCode).toBe(503);
  expect(parseBody(res).error.code).toBe('ApprovalElsewhere');
  expect((await getTransaction(ledger, 'w-1', txId))?.approvals).toEqual({});
  // The holder's region (MREC too) records it.
  const holder = apiOn(ledger, 'MREC', REGION);
  const ok = await holder(
    as(
      ALICE,
      apiEvent({
        method: 'POST',
        resource: APPROVAL_PATHS.approval,
        path: `/v1/wallets/w-1/approvals/${txId}`,
        pathParameters: { walletId: 'w-1', txId },
        body: JSON.stringify({ decision: 'approve', requestHash }),
      }),
    ),
  );
  expect(ok.statusCode).toBe(200);
});

test('a lost reply on the move to queued: the retry fails its own condition, finds it queued, and queues it once', async () => {
  const { txId, requestHash } = await pendingRequest();
  await decide(ALICE, txId, { decision: 'approve', requestHash });
  const flaky = faultyLedger(moto.clientConfig(REGION), ledger.tableName, [
    {
      command: 'UpdateItemCommand',
      match: (input) => JSON.stringify(input.ExpressionAttributeValues ?? {}).includes('"queued"'),
    },
  ]);
  const res = await decide(BOB, txId, { decision: 'approve', requestHash }, flaky);
  expect(flaky.lost()).toBe(1);
  expect(parseBody(res)).toMatchObject({ status: 'queued', approvals: 2 });
  expect((await drainQueue()).Records).toHaveLength(1);
});

test('two last approvals at once: one move to queued, one signing message, both approvals recorded', async () => {
  const { txId, requestHash } = await pendingRequest();
  await decide(ALICE, txId, { decision: 'approve', requestHash });
  const [bob, carol] = await Promise.all([
    decide(BOB, txId, { decision: 'approve', requestHash }),
    decide(CAROL, txId, { decision: 'approve', requestHash }),
  ]);
  // One of them may find it queued before its own write (409), never both fail.
  expect([bob.statusCode, carol.statusCode]).toContain(200);
  const tx = await getTransaction(ledger, 'w-1', txId);
  expect(tx?.status).toBe('queued');
  expect(Object.keys(tx?.approvals ?? {}).length).toBeGreaterThanOrEqual(2);
  const batch = await drainQueue();
  expect(batch.Records).toHaveLength(1);
  expect((await signer().handler(batch)).batchItemFailures).toEqual([]);
  expect((await getTransaction(ledger, 'w-1', txId))?.status).toBe('signed');
});
