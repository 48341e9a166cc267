import 'aws-sdk-client-mock-jest';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerKeys } from '../../lib/contract/ledger';
import {
  compareAndSetCondition,
  DegradedModeConflictError,
  enterDegradedMode,
  leaveDegradedMode,
  setDegradedMode,
} from '../../lib/failover/region-control';

const ddbMock = mockClient(DynamoDBDocumentClient);
const ledger = { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' };
const NOW = new Date('2025-03-01T12:00:00.000Z');

beforeEach(() => {
  ddbMock.reset();
});

test('entering writes the control item and an audit item with who, when and why', async () => {
  // Prepare
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(UpdateCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  // Act
  const change = await enterDegradedMode(ledger, {
    region: 'us-east-2',
    actor: 'arn:aws:sts::111111111111:assumed-role/Operator/jane',
    reason: 'signer error rate above 5%',
    now: NOW,
  });
  // Assess
  expect(change).toMatchObject({ changed: true, before: { degraded: false, exists: false } });
  expect(change.after).toEqual({
    region: 'us-east-2',
    degraded: true,
    reason: 'signer error rate above 5%',
    setBy: 'arn:aws:sts::111111111111:assumed-role/Operator/jane',
    updatedAt: NOW.toISOString(),
    changeId: expect.any(String),
    exists: true,
  });
  const changeId = change.after.changeId as string;
  expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
    Key: ledgerKeys.regionControl('us-east-2'),
    ConsistentRead: true,
  });
  expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
    Key: ledgerKeys.regionControl('us-east-2'),
    UpdateExpression: 'SET degraded = :degraded, reason = :reason, setBy = :by, updatedAt = :at, changeId = :change',
    ConditionExpression: 'attribute_not_exists(pk)',
    ExpressionAttributeValues: {
      ':degraded': true,
      ':reason': 'signer error rate above 5%',
      ':by': 'arn:aws:sts::111111111111:assumed-role/Operator/jane',
      ':at': NOW.toISOString(),
      ':change': changeId,
    },
  });
  expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
    Item: expect.objectContaining({
      ...ledgerKeys.audit('region#us-east-2', NOW.toISOString(), `degraded-enter#${changeId}`),
      kind: 'degraded-mode-enter',
      region: 'us-east-2',
      actor: 'arn:aws:sts::111111111111:assumed-role/Operator/jane',
      reason: 'signer error rate above 5%',
      at: NOW.toISOString(),
    }),
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  expect(change.auditKey).toEqual(
    ledgerKeys.audit('region#us-east-2', NOW.toISOString(), `degraded-enter#${changeId}`),
  );
});

test('leaving a mode remediation set is conditional on the state it read', async () => {
  // Prepare: an item written before changeId existed
  ddbMock.on(GetCommand).resolves({
    Item: {
      ...ledgerKeys.regionControl('us-east-2'),
      degraded: true,
      reason: 'signer-errors in ALARM',
      setBy: 'remediation:us-east-2:example-wallet-us-east-2-signer-errors',
      updatedAt: '2025-03-01T11:00:00.000Z',
    },
  });
  ddbMock.on(UpdateCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  // Act
  const change = await leaveDegradedMode(ledger, {
    region: 'us-east-2',
    actor: 'ops',
    reason: 'signer fixed',
    now: NOW,
  });
  // Assess
  expect(change.before.setBy).toBe('remediation:us-east-2:example-wallet-us-east-2-signer-errors');
  expect(change.after).toMatchObject({ degraded: false, setBy: 'ops', updatedAt: NOW.toISOString() });
  expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
    ConditionExpression: 'attribute_not_exists(changeId) AND degraded = :seenDegraded AND updatedAt = :seenAt',
    ExpressionAttributeValues: expect.objectContaining({
      ':seenDegraded': true,
      ':seenAt': '2025-03-01T11:00:00.000Z',
      ':degraded': false,
    }),
  });
});

test('entering twice changes nothing and writes no audit item', async () => {
  ddbMock.on(GetCommand).resolves({ Item: { degraded: true, updatedAt: 'x' } });
  const change = await enterDegradedMode(ledger, { region: 'us-east-2', actor: 'ops', reason: 'again' });
  expect(change.changed).toBe(false);
  expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
});

test('fails with a conflict when another actor changed it first, and writes no audit item', async () => {
  ddbMock.on(GetCommand).resolves({ Item: { degraded: false, setBy: 'ops', updatedAt: 'x' } });
  ddbMock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
  await expect(enterDegradedMode(ledger, { region: 'us-east-2', actor: 'ops', reason: 'x' })).rejects.toThrow(
    new DegradedModeConflictError(
      'degraded mode of us-east-2 changed while setting it (it was off, set by ops); read it again',
    ),
  );
  expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
});

test('fails listing every bad argument without touching the table', async () => {
  await expect(
    setDegradedMode(ledger, {
      region: 'useast2',
      action: 'pause' as 'enter',
      actor: ' ',
      reason: '',
    }),
  ).rejects.toThrow(
    'setDegradedMode: action must be "enter" or "leave"; received "pause"; reason is empty; say why (it goes into the audit record); ' +
      'actor is empty; say who is acting; region "useast2" is not an AWS region code such as "us-east-2".',
  );
  expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 0);
});

describe('compareAndSetCondition: the one rule every writer uses', () => {
  test.each([
    ['an absent item', { region: 'us-east-2', degraded: false, exists: false }, 'attribute_not_exists(pk)', {}],
    [
      'an item with a changeId',
      { region: 'us-east-2', degraded: true, changeId: 'c1', updatedAt: 't', exists: true },
      'changeId = :seenChange',
      { ':seenChange': 'c1' },
    ],
    [
      'an item written before changeId existed',
      { region: 'us-east-2', degraded: true, updatedAt: 't', exists: true },
      'attribute_not_exists(changeId) AND degraded = :seenDegraded AND updatedAt = :seenAt',
      { ':seenDegraded': true, ':seenAt': 't' },
    ],
    [
      'an item without updatedAt',
      { region: 'us-east-2', degraded: false, exists: true },
      'attribute_not_exists(changeId) AND degraded = :seenDegraded AND attribute_not_exists(updatedAt)',
      { ':seenDegraded': false },
    ],
  ])('%s', (_name, before, expression, values) => {
    expect(compareAndSetCondition(before)).toEqual({ ConditionExpression: expression, values });
  });
});

test('a condition failure on our own write (its response was lost, the retry met it) is a success, audited once', async () => {
  // Prepare: the first read sees the item before; the write "fails" its condition; the second read
  // finds the item carrying this change's id.
  ddbMock
    .on(GetCommand)
    .resolvesOnce({ Item: { degraded: false, changeId: 'old', updatedAt: 'x' } })
    .callsFake(async (input) => {
      const update = ddbMock.commandCalls(UpdateCommand)[0].args[0].input;
      expect(input.ConsistentRead).toBe(true);
      return { Item: { degraded: true, changeId: update.ExpressionAttributeValues?.[':change'] } };
    });
  ddbMock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
  ddbMock.on(PutCommand).resolves({});
  // Act
  const change = await enterDegradedMode(ledger, { region: 'us-east-2', actor: 'ops', reason: 'x', now: NOW });
  // Assess
  expect(change.changed).toBe(true);
  expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 1);
});
