import 'aws-sdk-client-mock-jest';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerKeys } from '../../lib/contract/ledger';
import { NotLeaseHolderError } from '../../lib/failover/lease';
import {
  allocateNonce,
  allocationAttribute,
  NonceContentionError,
  releaseNonceAllocation,
} from '../../lib/failover/nonce';

const ddbMock = mockClient(DynamoDBDocumentClient);
const store = { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' };
const ADDRESS = '0xabcdefabcdefabcdefabcdefabcdefabcdefabcd';
const TX = '5b0c1c3e-8f7a-4d5e-9a51-0e6f3c2b1a00';
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const leaseItem = (over: Record<string, unknown> = {}) => ({
  ...ledgerKeys.lease(ADDRESS),
  address: ADDRESS,
  activeRegion: 'us-east-2',
  epoch: 3,
  nextNonce: 10,
  updatedAt: '2025-01-01T00:00:00.000Z',
  updatedBy: 'test',
  reason: 'test',
  reconciledEpoch: 3,
  ...over,
});

beforeEach(() => {
  ddbMock.reset();
});

test('allocates the counter value with a compare-and-set that names the epoch and records the txId', async () => {
  // Prepare
  ddbMock.on(GetCommand).resolves({ Item: leaseItem() });
  ddbMock.on(UpdateCommand).resolves({});
  // Act
  const nonce = await allocateNonce(store, ADDRESS, 'us-east-2', 3, TX);
  // Assess
  expect(nonce).toBe(10);
  expect(ddbMock).toHaveReceivedCommandWith(GetCommand, { Key: ledgerKeys.lease(ADDRESS), ConsistentRead: true });
  expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
    Key: ledgerKeys.lease(ADDRESS),
    UpdateExpression: 'SET nextNonce = :next, #alloc = :seen',
    ConditionExpression: 'activeRegion = :me AND epoch = :epoch AND nextNonce = :seen AND attribute_not_exists(#alloc)',
    ExpressionAttributeNames: { '#alloc': allocationAttribute(TX) },
    ExpressionAttributeValues: { ':me': 'us-east-2', ':epoch': 3, ':seen': 10, ':next': 11 },
  });
});

test('returns the nonce already recorded for the same txId without allocating another (retry after a crash)', async () => {
  // Prepare
  ddbMock.on(GetCommand).resolves({ Item: leaseItem({ nextNonce: 12, [allocationAttribute(TX)]: 10 }) });
  // Act
  const nonce = await allocateNonce(store, ADDRESS, 'us-east-2', 3, TX);
  // Assess
  expect(nonce).toBe(10);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
});

test('after losing a race, reads the counter again and takes the next value', async () => {
  // Prepare
  ddbMock
    .on(GetCommand)
    .resolvesOnce({ Item: leaseItem() })
    .resolvesOnce({ Item: leaseItem({ nextNonce: 11 }) });
  ddbMock.on(UpdateCommand).rejectsOnce(ccf()).resolves({});
  // Act
  const nonce = await allocateNonce(store, ADDRESS, 'us-east-2', 3, TX);
  // Assess
  expect(nonce).toBe(11);
  expect(ddbMock).toHaveReceivedNthCommandWith(4, UpdateCommand, {
    ExpressionAttributeValues: { ':me': 'us-east-2', ':epoch': 3, ':seen': 11, ':next': 12 },
  });
});

test('fails with NotLeaseHolderError when the lease moved between the check and the allocation', async () => {
  // Prepare: the write fails its condition because the lease moved to the standby (epoch 4)
  ddbMock
    .on(GetCommand)
    .resolvesOnce({ Item: leaseItem() })
    .resolves({ Item: leaseItem({ activeRegion: 'us-west-2', epoch: 4 }) });
  ddbMock.on(UpdateCommand).rejects(ccf());
  // Act
  const err = await allocateNonce(store, ADDRESS, 'us-east-2', 3, TX).catch((e: unknown) => e);
  // Assess
  expect(err).toBeInstanceOf(NotLeaseHolderError);
  expect((err as Error).message).toBe(
    `us-east-2 lost the lease for ${ADDRESS} (epoch 3 is no longer current; held by us-west-2 at epoch 4); not allocating a nonce`,
  );
  expect((err as NotLeaseHolderError).lease?.epoch).toBe(4);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
});

test('fails without writing when the caller names an old epoch', async () => {
  ddbMock.on(GetCommand).resolves({ Item: leaseItem({ epoch: 5 }) });
  await expect(allocateNonce(store, ADDRESS, 'us-east-2', 3, TX)).rejects.toThrow(NotLeaseHolderError);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
});

test('gives up after the bounded number of contended attempts', async () => {
  // Prepare
  let n = 0;
  ddbMock.on(GetCommand).callsFake(() => ({ Item: leaseItem({ nextNonce: 10 + n++ }) }));
  ddbMock.on(UpdateCommand).rejects(ccf());
  // Act / Assess
  await expect(
    allocateNonce(store, ADDRESS, 'us-east-2', 3, TX, { maxAttempts: 4, pause: async () => undefined }),
  ).rejects.toThrow(NonceContentionError);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 4);
});

test('fails on a txId that cannot be an attribute name', async () => {
  await expect(allocateNonce(store, ADDRESS, 'us-east-2', 3, 'tx id with spaces')).rejects.toThrow(
    'txId must match /^[A-Za-z0-9_-]{1,64}$/; received "tx id with spaces"',
  );
});

test('releasing an allocation removes only that txId’s entry', async () => {
  ddbMock.on(UpdateCommand).resolves({});
  await releaseNonceAllocation(store, ADDRESS, TX);
  expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
    UpdateExpression: 'REMOVE #alloc',
    ExpressionAttributeNames: { '#alloc': `alloc_${TX}` },
  });
});
