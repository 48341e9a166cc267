import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { WebhookKind } from '../contract/status';
import { StatusNotification } from './incidents';
import { StatusInputError } from './model';
import { Notifier } from './publish';

/**
 * What subscribers get, per channel: e-mail and SMS through one SNS publish (a JSON message with a
 * text per protocol), and one webhook message per configured kind (Slack, Discord, Telegram) on the
 * webhook queue, so a failing Slack does not resend to Discord. `wallet-status ... --dry-run` prints
 * exactly these.
 */

const STATUS_LABEL: Record<StatusNotification['status'], string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
};

/** SNS Subject: at most 100 printable ASCII characters (SNS Publish API). */
export const emailSubject = (n: StatusNotification): string =>
  `${n.title} - ${STATUS_LABEL[n.status]}`.replace(/[^\x20-\x7e]/g, '').slice(0, 100);

export const emailBody = (n: StatusNotification): string =>
  `${n.title}\nStatus: ${STATUS_LABEL[n.status]}\n\n${n.body}\n\nDetails and updates: ${n.url}\n`;

/** One SMS segment where possible: status, title and the link; the advice is on the page. */
export const smsBody = (n: StatusNotification): string => {
  const tail = ` ${n.url}`;
  const head = `${STATUS_LABEL[n.status]}: ${n.title}.`;
  return `${head.slice(0, 160 - tail.length)}${tail}`;
};

/** Slack incoming webhook: `text` (fallback) and one mrkdwn section (Slack "Sending messages using incoming webhooks"). */
export function slackMessage(n: StatusNotification) {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    text: `${n.title}: ${STATUS_LABEL[n.status]}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${n.title}`.slice(0, 150) } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${STATUS_LABEL[n.status]}*\n${escape(n.body)}`.slice(0, 3000) },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${n.url}|Status page>` }] },
    ],
  };
}

/** Discord webhook: content at most 2000 characters, an embed, and no mentions ever parsed. */
export function discordMessage(n: StatusNotification) {
  const colour = n.status === 'resolved' || n.status === 'postmortem' ? 0x1a7f37 : n.drill ? 0x0550ae : 0xbc4c00;
  return {
    content: `${n.title}: ${STATUS_LABEL[n.status]}`.slice(0, 2000),
    embeds: [{ title: n.title.slice(0, 256), description: n.body.slice(0, 4096), url: n.url, color: colour }],
    allowed_mentions: { parse: [] as string[] },
  };
}

/** Telegram Bot API sendMessage (chat_id is in the secret's URL): plain text, at most 4096 characters. */
export function telegramMessage(n: StatusNotification) {
  return {
    text: `${n.title}\n${STATUS_LABEL[n.status]}\n\n${n.body}\n\n${n.url}`.slice(0, 4096),
    disable_web_page_preview: true,
  };
}

export function webhookMessage(kind: WebhookKind, n: StatusNotification): unknown {
  switch (kind) {
    case 'slack':
      return slackMessage(n);
    case 'discord':
      return discordMessage(n);
    case 'telegram':
      return telegramMessage(n);
  }
}

/** SNS `MessageStructure: json`: a text per protocol ("default" is required). */
export function snsMessage(n: StatusNotification): { subject: string; message: string } {
  return {
    subject: emailSubject(n),
    message: JSON.stringify({
      default: emailBody(n),
      email: emailBody(n),
      'email-json': JSON.stringify(n),
      sms: smsBody(n),
    }),
  };
}

/** The body the webhook queue carries: which kind, and the notification. */
export interface WebhookJob {
  readonly kind: WebhookKind;
  readonly notification: StatusNotification;
}

export interface ChannelTargets {
  readonly topicArn: string;
  readonly webhookQueueUrl?: string;
  readonly webhooks: readonly WebhookKind[];
}

/** Sends through SNS (e-mail, SMS) and the webhook queue. */
export class SubscriberNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly sqs: SQSClient,
    private readonly targets: ChannelTargets,
  ) {}

  async send(notifications: readonly StatusNotification[]): Promise<void> {
    for (const n of notifications) {
      const { subject, message } = snsMessage(n);
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.targets.topicArn,
          Subject: subject,
          Message: message,
          MessageStructure: 'json',
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: n.kind },
            drill: { DataType: 'String', StringValue: String(n.drill) },
          },
        }),
      );
    }
    if (this.targets.webhookQueueUrl === undefined || this.targets.webhooks.length === 0) return;
    const jobs: WebhookJob[] = notifications.flatMap((n) =>
      this.targets.webhooks.map((kind) => ({ kind, notification: n })),
    );
    for (let i = 0; i < jobs.length; i += 10) {
      const batch = jobs.slice(i, i + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.targets.webhookQueueUrl,
          Entries: batch.map((job, n) => ({ Id: `m${n}`, MessageBody: JSON.stringify(job) })),
        }),
      );
      if ((out.Failed ?? []).length > 0) {
        throw new Error(
          `webhook queue refused ${out.Failed!.length} message(s): ${out.Failed!.map((f) => f.Message).join('; ')}`,
        );
      }
    }
  }
}

/** Prints what would be sent (the CLI's --dry-run and preview). */
export function describeNotifications(
  notifications: readonly StatusNotification[],
  webhooks: readonly WebhookKind[],
): string {
  if (notifications.length === 0) return 'Subscribers: nothing is sent (no published change).\n';
  return notifications
    .map((n) => {
      const parts = [
        `--- e-mail (SNS) subject: ${emailSubject(n)}\n${emailBody(n)}`,
        `--- SMS (SNS): ${smsBody(n)}`,
        ...webhooks.map((k) => `--- ${k} webhook:\n${JSON.stringify(webhookMessage(k, n), null, 1)}`),
      ];
      return parts.join('\n');
    })
    .join('\n');
}

/** A webhook URL must be https (Telegram: api.telegram.org); refuses an empty or malformed secret. */
export function checkWebhookUrl(kind: WebhookKind, secretName: string, value: string | undefined): string {
  const problems: string[] = [];
  if (value === undefined || value.trim() === '') {
    problems.push(
      `the ${kind} webhook secret ${secretName} has no URL; put it with \`aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string <url>\` or remove ${kind} from status.webhooks`,
    );
  } else {
    let url: URL | undefined;
    try {
      url = new URL(value.trim());
    } catch {
      problems.push(
        `the ${kind} webhook secret ${secretName} is not a URL (received ${value.length} characters); store the webhook URL itself`,
      );
    }
    if (url !== undefined && url.protocol !== 'https:')
      problems.push(`the ${kind} webhook URL in ${secretName} is not https (received ${url.protocol})`);
  }
  if (problems.length > 0) throw new StatusInputError(problems, 'webhook secret refused');
  return value!.trim();
}
