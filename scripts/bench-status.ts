/**
 * Status page benchmarks (figures go to docs/benchmarks.md, never into test assertions):
 * - page weight of each rendering (what a first visit downloads: index.html, status.css, the icon),
 *   raw and gzip;
 * - time from an alarm state change (the EventBridge event reaching the updater) to the updated
 *   `api/v2/summary.json` readable in BOTH status buckets, against moto_server (S3, SNS, SQS) on
 *   loopback: the updater's real code path with two buckets, conditional writes and notifications.
 *
 *   npm run bench:status [-- --runs 20]
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { BucketLocationConstraint, CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfigFile } from '../lib/config/load';
import { regionalAlarmName } from '../lib/contract/alarms';
import { SITE_DOCUMENTS, STATUS_CACHE_SECONDS } from '../lib/contract/status';
import { settingsFromConfig } from '../lib/drill/settings';
import { pageInfo } from '../lib/status/cli';
import { pageWeightBytes, renderSite } from '../lib/status/documents';
import { SubscriberNotifier } from '../lib/status/notify';
import { RENDER_SCENARIOS, scenarioState } from '../lib/status/scenarios';
import { S3StatusReplica } from '../lib/status/store';
import { handleStatusEvent } from '../lib/status/updater';

const config = loadConfigFile('config/example.json');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 20) || 20;

function weights(): void {
  console.log('page weight (first visit: index.html + status.css + favicon.svg)');
  for (const s of RENDER_SCENARIOS) {
    const docs = renderSite(scenarioState(s, pageInfo(config), settingsFromConfig(config)));
    const first = docs.filter((d) => ['index.html', 'status.css', 'favicon.svg'].includes(d.path));
    const gz = first.reduce((n, d) => n + gzipSync(d.body).length, 0);
    console.log(
      `  ${s.padEnd(13)} ${(pageWeightBytes(docs) / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function latency(): Promise<void> {
  const port = await freePort();
  const moto: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    const endpoint = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
    const [P, S] = [config.regions.primary, config.regions.standby];
    const s3 = (region: string) => new S3Client({ endpoint, region, credentials, forcePathStyle: true });
    const buckets = [`bench-${P}`, `bench-${S}`];
    await s3(P).send(
      new CreateBucketCommand({
        Bucket: buckets[0],
        CreateBucketConfiguration: { LocationConstraint: P as BucketLocationConstraint },
      }),
    );
    await s3(S).send(
      new CreateBucketCommand({
        Bucket: buckets[1],
        CreateBucketConfiguration: { LocationConstraint: S as BucketLocationConstraint },
      }),
    );
    const sns = new SNSClient({ endpoint, region: P, credentials });
    const sqs = new SQSClient({ endpoint, region: P, credentials });
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'bench' }))).TopicArn!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }))).QueueUrl!;
    const replicas = [new S3StatusReplica(s3(P), buckets[0], P), new S3StatusReplica(s3(S), buckets[1], S)];
    const alarm = regionalAlarmName(config.envName, P, 'regionImpaired');
    const times: number[] = [];
    const t0 = Date.parse('2026-12-01T12:00:00Z');
    for (let i = 0; i < runs; i++) {
      const value = i % 2 === 0 ? 'ALARM' : 'OK';
      const at = new Date(t0 + i * 60_000).toISOString();
      const event = {
        id: randomUUID(),
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: config.account,
        time: at,
        region: P,
        detail: { alarmName: alarm, state: { value, reason: 'bench', timestamp: at } },
      };
      const expected = value === 'ALARM' ? 'major_outage' : 'operational';
      const start = performance.now();
      await handleStatusEvent(event, {
        replicas,
        notifier: new SubscriberNotifier(sns, sqs, { topicArn, webhookQueueUrl: queueUrl, webhooks: ['slack'] }),
        topology: { envName: config.envName, primaryRegion: P, standbyRegion: S },
        page: pageInfo(config),
        settings: settingsFromConfig(config),
        mode: 'auto',
        actor: 'bench',
        now: () => new Date(Date.parse(at) + 1000),
      });
      for (const [k, region] of [P, S].entries()) {
        const body = await (
          await s3(region).send(new GetObjectCommand({ Bucket: buckets[k], Key: `site/${SITE_DOCUMENTS.summary}` }))
        ).Body!.transformToString();
        const comp = (JSON.parse(body) as { components: Array<{ id: string; status: string }> }).components.find(
          (c) => c.id === 'region-primary',
        );
        if (comp?.status !== expected)
          throw new Error(`bucket ${buckets[k]} shows ${comp?.status}, expected ${expected}`);
      }
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)].toFixed(0);
    console.log(
      `alarm state change -> summary.json updated in both buckets (moto, ${runs} alternating ALARM/OK events):`,
    );
    console.log(`  p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${times[times.length - 1].toFixed(0)} ms`);
    console.log(
      `  plus on AWS: CloudWatch -> EventBridge delivery (not published by AWS; seconds) and the edge cache (<= ${STATUS_CACHE_SECONDS} s TTL)`,
    );
  } finally {
    moto.kill();
  }
}

weights();
void latency().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
