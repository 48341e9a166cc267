import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LEDGER_GSI1, ledgerKeys, OPEN_TX_STATUSES, schemaStamp, txStatusPartition } from '../contract/ledger';
import { Lease, LeaseStore, readLease } from './lease';

/**
 * Moves stranded work to the lease holder (docs/lease-and-nonce.md, "Nothing stranded"). It runs
 * after every lease move (the drill's AWS and simulated targets, remediation's failover) and from
 * `wallet-ops hand-off` / `wallet-ops sweep-dlq`. A signer without the lease cannot sign what its
 * queue holds; without this, messages queued just before a move, everything the old primary accepted
 * while detection and DNS caught up, and anything sent to a regional name die in that region's DLQ,
 * and a client holding its 202 never learns.
 *
 * 1. every message in the given DLQs is sent to the holder's signing queue, then deleted from the DLQ
 *    (send first: a crash in between leaves a duplicate, which the signer absorbs - it is idempotent
 *    per txId - never a loss);
 * 2. every open (`queued`, `nonce-assigned`, `signed`) transaction of the address is re-sent to the
 *    holder's queue (its message may be in a queue nobody drains), deduplicated per epoch.
 * It writes one audit record. Safe to run again at any time.
 *
 * Why it is safe to repeat, and why it never re-signs:
 * - It only SENDS messages; it never writes a transaction. Signing stays with the signer, which signs a
 *   transaction once (markSigned is conditional on `nonce-assigned` and the digest) and, for one already
 *   `signed`, broadcasts the stored raw transaction instead of signing again (lambda/signer/handler.ts).
 * - A lost SendMessage reply is retried by the SDK with the same deduplication id
 *   (`tx-<txId>-handoff-<epoch>`): "Amazon SQS FIFO queues ... any messages sent with the same message
 *   deduplication ID are accepted successfully but aren't delivered during the 5-minute deduplication
 *   interval" (SQS Developer Guide, "Exactly-once processing"). Beyond the window the duplicate reaches
 *   the signer, which absorbs it as above.
 * - A lost DeleteMessage reply is retried; a receipt handle SQS no longer accepts means the message is
 *   gone or will come back and be moved again with the same deduplication id: counted, not an error.
 *
 * The epoch fence: a caller that moved the lease to epoch E passes `expectedEpoch: E`. If the lease
 * is at another epoch (someone moved it again since), the hand-off does NOTHING (`fenced` in the
 * report): the later move's own hand-off owns the work. The fence is checked before the run and again
 * before every page of work, so a move in the middle stops the stale run at the next page. A message
 * sent just before that still reaches a signer that is epoch-fenced: the old holder's signer forwards
 * it to the new holder (lambda/signer/forward.ts) or returns it to its queue, never signs it.
 */
export interface HandOffOptions {
  readonly ledger: LeaseStore;
  /** The SQS client for every queue (one region), unless {@link sqsForRegion} picks one per region. */
  readonly sqs: SQSClient;
  /** The client of a region (the DLQs and the holder's queue are in different regions). @default - `sqs` */
  readonly sqsForRegion?: (region: string) => SQSClient;
  /** The signing address whose work moves. */
  readonly address: string;
  /** The signing queue URL of a region. */
  readonly queueUrlFor: (region: string) => string;
  /** Dead-letter queues to empty into the holder's queue (read with `sqs`). */
  readonly deadLetterQueueUrls?: readonly string[];
  /** Dead-letter queues with their region (read with `sqsForRegion`). */
  readonly deadLetterQueues?: ReadonlyArray<{ readonly region: string; readonly url: string }>;
  readonly actor: string;
  /** Do nothing unless the lease is at this epoch (the epoch the caller's move created). @default - the epoch read at the start */
  readonly expectedEpoch?: number;
  /** Report what would move without moving it (DLQs: their approximate depth; nothing is received). @default false */
  readonly dryRun?: boolean;
  /** Also re-send the open transactions of the ledger (step 2). A DLQ-only sweep turns it off. @default true */
  readonly includeLedger?: boolean;
  /** Stop after this many DLQ messages per queue (a bounded run). @default 1000 */
  readonly maxMessagesPerQueue?: number;
  /** Names the run in its audit key (a remediation transition id, a CLI run id). @default - the time */
  readonly runId?: string;
  readonly now?: Date;
}

export interface HandOffReport {
  readonly holder: string;
  readonly epoch: number;
  /** The run did nothing because the lease is not at `expectedEpoch` (a stale hand-off). */
  readonly fenced: boolean;
  readonly dryRun: boolean;
  /** Messages moved (or, in a dry run, the DLQs' approximate depth). */
  readonly fromDeadLetterQueues: number;
  /** DLQ messages whose delete SQS refused after the move (they come back and move again, deduplicated). */
  readonly deleteRefused: number;
  readonly requeued: readonly string[];
  /** Why the run stopped early (the lease moved meanwhile), if it did. */
  readonly stoppedBecause?: string;
  readonly auditKey?: { pk: string; sk: string };
}

export class HandOffRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandOffRefusedError';
  }
}

/** The FIFO message group of a signing message (lambda/shared/queue.ts uses the same scheme). */
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
export function handOffDedupId(body: string, epoch: number, messageId: string): string {
  try {
    const parsed = JSON.parse(body) as { txId?: unknown; kind?: unknown; nonce?: unknown };
    if (typeof parsed.txId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(parsed.txId)) {
      return `tx-${parsed.txId}-handoff-${epoch}`;
    }
    if (parsed.kind === 'fill-gap' && Number.isSafeInteger(parsed.nonce)) {
      return `fill-gap-${String(parsed.nonce)}-handoff-${epoch}`;
    }
  } catch {
    // not a transaction message
  }
  return `handoff-${epoch}-${messageId}`.slice(0, 128);
}

const STALE = (lease: Lease | undefined, expected: number) =>
  `the lease is now at epoch ${lease?.epoch ?? 'none'} (held by ${lease?.activeRegion ?? 'nobody'}), not ${expected}: a later move owns the hand-off`;

export async function handOffStrandedWork(options: HandOffOptions): Promise<HandOffReport> {
  const address = options.address.toLowerCase();
  const lease = await readLease(options.ledger, address);
  if (lease === undefined) {
    throw new HandOffRefusedError(`no lease exists for ${address}; nothing can be handed to a holder`);
  }
  const dryRun = options.dryRun ?? false;
  const expected = options.expectedEpoch ?? lease.epoch;
  const base = { holder: lease.activeRegion, epoch: lease.epoch, dryRun, deleteRefused: 0 };
  if (lease.epoch !== expected) {
    return { ...base, fenced: true, fromDeadLetterQueues: 0, requeued: [], stoppedBecause: STALE(lease, expected) };
  }
  const stillCurrent = async (): Promise<string | undefined> => {
    const now = await readLease(options.ledger, address);
    return now?.epoch === expected && now.activeRegion === lease.activeRegion ? undefined : STALE(now, expected);
  };
  const sqsFor = options.sqsForRegion ?? (() => options.sqs);
  const target = options.queueUrlFor(lease.activeRegion);
  const holderSqs = sqsFor(lease.activeRegion);
  const dlqs = [
    ...(options.deadLetterQueueUrls ?? []).map((url) => ({ url, client: options.sqs })),
    ...(options.deadLetterQueues ?? []).map((q) => ({ url: q.url, client: sqsFor(q.region) })),
  ];
  const max = options.maxMessagesPerQueue ?? 1000;
  let fromDlq = 0;
  let deleteRefused = 0;
  let stoppedBecause: string | undefined;
  const send = (body: string, group: string, dedup: string) =>
    holderSqs.send(
      new SendMessageCommand({
        QueueUrl: target,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: dedup,
      }),
    );

  for (const { url: dlq, client } of dlqs) {
    if (dlq === target || stoppedBecause !== undefined) continue;
    if (dryRun) {
      const attrs = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      fromDlq += Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
      continue;
    }
    for (let moved = 0; moved < max;) {
      stoppedBecause = await stillCurrent();
      if (stoppedBecause !== undefined) break;
      const page = await client.send(
        new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
      );
      const messages = page.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        const body = m.Body ?? '';
        await send(body, groupOf(body), handOffDedupId(body, lease.epoch, m.MessageId ?? String(moved)));
        try {
          await client.send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: m.ReceiptHandle }));
        } catch (err) {
          if (!(err instanceof ReceiptHandleIsInvalid || (err as Error).name === 'ReceiptHandleIsInvalid')) throw err;
          deleteRefused += 1;
        }
        moved += 1;
        fromDlq += 1;
      }
    }
  }
  const requeued: string[] = [];
  // Every OPEN transaction, not only queued ones: a transaction signed (or given its nonce) in the
  // old holder's region whose message sits in that region's queue is stranded as surely, and it
  // stalls every later nonce of the address (found by the torture harness, torture/).
  if (options.includeLedger ?? true) {
    for (const status of OPEN_TX_STATUSES) {
      let start: Record<string, unknown> | undefined;
      do {
        if (!dryRun && stoppedBecause === undefined) stoppedBecause = await stillCurrent();
        if (stoppedBecause !== undefined) break;
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
          if (!dryRun) await send(JSON.stringify({ walletId, txId }), walletId, `tx-${txId}-handoff-${lease.epoch}`);
          requeued.push(txId);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
  }
  const report: HandOffReport = {
    ...base,
    fenced: false,
    fromDeadLetterQueues: fromDlq,
    deleteRefused,
    requeued,
    ...(stoppedBecause !== undefined ? { stoppedBecause } : {}),
  };
  if (dryRun) return report;
  const at = (options.now ?? new Date()).toISOString();
  const auditKey = ledgerKeys.audit(`lease#${address}`, at, `handoff-epoch-${lease.epoch}-${options.runId ?? 'run'}`);
  // Unconditional on purpose: the SDK's retry after a lost reply writes the same item again.
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
        deleteRefused,
        requeued,
        ...(stoppedBecause !== undefined ? { stoppedBecause } : {}),
        at,
        ...schemaStamp(),
      },
    }),
  );
  return { ...report, auditKey };
}
