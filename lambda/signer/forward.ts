import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ForwardedMessage } from './handler';

/**
 * The signer's `forward` hook (issue 15, scenario 3): a signer without the lease sends the message
 * it cannot sign to the lease holder's signing queue instead of returning it until it dies in this
 * region's DLQ. The pair has two regions, so the holder is always the peer; any other region is a
 * configuration error and the message stays here (returned, retried, later swept by the hand-off).
 *
 * Idempotent under redelivery and lost responses:
 * - the deduplication id is derived from the message (txId or gap nonce) and the region it came
 *   from, so a second forward of the same message within SQS's 5-minute deduplication interval is
 *   dropped by SQS ("Messages that are sent with the same message deduplication ID ... are
 *   accepted successfully but aren't delivered during the 5-minute deduplication interval",
 *   SQS Developer Guide, "Using the message deduplication ID");
 * - a duplicate after that window is absorbed by the signer itself: it is idempotent per txId
 *   (nonce allocation and the (address, nonce) reservation are keyed by the txId and fenced by the
 *   lease epoch), and a gap fill re-checks the reservation (test/integration/signer-forward.test.ts).
 * - the message keeps `forwardedFrom`, so the holder never forwards it again (no ping-pong while the
 *   lease moves); it is retried where it is and the hand-off sweep moves it.
 */
export function createQueueForwarder(
  sqs: SQSClient,
  env: { readonly region: string; readonly peer?: { readonly region: string; readonly signingQueueUrl: string } },
): (holderRegion: string, message: ForwardedMessage) => Promise<void> {
  return async (holderRegion, message) => {
    const peer = env.peer;
    if (peer === undefined || holderRegion !== peer.region) {
      throw new Error(
        `the lease holder is ${holderRegion}, but this signer (${env.region}) can only forward to its peer ` +
          `${peer?.region ?? '(none configured)'}; the message stays here. Fix: check the lease item and ` +
          'WALLET_PEER_REGION / WALLET_PEER_SIGNING_QUEUE_URL on the signer.',
      );
    }
    const isGap = 'kind' in message && message.kind === 'fill-gap';
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: peer.signingQueueUrl,
        MessageBody: JSON.stringify(message),
        MessageGroupId: isGap ? 'fill-gap' : (message as { walletId: string }).walletId,
        MessageDeduplicationId: isGap
          ? `fill-gap-${(message as { nonce: number }).nonce}-fwd-${message.forwardedFrom}`
          : 'kind' in message && message.kind === 'bump'
            ? // not the tx message's id: FIFO drops a duplicate id within 5 minutes
              `bump-${message.txId}-${message.fromTxHash}-fwd-${message.forwardedFrom}`.slice(0, 128)
            : `tx-${(message as { txId: string }).txId}-fwd-${message.forwardedFrom}`,
      }),
    );
  };
}
