import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WEBHOOK_KINDS, WebhookKind } from '../../lib/contract/status';
import { checkWebhookUrl, WebhookJob, webhookMessage } from '../../lib/status/notify';

/**
 * Posts status notifications to webhooks (Slack, Discord, Telegram), one SQS message per
 * notification and kind. A failed post (network, non-2xx, a missing or malformed secret) fails only
 * its message (ReportBatchItemFailures): SQS retries it after the visibility timeout, and after
 * maxReceiveCount sends it to the dead-letter queue, whose depth is alarmed.
 */
export interface WebhookDeps {
  /** Secret ARN per configured kind. */
  readonly secrets: Readonly<Partial<Record<WebhookKind, string>>>;
  readonly secretsManager: SecretsManagerClient;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
}

export function parseSecretsEnv(raw: string | undefined): Partial<Record<WebhookKind, string>> {
  const value = JSON.parse(raw ?? '{}') as Record<string, string>;
  for (const k of Object.keys(value)) {
    if (!(WEBHOOK_KINDS as readonly string[]).includes(k))
      throw new Error(`unknown webhook kind ${k} in the secrets map`);
  }
  return value as Partial<Record<WebhookKind, string>>;
}

export function createWebhookHandler(deps: WebhookDeps) {
  // Cached per container for 5 minutes, so a corrected secret is picked up without a deploy.
  const cache = new Map<string, { url: string; at: number }>();
  const url = async (kind: WebhookKind): Promise<string> => {
    const arn = deps.secrets[kind];
    if (arn === undefined)
      throw new Error(`no secret is configured for the ${kind} webhook; add ${kind} to status.webhooks and deploy`);
    const hit = cache.get(kind);
    if (hit && Date.now() - hit.at < 300_000) return hit.url;
    const out = await deps.secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
    const checked = checkWebhookUrl(kind, arn, out.SecretString);
    cache.set(kind, { url: checked, at: Date.now() });
    return checked;
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const job = JSON.parse(record.body) as WebhookJob;
        const res = await deps.fetch(await url(job.kind), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(webhookMessage(job.kind, job.notification)),
          signal: AbortSignal.timeout(deps.timeoutMs),
        });
        if (!res.ok) throw new Error(`the ${job.kind} webhook answered HTTP ${res.status}`);
        deps.log('webhook delivered', { kind: job.kind, incident: job.notification.incidentId, status: res.status });
      } catch (err) {
        // The URL is a secret: never log it, only what failed.
        deps.log('webhook failed (retried by SQS, then dead-lettered)', {
          messageId: record.messageId,
          error: (err as Error).message,
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
