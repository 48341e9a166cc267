import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** The body of a signing-queue message. */
export interface SigningMessage {
  readonly walletId: string;
  readonly txId: string;
}

/**
 * Queues a transaction for signing on the FIFO queue: one message group per wallet (transactions
 * of a wallet are signed in order, wallets in parallel) and a deduplication id derived from the
 * txId, so SQS drops a duplicate send within its 5-minute window. A re-send after that window is
 * harmless too: the signer is idempotent per txId.
 *
 * `attempt` distinguishes an operator's deliberate re-queue from the intake send.
 */
export async function enqueueForSigning(
  sqs: SQSClient,
  queueUrl: string,
  message: SigningMessage,
  attempt?: string,
): Promise<string | undefined> {
  const res = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ walletId: message.walletId, txId: message.txId }),
      MessageGroupId: message.walletId,
      MessageDeduplicationId: attempt === undefined ? `tx-${message.txId}` : `tx-${message.txId}-${attempt}`,
    }),
  );
  return res.MessageId;
}
