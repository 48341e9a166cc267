import { Command } from 'commander';
import { OpsCli, OpsOptions, OpsRefusedError, runMutation } from './context';
import { openTransaction } from './quarantine';
import { addCommon, idProblems, textProblem } from './options';

interface CancelOptions extends OpsOptions {
  evidence?: string;
}

/**
 * `wallet-ops cancel`: never sign this transaction. A quarantined one is resolved as cancelled; a
 * queued or nonce-assigned one is quarantined first, then cancelled (two conditional writes, each
 * only from the state it was read in). A signed one is refused: it may already be on chain, so it is
 * quarantined and checked first. A cancelled transaction that held a nonce leaves a gap: fill-gap.
 */
export function registerCancel(program: Command, cli: OpsCli): void {
  addCommon(program.command('cancel').argument('<walletId>').argument('<txId>'), { mutating: true })
    .description(
      'cancel a queued, nonce-assigned or quarantined transaction (never signed); its nonce, if any, becomes a gap to fill',
    )
    .option('--evidence <text>', 'why, and what you checked: goes into the audit record')
    .action(
      cli.guarded(async (walletId: string, txId: string, opts: CancelOptions) => {
        const problems = [
          ...idProblems(walletId, txId),
          ...textProblem('--evidence', opts.evidence, 'client withdrew the request (ticket 123)'),
        ];
        const s = cli.session(opts, problems);
        let from = '';
        let nonce: number | undefined;
        return runMutation(s, opts, {
          command: 'cancel',
          input: { walletId, txId, evidence: opts.evidence },
          plan: async () => {
            const tx = await openTransaction(s, walletId, txId);
            from = tx.status;
            nonce = tx.nonce;
            if (tx.status === 'signed') {
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} is signed and may already be on chain. Quarantine it, check the chain for nonce ${tx.nonce ?? '?'}, then resolve --as onchain or cancel it`,
              );
            }
            if (!['queued', 'nonce-assigned', 'quarantined'].includes(tx.status)) {
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} is ${tx.status}; only queued, nonce-assigned or quarantined transactions can be cancelled`,
              );
            }
            return [
              ...(tx.status === 'quarantined' ? [] : [`quarantine ${walletId}/${txId} (only if still ${tx.status})`]),
              `resolve it as cancelled (never signed); the client sees status cancelled`,
              ...(tx.nonce !== undefined
                ? [
                    `nonce ${tx.nonce} becomes a cancelled-tx gap: fill it next with wallet-ops fill-gap --nonce ${tx.nonce}`,
                  ]
                : []),
            ];
          },
          act: async (_lease, actor) => {
            const tx = await openTransaction(s, walletId, txId);
            if (tx.status !== from)
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} moved from ${from} to ${tx.status} meanwhile; nothing changed`,
              );
            if (
              tx.status !== 'quarantined' &&
              !(await s.ledger.quarantine(s.store, tx, `cancel: ${opts.evidence}`, s.now.toISOString()))
            ) {
              throw new OpsRefusedError(`refusing: ${walletId}/${txId} left ${tx.status} meanwhile; nothing changed`);
            }
            const out = await s.ledger.resolve(s.store, {
              walletId,
              txId,
              resolution: 'cancel',
              actor,
              evidence: opts.evidence as string,
              now: s.now,
            });
            return { walletId, txId, from, status: out.status, nonce, transactionAudit: out.auditKey };
          },
          describe: (r) => [
            `Cancelled ${r.walletId}/${r.txId} (was ${r.from}).`,
            ...(r.nonce !== undefined
              ? [`Nonce ${r.nonce} is now a gap: wallet-ops fill-gap --nonce ${r.nonce} ...`]
              : []),
          ],
        });
      }) as never,
    );
}
