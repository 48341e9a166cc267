/**
 * SQS queues in memory, with the semantics the signer and the hand-off depend on: at-least-once
 * delivery (a message whose visibility timeout expires before it is deleted is delivered again,
 * possibly while the first consumer still works on it), no order promised across receives (this
 * harness is stricter than FIFO ordering within a group), a receive count, a redrive to the DLQ once
 * it exceeds maxReceiveCount, FIFO deduplication by MessageDeduplicationId within 5 minutes, and
 * the receipt-handle rule: "You must provide the most recently received receipt handle when you
 * request to delete the message (otherwise, the request succeeds, but the message might not be
 * deleted)" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html).
 */
export interface SimMessage {
  readonly id: string;
  readonly body: string;
  readonly groupId?: string;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
}

export interface QueueSpec {
  readonly url: string;
  readonly deadLetterUrl?: string;
  readonly maxReceiveCount?: number;
}

const DEDUP_WINDOW_MS = 5 * 60_000;

export class SimSqs {
  readonly queues = new Map<string, { spec: QueueSpec; messages: SimMessage[]; dedup: Map<string, number> }>();
  private ids = 0;
  sent = 0;

  constructor(
    private readonly clock: () => number,
    private readonly pick: (n: number) => number,
  ) {}

  create(spec: QueueSpec): void {
    this.queues.set(spec.url, { spec, messages: [], dedup: new Map() });
  }

  private queue(url: string) {
    const q = this.queues.get(url);
    if (q === undefined) {
      throw Object.assign(new Error(`The specified queue does not exist: ${url}`), {
        name: 'QueueDoesNotExist',
      });
    }
    return q;
  }

  send(url: string, body: string, groupId?: string, dedupId?: string): string {
    const q = this.queue(url);
    const now = this.clock();
    if (dedupId !== undefined) {
      const seen = q.dedup.get(dedupId);
      if (seen !== undefined && now - seen < DEDUP_WINDOW_MS) return `dedup-${dedupId}`;
      q.dedup.set(dedupId, now);
    }
    const id = `m-${++this.ids}`;
    q.messages.push({ id, body, groupId, visibleAt: now, receiveCount: 0 });
    this.sent += 1;
    return id;
  }

  /** A send that bypasses deduplication (a duplicate delivered after the window, or by a fault). */
  duplicate(url: string, body: string, groupId?: string): string {
    return this.send(url, body, groupId);
  }

  receive(url: string, max: number, visibilityMs: number): SimMessage[] {
    const q = this.queue(url);
    const now = this.clock();
    const out: SimMessage[] = [];
    const visible = q.messages.filter((m) => m.visibleAt <= now);
    while (out.length < max && visible.length > 0) {
      const m = visible.splice(this.pick(visible.length), 1)[0];
      if (q.spec.deadLetterUrl !== undefined && m.receiveCount >= (q.spec.maxReceiveCount ?? 5)) {
        q.messages.splice(q.messages.indexOf(m), 1);
        const dlq = this.queue(q.spec.deadLetterUrl);
        dlq.messages.push({ ...m, visibleAt: now, receiveCount: 0, receipt: undefined });
        continue;
      }
      m.receiveCount += 1;
      m.visibleAt = now + visibilityMs;
      m.receipt = `${m.id}#${m.receiveCount}`;
      out.push({ ...m });
    }
    return out;
  }

  delete(url: string, receipt: string): void {
    const q = this.queue(url);
    const i = q.messages.findIndex((m) => m.receipt === receipt);
    if (i >= 0) q.messages.splice(i, 1);
  }

  depth(url: string): number {
    return this.queue(url).messages.length;
  }

  /** The earliest time a message of `url` becomes visible (Infinity if empty). */
  nextVisible(url: string): number {
    return Math.min(...this.queue(url).messages.map((m) => m.visibleAt), Number.POSITIVE_INFINITY);
  }
}
