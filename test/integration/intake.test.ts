import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { Transaction } from 'ethers';
import { CANARY_WALLET_ID, canaryRoutes, canaryTransactionRequest, SIGNED_STATUSES } from '../../lib/contract/canary';
import { createApiHandler, ROUTES } from '../../lambda/api/handler';
import { ledgerRegionControl } from '../../lambda/remediation/adapters/ledger';
import { enterDegradedMode, leaveDegradedMode } from '../../lib/failover/region-control';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { initLease, readLease } from '../../lib/failover/lease';
import { Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { createSigner } from '../../lambda/signer/handler';
import { createLedgerTable } from '../helpers/ledger-table';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { apiEvent, parseBody } from '../lambda/helpers';

/**
 * Intake end to end against moto: DynamoDB (conditional writes), an SQS FIFO queue, KMS. The API
 * handler and the signer are the real ones, with clients pointed at moto.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 11155111;
const BODY = {
  to: '0x4444444444444444444444444444444444444444',
  value: '123456789',
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
let api: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  moto = await sharedMoto();
  const kms = new KMSClient(moto.clientConfig(REGION));
  keyArn = (
    await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))
  ).KeyMetadata!.Arn!;
  address = (await new KmsSigningKey(kms, keyArn).publicKey()).address;
  ledger = await createLedgerTable(moto.clientConfig(REGION), 'intake-ledger');
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: new Date().toISOString() });
  await initLease(ledger, { address, region: REGION, actor: 'test' });
  sqs = new SQSClient(moto.clientConfig(REGION));
  queueUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: 'intake-signing.fifo', Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl!;
  api = createApiHandler({
    env: { region: REGION, tableName: ledger.tableName, signingQueueUrl: queueUrl, chainId: CHAIN_ID },
    ledger,
    sqs,
    logger: silentLogger(),
  });
});

const post = (idempotencyKey: string, body: unknown = BODY) =>
  api(
    apiEvent({
      method: 'POST',
      resource: ROUTES.createTransaction,
      path: '/v1/wallets/w-1/transactions',
      pathParameters: { walletId: 'w-1' },
      headers: { 'Idempotency-Key': idempotencyKey, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );

const get = (txId: string) =>
  api(
    apiEvent({
      method: 'GET',
      resource: ROUTES.getTransaction,
      path: `/v1/wallets/w-1/transactions/${txId}`,
      pathParameters: { walletId: 'w-1', txId },
    }),
  );

async function transactionItems(): Promise<Array<Record<string, unknown>>> {
  const res = await ledger.ddb.send(
    new QueryCommand({
      TableName: ledger.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :t)',
      ExpressionAttributeValues: { ':p': 'WALLET#w-1', ':t': 'TX#' },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}

/**
 * Drains the queue into an SQS event, as the Lambda event source would deliver it, and deletes the
 * messages (a FIFO group stays blocked while one of its messages is in flight).
 */
async function drainQueue(): Promise<SQSEvent> {
  const records: SQSEvent['Records'] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
    );
    if (!res.Messages?.length) break;
    for (const m of res.Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      records.push({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: m.Attributes as unknown as SQSEvent['Records'][number]['attributes'],
        messageAttributes: {},
        md5OfBody: m.MD5OfBody!,
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:intake-signing.fifo',
        awsRegion: REGION,
      });
    }
  }
  return { Records: records };
}

test('concurrent duplicate requests with one Idempotency-Key create exactly one transaction and one queued message', async () => {
  // Act
  const answers = await Promise.all(Array.from({ length: 12 }, () => post('dup-key-0001')));
  // Assess
  expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(202));
  const txIds = new Set(answers.map((a) => parseBody(a).txId));
  expect(txIds.size).toBe(1);
  expect(answers.filter((a) => a.headers?.['Idempotent-Replayed'] === 'false')).toHaveLength(1);
  const items = await transactionItems();
  expect(items.map((i) => i.txId)).toEqual([...txIds]);
  const queued = await drainQueue();
  // FIFO deduplication (id derived from the txId) collapses the re-sends of the replays.
  expect(queued.Records.map((r) => JSON.parse(r.body))).toEqual([{ walletId: 'w-1', txId: [...txIds][0] }]);
  expect(queued.Records[0].attributes.MessageGroupId).toBe('w-1');
});

test('concurrent requests with one key but two different bodies: one body wins, the other gets 409', async () => {
  // Act
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) => post('race-key-0002', { ...BODY, value: i % 2 === 0 ? '1' : '2' })),
  );
  // Assess
  const accepted = answers.filter((a) => a.statusCode === 202);
  const conflicts = answers.filter((a) => a.statusCode === 409);
  expect(accepted.length + conflicts.length).toBe(10);
  expect(accepted.length).toBe(5);
  expect(new Set(accepted.map((a) => parseBody(a).txId)).size).toBe(1);
  expect(new Set(conflicts.map((a) => parseBody(a).error.details.txId))).toEqual(
    new Set([parseBody(accepted[0]).txId]),
  );
  await drainQueue();
});

test('a transaction goes from intake through the signer to a GET that returns a raw transaction ethers verifies', async () => {
  // Prepare
  const signer = createSigner({
    env: { region: REGION, tableName: ledger.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(REGION)), keyArn),
    logger: silentLogger(),
  });
  const created = parseBody(await post('e2e-key-0003'));
  // Act
  const batch = await signer.handler(await drainQueue());
  const answer = await get(created.txId);
  // Assess
  expect(batch.batchItemFailures).toEqual([]);
  expect(answer.statusCode).toBe(200);
  const view = parseBody(answer);
  expect(view.status).toBe('signed');
  const parsed = Transaction.from(view.signedRawTransaction);
  expect(parsed.from!.toLowerCase()).toBe(address);
  expect(parsed.hash).toBe(view.transactionHash);
  expect(parsed.nonce).toBe(view.nonce);
  expect(parsed.to!.toLowerCase()).toBe(BODY.to);
  expect(parsed.value).toBe(BigInt(BODY.value));
  expect(parsed.chainId).toBe(BigInt(CHAIN_ID));
  expect(parsed.maxFeePerGas).toBe(BigInt(BODY.maxFeePerGas));
});

test('degraded mode: intake answers 503 and stores nothing while reads keep working; leaving restores intake', async () => {
  // Prepare
  const earlier = parseBody(await post('before-degraded-04'));
  await drainQueue();
  await enterDegradedMode(ledger, { region: REGION, actor: 'test', reason: 'drill: suspend withdrawals' });
  const before = (await transactionItems()).length;
  // Act
  const refused = await post('during-degraded-05');
  const read = await get(earlier.txId);
  await leaveDegradedMode(ledger, { region: REGION, actor: 'test', reason: 'drill over' });
  const accepted = await post('during-degraded-05');
  // Assess
  expect(refused.statusCode).toBe(503);
  expect(parseBody(refused).error.message).toContain('degraded mode since');
  expect(parseBody(refused).error.message).toContain('drill: suspend withdrawals');
  expect(read.statusCode).toBe(200);
  expect(accepted.statusCode).toBe(202);
  expect((await transactionItems()).length).toBe(before + 1);
  await drainQueue();
});

test('degraded mode set by the remediation Lambda’s adapter is honoured by intake and read back by the setter', async () => {
  // Prepare: remediation writes the same REGION#<region>/CONTROL item its own way
  const remediation = ledgerRegionControl(ledger);
  await remediation.setDegraded(REGION, true, 'signer-errors in ALARM', 'remediation:us-east-2:signer-errors');
  // Act
  const refused = await post('remediation-set-06');
  const lifted = await leaveDegradedMode(ledger, { region: REGION, actor: 'ops', reason: 'signer fixed' });
  const accepted = await post('remediation-set-06');
  // Assess
  expect(refused.statusCode).toBe(503);
  expect(parseBody(refused).error.message).toContain('signer-errors in ALARM');
  expect(lifted.before).toMatchObject({ degraded: true, setBy: 'remediation:us-east-2:signer-errors' });
  expect(await remediation.get(REGION)).toMatchObject({ degraded: false, setBy: 'ops', reason: 'signer fixed' });
  expect(accepted.statusCode).toBe(202);
  await drainQueue();
});

test('the canary transaction, exactly as the canary sends it, is signed without using a nonce and reads as signed', async () => {
  // Prepare: the reserved test wallet is registered like any wallet; degraded mode is on
  await putWallet(ledger, {
    walletId: CANARY_WALLET_ID,
    address,
    status: 'active',
    createdAt: new Date().toISOString(),
  });
  await enterDegradedMode(ledger, { region: REGION, actor: 'ops', reason: 'drill: withdrawals suspended' });
  const signer = createSigner({
    env: { region: REGION, tableName: ledger.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger,
    key: new KmsSigningKey(new KMSClient(moto.clientConfig(REGION)), keyArn),
    logger: silentLogger(),
  });
  const nonceBefore = (await readLease(ledger, address))!.nextNonce;
  // Act
  const submitted = await api(
    apiEvent({
      method: 'POST',
      resource: ROUTES.createTransaction,
      path: canaryRoutes.submit(CANARY_WALLET_ID),
      pathParameters: { walletId: CANARY_WALLET_ID },
      headers: { 'Idempotency-Key': 'canary-run-0007', 'content-type': 'application/json' },
      body: JSON.stringify(canaryTransactionRequest()),
    }),
  );
  const txId = parseBody(submitted).txId as string;
  const batch = await signer.handler(await drainQueue());
  const read = await api(
    apiEvent({
      method: 'GET',
      resource: ROUTES.getTransaction,
      path: canaryRoutes.get(CANARY_WALLET_ID, txId),
      pathParameters: { walletId: CANARY_WALLET_ID, txId },
    }),
  );
  await leaveDegradedMode(ledger, { region: REGION, actor: 'ops', reason: 'drill over' });
  // Assess
  expect(submitted.statusCode).toBe(202);
  expect(batch.batchItemFailures).toEqual([]);
  expect(SIGNED_STATUSES).toContain(parseBody(read).status);
  expect((await readLease(ledger, address))!.nextNonce).toBe(nonceBefore);
});
