import 'aws-sdk-client-mock-jest';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerKeys } from '../../../lib/contract/ledger';
import {
  DegradedModeConflictError,
  enterDegradedMode,
  leaveDegradedMode,
  setDegradedMode,
} from '../../../lambda/shared/degraded-mode';

const ddbMock = mockClient(DynamoDBDocumentClient);
const ledger = { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' };
const NOW = new Date('2025-03-01T12:00:00.000Z');

beforeEach(() => {
  ddbMock.reset();
});

test('entering writes the control item (first version) and an audit item with who, when and why', async () => {
  // Prepare
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  // Act
  const change = await enterDegradedMode(ledger, {
    region: 'us-east-2',
    actor: 'remediation:SignerErrors',
    reason: 'signer error rate above 5%',
    now: NOW,
  });
  // Assess
  expect(change).toMatchObject({ changed: true, before: { degraded: false, version: 0 } });
  expect(change.after).toEqual({
    region: 'us-east-2',
    degraded: true,
    since: NOW.toISOString(),
    reason: 'signer error rate above 5%',
    updatedBy: 'remediation:SignerErrors',
    version: 1,
  });
  expect(ddbMock).toHaveReceivedNthCommandWith(2, PutCommand, {
    Item: { ...ledgerKeys.regionControl('us-east-2'), ...change.after },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  expect(ddbMock).toHaveReceivedNthCommandWith(3, PutCommand, {
    Item: {
      ...ledgerKeys.audit('region#us-east-2', NOW.toISOString(), 'degraded-v1'),
      kind: 'degraded-mode-enter',
      region: 'us-east-2',
      actor: 'remediation:SignerErrors',
      reason: 'signer error rate above 5%',
      fromVersion: 0,
      toVersion: 1,
      at: NOW.toISOString(),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  expect(change.auditKey).toEqual(ledgerKeys.audit('region#us-east-2', NOW.toISOString(), 'degraded-v1'));
});

test('leaving is conditional on the version it read', async () => {
  // Prepare
  ddbMock.on(GetCommand).resolves({ Item: { ...ledgerKeys.regionControl('us-east-2'), degraded: true, version: 4 } });
  ddbMock.on(PutCommand).resolves({});
  // Act
  const change = await leaveDegradedMode(ledger, {
    region: 'us-east-2',
    actor: 'ops',
    reason: 'signer fixed',
    now: NOW,
  });
  // Assess
  expect(change.after).toMatchObject({ degraded: false, version: 5 });
  expect(ddbMock).toHaveReceivedCommandWith(PutCommand, {
    ConditionExpression: 'version = :seen',
    ExpressionAttributeValues: { ':seen': 4 },
  });
});

test('entering twice changes nothing and writes no audit item', async () => {
  ddbMock.on(GetCommand).resolves({ Item: { degraded: true, version: 2 } });
  const change = await enterDegradedMode(ledger, { region: 'us-east-2', actor: 'ops', reason: 'again' });
  expect(change.changed).toBe(false);
  expect(ddbMock).toHaveReceivedCommandTimes(PutCommand, 0);
});

test('fails with a conflict when another actor changed it first', async () => {
  ddbMock.on(GetCommand).resolves({ Item: { degraded: false, version: 2 } });
  ddbMock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
  await expect(enterDegradedMode(ledger, { region: 'us-east-2', actor: 'ops', reason: 'x' })).rejects.toThrow(
    new DegradedModeConflictError('degraded mode of us-east-2 changed while setting it (was version 2); read it again'),
  );
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
