import { Command, Option } from 'commander';
import { OpsCli, OpsOptions, OpsRefusedError, runMutation } from './context';
import { addCommon, idProblems, textProblem } from './options';
import { enqueueForHolder } from './queue';

interface ResolveOptions extends OpsOptions {
  as?: 'requeue' | 'onchain';
  txHash?: string;
  evidence?: string;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** `wallet-ops resolve`: the way out of quarantine (lambda/shared/reconcile.ts resolveQuarantined). */
export function registerResolve(program: Command, cli: OpsCli): void {
  addCommon(program.command('resolve').argument('<walletId>').argument('<txId>'), { mutating: true })
    .description(
      'resolve a quarantined transaction: it is on chain (--as onchain --tx-hash), or sign it (--as requeue)',
    )
    .addOption(
      new Option('--as <resolution>', 'onchain: you found it on chain; requeue: it is not, sign it').choices([
        'onchain',
        'requeue',
      ]),
    )
    .option('--tx-hash <0xhash>', 'with --as onchain: the hash you found on chain')
    .option('--evidence <text>', 'what you checked (explorer link, node answer): goes into the audit record')
    .action(
      cli.guarded(async (walletId: string, txId: string, opts: ResolveOptions) => {
        const problems = [
          ...idProblems(walletId, txId),
          ...textProblem('--evidence', opts.evidence, 'etherscan shows nonce 7 unused'),
        ];
        if (opts.as === undefined)
          problems.push(
            '--as is required: onchain (found on chain) or requeue (sign it); received nothing. Use `cancel` to never sign it',
          );
        if (opts.as === 'onchain' && !HASH.test(opts.txHash ?? '')) {
          problems.push(
            `--as onchain needs --tx-hash, a 0x-prefixed 32-byte hash; received ${JSON.stringify(opts.txHash ?? null)}`,
          );
        }
        if (opts.as === 'requeue' && opts.txHash !== undefined) {
          problems.push(
            `--tx-hash applies to --as onchain only; received --as requeue with --tx-hash ${opts.txHash}. Drop it`,
          );
        }
        const s = cli.session(opts, problems);
        return runMutation(s, opts, {
          command: `resolve-${opts.as}`,
          input: { walletId, txId, as: opts.as, txHash: opts.txHash, evidence: opts.evidence },
          plan: async () => {
            const tx = await s.ledger.getTransaction(s.store, walletId, txId);
            if (tx === undefined || tx.address !== s.address) {
              throw new OpsRefusedError(
                `refusing: no transaction ${walletId}/${txId} of ${s.address} in ${s.region}'s ledger`,
              );
            }
            if (tx.status !== 'quarantined') {
              throw new OpsRefusedError(
                `refusing: ${walletId}/${txId} is ${tx.status}, not quarantined; nothing to resolve (quarantine it first if you must)`,
              );
            }
            return opts.as === 'onchain'
              ? [`mark ${walletId}/${txId} broadcast with on-chain hash ${opts.txHash} (only if still quarantined)`]
              : [
                  `move ${walletId}/${txId} to ${tx.nonce === undefined ? 'queued' : `nonce-assigned (nonce ${tx.nonce})`} (only if still quarantined)`,
                  `send it to ${s.region}'s signing queue: the signer signs it under the lease epoch`,
                ];
          },
          act: async (_lease, actor) => {
            const url = await s.queueUrl(s.region, 'signing');
            const out = await s.ledger.resolve(s.store, {
              walletId,
              txId,
              resolution: opts.as as 'requeue' | 'onchain',
              ...(opts.txHash !== undefined ? { txHash: opts.txHash } : {}),
              enqueue: (message, attempt) => enqueueForHolder(s, url, message, attempt),
              actor,
              evidence: opts.evidence as string,
              now: s.now,
            });
            return { walletId, txId, status: out.status, transactionAudit: out.auditKey };
          },
          describe: (r) => [`Resolved ${r.walletId}/${r.txId}: now ${r.status}.`],
        });
      }) as never,
    );
}
