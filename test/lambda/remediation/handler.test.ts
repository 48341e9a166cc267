import { generateKeyPairSync } from 'node:crypto';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { computeAddress } from 'ethers';
import { RemediationConfig } from '../../../lambda/remediation/config';
import { InvalidAlarmEventError } from '../../../lambda/remediation/event';
import { createHandler } from '../../../lambda/remediation/handler';
import { wireRemediation } from '../../../lambda/remediation/wiring';
import { FAILOVER_SWITCH_METRIC, FAILOVER_SWITCH_NAMESPACE } from '../../../lib/contract/failover-switch';
import { ledgerKeys } from '../../../lib/contract/ledger';
import { WALLET_EVENT_UNDELIVERED_METRIC, WALLET_EVENTS } from '../../../lib/contract/status';
import { FakeLedger } from './fake-ledger';
import { ALARM, AlarmId, alarmEvent, DNS, ENV, HEALTHY, PRIMARY, PRIMARY_DOWN, STANDBY } from './fixtures';

const ddbMock = mockClient(DynamoDBDocumentClient);
const cwMock = mockClient(CloudWatchClient);
const snsMock = mockClient(SNSClient);
const kmsMock = mockClient(KMSClient);
const route53Mock = mockClient(Route53Client);
const eventsMock = mockClient(EventBridgeClient);
/** PutEvents calls as region + detail type + detail. */
let putEvents: Array<{ region: string; detailType: string; detail: Record<string, unknown> }>;
let logged: Array<{ level: string; message: string; fields: Record<string, unknown> }>;

// A real secp256k1 key stands in for the KMS signing key; ethers derives the address independently.
const signingKey = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const spki = signingKey.publicKey.export({ type: 'spki', format: 'der' });
const jwk = signingKey.publicKey.export({ format: 'jwk' });
const ADDRESS = computeAddress(
  `0x04${Buffer.from(jwk.x as string, 'base64url').toString('hex')}${Buffer.from(jwk.y as string, 'base64url').toString('hex')}`,
).toLowerCase();

const TABLE = `${ENV}-wallet-ledger`;
const TOPIC = `arn:aws:sns:${STANDBY}:111111111111:${ENV}-wallet-alerts`;
const KEY_ARN = `arn:aws:kms:${STANDBY}:111111111111:key/mrk-1234567890abcdef1234567890abcdef`;

let ledger: FakeLedger;
/** The alarm states CloudWatch would report, and the regions that cannot be reached. */
let world: { states: Record<AlarmId, string>; unreachable: Set<string> };
let clock: Date;
let requests = 0;

function config(patch: Partial<RemediationConfig> = {}): RemediationConfig {
  return {
    envName: ENV,
    region: STANDBY,
    role: 'standby',
    primaryRegion: PRIMARY,
    standbyRegion: STANDBY,
    consistency: 'MRSC',
    mode: 'auto',
    maxFailoversPerWindow: 1,
    windowMinutes: 60,
    tableName: TABLE,
    topicArn: TOPIC,
    signingKeyArn: KEY_ARN,
    ...patch,
  };
}

function handlerFor(patch: Partial<RemediationConfig> = {}) {
  const handler = createHandler(
    wireRemediation(config(patch), {
      log: (level, message, fields) => logged.push({ level, message, fields }),
      now: () => clock,
    }),
  );
  return (event: unknown) => {
    requests += 1;
    return handler(event, { awsRequestId: `req-${requests}`, getRemainingTimeInMillis: () => 30000 });
  };
}

/** An alarm event at the current clock. */
function eventNow(id: AlarmId, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' = 'ALARM') {
  return alarmEvent(id, state, clock.toISOString().replace('Z', '+0000'));
}

const lease = () => ledger.get(ledgerKeys.lease(ADDRESS));
const audits = () => ledger.query(`AUDIT#remediation#`);
const decisions = () => audits().filter((a) => a.kind === 'remediation-decision');
const switchCalls = () => cwMock.commandCalls(PutMetricDataCommand);
const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);

beforeEach(() => {
  ddbMock.reset();
  cwMock.reset();
  snsMock.reset();
  kmsMock.reset();
  route53Mock.reset();
  eventsMock.reset();
  putEvents = [];
  logged = [];
  eventsMock
    .on(PutEventsCommand)
    .callsFake(async (input: { Entries: Array<{ DetailType: string; Detail: string }> }, getClient) => {
      const region = await getClient().config.region();
      for (const e of input.Entries) putEvents.push({ region, detailType: e.DetailType, detail: JSON.parse(e.Detail) });
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `ev-${i}` })) };
    });
  ledger = new FakeLedger();
  ledger.install(ddbMock);
  ledger.put({
    ...ledgerKeys.lease(ADDRESS),
    address: ADDRESS,
    activeRegion: PRIMARY,
    epoch: 3,
    nextNonce: 42,
    updatedAt: '2026-04-01T00:00:00.000Z',
    updatedBy: 'operator:init',
    reason: 'initial lease',
  });
  world = { states: { ...HEALTHY }, unreachable: new Set() };
  clock = new Date('2026-05-01T12:00:00.000Z');
  cwMock.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames: string[] }, getClient) => {
    const region = await getClient().config.region();
    if (world.unreachable.has(region)) throw new Error(`connect ETIMEDOUT monitoring.${region}.amazonaws.com`);
    const known = (Object.keys(ALARM) as AlarmId[]).filter((id) => ALARM[id].region === region);
    return {
      MetricAlarms: known
        .filter((id) => input.AlarmNames.includes(ALARM[id].name))
        .map((id) => ({ AlarmName: ALARM[id].name, StateValue: world.states[id] })),
      CompositeAlarms: [],
    };
  });
  cwMock.on(PutMetricDataCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(spki), KeyId: KEY_ARN });
});

afterEach(() => {
  // Whatever happened, remediation never signed and never called Route 53.
  expect(kmsMock.commandCalls(SignCommand)).toHaveLength(0);
  expect(route53Mock.calls()).toHaveLength(0);
});

test('primary down, standby healthy: moves the lease, THEN throws the switch in the standby, audits and pages', async () => {
  // Prepare
  world.states = { ...PRIMARY_DOWN };
  const handle = handlerFor();

  // Act
  const result = await handle(eventNow('peer'));

  // Assess
  expect(result.verdict).toBe('fail-over');
  expect(lease()).toEqual(expect.objectContaining({ activeRegion: STANDBY, epoch: 4, nextNonce: 42 }));
  expect(switchCalls()).toHaveLength(1);
  expect(switchCalls()[0].args[0].input).toEqual(
    expect.objectContaining({
      Namespace: FAILOVER_SWITCH_NAMESPACE,
      MetricData: [expect.objectContaining({ MetricName: FAILOVER_SWITCH_METRIC, Value: 1 })],
    }),
  );
  const leaseWrite = ddbMock.commandCalls(UpdateCommand).find((c) => c.args[0].input.Key?.pk === `LEASE#${ADDRESS}`);
  expect(leaseWrite?.calledBefore(switchCalls()[0])).toBe(true);
  expect(published()).toEqual([
    expect.objectContaining({
      TopicArn: TOPIC,
      Subject: expect.stringMatching(/^\[PAGE\] test us-west-2 remediation: fail-over/),
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'page' } },
    }),
  ]);
  expect(decisions()).toEqual([expect.objectContaining({ verdict: 'fail-over', mode: 'auto' })]);
  expect(ledger.get(ledgerKeys.failoverBudget())?.entries).toEqual([
    expect.objectContaining({ transitionId: result.transitionId }),
  ]);
  expect(ledger.get(ledgerKeys.remediationClaim(STANDBY, result.transitionId))).toEqual(
    expect.objectContaining({ status: 'done', verdict: 'fail-over' }),
  );
});

test('duplicate events act once: the second delivery of the same transition is audited as a duplicate and does nothing', async () => {
  // Prepare
  world.states = { ...PRIMARY_DOWN };
  const handle = handlerFor();
  const event = eventNow('peer');

  // Act
  const first = await handle(event);
  const second = await handle({ ...event, id: 'another-delivery-id' });

  // Assess
  expect([first.verdict, second.verdict]).toEqual(['fail-over', 'duplicate']);
  expect(lease()).toEqual(expect.objectContaining({ activeRegion: STANDBY, epoch: 4 }));
  expect(switchCalls()).toHaveLength(1);
  expect(published()).toHaveLength(1);
  expect(
    audits()
      .map((a) => a.kind)
      .sort(),
  ).toEqual(['remediation-decision', 'remediation-duplicate']);
});

test('flapping alarms do not cause repeated failovers', async () => {
  // Prepare
  world.states = { ...PRIMARY_DOWN };
  const handle = handlerFor();
  const verdicts: string[] = [];
  const at = (minutes: number) => new Date(Date.parse('2026-05-01T12:00:00.000Z') + minutes * 60000);

  // Act: the probe alarm flaps while the primary struggles.
  clock = at(0);
  verdicts.push((await handle(eventNow('peer'))).verdict);
  world.states.switch = 'ALARM'; // CloudWatch evaluates the switch metric.
  for (const [minute, state] of [
    [3, 'OK'],
    [5, 'ALARM'],
    [8, 'OK'],
    [9, 'ALARM'],
  ] as const) {
    clock = at(minute);
    world.states.peer = state;
    verdicts.push((await handle(eventNow('peer', state))).verdict);
  }
  // An operator fails back (lease to the primary, switch released) and the primary flaps again.
  ledger.put({
    ...lease(),
    activeRegion: PRIMARY,
    epoch: 5,
    updatedBy: 'operator:failback',
    updatedAt: at(20).toISOString(),
  });
  world.states.switch = 'OK';
  clock = at(25);
  world.states.peer = 'ALARM';
  verdicts.push((await handle(eventNow('peer'))).verdict);

  // Assess
  expect(verdicts).toEqual([
    'fail-over',
    'informational',
    'already-failed-over',
    'informational',
    'already-failed-over',
    'failover-limit-reached',
  ]);
  expect(switchCalls()).toHaveLength(1);
  expect(lease()).toEqual(expect.objectContaining({ activeRegion: PRIMARY, epoch: 5 }));
  expect(published().at(-1)?.Subject).toMatch(/^\[PAGE\].*failover-limit-reached/);
});

test.each<[string, Partial<Record<AlarmId, string>>]>([
  ['its deep-health canary fails', { standbyDeep: 'ALARM' }],
  ['its deep-health canary has no data', { standbyDeep: 'INSUFFICIENT_DATA' }],
  ['it is impaired itself', { standbyImpaired: 'ALARM' }],
  ['Route 53 sees it unhealthy', { dnsStandby: 'ALARM' }],
])('standby unhealthy (%s): no failover, page instead', async (_why, patch) => {
  // Prepare
  world.states = { ...PRIMARY_DOWN, ...patch } as Record<AlarmId, string>;
  const handle = handlerFor();

  // Act
  const result = await handle(eventNow('peer'));

  // Assess
  expect(result.verdict).toBe('standby-unhealthy');
  expect(lease()).toEqual(expect.objectContaining({ activeRegion: PRIMARY, epoch: 3 }));
  expect(switchCalls()).toHaveLength(0);
  expect(ledger.get(ledgerKeys.failoverBudget())).toBeUndefined();
  expect(published()).toEqual([
    expect.objectContaining({ Subject: expect.stringMatching(/^\[PAGE\].*standby-unhealthy/) }),
  ]);
});

test('a region that cannot be read counts as unknown, not as agreement', async () => {
  // Prepare: the primary region and us-east-1 are unreachable; users still get answers.
  world.states = { ...HEALTHY, peer: 'ALARM' };
  world.unreachable = new Set([PRIMARY, DNS]);
  const handle = handlerFor();

  // Act
  const result = await handle(eventNow('peer'));

  // Assess
  expect(result.verdict).toBe('failover-not-confirmed');
  expect(switchCalls()).toHaveLength(0);
  expect(decisions()[0].observed).toEqual(
    expect.objectContaining({
      alarms: expect.objectContaining({
        readErrors: expect.objectContaining({ [PRIMARY]: expect.stringContaining('ETIMEDOUT') }),
      }),
    }),
  );
});

describe('notify-only mode never acts', () => {
  test('primary down: pages with what it would do, changes nothing', async () => {
    // Prepare
    world.states = { ...PRIMARY_DOWN };
    const handle = handlerFor({ mode: 'notify-only' });

    // Act
    const result = await handle(eventNow('peer'));

    // Assess
    expect(result.verdict).toBe('fail-over');
    expect(result.executed).toEqual([]);
    expect(result.suppressed.map((a) => a.type)).toEqual(['reserve-failover', 'move-lease', 'throw-switch']);
    expect(lease()).toEqual(expect.objectContaining({ activeRegion: PRIMARY, epoch: 3 }));
    expect(switchCalls()).toHaveLength(0);
    expect(ledger.get(ledgerKeys.failoverBudget())).toBeUndefined();
    expect(published()[0].Message).toContain('Not done (notify-only mode); a human should:');
    expect(decisions()[0]).toEqual(
      expect.objectContaining({ mode: 'notify-only', outcomes: [], suppressed: expect.any(Array) }),
    );
  });

  test('region impaired: does not enter degraded mode', async () => {
    // Prepare
    world.states = { ...HEALTHY, primaryImpaired: 'ALARM' };
    const handle = handlerFor({ mode: 'notify-only', region: PRIMARY, role: 'primary' });

    // Act
    const result = await handle(eventNow('primaryImpaired'));

    // Assess
    expect(result.verdict).toBe('enter-degraded');
    expect(ledger.get(ledgerKeys.regionControl(PRIMARY))).toBeUndefined();
    expect(published()[0].Subject).toMatch(/^\[PAGE\]/);
  });
});

test.each<[string, Partial<RemediationConfig>, Partial<Record<AlarmId, string>>, AlarmId, string]>([
  ['fail-over', {}, PRIMARY_DOWN, 'peer', 'fail-over'],
  ['standby unhealthy', {}, { ...PRIMARY_DOWN, standbyDeep: 'ALARM' }, 'peer', 'standby-unhealthy'],
  ['not confirmed', {}, { peer: 'ALARM' }, 'peer', 'failover-not-confirmed'],
  ['informational', {}, {}, 'standbyReplLatency', 'informational'],
  [
    'enter degraded',
    { region: PRIMARY, role: 'primary' },
    { primaryImpaired: 'ALARM' },
    'primaryImpaired',
    'enter-degraded',
  ],
])(
  'each decision writes its audit record: what it saw, what it did, why (%s)',
  async (_name, patch, states, trigger, verdict) => {
    // Prepare
    world.states = { ...HEALTHY, ...states } as Record<AlarmId, string>;
    const handle = handlerFor(patch);

    // Act
    await handle(eventNow(trigger));

    // Assess
    expect(decisions()).toHaveLength(1);
    const record = decisions()[0];
    expect(record).toEqual(
      expect.objectContaining({
        verdict,
        event: expect.objectContaining({ alarmName: ALARM[trigger].name, state: 'ALARM' }),
        observed: expect.objectContaining({ alarms: expect.objectContaining({ states: expect.any(Object) }) }),
        reasons: expect.arrayContaining([expect.stringContaining(ALARM[trigger].name)]),
        outcomes: expect.any(Array),
        actor: `remediation:${patch.region ?? STANDBY}:${ALARM[trigger].name}`,
      }),
    );
    expect(String(record.pk)).toBe(`AUDIT#remediation#${patch.region ?? STANDBY}`);
  },
);

test('a stale or unknown event is audited and notified, never acted on', async () => {
  // Prepare
  world.states = { ...PRIMARY_DOWN };
  const handle = handlerFor();

  // Act
  const stale = await handle(alarmEvent('peer', 'ALARM', '2026-05-01T11:00:00.000+0000'));
  const unknown = await handle({ ...eventNow('peer'), detail: { ...eventNow('peer').detail, alarmName: 'not-ours' } });

  // Assess
  expect([stale.verdict, unknown.verdict]).toEqual(['ignored-stale-event', 'ignored-unknown-alarm']);
  expect(switchCalls()).toHaveLength(0);
  expect(decisions()).toHaveLength(2);
});

test('enter then leave degraded mode on its own region-impaired alarm (primary region)', async () => {
  // Prepare
  const handle = handlerFor({ region: PRIMARY, role: 'primary' });
  world.states = { ...HEALTHY, primaryImpaired: 'ALARM' };

  // Act
  const enter = await handle(eventNow('primaryImpaired'));
  const afterEnter = ledger.get(ledgerKeys.regionControl(PRIMARY));
  clock = new Date(clock.getTime() + 600000);
  world.states.primaryImpaired = 'OK';
  const leave = await handle(eventNow('primaryImpaired', 'OK'));

  // Assess
  expect([enter.verdict, leave.verdict]).toEqual(['enter-degraded', 'leave-degraded']);
  expect(afterEnter).toEqual(
    expect.objectContaining({ degraded: true, setBy: `remediation:${PRIMARY}:${ALARM.primaryImpaired.name}` }),
  );
  expect(ledger.get(ledgerKeys.regionControl(PRIMARY))).toEqual(expect.objectContaining({ degraded: false }));
  expect(switchCalls()).toHaveLength(0);
});

test('an unexpected error is audited and paged, releases the claim and fails the invocation; the retry completes the failover', async () => {
  // Prepare: the switch's PutMetricData is throttled once.
  world.states = { ...PRIMARY_DOWN };
  cwMock
    .on(PutMetricDataCommand)
    .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
    .resolves({});
  const handle = handlerFor();
  const event = eventNow('peer');

  // Act
  const first = await handle(event).catch((e: unknown) => e);
  const claimAfterFailure = ledger.query(`REMEDIATION#${STANDBY}`)[0];
  clock = new Date(clock.getTime() + 60000);
  const retry = await handle(event);

  // Assess
  expect(first).toEqual(expect.objectContaining({ name: 'ThrottlingException' }));
  expect(claimAfterFailure).toEqual(expect.objectContaining({ status: 'failed', lastError: 'Rate exceeded' }));
  expect(retry.verdict).toBe('complete-failover');
  expect(lease()).toEqual(expect.objectContaining({ activeRegion: STANDBY, epoch: 4 }));
  expect(switchCalls()).toHaveLength(2);
  expect(ledger.get(ledgerKeys.failoverBudget())?.entries).toHaveLength(1);
  expect(published().map((p) => p.Subject)).toEqual([
    expect.stringMatching(/^\[PAGE\].*FAILED fail-over/),
    expect.stringMatching(/^\[PAGE\].*complete-failover/),
  ]);
  expect(decisions().map((d) => d.verdict)).toEqual(['fail-over', 'complete-failover']);
});

test('an expected refusal (the failover budget changed meanwhile) is paged and recorded, never thrown, and nothing moves', async () => {
  // Prepare
  world.states = { ...PRIMARY_DOWN };
  ddbMock
    .on(PutCommand, { Item: { pk: ledgerKeys.failoverBudget().pk } })
    .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
  const handle = handlerFor();

  // Act
  const result = await handle(eventNow('peer'));

  // Assess
  expect(result.executed).toEqual([
    expect.objectContaining({ ok: false, detail: expect.stringContaining('FailoverBudgetConflictError') }),
  ]);
  expect(lease()).toEqual(expect.objectContaining({ activeRegion: PRIMARY, epoch: 3 }));
  expect(switchCalls()).toHaveLength(0);
  expect(published()[0].Message).toContain('Not done (an earlier step failed):');
});

test('fails on an event that is not an alarm state change, saying what it received and how to fix the rule', async () => {
  // Prepare
  const handle = handlerFor();

  // Act
  const err = await handle({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' }).catch(
    (e: unknown) => e,
  );

  // Assess
  expect(err).toBeInstanceOf(InvalidAlarmEventError);
  expect((err as Error).message).toContain('detail-type Invalid input: expected "CloudWatch Alarm State Change"');
  expect((err as Error).message).toContain('Received: {"source":"aws.ec2"');
  expect((err as Error).message).toContain('Route only `source: aws.cloudwatch`');
  expect(ledger.items.size).toBe(1); // only the lease: nothing claimed, nothing audited
});

describe('status-page events (lib/status/wallet-events.ts)', () => {
  test("a failover announces the lease move and the switch on BOTH wallet regions' default buses, after the changes", async () => {
    // Prepare
    world.states = { ...PRIMARY_DOWN };
    const handle = handlerFor();

    // Act
    await handle(eventNow('peer'));

    // Assess
    expect(putEvents.map((e) => `${e.region} ${e.detailType}`).sort()).toEqual(
      [
        `${PRIMARY} ${WALLET_EVENTS.leaseMoved}`,
        `${STANDBY} ${WALLET_EVENTS.leaseMoved}`,
        `${PRIMARY} ${WALLET_EVENTS.switchChanged}`,
        `${STANDBY} ${WALLET_EVENTS.switchChanged}`,
      ].sort(),
    );
    const leaseEvent = putEvents.find((e) => e.detailType === WALLET_EVENTS.leaseMoved)!.detail;
    expect(leaseEvent).toEqual(
      expect.objectContaining({ envName: ENV, address: ADDRESS, fromRegion: PRIMARY, toRegion: STANDBY, epoch: 4 }),
    );
    expect(putEvents.find((e) => e.detailType === WALLET_EVENTS.switchChanged)!.detail).toEqual(
      expect.objectContaining({ envName: ENV, position: 'on', actor: `remediation:${STANDBY}` }),
    );
    // Both regions' copies carry the same detail (the updater keys its dedup on it).
    const [a, b] = putEvents.filter((e) => e.detailType === WALLET_EVENTS.switchChanged);
    expect(a.detail).toEqual(b.detail);
    const leaseWrite = ddbMock.commandCalls(UpdateCommand).find((c) => c.args[0].input.Key?.pk === `LEASE#${ADDRESS}`);
    expect(eventsMock.commandCalls(PutEventsCommand)[0].calledAfter(leaseWrite!)).toBe(true);
    expect(decisions()[0].statusEvents).toEqual([
      expect.objectContaining({ kind: 'leaseMoved', delivered: true }),
      expect.objectContaining({ kind: 'leaseMoved', delivered: true }),
      expect.objectContaining({ kind: 'switchChanged', delivered: true }),
      expect.objectContaining({ kind: 'switchChanged', delivered: true }),
    ]);
  });

  test('PutEvents failing everywhere (thrown, or an entry refused) never fails the failover: retried, logged and counted', async () => {
    // Prepare: one region throws, the other accepts the call but refuses the entry.
    world.states = { ...PRIMARY_DOWN };
    eventsMock.on(PutEventsCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      if (region === PRIMARY) throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
      return { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] };
    });
    const handle = handlerFor();

    // Act
    const result = await handle(eventNow('peer'));

    // Assess: the failover happened in full.
    expect(result.verdict).toBe('fail-over');
    expect(result.executed.every((o) => o.ok)).toBe(true);
    expect(lease()).toEqual(expect.objectContaining({ activeRegion: STANDBY, epoch: 4 }));
    expect(switchCalls()).toHaveLength(1);
    // Retried: 3 attempts per event and region (2 events x 2 regions).
    expect(eventsMock.commandCalls(PutEventsCommand)).toHaveLength(12);
    // Not waited for: the switch was thrown before the lease event's first retry.
    const leaseEventCalls = eventsMock
      .commandCalls(PutEventsCommand)
      .filter((c) => c.args[0].input.Entries?.[0].DetailType === WALLET_EVENTS.leaseMoved);
    expect(leaseEventCalls).toHaveLength(6);
    expect(switchCalls()[0].calledBefore(leaseEventCalls[2])).toBe(true);
    // Logged, with the reason per region, and counted as an Embedded Metric Format line each.
    const errors = logged.filter((l) => l.message.startsWith('status event not delivered'));
    expect(errors.map((l) => l.fields.error).sort()).toEqual([
      'TimeoutError: connect ETIMEDOUT',
      'TimeoutError: connect ETIMEDOUT',
      'entry refused: InternalFailure: try again',
      'entry refused: InternalFailure: try again',
    ]);
    const metrics = logged.filter((l) => l.fields._aws !== undefined).map((l) => l.fields);
    expect(metrics).toHaveLength(4);
    expect(metrics[0]).toEqual(
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: WALLET_EVENT_UNDELIVERED_METRIC.namespace,
              Dimensions: [['Environment', 'Region']],
              Metrics: [{ Name: WALLET_EVENT_UNDELIVERED_METRIC.name, Unit: 'Count' }],
            },
          ],
        }),
        Environment: ENV,
        [WALLET_EVENT_UNDELIVERED_METRIC.name]: 1,
      }),
    );
    expect(decisions()[0].statusEvents).toHaveLength(4);
    expect((decisions()[0].statusEvents as Array<{ delivered: boolean }>).some((e) => e.delivered)).toBe(false);
  });

  test('degraded mode entered and left: one event each, naming the region; nothing when nothing changed', async () => {
    // Prepare
    const handle = handlerFor({ region: PRIMARY, role: 'primary' });
    world.states = { ...HEALTHY, primaryImpaired: 'ALARM' };

    // Act
    await handle(eventNow('primaryImpaired'));
    clock = new Date(clock.getTime() + 600000);
    world.states.primaryImpaired = 'OK';
    await handle(eventNow('primaryImpaired', 'OK'));
    const before = putEvents.length;
    clock = new Date(clock.getTime() + 600000);
    await handle(eventNow('primaryImpaired', 'OK'));

    // Assess
    const degraded = putEvents.filter((e) => e.detailType === WALLET_EVENTS.degradedModeChanged);
    expect(degraded.map((e) => [e.region, e.detail.region, e.detail.degraded])).toEqual([
      [PRIMARY, PRIMARY, true],
      [STANDBY, PRIMARY, true],
      [PRIMARY, PRIMARY, false],
      [STANDBY, PRIMARY, false],
    ]);
    expect(putEvents).toHaveLength(before);
  });
});
