import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeCrossStackQueueKey } from '../security/nag';

/** Messages are kept as long as SQS allows: an unsigned intake request must never expire silently. */
export const SIGNING_QUEUE_RETENTION = Duration.days(14);

/**
 * Receives before a message moves to the dead-letter queue. A standby signer that does not hold
 * the lease leaves its message on the queue (a batch item failure), and so does a signer whose
 * KMS call is throttled; ten receives at the default visibility timeout keep a message retrying
 * for half an hour, longer than a lease handover, before an operator has to look at it.
 */
export const DEFAULT_MAX_RECEIVE_COUNT = 10;

/** Props of {@link SigningQueue}. */
export interface SigningQueueProps {
  /** The queue's name; it must end in `.fifo`. */
  readonly queueName: string;
  /** The dead-letter queue's name; it must end in `.fifo`. */
  readonly deadLetterQueueName: string;
  /** The region's data key; both queues are encrypted with it. */
  readonly encryptionKey: kms.IKey;
  /**
   * How long a received message stays invisible: at least 6 times the consumer's timeout
   * (the AWS recommendation for Lambda event sources), so a retry never overlaps a slow attempt.
   */
  readonly visibilityTimeout: Duration;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default DEFAULT_MAX_RECEIVE_COUNT
   */
  readonly maxReceiveCount?: number;
}

/**
 * The signer's work queue: FIFO, so a wallet's transactions are signed in order (the API sends with
 * `MessageGroupId` = wallet id and its own `MessageDeduplicationId`; content-based deduplication
 * is off), encrypted with the data key, TLS only, with a FIFO dead-letter queue to alarm on.
 */
export class SigningQueue extends Construct {
  public readonly queue: sqs.Queue;
  /** Messages the signer failed `maxReceiveCount` times; any message here needs an operator. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: SigningQueueProps) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    validateProps(this, props, this.maxReceiveCount);
    const shared = {
      fifo: true,
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: SIGNING_QUEUE_RETENTION,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...shared,
      queueName: props.deadLetterQueueName,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...shared,
      queueName: props.queueName,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });

    const dlqReason =
      'This queue is the dead-letter queue of the signing queue (its RedrivePolicy target); a dead-letter queue of a ' +
      'dead-letter queue would have no consumer. Messages here are alarmed on and handled by an operator.';
    acknowledge(this.deadLetterQueue, 'cdk-validator-cfnguard::sqs_dlq_check', dlqReason);
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', dlqReason);
    if (Stack.of(this) !== Stack.of(props.encryptionKey)) {
      acknowledgeCrossStackQueueKey(this.queue);
      acknowledgeCrossStackQueueKey(this.deadLetterQueue);
    }
  }
}

function validateProps(scope: Construct, props: SigningQueueProps, maxReceiveCount: number): void {
  const problems: string[] = [];
  for (const [field, name] of [
    ['queueName', props.queueName],
    ['deadLetterQueueName', props.deadLetterQueueName],
  ] as const) {
    if (!/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name)) {
      problems.push(`${field} "${name}" is not a FIFO queue name; use up to 75 letters, digits, - or _ then ".fifo"`);
    }
  }
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    problems.push(`maxReceiveCount is ${maxReceiveCount}; use a whole number from 1 to 1000`);
  }
  const visibility = props.visibilityTimeout.toSeconds();
  if (visibility > 43200) {
    problems.push(`visibilityTimeout is ${visibility} s; SQS allows at most 43200 s (12 hours)`);
  }
  if (problems.length > 0) {
    throw new Error(`SigningQueue ${scope.node.path}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}
