import { runDrill } from '../../lib/drill/drill';
import { EXIT } from '../../lib/drill/exit-codes';
import { buildPlan } from '../../lib/drill/plan';
import { SCENARIO_NAMES } from '../../lib/drill/sim/scenarios';
import { ScenarioError } from '../../lib/drill/simulated-target';
import { testConfig } from '../helpers/config';
import { mrecConfig, simTarget } from './helpers';

/** Every scenario of the simulated target, driven through the real drill engine. */
const config = testConfig();

const drill = (target: ReturnType<typeof simTarget>, direction: 'failover' | 'failback', extra = {}) =>
  runDrill({
    target,
    config: target.world.config,
    direction,
    actor: 'test',
    signal: new AbortController().signal,
    ...extra,
  });

describe('planned-drill', () => {
  test('failover completes: lease, switch, Route 53, DNS, canary in that order; RTO within the model and the target', async () => {
    // Prepare
    const target = simTarget();
    // Act
    const record = await drill(target, 'failover');
    // Assess
    expect(record.outcome).toBe('completed');
    expect(record.exitCode).toBe(EXIT.ok);
    expect(record.timeline.map((e) => e.id)).toEqual([
      'lease-moved',
      'switch-thrown',
      'route53-changed',
      'dns-changed',
      'canary-green',
    ]);
    const offsets = record.timeline.map((e) => e.offsetSeconds);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    const m = record.measurements;
    expect(m.rtoSeconds).toBeGreaterThan(0);
    expect(m.rtoSeconds!).toBeLessThanOrEqual(record.expectedWorstCaseRtoSeconds);
    expect(m.rtoSeconds!).toBeLessThanOrEqual(config.targets.rtoSeconds);
    expect(m.dnsCutoverSeconds!).toBeLessThanOrEqual(m.rtoSeconds!);
    expect(m.observedRpoSeconds).toBe(0); // MRSC
    expect(record.passed).toBe(true);
    // The world agrees: the standby holds the lease at epoch + 1 and DNS answers with it.
    expect(target.world.leaseItem()).toMatchObject({ activeRegion: config.regions.standby, epoch: 8 });
    expect(target.world.authoritativeAnswer()).toBe('standby');
  });

  test('failover throws the switch with exactly one PutMetricData in the standby region, through throwSwitch', async () => {
    const target = simTarget();
    await drill(target, 'failover');
    // The status page's events and incident writes (events, s3) are test/drill/status-page.test.ts's.
    const writes = target.calls.filter((c) => c.kind === 'write' && c.service !== 'events' && c.service !== 's3');
    expect(writes.map((c) => `${c.service} ${c.command} ${c.region}`)).toEqual([
      `dynamodb UpdateItemCommand ${config.regions.standby}`, // moveLease: the conditional epoch + 1
      `dynamodb PutItemCommand ${config.regions.standby}`, // moveLease: the audit item
      // The hand-off after the move (lib/drill/work-handoff.ts): both signing DLQs read (empty here)
      // and its audit item; with nothing stranded, nothing is sent or deleted.
      `sqs ReceiveMessageCommand ${config.regions.primary}`,
      `sqs ReceiveMessageCommand ${config.regions.standby}`,
      `dynamodb PutItemCommand ${config.regions.standby}`,
      `cloudwatch PutMetricDataCommand ${config.regions.standby}`, // throwSwitch
    ]);
    expect(writes[0].input).toMatchObject({ ConditionExpression: 'epoch = :seen AND activeRegion = :from' });
    expect(writes[4].input).toMatchObject({ Item: expect.objectContaining({ kind: 'work-handoff' }) });
    expect(writes[5].input).toMatchObject({
      Namespace: 'Wallet/Failover',
      MetricData: [{ MetricName: 'FailoverSwitch', Value: 1, Dimensions: [{ Name: 'Environment', Value: 'example' }] }],
    });
  });

  test('failback from a failed-over environment completes and releases the switch', async () => {
    const target = simTarget({ position: 'standby' });
    const record = await drill(target, 'failback');
    expect(record.outcome).toBe('completed');
    expect(record.timeline.at(-1)?.id).toBe('canary-green');
    expect(target.world.leaseItem()).toMatchObject({ activeRegion: config.regions.primary });
    expect(target.world.authoritativeAnswer()).toBe('primary');
    expect(target.world.healthCheckStatus('failoverSwitch')).toBe(true);
  });

  test('failing over an environment that is already failed over does nothing', async () => {
    const target = simTarget({ position: 'standby' });
    const record = await drill(target, 'failover');
    expect(record.outcome).toBe('nothing-to-do');
    expect(record.exitCode).toBe(EXIT.ok);
    expect(target.calls.filter((c) => c.kind === 'write')).toEqual([]);
  });
});

describe('primary-down', () => {
  test('failover proceeds although the primary region is unreachable; Route 53 had already moved', async () => {
    const target = simTarget({ scenario: 'primary-down' });
    const record = await drill(target, 'failover');
    expect(record.outcome).toBe('completed');
    expect(record.measurements.alreadyFailedOverBeforeSwitch).toBe(true);
    expect(record.checks.find((c) => c.id === 'from-region')).toMatchObject({ ok: false, level: 'warning' });
    expect(target.world.leaseItem()).toMatchObject({ activeRegion: config.regions.standby });
  });

  test('failback is refused: the primary is not healthy', async () => {
    const target = simTarget({ scenario: 'primary-down', position: 'standby' });
    const record = await drill(target, 'failback');
    expect(record.outcome).toBe('refused');
    expect(record.exitCode).toBe(EXIT.checkFailed);
    expect(record.checks.find((c) => c.id === 'target-healthy')).toMatchObject({ ok: false });
    expect(target.calls.filter((c) => c.kind === 'write')).toEqual([]);
  });
});

test('standby-unhealthy: refuses to fail over, changes nothing, and says why', async () => {
  const target = simTarget({ scenario: 'standby-unhealthy' });
  const record = await drill(target, 'failover');
  expect(record.outcome).toBe('refused');
  expect(record.exitCode).toBe(EXIT.checkFailed);
  const failed = record.checks.filter((c) => !c.ok && c.level === 'blocker').map((c) => c.id);
  expect(failed).toEqual(expect.arrayContaining(['target-healthy', 'target-canary']));
  expect(record.checks.find((c) => c.id === 'target-healthy')?.detail).toBe(
    '0 of 6 checkers report healthy (not more than 18%)',
  );
  expect(target.calls.filter((c) => c.kind === 'write')).toEqual([]);
  expect(target.world.leaseItem()).toMatchObject({ activeRegion: config.regions.primary, epoch: 7 });
  // Both unhealthy: Route 53 keeps answering with the primary.
  expect(target.world.authoritativeAnswer()).toBe('primary');
});

test('switch-alarm-missing: refuses, because throwing the switch would change nothing', async () => {
  const target = simTarget({ scenario: 'switch-alarm-missing' });
  const record = await drill(target, 'failover');
  expect(record.outcome).toBe('refused');
  expect(record.checks.find((c) => c.id === 'switch-alarm')).toMatchObject({
    ok: false,
    detail:
      'alarm example-wallet-failover-switch not found in us-west-2: Route 53 would keep its last known status, so throwing the switch would change nothing',
    fix: 'redeploy the standby stack so the switch alarm exists, then re-plan',
  });
});

describe('replication-lag-high', () => {
  test('refuses under MREC: the lag is over the RPO target', async () => {
    const target = simTarget({ scenario: 'replication-lag-high', config: mrecConfig() });
    const record = await drill(target, 'failover');
    expect(record.outcome).toBe('refused');
    expect(record.checks.find((c) => c.id === 'replication')).toMatchObject({
      ok: false,
      detail: 'ReplicationLatency us-east-2 -> us-west-2: 300.0 s (target 60 s)',
    });
  });

  test('MREC without the lag passes the replication check and records the observed RPO', async () => {
    const target = simTarget({ config: mrecConfig() });
    const record = await drill(target, 'failover');
    expect(record.checks.find((c) => c.id === 'replication')?.ok).toBe(true);
    expect(record.measurements.observedRpoSeconds).toBeGreaterThan(0);
    expect(record.measurements.observedRpoSeconds).toBeLessThan(2);
    expect(record.outcome).toBe('completed');
  });

  test('fails under MRSC with a message naming the setting', () => {
    expect(() => simTarget({ scenario: 'replication-lag-high' })).toThrow(ScenarioError);
    expect(() => simTarget({ scenario: 'replication-lag-high' })).toThrow(
      'scenario replication-lag-high needs data.consistency "MREC"; this config uses "MRSC"',
    );
  });
});

test.each(
  SCENARIO_NAMES.filter((s) => s !== 'replication-lag-high').flatMap((s) => [
    [s, 'failover'],
    [s, 'failback'],
  ]),
)('plan makes no mutating call (%s, %s)', async (scenario, direction) => {
  const target = simTarget({ scenario: scenario as never, position: direction === 'failback' ? 'standby' : 'primary' });
  const leaseBefore = { ...target.world.leaseItem() };
  await buildPlan(target, config, direction as 'failover' | 'failback');
  expect(target.calls.length).toBeGreaterThan(10);
  expect(target.calls.filter((c) => c.kind !== 'read')).toEqual([]);
  expect(target.world.log.filter((l) => /^(Put|Update|Delete|Create|Change|Set)/.test(l.command))).toEqual([]);
  expect(target.world.leaseItem()).toEqual(leaseBefore);
});

test("the caller must be in the config's account", async () => {
  const target = simTarget();
  target.world.callerAccount = '222222222222';
  const record = await drill(target, 'failover');
  expect(record.outcome).toBe('refused');
  expect(record.checks.find((c) => c.id === 'caller')).toMatchObject({
    ok: false,
    detail: "caller account 222222222222 is not the config's account 111111111111",
  });
});

test('an unrelated firing alarm blocks the drill until acknowledged with --allow-alarm', async () => {
  const blocked = simTarget();
  blocked.world.addFiringAlarm(config.regions.standby, 'example-wallet-us-west-2-signer-errors');
  expect((await drill(blocked, 'failover')).checks.find((c) => c.id === 'alarms')).toMatchObject({
    ok: false,
    detail: 'firing: example-wallet-us-west-2-signer-errors (us-west-2)',
  });
  const acknowledged = simTarget();
  acknowledged.world.addFiringAlarm(config.regions.standby, 'example-wallet-us-west-2-signer-errors');
  const record = await drill(acknowledged, 'failover', { allowAlarms: ['example-wallet-us-west-2-signer-errors'] });
  expect(record.outcome).toBe('completed');
});

test('a disabled standby signing key blocks the failover', async () => {
  const target = simTarget();
  target.world.setKeyEnabled('standby', false);
  const record = await drill(target, 'failover');
  expect(record.outcome).toBe('refused');
  expect(record.checks.find((c) => c.id === 'target-key')?.ok).toBe(false);
});
