import { Command } from 'commander';
import { OPEN_TX_STATUSES } from '../../contract/ledger';
import { OpsCli, OpsOptions, OpsRefusedError, OpsSession, runMutation } from './context';
import { addCommon, idProblems, textProblem } from './options';

interface QuarantineOptions extends OpsOptions {
  reason?: string;
}

/** Reads the transaction and refuses unless it is open (queued, nonce-assigned, signed). */
export async function openTransaction(s: OpsSession, walletId: string, txId: string) {
  const tx = await s.ledger.getTransaction(s.store, walletId, txId);
  if (tx === undefined) {
    throw new OpsRefusedError(
      `refusing: transaction ${walletId}/${txId} does not exist in ${s.region}'s ledger; check the ids (wallet-ops stuck lists them)`,
    );
  }
  if (tx.address !== s.address) {
    throw new OpsRefusedError(
      `refusing: transaction ${walletId}/${txId} belongs to ${tx.address}, not --address ${s.address}`,
    );
  }
  return tx;
}

/** `wallet-ops quarantine`: stop an open transaction from being signed until an operator resolves it. */
export function registerQuarantine(program: Command, cli: OpsCli): void {
  addCommon(program.command('quarantine').argument('<walletId>').argument('<txId>'), { mutating: true })
    .description('quarantine an open transaction: nothing signs or broadcasts it until `resolve` or `cancel`')
    .option('--reason <text>', 'why (goes into the transaction and the audit record)')
    .addHelpText(
      'after',
      '\nExample:\n  wallet-ops quarantine w-1 0b7c... --region us-west-2 --address 0xabc... --reason "client reports a duplicate" --dry-run',
    )
    .action(
      cli.guarded(async (walletId: string, txId: string, opts: QuarantineOptions) => {
        const problems = [
          ...idProblems(walletId, txId),
          ...textProblem('--reason', opts.reason, 'client reports a duplicate'),
        ];
        const s = cli.session(opts, problems);
        let tx: Awaited<ReturnType<typeof openTransaction>>;
        return runMutation(s, opts, {
          command: 'quarantine',
          input: { walletId, txId, reason: opts.reason },
          plan: async () => {
            tx = await openTransaction(s, walletId, txId);
            if (!OPEN_TX_STATUSES.includes(tx.status)) {
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} is ${tx.status}; only ${OPEN_TX_STATUSES.join(', ')} transactions can be quarantined`,
              );
            }
            return [
              `move ${walletId}/${txId} from ${tx.status} to quarantined (only if still ${tx.status}), reason "${opts.reason}"`,
            ];
          },
          act: async () => {
            if (!(await s.ledger.quarantine(s.store, tx, opts.reason as string, s.now.toISOString()))) {
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} left ${tx.status} meanwhile; nothing changed. Read it again (wallet-ops stuck)`,
              );
            }
            return { walletId, txId, from: tx.status, to: 'quarantined' };
          },
          describe: (r) => [
            `Quarantined ${r.walletId}/${r.txId} (was ${r.from}). Resolve it with wallet-ops resolve or cancel.`,
          ],
        });
      }) as never,
    );
}
