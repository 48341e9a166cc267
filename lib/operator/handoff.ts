import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_GSI1, ledgerKeys, OPEN_TX_STATUSES, txStatusPartition } from '../contract/ledger';
import { LeaseStore, readLease } from '../failover/lease';

/**
 * Moves queued work to the lease holder (docs/lease-and-nonce.md, "Nothing stranded"): run it on
 * every lease change (failover, failback) and whenever a DLQ alarm fires. A signer without the lease
 * cannot sign what its queue holds; without this, messages queued just before a move, everything the
 * old primary accepted while detection and DNS caught up, and anything sent to a regional name die in
 * that region's DLQ, and a client holding its 202 never learns.
 *
 * 1. every message in the given DLQs is sent to the holder's signing queue, then deleted from the DLQ
 *    (send first: a crash in between leaves a duplicate, which the signer absorbs - it is idempotent
 *    per txId - never a loss);
 * 2. every open (`queued`, `nonce-assigned`, `signed`) transaction of the address is re-sent to the
 *    holder's queue (its message may be in a queue nobody drains), deduplicated per epoch.
 * It writes one audit record. Safe to run again at any time.
 */
export interface HandOffOptions {
  readonly ledger: LeaseStore;
  readonly sqs: SQSClient;
  /** The signing address whose work moves. */
  readonly address: string;
  /** The signing queue URL of a region. */
  readonly queueUrlFor: (region: string) => string;
  /** Dead-letter queues to empty into the holder's queue. */
  readonly deadLetterQueueUrls: readonly string[];
  readonly actor: string;
  /** Stop after this many DLQ messages per queue (a bounded run). @default 1000 */
  readonly maxMessagesPerQueue?: number;
  readonly now?: Date;
}

export interface HandOffReport {
  readonly holder: string;
  readonly epoch: number;
  readonly fromDeadLetterQueues: number;
  readonly requeued: readonly string[];
  readonly auditKey: { pk: string; sk: string };
}

export class HandOffRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandOffRefusedError';
  }
}

/** The FIFO message attributes of a signing message (lambda/shared/queue.ts uses the same scheme). */
function groupOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { walletId?: unknown; kind?: unknown };
    if (typeof parsed.walletId === 'string') return parsed.walletId;
    if (parsed.kind === 'fill-gap') return 'fill-gap';
  } catch {
    // an unparsable body still moves: the signer reports it with its reason
  }
  return 'unparsable';
}

/** One deduplication id per transaction and epoch, whether it comes from a DLQ or from the ledger. */
function dedupId(body: string, epoch: number, messageId: string): string {
  try {
    const parsed = JSON.parse(body) as { txId?: unknown };
    if (typeof parsed.txId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(parsed.txId)) {
      return `tx-${parsed.txId}-handoff-${epoch}`;
    }
  } catch {
    // not a transaction message
  }
  return `handoff-${epoch}-${messageId}`;
}

export async function handOffStrandedWork(options: HandOffOptions): Promise<HandOffReport> {
  const address = options.address.toLowerCase();
  const lease = await readLease(options.ledger, address);
  if (lease === undefined) {
    throw new HandOffRefusedError(`no lease exists for ${address}; nothing can be handed to a holder`);
  }
  const target = options.queueUrlFor(lease.activeRegion);
  const max = options.maxMessagesPerQueue ?? 1000;
  let fromDlq = 0;
  for (const dlq of options.deadLetterQueueUrls) {
    if (dlq === target) continue;
    for (let moved = 0; moved < max;) {
      const page = await options.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
      );
      const messages = page.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        const body = m.Body ?? '';
        await options.sqs.send(
          new SendMessageCommand({
            QueueUrl: target,
            MessageBody: body,
            MessageGroupId: groupOf(body),
            MessageDeduplicationId: dedupId(body, lease.epoch, m.MessageId ?? String(moved)),
          }),
        );
        await options.sqs.send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: m.ReceiptHandle }));
        moved += 1;
        fromDlq += 1;
      }
    }
  }
  const requeued: string[] = [];
  // Every OPEN transaction, not only queued ones: a transaction signed (or given its nonce) in the
  // old holder's region whose message sits in that region's queue is stranded as surely, and it
  // stalls every later nonce of the address (found by the torture harness, torture/).
  for (const status of OPEN_TX_STATUSES) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await options.ledger.ddb.send(
        new QueryCommand({
          TableName: options.ledger.tableName,
          IndexName: LEDGER_GSI1,
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': txStatusPartition(address, status) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const walletId = String(item.walletId);
        const txId = String(item.txId);
        await options.sqs.send(
          new SendMessageCommand({
            QueueUrl: target,
            MessageBody: JSON.stringify({ walletId, txId }),
            MessageGroupId: walletId,
            MessageDeduplicationId: `tx-${txId}-handoff-${lease.epoch}`,
          }),
        );
        requeued.push(txId);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
  const at = (options.now ?? new Date()).toISOString();
  const auditKey = ledgerKeys.audit(
    `lease#${address}`,
    at,
    `handoff-epoch-${lease.epoch}-${fromDlq}-${requeued.length}`,
  );
  await options.ledger.ddb.send(
    new PutCommand({
      TableName: options.ledger.tableName,
      Item: {
        ...auditKey,
        kind: 'work-handoff',
        address,
        holder: lease.activeRegion,
        epoch: lease.epoch,
        actor: options.actor,
        fromDeadLetterQueues: fromDlq,
        requeued,
        at,
      },
    }),
  );
  return { holder: lease.activeRegion, epoch: lease.epoch, fromDeadLetterQueues: fromDlq, requeued, auditKey };
}
