import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { OpsSession } from './context';

/** Puts a transaction on the holder's signing queue (the scheme of lambda/shared/queue.ts). */
export async function enqueueForHolder(
  s: OpsSession,
  queueUrl: string,
  message: { walletId: string; txId: string },
  attempt: string,
): Promise<void> {
  await s.clients.sqs(s.region).send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ walletId: message.walletId, txId: message.txId }),
      MessageGroupId: message.walletId,
      MessageDeduplicationId: `tx-${message.txId}-${attempt}`,
    }),
  );
}
