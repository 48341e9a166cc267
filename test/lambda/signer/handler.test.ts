import type { Consistency } from '../../../lib/contract/ledger';
import 'aws-sdk-client-mock-jest';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, KMSServiceException, SignCommand } from '@aws-sdk/client-kms';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  PutCommandInput,
  UpdateCommand,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeRlp, getBytes, Signature, SigningKey, Transaction, zeroPadValue } from 'ethers';
import { CANARY_SIGNING_NONCE, CANARY_WALLET_ID } from '../../../lib/contract/canary';
import { ledgerKeys } from '../../../lib/contract/ledger';
import { KMS_THROTTLE_LOG_EVENT } from '../../../lib/contract/observability';
import { type Broadcaster, NonceTakenError } from '../../../lambda/shared/chain';
import { KmsSigningKey } from '../../../lambda/shared/kms-signer';
import { allocationAttribute } from '../../../lib/failover/nonce';
import { createLogger, silentLogger } from '../../../lambda/shared/logger';
import { buildEip1559, signingDigest, TxRequest } from '../../../lambda/shared/signing';
import { createSigner, logKmsRetry, parseMessage } from '../../../lambda/signer/handler';
import { LocalKey, newLocalKey } from '../../helpers/local-key';
import { sqsEvent } from '../helpers';

const ddbMock = mockClient(DynamoDBDocumentClient);
const kmsMock = mockClient(KMSClient);

const REGION = 'us-east-2';
const KEY_ARN = 'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef';
const TX_ID = '0b7e6c3a-1d2f-4e5a-8b9c-0d1e2f3a4b5c';
const NOW = new Date('2025-03-01T12:00:00.000Z');
const REQUEST: TxRequest = {
  to: '0x52908400098527886e0f7030069857d2e4169ee7',
  value: '1000000000000000000',
  gasLimit: '21000',
  maxFeePerGas: '30000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 11155111,
};

// Conditions that identify each ledger write (aws-sdk-client-mock matches inputs partially).
const ALLOCATE = { UpdateExpression: 'SET nextNonce = :next, #alloc = :seen' };
const RELEASE = { UpdateExpression: 'REMOVE #alloc' };
const ASSIGN = {
  ConditionExpression: '(attribute_not_exists(nonce) AND #status = :queued) OR (nonce = :n AND #status = :assigned)',
};
const MARK_SIGNED = { ConditionExpression: '#status = :assigned AND nonce = :n' };
const QUARANTINE = { ConditionExpression: '#status = :seen' };
const RESERVE = {
  ConditionExpression: 'attribute_not_exists(pk)',
  TableName: 'ledger',
};
const VOID_SIGNATURE = { ConditionExpression: 'kind = :void AND digest = :d AND attribute_not_exists(signedRaw)' };

let key: LocalKey;
let address: string;

const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttle = () =>
  new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });

function signerFor(options: { consistency?: Consistency; broadcaster?: Broadcaster } = {}) {
  return createSigner({
    env: {
      region: REGION,
      tableName: 'ledger',
      signingKeyArn: KEY_ARN,
      chainId: 11155111,
      consistency: options.consistency ?? 'MRSC',
    },
    ledger: { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' },
    key: new KmsSigningKey(new KMSClient({}), KEY_ARN, { hooks: { sleep: async () => undefined } }),
    logger: silentLogger(),
    broadcaster: options.broadcaster,
    now: () => NOW,
  });
}

const leaseItem = (over: Record<string, unknown> = {}) => ({
  ...ledgerKeys.lease(address),
  address,
  activeRegion: REGION,
  epoch: 2,
  nextNonce: 7,
  updatedAt: '2025-01-01T00:00:00.000Z',
  updatedBy: 't',
  reason: 't',
  reconciledEpoch: 2,
  ...over,
});

const txItem = (over: Record<string, unknown> = {}) => ({
  ...ledgerKeys.transaction('w-1', TX_ID),
  walletId: 'w-1',
  txId: TX_ID,
  address,
  status: 'queued',
  request: REQUEST,
  requestHash: 'h',
  idempotencyKey: 'k-12345678',
  intakeRegion: REGION,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  ...over,
});

/** The SET attributes of an update built by the ledger (names #sN, values :sN). */
function setAttributes(input: UpdateCommandInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [alias, name] of Object.entries(input.ExpressionAttributeNames ?? {})) {
    if (/^#s\d+$/.test(alias)) out[name] = input.ExpressionAttributeValues?.[`:${alias.slice(1)}`];
  }
  return out;
}

const updates = (match: Partial<UpdateCommandInput>) =>
  ddbMock
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input)
    .filter((i) => Object.entries(match).every(([k, v]) => (i as Record<string, unknown>)[k] === v));

const puts = (match: Partial<PutCommandInput>) =>
  ddbMock
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input)
    .filter((i) => Object.entries(match).every(([k, v]) => (i as Record<string, unknown>)[k] === v));

/** A ledger where this region holds the lease and every conditional write succeeds. */
function prepareLeaseHolder(tx: Record<string, unknown> = txItem()) {
  ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({ Item: leaseItem() });
  ddbMock.on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) }).resolves({ Item: tx });
  ddbMock.on(UpdateCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  kmsMock.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
    Signature: key.signDigestDer(input.Message, { highS: true }),
  }));
}

beforeAll(() => {
  key = newLocalKey();
  address = key.address.toLowerCase();
});
beforeEach(() => {
  ddbMock.reset();
  kmsMock.reset();
  kmsMock
    .on(GetPublicKeyCommand)
    .resolves({ PublicKey: key.spki, KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
});

test('the lease holder allocates the next nonce, reserves it, signs with KMS and stores a transaction ethers verifies', async () => {
  // Prepare
  prepareLeaseHolder();
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess: nothing failed
  expect(res).toEqual({ batchItemFailures: [] });
  // the nonce came from the lease counter (epoch-fenced CAS) and was recorded once on the transaction
  expect(updates(ALLOCATE)[0]).toMatchObject({
    ConditionExpression: 'activeRegion = :me AND epoch = :epoch AND nextNonce = :seen AND attribute_not_exists(#alloc)',
    ExpressionAttributeValues: { ':me': REGION, ':epoch': 2, ':seen': 7, ':next': 8 },
    ExpressionAttributeNames: { '#alloc': allocationAttribute(TX_ID) },
  });
  expect(setAttributes(updates(ASSIGN)[0])).toEqual({ nonce: 7, nonceEpoch: 2, nonceRegion: REGION });
  expect(updates(RELEASE)).toHaveLength(1);
  // the payload was pinned to (address, 7) before signing
  const digest = signingDigest(buildEip1559(REQUEST, 7));
  expect(puts(RESERVE)[0].Item).toMatchObject({
    ...ledgerKeys.nonceReservation(address, 7),
    kind: 'tx',
    txId: TX_ID,
    digest,
    epoch: 2,
    region: REGION,
  });
  expect(kmsMock).toHaveReceivedCommandWith(SignCommand, {
    KeyId: KEY_ARN,
    MessageType: 'DIGEST',
    SigningAlgorithm: 'ECDSA_SHA_256',
    Message: Uint8Array.from(Buffer.from(digest.slice(2), 'hex')),
  });
  // the stored transaction is valid for an independent library, from the key's address, low s
  const stored = setAttributes(updates(MARK_SIGNED)[0]);
  const parsed = Transaction.from(stored.signedRaw as string);
  expect(parsed.from!.toLowerCase()).toBe(address);
  expect(parsed.nonce).toBe(7);
  expect(parsed.hash).toBe(stored.txHash);
  expect(stored).toMatchObject({ digest, signedEpoch: 2, signedRegion: REGION, signedAt: NOW.toISOString() });
  expect(updates(MARK_SIGNED)[0].ExpressionAttributeValues).toMatchObject({ ':n': 7, ':assigned': 'nonce-assigned' });
});

test('a standby refuses: the message is reported failed (back to the queue), nothing is read, written or signed', async () => {
  // Prepare: the lease is held by the other region
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.lease(address) })
    .resolves({ Item: leaseItem({ activeRegion: 'us-west-2' }) });
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
});

test('a region refuses when no lease exists at all', async () => {
  ddbMock.on(GetCommand).resolves({});
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  expect(res.batchItemFailures).toHaveLength(1);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
});

test('under MREC the holder refuses until the epoch is reconciled with the chain', async () => {
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.lease(address) })
    .resolves({ Item: leaseItem({ epoch: 3, reconciledEpoch: 2 }) });
  const res = await signerFor({ consistency: 'MREC' }).handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
});

test('retries KMS throttling with backoff and then signs', async () => {
  // Prepare
  prepareLeaseHolder();
  kmsMock
    .on(SignCommand)
    .rejectsOnce(throttle())
    .rejectsOnce(throttle())
    .callsFake((input: { Message: Uint8Array }) => ({ Signature: key.signDigestDer(input.Message) }));
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 3);
  expect(updates(MARK_SIGNED)).toHaveLength(1);
});

test('the KMS retry log line is the one the kms-throttling metric filter counts ($.message, $.error.name)', () => {
  // Prepare: the real Powertools logger, its JSON output captured
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    // Act
    logKmsRetry(createLogger('wallet-signer'))(1, 120, throttle());
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  // Assess: exactly what the filter matches (lib/constructs/wallet-alarms.ts)
  const entries = lines.map((l) => JSON.parse(l) as { message: string; level: string; error: { name: string } });
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ level: 'WARN', attempt: 1, delayMs: 120 });
  expect(entries[0].message).toBe(KMS_THROTTLE_LOG_EVENT.message);
  expect(entries[0].error.name).toBe(KMS_THROTTLE_LOG_EVENT.errorName);
});

test('when KMS keeps throttling, the message fails (retried later) with its nonce kept on the transaction', async () => {
  // Prepare
  prepareLeaseHolder();
  kmsMock.on(SignCommand).rejects(throttle());
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 5);
  expect(updates(ASSIGN)).toHaveLength(1); // the retry reuses nonce 7, it does not allocate again
  expect(updates(MARK_SIGNED)).toHaveLength(0);
});

test('a retry after a crash reuses the nonce already on the transaction (no second allocation)', async () => {
  // Prepare: the transaction got nonce 5 in an earlier attempt
  prepareLeaseHolder(txItem({ status: 'nonce-assigned', nonce: 5, nonceEpoch: 2 }));
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  expect(updates(ALLOCATE)).toHaveLength(0);
  expect(updates(ASSIGN)).toHaveLength(0);
  expect(puts(RESERVE)[0].Item).toMatchObject({ nonce: 5, txId: TX_ID });
  expect(Transaction.from(setAttributes(updates(MARK_SIGNED)[0]).signedRaw as string).nonce).toBe(5);
});

test('a retry after a crash between recording the nonce and releasing its allocation releases it', async () => {
  // Prepare: nonce 5 is on the transaction and still recorded on the lease
  prepareLeaseHolder(txItem({ status: 'nonce-assigned', nonce: 5, nonceEpoch: 2 }));
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.lease(address) })
    .resolves({ Item: leaseItem({ [allocationAttribute(TX_ID)]: 5 }) });
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  expect(updates(ALLOCATE)).toHaveLength(0);
  expect(updates(RELEASE)[0].ExpressionAttributeNames).toEqual({ '#alloc': allocationAttribute(TX_ID) });
});

test('a retry after a crash between reserving and signing finds its own reservation and signs the same payload', async () => {
  // Prepare
  prepareLeaseHolder(txItem({ status: 'nonce-assigned', nonce: 5, nonceEpoch: 2 }));
  const digest = signingDigest(buildEip1559(REQUEST, 5));
  ddbMock.on(PutCommand, RESERVE).rejects(ccf());
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.nonceReservation(address, 5) })
    .resolves({ Item: { address, nonce: 5, kind: 'tx', txId: TX_ID, digest } });
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 1);
  expect(setAttributes(updates(MARK_SIGNED)[0]).digest).toBe(digest);
  expect(updates(QUARANTINE)).toHaveLength(0);
});

test('never signs a second payload at a nonce reserved for another: the transaction is quarantined and the message done', async () => {
  // Prepare: nonce 5 is reserved for another transaction
  prepareLeaseHolder(txItem({ status: 'nonce-assigned', nonce: 5, nonceEpoch: 1 }));
  ddbMock.on(PutCommand, RESERVE).rejects(ccf());
  ddbMock.on(GetCommand, { Key: ledgerKeys.nonceReservation(address, 5) }).resolves({
    Item: { address, nonce: 5, kind: 'tx', txId: 'other-tx', digest: '0xother' },
  });
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
  const q = updates(QUARANTINE)[0];
  expect(q.ExpressionAttributeValues).toMatchObject({ ':status': 'quarantined', ':seen': 'nonce-assigned' });
  expect(setAttributes(q).quarantineReason).toContain('nonce 5 is reserved for tx other-tx with digest 0xother');
});

test('when another delivery stored its signature first, ours is discarded and the message is done', async () => {
  prepareLeaseHolder();
  ddbMock.on(UpdateCommand, MARK_SIGNED).rejects(ccf());
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  expect(res.batchItemFailures).toEqual([]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 1);
});

test('a nonce orphaned by a concurrent delivery is voided with a 0-value self-transfer, never left as a gap', async () => {
  // Prepare: our allocation gets nonce 7, but a concurrent delivery already recorded nonce 6
  prepareLeaseHolder();
  ddbMock.on(UpdateCommand, ASSIGN).rejects(ccf());
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) })
    .resolvesOnce({ Item: txItem() })
    .resolves({ Item: txItem({ status: 'nonce-assigned', nonce: 6, nonceEpoch: 2 }) });
  // Act
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  const reservations = puts(RESERVE).map((p) => p.Item!);
  expect(reservations).toEqual([
    expect.objectContaining({ nonce: 7, kind: 'void', txId: `orphan-of-${TX_ID}` }),
    expect.objectContaining({ nonce: 6, kind: 'tx', txId: TX_ID }),
  ]);
  const voided = updates(VOID_SIGNATURE)[0].ExpressionAttributeValues!;
  const filler = Transaction.from(voided[':raw'] as string);
  expect(filler.nonce).toBe(7);
  expect(filler.to!.toLowerCase()).toBe(address);
  expect(filler.value).toBe(0n);
  expect(filler.from!.toLowerCase()).toBe(address);
  expect(Transaction.from(setAttributes(updates(MARK_SIGNED)[0]).signedRaw as string).nonce).toBe(6);
});

test('skips a quarantined transaction without signing (only an operator releases it)', async () => {
  prepareLeaseHolder(txItem({ status: 'quarantined', quarantineReason: 'x' }));
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  expect(res.batchItemFailures).toEqual([]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
});

test('does not sign an already signed transaction again', async () => {
  prepareLeaseHolder(txItem({ status: 'signed', nonce: 3, signedRaw: '0x02', txHash: '0xab', digest: '0xd' }));
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  expect(res.batchItemFailures).toEqual([]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
});

test('fails the message when the transaction belongs to another address than this region’s key', async () => {
  prepareLeaseHolder(txItem({ address: '0x1111111111111111111111111111111111111111' }));
  const res = await signerFor().handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
});

test('FIFO: after the first failure, every later message of the batch is reported failed too, unprocessed', async () => {
  // Prepare
  prepareLeaseHolder(txItem({ status: 'signed' }));
  // Act: m-2 is malformed
  const res = await signerFor().handler(
    sqsEvent([{ walletId: 'w-1', txId: TX_ID }, 'not json', { walletId: 'w-1', txId: TX_ID }]),
  );
  // Assess
  expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }]);
  expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 2); // lease + tx for m-1 only
});

test('with a broadcaster, sends the stored raw transaction and marks it broadcast', async () => {
  // Prepare
  const sent: string[] = [];
  const broadcaster: Broadcaster = { name: 'test', enabled: true, broadcast: async (raw) => void sent.push(raw) };
  prepareLeaseHolder();
  const digest = signingDigest(buildEip1559(REQUEST, 7));
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) })
    .resolvesOnce({ Item: txItem() })
    .callsFake(() => {
      const stored = setAttributes(updates(MARK_SIGNED)[0]);
      return { Item: txItem({ status: 'signed', nonce: 7, ...stored }) };
    });
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.nonceReservation(address, 7) })
    .resolves({ Item: { kind: 'tx', txId: TX_ID, digest, nonce: 7 } });
  // Act
  const res = await signerFor({ broadcaster }).handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess
  expect(res.batchItemFailures).toEqual([]);
  expect(sent).toEqual([setAttributes(updates(MARK_SIGNED)[0]).signedRaw]);
  expect(updates({ ConditionExpression: '#status = :signed AND txHash = :h' })).toHaveLength(1);
});

test.each([
  [
    'names the transaction holding the nonce when the chain reported it',
    `0x${'ab'.repeat(32)}`,
    `holds that nonce (reported by the chain: look it up with eth_getTransactionByHash 0x${'ab'.repeat(32)})`,
  ],
  [
    'says no provider could name the holder when none did',
    undefined,
    'another transaction holds that nonce (no provider could name it: look up nonce 7 of',
  ],
])('a nonce taken on chain quarantines the transaction: the reason %s', async (_what, heldByHash, expected) => {
  // Prepare: the broadcaster answers that another transaction holds nonce 7
  const broadcaster: Broadcaster = {
    name: 'test',
    enabled: true,
    broadcast: async () => {
      throw new NonceTakenError('nonce 7 is held', heldByHash === undefined ? { nonce: 7 } : { nonce: 7, heldByHash });
    },
  };
  prepareLeaseHolder();
  const digest = signingDigest(buildEip1559(REQUEST, 7));
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.transaction('w-1', TX_ID) })
    .resolvesOnce({ Item: txItem() })
    .callsFake(() => {
      const stored = setAttributes(updates(MARK_SIGNED)[0]);
      return { Item: txItem({ status: 'signed', nonce: 7, ...stored }) };
    });
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.nonceReservation(address, 7) })
    .resolves({ Item: { kind: 'tx', txId: TX_ID, digest, nonce: 7 } });
  // Act
  const res = await signerFor({ broadcaster }).handler(sqsEvent([{ walletId: 'w-1', txId: TX_ID }]));
  // Assess: the message is done (retrying cannot help) and the reason names what the chain said
  expect(res.batchItemFailures).toEqual([]);
  const reason = String(setAttributes(updates(QUARANTINE)[0]).quarantineReason);
  expect(reason).toContain(expected);
  if (heldByHash !== undefined) expect(reason).not.toContain('no provider could name it');
});

test('a canary transaction is lease-checked, then signed at the canary nonce without touching the counter or a reservation', async () => {
  // Prepare
  const canaryRequest = { ...REQUEST, to: '0x000000000000000000000000000000000000dead', value: '0', canary: true };
  prepareLeaseHolder(
    txItem({ ...ledgerKeys.transaction(CANARY_WALLET_ID, TX_ID), walletId: CANARY_WALLET_ID, request: canaryRequest }),
  );
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.transaction(CANARY_WALLET_ID, TX_ID) })
    .resolves({ Item: txItem({ walletId: CANARY_WALLET_ID, request: canaryRequest }) });
  // Act
  const outcome = await signerFor().processMessage(JSON.stringify({ walletId: CANARY_WALLET_ID, txId: TX_ID }));
  // Assess
  expect(outcome).toBe('canary-signed');
  expect(updates(ALLOCATE)).toHaveLength(0);
  expect(puts(RESERVE)).toHaveLength(0);
  const stored = updates({ ConditionExpression: '#status = :queued AND attribute_not_exists(nonce)' })[0];
  const set = setAttributes(stored);
  expect(set.canaryNonce).toBe(CANARY_SIGNING_NONCE.toString());
  // The raw transaction carries nonce 2^64-1 and a signature by the key (decoded with ethers' RLP)
  const fields = decodeRlp(`0x${(set.signedRaw as string).slice(4)}`) as string[];
  expect(BigInt(fields[1])).toBe(CANARY_SIGNING_NONCE);
  const [yParity, r, s] = fields.slice(9) as string[];
  const signature = Signature.from({
    r: zeroPadValue(r, 32),
    s: zeroPadValue(s, 32),
    yParity: yParity === '0x' ? 0 : 1,
  });
  expect(SigningKey.recoverPublicKey(getBytes(set.digest as string), signature)).toBe(key.ethers.publicKey);
});

test('a standby refuses a canary transaction like any other (that is what the canary measures)', async () => {
  ddbMock
    .on(GetCommand, { Key: ledgerKeys.lease(address) })
    .resolves({ Item: leaseItem({ activeRegion: 'us-west-2' }) });
  const res = await signerFor().handler(sqsEvent([{ walletId: CANARY_WALLET_ID, txId: TX_ID }]));
  expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
});

describe('parseMessage', () => {
  test.each([
    ['{"walletId":"w"}', 'signing message needs walletId and txId strings; received {"walletId":"w"}'],
    ['[', 'signing message is not JSON; received ['],
    ['{"kind":"fill-gap","nonce":-1}', 'fill-gap message needs nonce (whole number)'],
  ])('fails on %s saying what is wrong', (body, message) => {
    expect(() => parseMessage(body)).toThrow(message);
  });

  test('reads a fill-gap request', () => {
    expect(parseMessage('{"kind":"fill-gap","nonce":4,"maxFeePerGas":"10","maxPriorityFeePerGas":"1"}')).toEqual({
      kind: 'fill-gap',
      nonce: 4,
      maxFeePerGas: '10',
      maxPriorityFeePerGas: '1',
    });
  });
});
