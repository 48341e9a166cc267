import { randomUUID } from 'node:crypto';
import { BucketLocationConstraint, CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { WalletConfig } from '../../lib/config/schema';
import { SITE_DOCUMENTS, STATUS_KEYS, statusBucketName, statusSubscribersTopicName } from '../../lib/contract/status';
import { main, STATUS_EXIT } from '../../lib/status/cli';
import { resolveAwsTarget } from '../../lib/status/aws-target';
import { parseState } from '../../lib/status/model';
import { rawConfig, testConfig } from '../helpers/config';
import { MotoServer, sharedMoto } from '../helpers/moto';
import { trackedTempDir } from '../helpers/temp-dirs';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `wallet-status --target aws` against moto: both regions' status buckets (named as the status stack
 * names them, or by --bucket), written with the updater's conditional PutObject, and the subscribers'
 * topic. Plus the refusals: no credentials (exit 2, naming the permissions), bad flags (exit 2, all at
 * once), no bucket answering (exit 3).
 */
let moto: MotoServer;
beforeAll(async () => {
  moto = await sharedMoto();
});
const clientConfig = (region: string) => moto.clientConfig(region);

interface Env {
  readonly config: WalletConfig;
  readonly configPath: string;
  readonly s3: Record<'primary' | 'standby', S3Client>;
  readonly buckets: Record<'primary' | 'standby', string>;
  readonly sqs: SQSClient;
  readonly inboxUrl: string;
  /** moto's account is its own (123456789012), not the config's: the topic is passed with --topic-arn. */
  readonly topicArn: string;
}

/** A fresh environment name per test (the moto server is shared): buckets, topic, queue as the stack names them. */
async function env(): Promise<Env> {
  const envName = `cli${randomUUID().slice(0, 6)}`;
  const config = testConfig({ envName });
  const dir = trackedTempDir('status-cli-aws-');
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(rawConfig({ envName })));
  const s3 = {
    primary: new S3Client({ ...clientConfig(config.regions.primary), forcePathStyle: true }),
    standby: new S3Client({ ...clientConfig(config.regions.standby), forcePathStyle: true }),
  };
  const buckets = {
    primary: statusBucketName(envName, config.account, config.regions.primary),
    standby: statusBucketName(envName, config.account, config.regions.standby),
  };
  for (const role of ['primary', 'standby'] as const) {
    await s3[role].send(
      new CreateBucketCommand({
        Bucket: buckets[role],
        CreateBucketConfiguration: { LocationConstraint: config.regions[role] as BucketLocationConstraint },
      }),
    );
  }
  const sns = new SNSClient(clientConfig(config.regions.primary));
  const sqs = new SQSClient(clientConfig(config.regions.primary));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: statusSubscribersTopicName(envName) }))).TopicArn!;
  const inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `inbox-${envName}` }))).QueueUrl!;
  const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: inboxArn }));
  return { config, configPath, s3, buckets, sqs, inboxUrl, topicArn };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(e: Env, args: string[], aws: Record<string, unknown> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['-c', e.configPath, '--target', 'aws', '--topic-arn', e.topicArn, ...args], {
    stdout: (t) => void (stdout += `${t}\n`),
    stderr: (t) => void (stderr += `${t}\n`),
    cwd: process.cwd(),
    env: { USER: 'ops' },
    now: () => new Date('2026-12-01T12:00:00.000Z'),
    aws: { endpoint: moto.endpoint, credentials: moto.credentials, ...aws },
  });
  return { code, stdout, stderr };
}

async function read(e: Env, role: 'primary' | 'standby', key: string): Promise<string> {
  const out = await e.s3[role].send(new GetObjectCommand({ Bucket: e.buckets[role], Key: key }));
  return out.Body!.transformToString();
}

async function inbox(e: Env): Promise<number> {
  const out = await e.sqs.send(new ReceiveMessageCommand({ QueueUrl: e.inboxUrl, MaxNumberOfMessages: 10 }));
  return out.Messages?.length ?? 0;
}

test("open, update, resolve and list on both regions' status buckets (the stack's names), notifying the subscribers once each", async () => {
  // Prepare
  const e = await env();

  // Act
  const open = await cli(e, ['open', '--scenario', 'maintenance', '--reason', 'database upgrade']);
  const list = await cli(e, ['list', '--json']);
  const id = (JSON.parse(list.stdout) as Array<{ id: string }>)[0].id;
  const update = await cli(e, [
    'update',
    id,
    '--status',
    'monitoring',
    '--message',
    'Upgrade done.',
    '--reason',
    'checks green',
  ]);
  const resolve = await cli(e, ['resolve', id, '--reason', 'done']);

  // Assess
  expect([open.code, list.code, update.code, resolve.code]).toEqual([0, 0, 0, 0]);
  const primary = parseState(JSON.parse(await read(e, 'primary', STATUS_KEYS.state)));
  const standby = parseState(JSON.parse(await read(e, 'standby', STATUS_KEYS.state)));
  expect(standby).toEqual(primary);
  expect(primary.incidents).toEqual([
    expect.objectContaining({ id, status: 'resolved', published: true, scenario: 'maintenance' }),
  ]);
  expect(primary.incidents[0].updates.map((u) => [u.status, u.actor])).toEqual([
    ['investigating', 'operator:ops'],
    ['monitoring', 'operator:ops'],
    ['resolved', 'operator:ops'],
  ]);
  for (const role of ['primary', 'standby'] as const) {
    const incidents = JSON.parse(await read(e, role, `site/${SITE_DOCUMENTS.incidents}`)) as {
      incidents: Array<{ id: string; status: string }>;
    };
    expect(incidents.incidents).toEqual([expect.objectContaining({ id, status: 'resolved' })]);
  }
  expect(await inbox(e)).toBe(3);
});

test('two operators at once: both changes land (conditional write, reload and retry on a conflict), none is lost', async () => {
  // Prepare
  const e = await env();
  await cli(e, ['open', '--scenario', 'maintenance', '--reason', 'first', '--started-at', '2026-12-01T11:00:00.000Z']);

  // Act
  const [a, b] = await Promise.all([
    cli(e, ['open', '--scenario', 'withdrawals-paused', '--reason', 'a', '--started-at', '2026-12-01T11:30:00.000Z']),
    cli(e, ['open', '--scenario', 'planned-drill', '--reason', 'b', '--started-at', '2026-12-01T11:45:00.000Z']),
  ]);

  // Assess
  expect([a.code, b.code]).toEqual([0, 0]);
  const state = parseState(JSON.parse(await read(e, 'primary', STATUS_KEYS.state)));
  expect(state.incidents.map((i) => i.scenario).sort()).toEqual(['maintenance', 'planned-drill', 'withdrawals-paused']);
});

test("--bucket names another bucket for one region; the other region keeps the stack's name", async () => {
  // Prepare: the standby's bucket under another name (flag).
  const e = await env();
  const other = `${e.buckets.standby}-x`;
  await e.s3.standby.send(
    new CreateBucketCommand({
      Bucket: other,
      CreateBucketConfiguration: { LocationConstraint: e.config.regions.standby as BucketLocationConstraint },
    }),
  );

  // Act
  const r = await cli(e, [
    'open',
    '--scenario',
    'maintenance',
    '--reason',
    'x',
    '--bucket',
    `${e.config.regions.standby}=${other}`,
  ]);

  // Assess
  expect(r.code).toBe(STATUS_EXIT.ok);
  const out = await e.s3.standby.send(new GetObjectCommand({ Bucket: other, Key: STATUS_KEYS.state }));
  expect(parseState(JSON.parse(await out.Body!.transformToString())).incidents).toHaveLength(1);
});

test('no credentials: exit 2, naming what to set and every permission needed; nothing is written', async () => {
  // Prepare
  const e = await env();

  // Act
  const r = await cli(e, ['open', '--scenario', 'maintenance', '--reason', 'x'], {
    credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
  });

  // Assess
  expect(r.code).toBe(STATUS_EXIT.usage);
  expect(r.stderr).toContain('no AWS credentials were found by the standard chain');
  expect(r.stderr).toContain('AWS_PROFILE');
  expect(r.stderr).toContain('status.operatorRoleArns');
  for (const bucket of [e.buckets.primary, e.buckets.standby]) {
    expect(r.stderr).toContain(`s3:GetObject and s3:PutObject on arn:aws:s3:::${bucket}/site/*`);
    expect(r.stderr).toContain(`arn:aws:s3:::${bucket}/state/*`);
  }
  expect(r.stderr).toContain(`sns:Publish on ${e.topicArn}`);
  expect(r.stderr).toContain('Nothing was written.');
  await expect(read(e, 'primary', STATUS_KEYS.state)).rejects.toThrow();
});

test('bad flags: every problem at once, exit 2', async () => {
  const e = await env();
  const r = await cli(e, [
    'list',
    '--bucket',
    'nonsense',
    '--bucket',
    'eu-west-9=some-bucket',
    '--notify-region',
    'mars-1',
  ]);
  expect(r.code).toBe(STATUS_EXIT.usage);
  expect(r.stderr).toContain('--bucket "nonsense" is not <region>=<bucket name>');
  expect(r.stderr).toContain('--bucket "eu-west-9=some-bucket" names eu-west-9, which is neither wallet region');
  expect(r.stderr).toContain('--notify-region "mars-1" is neither wallet region');
  const local = await main(['-c', e.configPath, 'list', '--bucket', 'x=y'], {
    stdout: () => undefined,
    stderr: () => undefined,
    cwd: process.cwd(),
    env: {},
    now: () => new Date(),
  });
  expect(local).toBe(STATUS_EXIT.usage);
});

test('no status bucket answers: exit 3, nothing written', async () => {
  const e = await env();
  const r = await cli(e, ['open', '--scenario', 'maintenance', '--reason', 'x'], { endpoint: 'http://127.0.0.1:9' });
  expect(r.code).toBe(STATUS_EXIT.unavailable);
  expect(r.stderr).toContain('Nothing was written');
});

test("without flags, the names are the status stack's: buckets per region, topic and queue in the primary", () => {
  const config = testConfig();
  const { primary, standby } = config.regions;
  expect(resolveAwsTarget(config, {})).toEqual({
    buckets: [
      { region: primary, name: statusBucketName(config.envName, config.account, primary) },
      { region: standby, name: statusBucketName(config.envName, config.account, standby) },
    ],
    notifyRegion: primary,
    topicArn: `arn:aws:sns:${primary}:${config.account}:${statusSubscribersTopicName(config.envName)}`,
    webhookQueueUrl: `https://sqs.${primary}.amazonaws.com/${config.account}/${config.envName}-wallet-status-webhooks`,
  });
  expect(resolveAwsTarget(config, { notifyRegion: standby }).topicArn).toContain(`:sns:${standby}:`);
});
