import { randomUUID } from 'node:crypto';
import { BucketLocationConstraint, CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { regionalAlarmName } from '../../lib/contract/alarms';
import { failoverSwitchAlarmName } from '../../lib/contract/failover-switch';
import { SITE_DOCUMENTS, STATUS_KEYS, WALLET_EVENT_SOURCE, WALLET_EVENTS } from '../../lib/contract/status';
import { settingsFromConfig } from '../../lib/drill/settings';
import { pageInfo } from '../../lib/status/cli';
import { parseState } from '../../lib/status/model';
import { SubscriberNotifier } from '../../lib/status/notify';
import { Notifier } from '../../lib/status/publish';
import { statuspageProblems } from '../../lib/status/statuspage';
import { S3StatusReplica } from '../../lib/status/store';
import { handleStatusEvent, UpdaterDeps } from '../../lib/status/updater';
import { testConfig } from '../helpers/config';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The updater against moto's S3, SNS and SQS: two status buckets in the two wallet regions, both
 * regions' updaters fed the same events. What must hold: each change is committed once and notified
 * once, late and repeated events change nothing, the JSON written validates against the Statuspage
 * schema, and both buckets serve the same documents.
 */
const config = testConfig();
const PRIMARY = config.regions.primary;
const STANDBY = config.regions.standby;
const ENV = config.envName;
let moto: MotoServer;

interface World {
  readonly buckets: { primary: string; standby: string };
  readonly s3: { primary: S3Client; standby: S3Client };
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly topicArn: string;
  /** The SQS queue subscribed to the topic: what e-mail/SMS subscribers would get. */
  readonly inboxUrl: string;
  readonly webhookQueueUrl: string;
  updater(region: string, notifier?: Notifier): UpdaterDeps;
}

beforeAll(async () => {
  moto = await sharedMoto();
});

async function world(mode: 'auto' | 'notify-only' = 'auto'): Promise<World> {
  const id = randomUUID().slice(0, 8);
  const s3 = {
    primary: new S3Client({ ...moto.clientConfig(PRIMARY), forcePathStyle: true }),
    standby: new S3Client({ ...moto.clientConfig(STANDBY), forcePathStyle: true }),
  };
  const buckets = { primary: `status-${id}-${PRIMARY}`, standby: `status-${id}-${STANDBY}` };
  await s3.primary.send(
    new CreateBucketCommand({
      Bucket: buckets.primary,
      CreateBucketConfiguration: { LocationConstraint: PRIMARY as BucketLocationConstraint },
    }),
  );
  await s3.standby.send(
    new CreateBucketCommand({
      Bucket: buckets.standby,
      CreateBucketConfiguration: { LocationConstraint: STANDBY as BucketLocationConstraint },
    }),
  );
  const sns = new SNSClient(moto.clientConfig(PRIMARY));
  const sqs = new SQSClient(moto.clientConfig(PRIMARY));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: `status-${id}` }))).TopicArn!;
  const inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `inbox-${id}` }))).QueueUrl!;
  const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
  const webhookQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `webhooks-${id}` }))).QueueUrl!;
  const w: World = {
    buckets,
    s3,
    sns,
    sqs,
    topicArn,
    inboxUrl,
    webhookQueueUrl,
    updater: (region, notifier) => ({
      // Every updater lists the primary region's bucket first: one arbiter while it answers.
      replicas: [
        new S3StatusReplica(s3.primary, buckets.primary, PRIMARY),
        new S3StatusReplica(s3.standby, buckets.standby, STANDBY),
      ],
      notifier:
        notifier ?? new SubscriberNotifier(sns, sqs, { topicArn, webhookQueueUrl, webhooks: ['slack', 'discord'] }),
      topology: { envName: ENV, primaryRegion: PRIMARY, standbyRegion: STANDBY },
      page: pageInfo(config),
      settings: settingsFromConfig(config),
      mode,
      actor: `status-updater:${region}`,
      now: () => new Date('2026-12-01T12:00:30.000Z'),
    }),
  };
  return w;
}

const alarmEvent = (alarmName: string, region: string, value: 'OK' | 'ALARM', timestamp: string) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: config.account,
  time: timestamp,
  region,
  resources: [],
  detail: {
    alarmName,
    state: { value, reason: 'test', timestamp: timestamp.replace('Z', '+0000') },
    previousState: { value: value === 'OK' ? 'ALARM' : 'OK', timestamp },
  },
});

const walletEvent = (kind: keyof typeof WALLET_EVENTS, detail: Record<string, unknown>) => ({
  id: randomUUID(),
  source: WALLET_EVENT_SOURCE,
  'detail-type': WALLET_EVENTS[kind],
  detail: { envName: ENV, actor: 'remediation:us-west-2:x', reason: 'test', ...detail },
});

async function inboxCount(w: World): Promise<number> {
  let n = 0;
  for (;;) {
    const out = await w.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: w.inboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) return n;
    n += out.Messages.length;
  }
}

async function read(w: World, role: 'primary' | 'standby', key: string): Promise<string> {
  const out = await w.s3[role].send(new GetObjectCommand({ Bucket: w.buckets[role], Key: key }));
  return out.Body!.transformToString();
}

const impaired = regionalAlarmName(ENV, PRIMARY, 'regionImpaired');

test('the same region-impaired event seen by both regions: one change, one notification, same documents in both buckets', async () => {
  const w = await world();
  const event = alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z');
  // The primary's own bus and the standby's (forwarded copy: another event id, the same state change).
  const first = await handleStatusEvent(event, w.updater(PRIMARY));
  const second = await handleStatusEvent({ ...event, id: randomUUID() }, w.updater(STANDBY));
  expect(first.changed).toBe(true);
  expect(second.changed).toBe(false);
  expect(await inboxCount(w)).toBe(1);
  for (const role of ['primary', 'standby'] as const) {
    const state = parseState(JSON.parse(await read(w, role, STATUS_KEYS.state)));
    expect(state.facts.regionImpaired.primary).toBe(true);
    expect(state.outbox).toEqual([]);
    const docs = {
      summary: JSON.parse(await read(w, role, `site/${SITE_DOCUMENTS.summary}`)),
      status: JSON.parse(await read(w, role, `site/${SITE_DOCUMENTS.status}`)),
      components: JSON.parse(await read(w, role, `site/${SITE_DOCUMENTS.components}`)),
      incidents: JSON.parse(await read(w, role, `site/${SITE_DOCUMENTS.incidents}`)),
      unresolved: JSON.parse(await read(w, role, `site/${SITE_DOCUMENTS.unresolved}`)),
    };
    expect(statuspageProblems(docs)).toEqual([]);
    expect(docs.components.components.find((c: { id: string }) => c.id === 'region-primary').status).toBe(
      'major_outage',
    );
    expect(docs.unresolved.incidents).toHaveLength(1);
  }
  expect(await read(w, 'standby', `site/${SITE_DOCUMENTS.summary}`)).toBe(
    await read(w, 'primary', `site/${SITE_DOCUMENTS.summary}`),
  );
});

test('both regions racing on one event: exactly one commits and notifies (conditional PutObject)', async () => {
  const w = await world();
  const event = alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z');
  const results = await Promise.all([
    handleStatusEvent(event, w.updater(PRIMARY)),
    handleStatusEvent({ ...event, id: randomUUID() }, w.updater(STANDBY)),
  ]);
  expect(results.filter((r) => r.changed)).toHaveLength(1);
  expect(await inboxCount(w)).toBe(1);
});

test('a late delivery (older than what the page knows) changes nothing and notifies no one', async () => {
  const w = await world();
  await handleStatusEvent(alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z'), w.updater(PRIMARY));
  await handleStatusEvent(alarmEvent(impaired, PRIMARY, 'OK', '2026-12-01T12:05:00.000Z'), w.updater(PRIMARY));
  const before = await inboxCount(w);
  const late = await handleStatusEvent(
    alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z'),
    w.updater(STANDBY),
  );
  expect(late.changed).toBe(false);
  expect(before).toBe(2); // opened, then monitoring
  expect(await inboxCount(w)).toBe(0);
  const state = parseState(JSON.parse(await read(w, 'primary', STATUS_KEYS.state)));
  expect(state.facts.regionImpaired.primary).toBe(false);
});

test.each([
  [
    'public-name canary',
    () => alarmEvent(regionalAlarmName(ENV, STANDBY, 'publicNameCanary'), STANDBY, 'ALARM', '2026-12-01T12:00:00.000Z'),
    'public-api',
    'partial_outage',
  ],
  [
    'failover switch alarm',
    () => alarmEvent(failoverSwitchAlarmName(ENV), STANDBY, 'ALARM', '2026-12-01T12:00:00.000Z'),
    'signing',
    'degraded_performance',
  ],
  [
    'lease moved',
    () =>
      walletEvent('leaseMoved', {
        at: '2026-12-01T12:00:00Z',
        address: '0xabc',
        fromRegion: PRIMARY,
        toRegion: STANDBY,
        epoch: 2,
      }),
    'signing',
    'degraded_performance',
  ],
  [
    'switch changed',
    () => walletEvent('switchChanged', { at: '2026-12-01T12:00:00Z', position: 'on' }),
    'signing',
    'degraded_performance',
  ],
  [
    'degraded mode',
    () => walletEvent('degradedModeChanged', { at: '2026-12-01T12:00:00Z', region: PRIMARY, degraded: true }),
    'transaction-intake',
    'major_outage',
  ],
] as const)('%s event: the component changes once, in both buckets', async (_name, make, component, expected) => {
  const w = await world();
  const event = make();
  const a = await handleStatusEvent(event, w.updater(PRIMARY));
  const b = await handleStatusEvent(event, w.updater(STANDBY));
  expect([a.changed, b.changed]).toEqual([true, false]);
  for (const role of ['primary', 'standby'] as const) {
    const comps = JSON.parse(await read(w, role, `site/${SITE_DOCUMENTS.components}`));
    expect(comps.components.find((c: { id: string }) => c.id === component).status).toBe(expected);
  }
});

test('notify-only: the incident is drafted (not on the page, nothing sent), the facts still show', async () => {
  const w = await world('notify-only');
  const r = await handleStatusEvent(
    walletEvent('degradedModeChanged', { at: '2026-12-01T12:00:00Z', region: PRIMARY, degraded: true }),
    w.updater(PRIMARY),
  );
  expect(r.state.incidents.map((i) => i.published)).toEqual([false]);
  expect(await inboxCount(w)).toBe(0);
  expect(JSON.parse(await read(w, 'primary', `site/${SITE_DOCUMENTS.unresolved}`)).incidents).toEqual([]);
});

test('a notification lost to a crash is sent by the next run (outbox), and only then cleared', async () => {
  const w = await world();
  const failing: Notifier = { send: async () => Promise.reject(new Error('SNS throttled')) };
  await expect(
    handleStatusEvent(alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z'), w.updater(PRIMARY, failing)),
  ).rejects.toThrow('SNS throttled');
  expect(parseState(JSON.parse(await read(w, 'primary', STATUS_KEYS.state))).outbox).toHaveLength(1);
  // EventBridge retries the event a minute later: the change is already committed, the outbox is sent.
  const later = w.updater(PRIMARY);
  const retried = await handleStatusEvent(alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z'), {
    ...later,
    now: () => new Date('2026-12-01T12:02:00.000Z'),
  });
  expect(retried.notifications).toHaveLength(1);
  expect(await inboxCount(w)).toBe(1);
  expect(parseState(JSON.parse(await read(w, 'primary', STATUS_KEYS.state))).outbox).toEqual([]);
});

test('the primary bucket unreachable: the standby updater commits to the standby bucket alone', async () => {
  const w = await world();
  const deps = w.updater(STANDBY);
  const down = new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: PRIMARY,
    forcePathStyle: true,
    credentials: moto.credentials,
    maxAttempts: 1,
  });
  const r = await handleStatusEvent(alarmEvent(impaired, PRIMARY, 'ALARM', '2026-12-01T12:00:00.000Z'), {
    ...deps,
    replicas: [new S3StatusReplica(down, w.buckets.primary, PRIMARY), deps.replicas[1]],
  });
  expect(r.changed).toBe(true);
  expect(r.unavailable).toEqual([PRIMARY]);
  expect(JSON.parse(await read(w, 'standby', `site/${SITE_DOCUMENTS.status}`)).status.indicator).toBe('major');
});
