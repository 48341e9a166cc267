import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { StatusUpdaterEnv, WEBHOOK_KINDS } from '../../lib/contract/status';
import { HistorySource, refreshHistory } from '../../lib/status/history';
import { StatusInputError } from '../../lib/status/model';
import { SubscriberNotifier } from '../../lib/status/notify';
import { S3StatusReplica } from '../../lib/status/store';
import { handleStatusEvent, UpdaterDeps } from '../../lib/status/updater';

/**
 * The status updater: EventBridge delivers alarm state changes and wallet events (and the daily
 * history schedule) here. A malformed event is logged and dropped (retrying cannot fix it); any
 * other error is thrown so Lambda retries the event and, after that, sends it to the failure queue.
 */
const envSchema = z.object({
  envName: z.string().min(1),
  primaryRegion: z.string().min(1),
  standbyRegion: z.string().min(1),
  buckets: z.array(z.object({ region: z.string().min(1), name: z.string().min(1) })).min(1),
  mode: z.enum(['auto', 'notify-only']),
  page: z.object({ id: z.string(), name: z.string(), url: z.url() }),
  settings: z.object({
    intervalSeconds: z.number(),
    failureThreshold: z.number(),
    ttlSeconds: z.number(),
    checkerRegions: z.number(),
    canaryPeriodSeconds: z.number(),
  }),
  topicArn: z.string().min(1),
  webhookQueueUrl: z.string().min(1),
  webhooks: z.array(z.enum(WEBHOOK_KINDS)),
});

export function parseUpdaterEnv(raw: string | undefined, name: string): StatusUpdaterEnv {
  if (raw === undefined)
    throw new Error(`${name} is not set; the status stack sets it (lib/constructs/status-updater.ts)`);
  const parsed = envSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    throw new Error(
      `${name} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export function wireUpdater(env: StatusUpdaterEnv, region: string): UpdaterDeps {
  return {
    replicas: env.buckets.map(
      (b) => new S3StatusReplica(new S3Client({ region: b.region, maxAttempts: 2 }), b.name, b.region),
    ),
    notifier: new SubscriberNotifier(new SNSClient({ region }), new SQSClient({ region }), {
      topicArn: env.topicArn,
      webhookQueueUrl: env.webhookQueueUrl,
      webhooks: env.webhooks,
    }),
    topology: { envName: env.envName, primaryRegion: env.primaryRegion, standbyRegion: env.standbyRegion },
    page: { ...env.page, regions: { primary: env.primaryRegion, standby: env.standbyRegion } },
    settings: env.settings,
    mode: env.mode,
    actor: `status-updater:${region}`,
    now: () => new Date(),
  };
}

export function createHandler(deps: UpdaterDeps, history: HistorySource, log: Log) {
  return async (event: unknown): Promise<void> => {
    const e = event as { source?: string; 'detail-type'?: string };
    if (e?.source === 'aws.events' && e['detail-type'] === 'Scheduled Event') {
      const result = await refreshHistory(deps, history);
      log.info('history refreshed', { changed: result.changed, unavailable: result.unavailable });
      return;
    }
    try {
      const result = await handleStatusEvent(event, deps);
      log.info('status event', {
        signals: result.signals.map((s) => `${s.name}=${String(s.value)}@${s.at}`),
        changed: result.changed,
        notifications: result.notifications.length,
        unavailable: result.unavailable,
        attempts: result.attempts,
      });
    } catch (err) {
      if (err instanceof StatusInputError) {
        log.warn('status event refused (not retried)', { problems: err.problems });
        return;
      }
      throw err;
    }
  };
}
