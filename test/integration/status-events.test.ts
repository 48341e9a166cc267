import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { regionalAlarmName } from '../../lib/contract/alarms';
import { statusUpdaterEventPattern } from '../../lib/constructs/status-updater';
import { settingsFromConfig } from '../../lib/drill/settings';
import { pageInfo } from '../../lib/status/cli';
import { Notifier } from '../../lib/status/publish';
import { S3StatusReplica } from '../../lib/status/store';
import { handleStatusEvent, UpdaterDeps } from '../../lib/status/updater';
import { EmitOutcome, WalletEventEmitter } from '../../lib/status/wallet-events';
import { announcingPorts } from '../../lambda/remediation/status-events';
import { ExecutionPorts } from '../../lambda/remediation/execute';
import { testConfig } from '../helpers/config';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The wallet's status events against moto's EventBridge: a rule on each wallet region's default bus
 * with exactly the status updater's pattern (statusUpdaterEventPattern, what the stack deploys)
 * delivers to an SQS queue standing in for the updater Lambda (moto runs no Lambda targets). What
 * comes out of both queues is fed to both regions' real updaters over moto S3: each change shows
 * once on the page and is notified once.
 */
const config = testConfig();
const PRIMARY = config.regions.primary;
const STANDBY = config.regions.standby;
const ENV = config.envName;
const ADDRESS = '0x1111111111111111111111111111111111111111';
let moto: MotoServer;

beforeAll(async () => {
  moto = await sharedMoto();
});

interface Bus {
  readonly region: string;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

/** A rule with the updater's pattern on the region's default bus, targeting a fresh queue. */
async function bus(region: string, id: string): Promise<Bus> {
  const events = new EventBridgeClient(moto.clientConfig(region));
  const sqs = new SQSClient(moto.clientConfig(region));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `updater-${id}` }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  const rule = `status-updater-${id}`;
  await events.send(
    new PutRuleCommand({
      Name: rule,
      EventPattern: JSON.stringify(statusUpdaterEventPattern([regionalAlarmName(ENV, region, 'regionImpaired')])),
    }),
  );
  await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'updater', Arn: queueArn }] }));
  return { region, events, sqs, queueUrl };
}

async function drain(b: Bus): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const r = await b.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: b.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

/** Inner ports as the ledger and CloudWatch adapters would answer a successful failover. */
function changingPorts(at: string): ExecutionPorts {
  const lease = (activeRegion: string, epoch: number) => ({
    address: ADDRESS,
    activeRegion,
    epoch,
    updatedAt: at,
    updatedBy: 'remediation',
    reason: 'test',
  });
  return {
    leases: {
      leases: async () => [],
      move: async () => ({ changed: true, before: lease(PRIMARY, 3), after: lease(STANDBY, 4) }) as never,
    },
    switch: {
      throwOn: async (reason) =>
        ({ region: STANDBY, envName: ENV, position: 'on', value: 0, timestamp: at, reason }) as never,
    },
    regionControl: { get: async () => undefined, setDegraded: async () => ({ changed: true }) },
    budget: { recent: async () => [], reserve: async () => undefined },
  };
}

async function updaters(id: string) {
  const s3 = {
    primary: new S3Client({ ...moto.clientConfig(PRIMARY), forcePathStyle: true }),
    standby: new S3Client({ ...moto.clientConfig(STANDBY), forcePathStyle: true }),
  };
  const buckets = { primary: `status-ev-${id}-${PRIMARY}`, standby: `status-ev-${id}-${STANDBY}` };
  for (const role of ['primary', 'standby'] as const) {
    await s3[role].send(
      new CreateBucketCommand({
        Bucket: buckets[role],
        CreateBucketConfiguration: { LocationConstraint: config.regions[role] as BucketLocationConstraint },
      }),
    );
  }
  const sent: unknown[] = [];
  const notifier: Notifier = {
    send: async (n) => {
      sent.push(...n);
    },
  };
  const deps = (region: string): UpdaterDeps => ({
    replicas: [
      new S3StatusReplica(s3.primary, buckets.primary, PRIMARY),
      new S3StatusReplica(s3.standby, buckets.standby, STANDBY),
    ],
    notifier,
    topology: { envName: ENV, primaryRegion: PRIMARY, standbyRegion: STANDBY },
    page: pageInfo(config),
    settings: settingsFromConfig(config),
    mode: 'auto',
    actor: `status-updater:${region}`,
    now: () => new Date('2026-12-01T12:00:30.000Z'),
  });
  return { deps, sent };
}

test("remediation's lease, switch and degraded-mode events reach both regions' updater rules, and the page shows each change once", async () => {
  // Prepare
  const id = randomUUID().slice(0, 8);
  const buses = { [PRIMARY]: await bus(PRIMARY, id), [STANDBY]: await bus(STANDBY, id) };
  const emitter = new WalletEventEmitter({
    regions: [PRIMARY, STANDBY],
    client: (region) => buses[region].events,
    log: () => undefined,
  });
  const at = '2026-12-01T12:00:00.000Z';
  const ports = announcingPorts(changingPorts(at), emitter, { envName: ENV, region: STANDBY, now: () => new Date(at) });

  // Act: what execute() does in a failover, plus degraded mode in the primary.
  await ports.leases.move({
    address: ADDRESS,
    toRegion: STANDBY,
    expectedEpoch: 3,
    actor: 'remediation:us-west-2:x',
    reason: 'primary down',
    isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
  });
  await ports.switch.throwOn('primary down');
  await ports.regionControl.setDegraded(PRIMARY, true, 'primary impaired', 'remediation:us-east-2:x');
  const outcomes = await emitter.flush();
  const delivered = { primary: await drain(buses[PRIMARY]), standby: await drain(buses[STANDBY]) };
  const { deps, sent } = await updaters(id);
  const results = [];
  // SQS does not keep order: the primary's updater gets its copies in the order they were emitted,
  // the standby's in the reverse order (a late, shuffled delivery).
  const order = ['Wallet Signing Lease Moved', 'Wallet Failover Switch Changed', 'Wallet Degraded Mode Changed'];
  const rank = (e: unknown) => order.indexOf((e as { 'detail-type': string })['detail-type']);
  for (const e of [...delivered.primary].sort((a, b) => rank(a) - rank(b)))
    results.push(await handleStatusEvent(e, deps(PRIMARY)));
  const notifiedAfterPrimary = sent.length;
  const afterPrimary = (await deps(PRIMARY).replicas[0].readState()).state!;
  for (const e of [...delivered.standby].sort((a, b) => rank(b) - rank(a)))
    results.push(await handleStatusEvent(e, deps(STANDBY)));

  // Assess: delivered on both buses, matched by the updater's own pattern.
  expect(outcomes.every((o: EmitOutcome) => o.delivered)).toBe(true);
  for (const copies of [delivered.primary, delivered.standby]) {
    expect(copies.map((e) => (e as { 'detail-type': string })['detail-type']).sort()).toEqual(
      ['Wallet Degraded Mode Changed', 'Wallet Failover Switch Changed', 'Wallet Signing Lease Moved'].sort(),
    );
  }
  // Each change committed once: the standby's copies change nothing and notify no one.
  expect(results.slice(0, 3).map((r) => r.changed)).toEqual([true, true, true]);
  expect(results.slice(3).map((r) => r.changed)).toEqual([false, false, false]);
  expect(sent.length).toBe(notifiedAfterPrimary);
  const state = (await deps(STANDBY).replicas[1].readState()).state!;
  expect(state.facts).toEqual(
    expect.objectContaining({ leaseRegion: 'standby', switchOn: true, degraded: { primary: true, standby: false } }),
  );
  // The standby's copies left the page exactly as the primary's made it (same revision, same incidents).
  expect(state.incidents).toEqual(afterPrimary.incidents);
  expect(state.audit).toEqual(afterPrimary.audit);
});

test('an event another bus cannot take is retried and reported undelivered there, and still delivered to the other region', async () => {
  // Prepare: the standby's endpoint is a closed loopback port (a region that does not answer).
  const id = randomUUID().slice(0, 8);
  const primary = await bus(PRIMARY, id);
  const down = new EventBridgeClient({ ...moto.clientConfig(STANDBY), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const undelivered: EmitOutcome[] = [];
  const emitter = new WalletEventEmitter({
    regions: [PRIMARY, STANDBY],
    client: (region) => (region === PRIMARY ? primary.events : down),
    log: () => undefined,
    onUndelivered: (o) => void undelivered.push(o),
    backoffMs: 1,
  });

  // Act
  emitter.emit('switchChanged', {
    envName: ENV,
    at: '2026-12-01T12:00:00.000Z',
    actor: 'drill:test',
    reason: 'drill',
    drill: true,
    position: 'on',
  });
  const outcomes = await emitter.flush();

  // Assess
  expect(outcomes).toEqual([
    expect.objectContaining({ region: PRIMARY, delivered: true, attempts: 1 }),
    expect.objectContaining({
      region: STANDBY,
      delivered: false,
      attempts: 3,
      error: expect.stringMatching(/ECONNREFUSED/),
    }),
  ]);
  expect(undelivered).toEqual([expect.objectContaining({ region: STANDBY })]);
  const got = await drain(primary);
  expect(got).toEqual([
    expect.objectContaining({
      source: 'wallet.resilience',
      'detail-type': 'Wallet Failover Switch Changed',
      detail: expect.objectContaining({ position: 'on', drill: true }),
    }),
  ]);
});
