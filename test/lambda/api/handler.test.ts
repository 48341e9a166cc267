import 'aws-sdk-client-mock-jest';
import { ConditionalCheckFailedException, DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { CANARY_WALLET_ID, canaryTransactionRequest } from '../../../lib/contract/canary';
import { ledgerKeys, schemaStamp, txStatusPartition } from '../../../lib/contract/ledger';
import { createApiHandler, MAX_BODY_BYTES, ROUTES } from '../../../lambda/api/handler';
import { silentLogger } from '../../../lambda/shared/logger';
import { requestHash } from '../../../lambda/shared/tx-request';
import { apiEvent, parseBody } from '../helpers';

const ddbMock = mockClient(DynamoDBDocumentClient);
const sqsMock = mockClient(SQSClient);

const REGION = 'us-east-2';
const QUEUE = 'https://sqs.us-east-2.amazonaws.com/111111111111/example-signing.fifo';
const ADDRESS = '0x9999999999999999999999999999999999999999';
const TX_ID = '0b7e6c3a-1d2f-4e5a-8b9c-0d1e2f3a4b5c';
const KEY = 'order-4711-attempt';
const NOW = new Date('2025-03-01T12:00:00.000Z');

const BODY = {
  to: '0x52908400098527886E0F7030069857D2E4169EE7', // EIP-55 test vector, checksummed
  value: '1000000000000000000',
  gasLimit: '21000',
  maxFeePerGas: '30000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 11155111,
};
const NORMALIZED = { ...BODY, to: BODY.to.toLowerCase() };

const handler = createApiHandler({
  env: { region: REGION, tableName: 'ledger', signingQueueUrl: QUEUE, chainId: 11155111, consistency: 'MRSC' as const },
  ledger: { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' },
  sqs: new SQSClient({}),
  logger: silentLogger(),
  now: () => NOW,
  newTxId: () => TX_ID,
});

const post = (options: { body?: string | null; headers?: Record<string, string>; walletId?: string } = {}) =>
  apiEvent({
    method: 'POST',
    resource: ROUTES.createTransaction,
    path: `/v1/wallets/${options.walletId ?? 'w-1'}/transactions`,
    pathParameters: { walletId: options.walletId ?? 'w-1' },
    headers: options.headers ?? { 'Idempotency-Key': KEY, 'Content-Type': 'application/json' },
    body: options.body === undefined ? JSON.stringify(BODY) : options.body,
  });

const get = (walletId = 'w-1', txId = TX_ID) =>
  apiEvent({
    method: 'GET',
    resource: ROUTES.getTransaction,
    path: `/v1/wallets/${walletId}/transactions/${txId}`,
    pathParameters: { walletId, txId },
  });

const wallet = (status = 'active') => ({
  ...ledgerKeys.wallet('w-1'),
  walletId: 'w-1',
  address: ADDRESS,
  status,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const txItem = (over: Record<string, unknown> = {}) => ({
  ...ledgerKeys.transaction('w-1', TX_ID),
  walletId: 'w-1',
  txId: TX_ID,
  address: ADDRESS,
  status: 'queued',
  request: NORMALIZED,
  requestHash: requestHash(NORMALIZED),
  idempotencyKey: KEY,
  intakeRegion: REGION,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  ...over,
});

/** The happy-path table: region not degraded, wallet active, every conditional write succeeds. */
function prepareHealthyLedger() {
  // Anything not named below (no idempotency record yet, no lease item) reads as absent.
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({});
  ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet() });
  ddbMock.on(PutCommand).resolves({});
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'msg-1' });
}

beforeEach(() => {
  ddbMock.reset();
  sqsMock.reset();
  // Items no test names (no idempotency record yet, no lease) read as absent.
  ddbMock.on(GetCommand).resolves({});
});

describe('POST /v1/wallets/{walletId}/transactions', () => {
  test('stores the request once, queues it for signing and answers 202 with the txId', async () => {
    // Prepare
    prepareHealthyLedger();
    // Act
    const res = await handler(post());
    // Assess
    expect(res.statusCode).toBe(202);
    expect(parseBody(res)).toEqual({
      txId: TX_ID,
      walletId: 'w-1',
      status: 'queued',
      createdAt: NOW.toISOString(),
      links: { self: `/v1/wallets/w-1/transactions/${TX_ID}` },
    });
    expect(res.headers).toMatchObject({
      Location: `/v1/wallets/w-1/transactions/${TX_ID}`,
      'Idempotent-Replayed': 'false',
    });
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      Item: {
        ...ledgerKeys.idempotency('w-1', KEY),
        walletId: 'w-1',
        idempotencyKey: KEY,
        txId: TX_ID,
        requestHash: requestHash(NORMALIZED),
        createdAt: NOW.toISOString(),
        // Every item is created with its schema version (lib/contract/ledger.ts LEDGER_SCHEMA).
        ...schemaStamp(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
      Item: {
        ...txItem(),
        gsi1pk: txStatusPartition(ADDRESS, 'queued'),
        gsi1sk: `${NOW.toISOString()}#${TX_ID}`,
        ...schemaStamp(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE,
      MessageGroupId: 'w-1',
      MessageDeduplicationId: `tx-${TX_ID}`,
      MessageBody: JSON.stringify({ walletId: 'w-1', txId: TX_ID }),
    });
  });

  test('the same key with the same body returns the same transaction (conditional write failed, record read back)', async () => {
    // Prepare: the key was claimed by an earlier request; the transaction is still queued
    prepareHealthyLedger();
    ddbMock.on(PutCommand).rejects(ccf());
    ddbMock.on(GetCommand, { Key: ledgerKeys.idempotency('w-1', KEY) }).resolves({
      Item: {
        walletId: 'w-1',
        idempotencyKey: KEY,
        txId: TX_ID,
        requestHash: requestHash(NORMALIZED),
        createdAt: NOW.toISOString(),
      },
    });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({ Item: txItem() });
    // Act: same meaning, different spelling (key order, address case)
    const res = await handler(post({ body: JSON.stringify({ ...NORMALIZED, chainId: 11155111 }) }));
    // Assess
    expect(res.statusCode).toBe(202);
    expect(parseBody(res).txId).toBe(TX_ID);
    expect(res.headers?.['Idempotent-Replayed']).toBe('true');
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      Key: ledgerKeys.idempotency('w-1', KEY),
      ConsistentRead: true,
    });
    // Still queued: queued again with the same deduplication id (completes a crashed first attempt).
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, { MessageDeduplicationId: `tx-${TX_ID}` });
  });

  test('a replay of an already signed transaction does not queue it again', async () => {
    prepareHealthyLedger();
    ddbMock.on(PutCommand).rejects(ccf());
    ddbMock.on(GetCommand, { Key: ledgerKeys.idempotency('w-1', KEY) }).resolves({
      Item: { txId: TX_ID, requestHash: requestHash(NORMALIZED), createdAt: NOW.toISOString() },
    });
    ddbMock
      .on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) })
      .resolves({ Item: txItem({ status: 'signed' }) });
    const res = await handler(post());
    expect(res.statusCode).toBe(202);
    expect(parseBody(res).status).toBe('signed');
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  test('fails with 409 when the same key comes with a different body, naming the existing transaction', async () => {
    // Prepare
    prepareHealthyLedger();
    ddbMock.on(PutCommand).rejects(ccf());
    ddbMock.on(GetCommand, { Key: ledgerKeys.idempotency('w-1', KEY) }).resolves({
      Item: { txId: TX_ID, requestHash: 'a-different-hash', createdAt: NOW.toISOString() },
    });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({ Item: txItem() });
    // Act
    const res = await handler(post({ body: JSON.stringify({ ...BODY, value: '2' }) }));
    // Assess
    expect(res.statusCode).toBe(409);
    expect(parseBody(res).error).toEqual({
      code: 'IdempotencyKeyReused',
      message: `Idempotency-Key "${KEY}" was already used for a different request body (transaction ${TX_ID}). Fix: resend the original body to get that transaction, or use a new key for a new transaction`,
      details: { txId: TX_ID },
    });
    expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  test('a 409 never names a txId that GET answers 404 for (the first request stopped before creating it)', async () => {
    // Prepare: the key was claimed, its transaction item was never written
    prepareHealthyLedger();
    ddbMock.on(GetCommand, { Key: ledgerKeys.idempotency('w-1', KEY) }).resolves({
      Item: { txId: TX_ID, requestHash: 'a-different-hash', createdAt: NOW.toISOString() },
    });
    // Act
    const res = await handler(post({ body: JSON.stringify({ ...BODY, value: '2' }) }));
    // Assess
    expect(res.statusCode).toBe(409);
    expect(parseBody(res).error).toEqual({
      code: 'IdempotencyKeyReused',
      message: `Idempotency-Key "${KEY}" was already used for a different request body. Fix: resend the original body to get its transaction, or use a new key for a new transaction`,
      details: {},
    });
    expect(res.body).not.toContain(TX_ID);
  });

  test('replays an accepted request in degraded mode with its stored result (degraded mode refuses only new work)', async () => {
    // Prepare
    prepareHealthyLedger();
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({
      Item: { ...ledgerKeys.regionControl(REGION), degraded: true, reason: 'incident', updatedAt: NOW.toISOString() },
    });
    ddbMock.on(GetCommand, { Key: ledgerKeys.idempotency('w-1', KEY) }).resolves({
      Item: { txId: TX_ID, requestHash: requestHash(NORMALIZED), createdAt: NOW.toISOString() },
    });
    ddbMock
      .on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) })
      .resolves({ Item: txItem({ status: 'signed' }) });
    // Act
    const res = await handler(post());
    // Assess
    expect(res.statusCode).toBe(202);
    expect(parseBody(res)).toMatchObject({ txId: TX_ID, status: 'signed' });
    expect(res.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  test('fails with 400 when the Idempotency-Key header is missing, saying how to fix it', async () => {
    // Act
    const res = await handler(post({ headers: { 'Content-Type': 'application/json' } }));
    // Assess
    expect(res.statusCode).toBe(400);
    const { error } = parseBody(res);
    expect(error.code).toBe('ValidationFailed');
    expect(error.details.problems).toEqual([
      {
        field: 'header Idempotency-Key',
        message: 'is required',
        fix: 'send a unique key per intended transaction, e.g. a UUID, and reuse it only to retry that same request',
      },
    ]);
    expect(error.message).toContain('header Idempotency-Key is required; received nothing (it is missing)');
    expect(ddbMock.calls()).toHaveLength(0);
  });

  test('reads the header case-insensitively and rejects a malformed one with the value received', async () => {
    const res = await handler(post({ headers: { 'idempotency-key': 'short' } }));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.message).toContain(
      'header Idempotency-Key must be 8-128 characters of letters, digits, "_", ".", ":", "-"; received "short"',
    );
  });

  test('fails with 400 on bad JSON, quoting what was received', async () => {
    const res = await handler(post({ body: '{"to": "0x12",' }));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.code).toBe('MalformedJson');
    expect(parseBody(res).error.message).toMatch(
      /^the request body is not valid JSON \(.+\); received "\{\\"to\\": \\"0x12\\","/,
    );
    expect(ddbMock.calls()).toHaveLength(0);
  });

  test('fails with 413 on an oversized body before reading or writing anything', async () => {
    // Prepare
    const big = JSON.stringify({ ...BODY, data: `0x${'ab'.repeat(MAX_BODY_BYTES)}` });
    // Act
    const res = await handler(post({ body: big }));
    // Assess
    expect(res.statusCode).toBe(413);
    expect(parseBody(res).error).toEqual({
      code: 'PayloadTooLarge',
      message: `the request body is ${Buffer.byteLength(big)} bytes; the limit is ${MAX_BODY_BYTES} bytes. Fix: send a smaller body (the transaction fields only; large call data does not belong in a wallet withdrawal)`,
    });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  test('fails with 415 on a non-JSON content type', async () => {
    const res = await handler(post({ headers: { 'Idempotency-Key': KEY, 'Content-Type': 'text/plain' } }));
    expect(res.statusCode).toBe(415);
    expect(parseBody(res).error.message).toBe(
      'Content-Type must be application/json; received "text/plain". Fix: send JSON',
    );
  });

  test('accepts an all-uppercase address (valid EIP-55 without a checksum) and stores it lower-case', async () => {
    // Prepare
    prepareHealthyLedger();
    // Act
    const res = await handler(post({ body: JSON.stringify({ ...BODY, to: `0x${BODY.to.slice(2).toUpperCase()}` }) }));
    // Assess
    expect(res.statusCode).toBe(202);
    const stored = ddbMock
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input.Item!)
      .find((i) => i.sk === `TX#${TX_ID}`);
    expect(stored!.request.to).toBe(BODY.to.toLowerCase());
  });

  test('accepts a base64-encoded body', async () => {
    prepareHealthyLedger();
    const event = post({ body: Buffer.from(JSON.stringify(BODY)).toString('base64') });
    const res = await handler({ ...event, isBase64Encoded: true });
    expect(res.statusCode).toBe(202);
  });

  test('fails with 400 listing every invalid field with the value received and a fix', async () => {
    // Prepare
    const body = {
      value: 1.5,
      to: '0x52908400098527886e0F7030069857D2E4169EE7', // checksum broken (one letter lower-cased)
      gasLimit: '20000',
      maxFeePerGas: '100',
      maxPriorityFeePerGas: '200',
      chainId: 11155111,
      nonce: 3,
    };
    // Act
    const res = await handler(post({ body: JSON.stringify(body) }));
    // Assess
    expect(res.statusCode).toBe(400);
    const problems = parseBody(res).error.details.problems as Array<Record<string, unknown>>;
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          field: 'body',
          message: 'has unknown field "nonce"',
          received: ['nonce'],
          fix: 'remove it; the accepted fields are to, value, data, gasLimit, maxFeePerGas, maxPriorityFeePerGas, chainId',
        },
        expect.objectContaining({ field: 'body.value', message: 'must be a string', received: 1.5 }),
        expect.objectContaining({ field: 'body.to', message: 'has a wrong EIP-55 checksum', received: body.to }),
        expect.objectContaining({
          field: 'body.gasLimit',
          message: 'must be between 21000 and 30000000',
          received: '20000',
        }),
      ]),
    );
    expect(problems.find((p) => p.field === 'body.value')?.fix).toContain('decimal string');
    expect(problems).toHaveLength(4);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  test('fails with 400 when the priority fee exceeds the max fee', async () => {
    const res = await handler(post({ body: JSON.stringify({ ...BODY, maxPriorityFeePerGas: '30000000001' }) }));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.details.problems).toEqual([
      expect.objectContaining({
        field: 'body.maxPriorityFeePerGas',
        message: 'must not exceed maxFeePerGas (30000000000)',
        received: '30000000001',
      }),
    ]);
  });

  test('fails with 400 when the chain id is not this deployment’s', async () => {
    const res = await handler(post({ body: JSON.stringify({ ...BODY, chainId: 1 }) }));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.message).toContain(
      'body.chainId must be 11155111, the chain this deployment signs for; received 1',
    );
  });

  test('fails with 400 on a missing body and a bad wallet id, in one answer', async () => {
    const res = await handler(post({ body: null, walletId: 'w 1' }));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.details.problems.map((p: { field: string }) => p.field)).toEqual([
      'path walletId',
      'body',
    ]);
  });

  test('fails with 404 for an unknown wallet, storing nothing', async () => {
    // Prepare
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({});
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-404') }).resolves({});
    // Act
    const res = await handler(post({ walletId: 'w-404' }));
    // Assess
    expect(res.statusCode).toBe(404);
    expect(parseBody(res).error).toEqual({
      code: 'WalletNotFound',
      message: 'wallet "w-404" does not exist. Fix: check the wallet id in the URL',
    });
    expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  test('fails with 409 for a wallet that is not active', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({});
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet('frozen') });
    const res = await handler(post());
    expect(res.statusCode).toBe(409);
    expect(parseBody(res).error.code).toBe('WalletNotActive');
  });

  test('answers 503 with a clear message in degraded mode and writes nothing', async () => {
    // Prepare
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({
      Item: {
        degraded: true,
        updatedAt: '2025-03-01T11:00:00.000Z',
        reason: 'signer error rate above 5%',
        setBy: 'remediation:us-east-2:example-wallet-us-east-2-signer-errors',
      },
    });
    // Act
    const res = await handler(post());
    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('60');
    expect(parseBody(res).error).toEqual({
      code: 'WithdrawalsSuspended',
      message:
        'new transactions are suspended in us-east-2 (degraded mode since 2025-03-01T11:00:00.000Z: signer error rate above 5%); ' +
        'this request was not processed. Reading transactions and health still work, and transactions accepted earlier are still signed. ' +
        'Fix: retry later with the same Idempotency-Key',
    });
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      Key: ledgerKeys.regionControl(REGION),
      ConsistentRead: true,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  test('answers a generic 500 with the request id when DynamoDB fails, without leaking internals', async () => {
    ddbMock
      .on(GetCommand)
      .rejects(new InternalServerError({ message: 'table ledger partition p7 hot', $metadata: {} }));
    const res = await handler(post());
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('partition');
    expect(parseBody(res)).toEqual({
      error: {
        code: 'InternalError',
        message:
          'internal error; nothing about your request is known to be wrong. Retry with the same Idempotency-Key, and quote request id req-test-1 if it persists',
      },
      requestId: 'req-test-1',
    });
  });

  test('when queueing fails, answers 500 so the client retries, and the retry completes it', async () => {
    // Prepare
    prepareHealthyLedger();
    sqsMock.on(SendMessageCommand).rejectsOnce(new Error('sqs unavailable')).resolves({ MessageId: 'm' });
    // Act
    const first = await handler(post());
    ddbMock.on(PutCommand).rejects(ccf());
    ddbMock.on(GetCommand, { Key: ledgerKeys.idempotency('w-1', KEY) }).resolves({
      Item: { txId: TX_ID, requestHash: requestHash(NORMALIZED), createdAt: NOW.toISOString() },
    });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({ Item: txItem() });
    const retry = await handler(post());
    // Assess
    expect(first.statusCode).toBe(500);
    expect(retry.statusCode).toBe(202);
    expect(parseBody(retry).txId).toBe(TX_ID);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageCommand, 2);
  });
});

describe('canary transactions (lib/contract/canary.ts)', () => {
  const canaryWallet = { ...wallet(), ...ledgerKeys.wallet(CANARY_WALLET_ID), walletId: CANARY_WALLET_ID };

  test('the canary wallet accepts the canary body, with placeholder fees and the deployment’s chain', async () => {
    // Prepare
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet(CANARY_WALLET_ID) }).resolves({ Item: canaryWallet });
    ddbMock.on(PutCommand).resolves({});
    sqsMock.on(SendMessageCommand).resolves({});
    // Act
    const res = await handler(post({ walletId: CANARY_WALLET_ID, body: JSON.stringify(canaryTransactionRequest()) }));
    // Assess
    expect(res.statusCode).toBe(202);
    expect(parseBody(res)).toMatchObject({ txId: TX_ID, status: 'queued' });
    const stored = ddbMock
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input.Item!)
      .find((i) => i.sk === `TX#${TX_ID}`);
    expect(stored!.request).toEqual({
      to: '0x000000000000000000000000000000000000dead',
      value: '0',
      gasLimit: '21000',
      maxFeePerGas: '1',
      maxPriorityFeePerGas: '1',
      chainId: 11155111,
      canary: true,
    });
  });

  test('a canary transaction goes through degraded mode (it is not a withdrawal)', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({ Item: { degraded: true } });
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet(CANARY_WALLET_ID) }).resolves({ Item: canaryWallet });
    ddbMock.on(PutCommand).resolves({});
    sqsMock.on(SendMessageCommand).resolves({});
    const res = await handler(post({ walletId: CANARY_WALLET_ID, body: JSON.stringify(canaryTransactionRequest()) }));
    expect(res.statusCode).toBe(202);
    expect(ddbMock).not.toHaveReceivedCommandWith(GetCommand, { Key: ledgerKeys.regionControl(REGION) });
  });

  test('fails with 400 when the canary wallet gets a real withdrawal body', async () => {
    const res = await handler(post({ walletId: CANARY_WALLET_ID }));
    expect(res.statusCode).toBe(400);
    const problems = parseBody(res).error.details.problems as Array<{ field: string; message: string }>;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'body',
          message: 'has unknown fields "gasLimit", "maxFeePerGas", "maxPriorityFeePerGas", "chainId"',
        }),
        expect.objectContaining({ field: 'body.canary', message: 'is required' }),
      ]),
    );
  });

  test('fails with 400 when a real wallet’s request carries the canary flag', async () => {
    const res = await handler(post({ body: JSON.stringify({ ...BODY, canary: true }) }));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.details.problems).toEqual([
      {
        field: 'body.canary',
        message: `is only accepted for the canary wallet "${CANARY_WALLET_ID}"`,
        received: true,
        fix: 'remove "canary" from a real withdrawal',
      },
    ]);
    expect(ddbMock.calls()).toHaveLength(0);
  });
});

describe('GET /v1/wallets/{walletId}/transactions/{txId}', () => {
  test('returns status, signed raw transaction and hash once signed', async () => {
    // Prepare
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet() });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({
      Item: txItem({
        status: 'signed',
        nonce: 4,
        signedRaw: '0x02f8aa',
        txHash: `0x${'cd'.repeat(32)}`,
        signedAt: NOW.toISOString(),
      }),
    });
    // Act
    const res = await handler(get());
    // Assess
    expect(res.statusCode).toBe(200);
    expect(parseBody(res)).toEqual({
      txId: TX_ID,
      walletId: 'w-1',
      status: 'signed',
      from: ADDRESS,
      request: NORMALIZED,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      nonce: 4,
      signedRawTransaction: '0x02f8aa',
      transactionHash: `0x${'cd'.repeat(32)}`,
      signedAt: NOW.toISOString(),
    });
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      Key: ledgerKeys.transaction('w-1', TX_ID),
      ConsistentRead: true,
    });
  });

  test('never shows the signed raw transaction of a quarantined transaction', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet() });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({
      Item: txItem({
        status: 'quarantined',
        signedRaw: '0x02f8aa',
        txHash: '0xab',
        quarantineReason: 'nonce below chain',
        quarantinedAt: NOW.toISOString(),
      }),
    });
    const res = await handler(get());
    expect(res.statusCode).toBe(200);
    expect(parseBody(res).signedRawTransaction).toBeUndefined();
    expect(parseBody(res).quarantine).toEqual({ reason: 'nonce below chain', at: NOW.toISOString() });
  });

  test('still answers in degraded mode (reads keep working)', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl(REGION) }).resolves({ Item: { degraded: true } });
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet() });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({ Item: txItem() });
    const res = await handler(get());
    expect(res.statusCode).toBe(200);
    expect(parseBody(res).status).toBe('queued');
  });

  test('fails with 404 for an unknown wallet', async () => {
    ddbMock.on(GetCommand).resolves({});
    const res = await handler(get('w-404'));
    expect(res.statusCode).toBe(404);
    expect(parseBody(res).error.code).toBe('WalletNotFound');
  });

  test('fails with 404 for an unknown transaction of a known wallet', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet() });
    ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({});
    const res = await handler(get());
    expect(res.statusCode).toBe(404);
    expect(parseBody(res).error.message).toBe(
      `transaction "${TX_ID}" does not exist in wallet "w-1". Fix: use the txId returned by POST /v1/wallets/{walletId}/transactions for this wallet`,
    );
  });

  test('fails with 400 on a txId that is not one', async () => {
    const res = await handler(get('w-1', 'DROP TABLE'));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res).error.details.problems[0]).toMatchObject({ field: 'path txId', received: 'DROP TABLE' });
    expect(ddbMock.calls()).toHaveLength(0);
  });
});

test('routes by path behind a greedy {proxy+} resource', async () => {
  // Prepare
  ddbMock.on(GetCommand, { Key: ledgerKeys.wallet('w-1') }).resolves({ Item: wallet() });
  ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({ Item: txItem() });
  // Act
  const res = await handler(
    apiEvent({ method: 'GET', resource: '/{proxy+}', path: `/v1/wallets/w-1/transactions/${TX_ID}` }),
  );
  // Assess
  expect(res.statusCode).toBe(200);
  expect(parseBody(res).txId).toBe(TX_ID);
});

test('answers 404 for a route it does not serve', async () => {
  const res = await handler(
    apiEvent({ method: 'DELETE', resource: ROUTES.getTransaction, path: '/v1/wallets/w-1/transactions/x' }),
  );
  expect(res.statusCode).toBe(404);
  expect(parseBody(res).error.code).toBe('RouteNotFound');
});
