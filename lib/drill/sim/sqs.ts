import { QueueDoesNotExist, ReceiptHandleIsInvalid } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';

/** The SDK checks MD5OfBody / MD5OfMessageBody against the body it sent or received, as SQS returns them. */
const md5 = (body: string): string => createHash('md5').update(body).digest('hex');

/** One message of a simulated queue. */
export interface SimMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId?: string;
  readonly dedupId?: string;
  /** Hidden from receives until this virtual time (a receive sets it to now + visibility timeout). */
  visibleAt: number;
  receiptHandle?: string;
}

/**
 * SQS for the simulated AWS: the signing queues and their DLQs of both wallet regions (FIFO, by the
 * names the stacks give them), with what the hand-off relies on: GetQueueUrl, GetQueueAttributes
 * (ApproximateNumberOfMessages), ReceiveMessage hiding a message for its visibility timeout,
 * DeleteMessage by the latest receipt handle only, and SendMessage dropping a duplicate
 * MessageDeduplicationId within the 5-minute deduplication interval ("Exactly-once processing",
 * SQS Developer Guide).
 */
export class SimulatedSqs {
  private readonly queues = new Map<string, SimMessage[]>();
  private readonly dedup = new Map<string, number>();
  private next = 0;

  constructor(
    private readonly account: string,
    queueNames: readonly string[],
    regions: readonly string[],
    private readonly now: () => number,
  ) {
    for (const region of regions) for (const name of queueNames) this.queues.set(this.url(region, name), []);
  }

  url(region: string, name: string): string {
    return `https://sqs.${region}.amazonaws.com/${this.account}/${name}`;
  }

  /** The messages of a queue (tests and scenarios seed stranded work here). */
  messages(region: string, name: string): SimMessage[] {
    const q = this.queues.get(this.url(region, name));
    if (q === undefined) throw new Error(`no simulated queue ${name} in ${region}`);
    return q;
  }

  /** Puts a message on a queue as if it had been sent earlier (a scenario's stranded work). */
  seed(region: string, name: string, body: string): void {
    this.messages(region, name).push({ messageId: `sim-msg-${this.next++}`, body, visibleAt: 0 });
  }

  handle(region: string, command: string, input: Record<string, unknown>): Record<string, unknown> {
    if (command === 'GetQueueUrlCommand') {
      const url = this.url(region, String(input.QueueName));
      if (!this.queues.has(url)) throw this.missing();
      return { QueueUrl: url };
    }
    const url = String(input.QueueUrl);
    const q = this.queues.get(url);
    if (q === undefined || !url.startsWith(`https://sqs.${region}.`)) throw this.missing();
    const now = this.now();
    switch (command) {
      case 'GetQueueAttributesCommand':
        return { Attributes: { ApproximateNumberOfMessages: String(q.filter((m) => m.visibleAt <= now).length) } };
      case 'ReceiveMessageCommand': {
        const max = Number(input.MaxNumberOfMessages ?? 1);
        const hideMs = Number(input.VisibilityTimeout ?? 30) * 1000;
        const got = q.filter((m) => m.visibleAt <= now).slice(0, max);
        for (const m of got) {
          m.visibleAt = now + hideMs;
          m.receiptHandle = `sim-rh-${this.next++}`;
        }
        return {
          Messages: got.map((m) => ({
            MessageId: m.messageId,
            Body: m.body,
            MD5OfBody: md5(m.body),
            ReceiptHandle: m.receiptHandle,
          })),
        };
      }
      case 'DeleteMessageCommand': {
        const i = q.findIndex((m) => m.receiptHandle !== undefined && m.receiptHandle === input.ReceiptHandle);
        if (i < 0) {
          throw new ReceiptHandleIsInvalid({ message: 'The receipt handle provided is not valid.', $metadata: {} });
        }
        q.splice(i, 1);
        return {};
      }
      case 'SendMessageCommand': {
        const dedupId = typeof input.MessageDeduplicationId === 'string' ? input.MessageDeduplicationId : undefined;
        const key = dedupId === undefined ? undefined : `${url}|${dedupId}`;
        const seen = key === undefined ? undefined : this.dedup.get(key);
        const messageId = `sim-msg-${this.next++}`;
        const answer = { MessageId: messageId, MD5OfMessageBody: md5(String(input.MessageBody)) };
        if (seen !== undefined && now - seen < 5 * 60_000) return answer;
        if (key !== undefined) this.dedup.set(key, now);
        q.push({
          messageId,
          body: String(input.MessageBody),
          ...(typeof input.MessageGroupId === 'string' ? { groupId: input.MessageGroupId } : {}),
          ...(dedupId !== undefined ? { dedupId } : {}),
          visibleAt: now,
        });
        return answer;
      }
      default:
        throw new Error(`the simulated AWS does not implement sqs ${command}`);
    }
  }

  private missing(): Error {
    return new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} });
  }
}
