import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  ledgerAudit,
  ledgerClaims,
  ledgerFailoverBudget,
  ledgerRegionControl,
} from '../../lambda/remediation/adapters/ledger';
import { cloudWatchAlarmReader } from '../../lambda/remediation/adapters/aws';
import { FailoverBudgetConflictError, FailoverBudgetExhaustedError } from '../../lambda/remediation/ports';
import { moveLease, readLease, LeaseConflictError } from '../../lib/failover/lease';
import { ledgerKeys } from '../../lib/contract/ledger';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The remediation's DynamoDB writes against moto_server: the condition expressions that make it
 * act once per transition, stay within its failover budget, and never lift an operator's degraded
 * mode are evaluated by a real DynamoDB implementation (the handler tests use an in-memory fake).
 */
const REGION = 'us-west-2';
/** Each test gets a fresh table (the moto server is shared, so it is never reset). */
let table = '';
let tables = 0;
let moto: MotoServer;
let ddb: DynamoDBDocumentClient;
const store = () => ({ ddb, tableName: table });
const T0 = new Date('2026-05-01T12:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  moto = await sharedMoto();
});

beforeEach(async () => {
  table = `remediation-ledger-${++tables}`;
  const raw = new DynamoDBClient(moto.clientConfig(REGION));
  await raw.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
});

test('claims: one holder per transition; a failed or expired claim can be taken over; a done one never', async () => {
  // Prepare
  const claims = ledgerClaims(store(), REGION);

  // Act
  const first = await claims.claim('t1', 'req-a', T0, later(30000));
  const concurrent = await claims.claim('t1', 'req-b', later(1000), later(31000));
  await claims.release('t1', 'req-a', 'ThrottlingException');
  const retry = await claims.claim('t1', 'req-c', later(60000), later(90000));
  const whileRetrying = await claims.claim('t1', 'req-d', later(61000), later(91000));
  const afterExpiry = await claims.claim('t1', 'req-e', later(95000), later(125000));
  await claims.complete('t1', 'req-e', 'fail-over');
  const afterDone = await claims.claim('t1', 'req-f', later(999999), later(9999999));

  // Assess
  expect(first).toEqual({ claimed: true });
  expect(concurrent).toEqual({
    claimed: false,
    holder: expect.objectContaining({ status: 'in-progress', requestId: 'req-a' }),
  });
  expect(retry).toEqual({ claimed: true });
  expect(whileRetrying.claimed).toBe(false);
  expect(afterExpiry).toEqual({ claimed: true });
  expect(afterDone).toEqual({
    claimed: false,
    holder: expect.objectContaining({ status: 'done', verdict: 'fail-over' }),
  });
});

test('failover budget: at most N per window; the same transition is not counted twice; a concurrent change is refused', async () => {
  // Prepare
  const budget = ledgerFailoverBudget(store());

  // Act
  await budget.reserve({ at: T0.toISOString(), transitionId: 'a', actor: 'remediation:x' }, 60, 1, T0);
  await budget.reserve({ at: T0.toISOString(), transitionId: 'a', actor: 'remediation:x' }, 60, 1, T0);
  const second = await budget
    .reserve({ at: later(1800000).toISOString(), transitionId: 'b', actor: 'remediation:x' }, 60, 1, later(1800000))
    .catch((e: unknown) => e);
  await budget.reserve(
    { at: later(3700000).toISOString(), transitionId: 'c', actor: 'remediation:x' },
    60,
    1,
    later(3700000),
  );

  // Assess
  expect(second).toBeInstanceOf(FailoverBudgetExhaustedError);
  expect((await budget.recent()).map((r) => r.transitionId)).toEqual(['a', 'c']);
});

test('failover budget: a write racing with ours makes ours fail (optimistic version check)', async () => {
  // Prepare: someone writes version 2 between our read and our write.
  const budget = ledgerFailoverBudget(store());
  await budget.reserve({ at: T0.toISOString(), transitionId: 'a', actor: 'r' }, 60, 5, T0);
  const racing: typeof ddb = Object.create(ddb) as typeof ddb;
  let raced = false;
  racing.send = (async (command: unknown) => {
    if (!raced && command instanceof PutCommand) {
      raced = true;
      await ddb.send(
        new PutCommand({ TableName: table, Item: { ...ledgerKeys.failoverBudget(), entries: [], version: 2 } }),
      );
    }
    return ddb.send(command as PutCommand);
  }) as typeof ddb.send;

  // Act
  const err = await ledgerFailoverBudget({ ddb: racing, tableName: table })
    .reserve({ at: T0.toISOString(), transitionId: 'b', actor: 'r' }, 60, 5, T0)
    .catch((e: unknown) => e);

  // Assess
  expect(err).toBeInstanceOf(FailoverBudgetConflictError);
});

test("region control: entering never overwrites someone's degraded mode; leaving never lifts an operator's", async () => {
  // Prepare
  const control = ledgerRegionControl(store(), () => T0);

  // Act
  const enter = await control.setDegraded(REGION, true, 'region-impaired ALARM', 'remediation:us-west-2:a');
  const enterAgain = await control.setDegraded(REGION, true, 'again', 'remediation:us-west-2:b');
  const leave = await control.setDegraded(REGION, false, 'OK', 'remediation:us-west-2:a', {
    onlyIfSetByPrefix: 'remediation:',
  });
  await control.setDegraded(REGION, true, 'maintenance', 'arn:aws:iam::111111111111:role/Ops');
  const leaveOperators = await control.setDegraded(REGION, false, 'OK', 'remediation:us-west-2:a', {
    onlyIfSetByPrefix: 'remediation:',
  });

  // Assess
  expect([enter.changed, enterAgain.changed, leave.changed, leaveOperators.changed]).toEqual([
    true,
    false,
    true,
    false,
  ]);
  expect(await control.get(REGION)).toEqual({
    region: REGION,
    degraded: true,
    reason: 'maintenance',
    setBy: 'arn:aws:iam::111111111111:role/Ops',
    updatedAt: T0.toISOString(),
  });
});

test('audit records are append-only under AUDIT#remediation#<region>', async () => {
  // Prepare
  const audit = ledgerAudit(store(), REGION);

  // Act
  const key = await audit.write({ kind: 'remediation-decision', verdict: 'fail-over' }, T0, 'abc-req-1');
  const again = await audit
    .write({ kind: 'remediation-decision', verdict: 'other' }, T0, 'abc-req-1')
    .catch((e: unknown) => e);

  // Assess
  expect(key).toEqual({ pk: `AUDIT#remediation#${REGION}`, sk: `${T0.toISOString()}#abc-req-1` });
  expect((again as Error).name).toBe('ConditionalCheckFailedException');
});

test('the lease moves once at the epoch remediation saw; a second mover at the old epoch is refused', async () => {
  // Prepare
  const address = '0x00000000000000000000000000000000000000aa';
  await ddb.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...ledgerKeys.lease(address),
        address,
        activeRegion: 'us-east-2',
        epoch: 3,
        nextNonce: 7,
        updatedAt: T0.toISOString(),
        updatedBy: 'init',
        reason: 'init',
      },
    }),
  );
  const move = () =>
    moveLease(store(), {
      address,
      toRegion: REGION,
      actor: 'remediation:us-west-2:a',
      reason: 'automatic failover',
      expectedEpoch: 3,
      isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
    });

  // Act
  const first = await move();
  const second = await moveLease(store(), {
    address,
    toRegion: 'us-east-2',
    actor: 'remediation:us-west-2:b',
    reason: 'stale plan',
    expectedEpoch: 3,
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  }).catch((e: unknown) => e);

  // Assess
  expect(first.after).toEqual(expect.objectContaining({ activeRegion: REGION, epoch: 4 }));
  expect(second).toBeInstanceOf(LeaseConflictError);
  expect(await readLease(store(), address)).toEqual(
    expect.objectContaining({ activeRegion: REGION, epoch: 4, nextNonce: 7 }),
  );
});

test('the alarm reader sees states set through the CloudWatch API, and MISSING for an alarm that does not exist', async () => {
  // Prepare
  const cloudwatch = new CloudWatchClient(moto.clientConfig(REGION));
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'it-wallet-us-west-2-peer-deep-health',
      Namespace: 'Wallet/Canary',
      MetricName: 'PeerDeepHealth',
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    }),
  );
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: 'it-wallet-us-west-2-peer-deep-health',
      StateValue: 'ALARM',
      StateReason: 'test',
    }),
  );
  const reader = cloudWatchAlarmReader(() => cloudwatch);

  // Act
  const snapshot = await reader.read([
    { region: REGION, alarmNames: ['it-wallet-us-west-2-peer-deep-health', 'it-wallet-us-west-2-nope'] },
  ]);

  // Assess
  expect(snapshot.states).toEqual({
    'us-west-2/it-wallet-us-west-2-peer-deep-health': 'ALARM',
    'us-west-2/it-wallet-us-west-2-nope': 'MISSING',
  });
});
