import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { findNonceGaps } from '../gaps';
import { OpsCli, OpsOptions, OpsRefusedError, runMutation } from './context';
import { addCommon, WHOLE } from './options';

interface FillGapOptions extends OpsOptions {
  nonce?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
}

const FILLABLE = ['missing', 'unsigned-void', 'cancelled-tx'];

/**
 * `wallet-ops fill-gap`: asks the signer to fill one nonce gap with a 0-value self-transfer. wallet-ops
 * never signs: it checks the nonce IS a gap (lib/operator/gaps.ts) and puts a `fill-gap` message on
 * the holder's signing queue; the signer re-checks the lease and the reservation and signs the void
 * (lambda/signer/handler.ts processFillGap), once per nonce.
 */
export function registerFillGap(program: Command, cli: OpsCli): void {
  addCommon(program.command('fill-gap'), { mutating: true })
    .description("fill a nonce gap with a void (0-value self-transfer) signed by the holder's signer")
    .option('--nonce <n>', 'the gap (wallet-ops gaps lists them)')
    .option('--max-fee-per-gas <wei>', 'the void transaction fee cap, in wei (decimal)')
    .option('--max-priority-fee-per-gas <wei>', 'the void transaction tip, in wei (decimal)')
    .action(
      cli.guarded(async (opts: FillGapOptions) => {
        const problems: string[] = [];
        if (!WHOLE.test(opts.nonce ?? '') || !Number.isSafeInteger(Number(opts.nonce))) {
          problems.push(
            `--nonce must be a whole number (a gap from wallet-ops gaps); received ${JSON.stringify(opts.nonce ?? null)}`,
          );
        }
        for (const [name, value] of [
          ['--max-fee-per-gas', opts.maxFeePerGas],
          ['--max-priority-fee-per-gas', opts.maxPriorityFeePerGas],
        ] as const) {
          if (!WHOLE.test(value ?? ''))
            problems.push(
              `${name} must be a decimal number of wei, e.g. 30000000000; received ${JSON.stringify(value ?? null)}`,
            );
        }
        if (
          problems.length === 0 &&
          BigInt(opts.maxPriorityFeePerGas as string) > BigInt(opts.maxFeePerGas as string)
        ) {
          problems.push(
            `--max-priority-fee-per-gas (${opts.maxPriorityFeePerGas}) must not exceed --max-fee-per-gas (${opts.maxFeePerGas})`,
          );
        }
        const nonce = Number(opts.nonce);
        const s = cli.session(opts, problems);
        return runMutation(s, opts, {
          command: 'fill-gap',
          input: { nonce, maxFeePerGas: opts.maxFeePerGas, maxPriorityFeePerGas: opts.maxPriorityFeePerGas },
          plan: async (lease) => {
            const gap = (await findNonceGaps(s.store, s.address, { from: nonce })).find((g) => g.nonce === nonce);
            if (gap === undefined) {
              throw new OpsRefusedError(
                nonce >= lease.nextNonce
                  ? `refusing: nonce ${nonce} was never handed out (next nonce is ${lease.nextNonce}); it is not a gap`
                  : `refusing: nonce ${nonce} is not a gap (it holds a payload or is in flight); wallet-ops gaps lists the gaps`,
              );
            }
            if (!FILLABLE.includes(gap.kind)) {
              throw new OpsRefusedError(
                `refusing: nonce ${nonce} is a ${gap.kind} gap (${gap.owner}); resolve or cancel that transaction first, then fill`,
              );
            }
            return [
              `send a fill-gap message for nonce ${nonce} (${gap.kind}) to ${s.region}'s signing queue; the signer signs the void at epoch ${lease.epoch}`,
            ];
          },
          act: async (lease) => {
            const url = await s.queueUrl(s.region, 'signing');
            const body = {
              kind: 'fill-gap',
              nonce,
              maxFeePerGas: opts.maxFeePerGas,
              maxPriorityFeePerGas: opts.maxPriorityFeePerGas,
            };
            const sent = await s.clients.sqs(s.region).send(
              new SendMessageCommand({
                QueueUrl: url,
                MessageBody: JSON.stringify(body),
                MessageGroupId: 'fill-gap',
                // One fill per nonce and epoch: a retried command within SQS's window sends nothing new.
                MessageDeduplicationId: `fill-gap-${nonce}-ops-${lease.epoch}`,
              }),
            );
            return { nonce, queue: url, messageId: sent.MessageId };
          },
          describe: (r) => [
            `Asked the signer to fill nonce ${r.nonce} (message ${r.messageId}). Check: wallet-ops gaps shows it gone once signed.`,
          ],
        });
      }) as never,
    );
}
