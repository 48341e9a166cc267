import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { effectiveCap, feePolicy, replacementMinimum } from '../../chain/fees';
import type { BumpMessage } from '../../contract/chain';
import { StuckTxView } from '../ports';
import { OpsCli, OpsOptions, OpsRefusedError, OpsSession, runMutation } from './context';
import { addCommon, idProblems } from './options';

const GWEI = 10n ** 9n;

/** Wei as gwei for a message (exact, trailing zeros cut): 27500000000 -> "27.5". */
export function weiToGwei(wei: bigint): string {
  const whole = wei / GWEI;
  const frac = (wei % GWEI).toString().padStart(9, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

/** The next step for a transaction that is not stuck, by its status. */
const NOT_STUCK_FIX: Record<string, string> = {
  broadcast: 'it is still being replaced by the chain watcher every chain.resubmitAfterSeconds; nothing to do',
  signed: 'it is signed and waiting to be broadcast; the chain watcher broadcasts it',
  mined: 'it is mined; nothing to do',
  confirmed: 'it is confirmed; nothing to do',
  quarantined: 'resolve or cancel it (wallet-ops resolve|cancel)',
  queued: 'it is not signed yet; the signer signs it at the fees of the market',
  'nonce-assigned': 'it is not signed yet; the signer signs it at the fees of the market',
};

/** What a replacement of the latest variant needs, against the cap in force for this config and request. */
export function replacementCheck(s: OpsSession, view: StuckTxView) {
  const fees = s.config.chain.fees;
  const policy = feePolicy(fees);
  const latest = view.variants[view.variants.length - 1];
  const neededFeeCap = replacementMinimum(BigInt(latest.maxFeePerGas), policy.bumpPercent);
  const neededTip = replacementMinimum(BigInt(latest.maxPriorityFeePerGas), policy.bumpPercent);
  const needed = neededFeeCap > neededTip ? neededFeeCap : neededTip;
  const clientCeiling = BigInt(view.requestMaxFeePerGas);
  const cap = effectiveCap(policy, { maxFeePerGas: clientCeiling });
  return { latest, needed, cap, clientBinds: clientCeiling < policy.capPerGas, policy, fees };
}

/**
 * `wallet-ops bump`: the way out of `stuck` (the signer reached the fee cap; docs/chain.md). After
 * the operator raised `chain.fees.maxFeePerGasGwei` and deployed it, this moves the transaction back
 * to `broadcast` (lambda/shared/ledger-variants.ts releaseStuck: only from `stuck` at the variant read,
 * fenced, right under a lost reply) and puts a bump message on the holder's signing queue, so the
 * signer replaces it under the cap now in force. wallet-ops never signs: the signer re-checks the
 * lease, computes the fees and signs (lambda/signer/bump.ts). If the message is lost, the chain
 * watcher asks for the same bump at its next walk (the release removes its pending bump request).
 *
 * It refuses (exit 1, nothing changed) a transaction that is not stuck, and one whose minimum
 * replacement is still above the cap in this config (-c) or the client's own maxFeePerGas: the
 * signer would only mark it stuck again.
 */
export function registerBump(program: Command, cli: OpsCli): void {
  addCommon(program.command('bump').argument('<walletId>').argument('<txId>'), { mutating: true })
    .description(
      'send a transaction stuck at the fee cap back to the signer, to be replaced under the cap now deployed (after raising chain.fees.maxFeePerGasGwei)',
    )
    .addHelpText(
      'after',
      '\nExample (raise chain.fees.maxFeePerGasGwei and deploy first):\n  wallet-ops bump w-1 0b7c... --region us-west-2 --address 0xabc... --dry-run',
    )
    .action(
      cli.guarded(async (walletId: string, txId: string, opts: OpsOptions) => {
        const s = cli.session(opts, idProblems(walletId, txId));
        let view: StuckTxView | undefined;
        return runMutation(s, opts, {
          command: 'bump',
          input: { walletId, txId },
          plan: async () => {
            view = await stuckTransaction(s, walletId, txId);
            const c = replacementCheck(s, view);
            const configPath = opts.config ?? 'the config';
            if (c.needed > c.cap) {
              throw new OpsRefusedError(
                `refusing: a replacement of ${walletId}/${txId} needs maxFeePerGas >= ${c.needed} wei (${weiToGwei(c.needed)} gwei: ` +
                  `${c.policy.bumpPercent}% over its latest variant's ${c.latest.maxFeePerGas} wei), above the cap in force of ${c.cap} wei ` +
                  (c.clientBinds
                    ? `(the request's own maxFeePerGas, which the wallet never exceeds). Raising the chain cap does not help: ` +
                      `wait for fees to fall (the signed variants may still be mined; the watcher keeps following it)`
                    : `(chain.fees.maxFeePerGasGwei is "${c.fees.maxFeePerGasGwei}" in ${configPath}). Fix: raise chain.fees.maxFeePerGasGwei ` +
                      `to at least ${weiToGwei(c.needed)} and deploy it, then run this again; or wait for fees to fall`),
                {
                  walletId,
                  txId,
                  neededMaxFeePerGas: c.needed.toString(),
                  capPerGas: c.cap.toString(),
                  capFrom: c.clientBinds ? 'request.maxFeePerGas' : 'chain.fees.maxFeePerGasGwei',
                },
              );
            }
            return [
              `move ${walletId}/${txId} from stuck to broadcast (only if still stuck at ${c.latest.txHash} with ${view.variants.length} variant(s))`,
              `put a bump of ${c.latest.txHash} on ${s.region}'s signing queue: the signer replaces it at >= ${c.needed} wei ` +
                `(${weiToGwei(c.needed)} gwei) under the cap it was deployed with (${c.cap} wei in this config; deploy a raised cap first)`,
            ];
          },
          act: async (lease, actor) => {
            const v = view as StuckTxView;
            const latest = v.variants[v.variants.length - 1];
            const at = s.now.toISOString();
            const out = await s.ledger.releaseStuck(s.store, v, { actor, at, epoch: lease.epoch });
            if (!out.released) {
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} changed meanwhile (now ${out.now?.status ?? 'gone'}` +
                  `${out.now?.txHash !== undefined && out.now.txHash !== latest.txHash ? `, latest ${out.now.txHash}` : ''}); nothing changed. ` +
                  'Run wallet-ops stuck again and decide again',
                { walletId, txId, status: out.now?.status },
              );
            }
            const message: BumpMessage = { kind: 'bump', walletId, txId, fromTxHash: latest.txHash };
            let bumpMessage: { sent: true; messageId?: string } | { sent: false; error: string };
            try {
              const url = await s.queueUrl(s.region, 'signing');
              const sent = await s.clients.sqs(s.region).send(
                new SendMessageCommand({
                  QueueUrl: url,
                  MessageBody: JSON.stringify(message),
                  MessageGroupId: walletId,
                  // Not the watcher's `bump-<txId>-<hash>`: that id was used for the bump that ended
                  // stuck, and SQS drops a repeat within 5 minutes. A second delivery is harmless:
                  // the signer treats a bump of a variant that is no longer the latest as done.
                  MessageDeduplicationId: `ops-bump-${txId}-${latest.txHash.slice(2, 18)}-${s.now.getTime().toString(36)}`,
                }),
              );
              bumpMessage = { sent: true, messageId: sent.MessageId };
            } catch (err) {
              bumpMessage = { sent: false, error: `${(err as Error).name}: ${(err as Error).message}` };
            }
            return { walletId, txId, from: 'stuck', status: 'broadcast', fromTxHash: latest.txHash, bumpMessage };
          },
          describe: (r) => [
            `Released ${r.walletId}/${r.txId} from stuck to broadcast (latest variant ${r.fromTxHash}).`,
            r.bumpMessage.sent
              ? `Asked the signer for a bump (message ${r.bumpMessage.messageId}).`
              : `The bump message was NOT sent (${r.bumpMessage.error}); the chain watcher asks for it at its next walk.`,
            'Check: the API shows a new variant, or wallet-ops stuck lists it again at the fee cap (the cap deployed is still too low).',
          ],
        });
      }) as never,
    );
}

/** Reads the transaction and refuses unless it is this address's and stuck, with the next step for its status. */
async function stuckTransaction(s: OpsSession, walletId: string, txId: string): Promise<StuckTxView> {
  const view = await s.ledger.stuckView(s.store, walletId, txId);
  if (view === undefined) {
    throw new OpsRefusedError(
      `refusing: transaction ${walletId}/${txId} does not exist in ${s.region}'s ledger; check the ids (wallet-ops stuck lists them under "At the fee cap")`,
    );
  }
  if (view.tx.address !== s.address) {
    throw new OpsRefusedError(
      `refusing: transaction ${walletId}/${txId} belongs to ${view.tx.address}, not --address ${s.address}`,
    );
  }
  if (view.tx.status !== 'stuck') {
    throw new OpsRefusedError(
      `refusing: ${walletId}/${txId} is ${view.tx.status}, not stuck; bump only sends a transaction stuck at the fee cap back to the signer. ` +
        `Next: ${NOT_STUCK_FIX[view.tx.status] ?? 'nothing to bump'}`,
      { walletId, txId, status: view.tx.status },
    );
  }
  if (view.variants.length === 0) {
    throw new OpsRefusedError(
      `refusing: ${walletId}/${txId} is stuck but has no signed variant recorded; quarantine it and check the chain`,
    );
  }
  if (s.config.chain.providers === undefined) {
    throw new OpsRefusedError(
      `refusing: this config lists no chain.providers, so its signer broadcasts and replaces nothing; use the config you deploy with (-c)`,
    );
  }
  return view;
}
