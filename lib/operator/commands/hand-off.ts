import { Command } from 'commander';
import { handOffStrandedWork } from '../../failover/handoff';
import { OpsCli, OpsOptions, OpsRefusedError, runMutation } from './context';
import { addCommon } from './options';

/**
 * `wallet-ops hand-off`: moves stranded work to the lease holder (lib/failover/handoff.ts): both
 * regions' signing DLQs and, unless --dlq-only (the DLQ sweep), every open transaction of the ledger.
 * Fenced by the epoch read at the start: if the lease moves meanwhile, the run stops.
 */
export function registerHandOff(program: Command, cli: OpsCli): void {
  addCommon(program.command('hand-off'), { mutating: true })
    .description(
      "move stranded work (both signing DLQs, open transactions) to the lease holder's queue; --dlq-only sweeps the DLQs",
    )
    .option('--dlq-only', 'the DLQ sweep: move DLQ messages only, do not re-send open transactions from the ledger')
    .action(
      cli.guarded(async (opts: OpsOptions & { dlqOnly?: boolean }) => {
        const s = cli.session(opts);
        const regions = [s.config.regions.primary, s.config.regions.standby];
        const run = async (epoch: number, actor: string, dryRun: boolean) => {
          const signing = new Map<string, string>();
          const deadLetterQueues: Array<{ region: string; url: string }> = [];
          for (const r of regions) {
            signing.set(r, await s.queueUrl(r, 'signing'));
            deadLetterQueues.push({ region: r, url: await s.queueUrl(r, 'dead-letter') });
          }
          return handOffStrandedWork({
            ledger: s.store,
            sqs: s.clients.sqs(s.region),
            sqsForRegion: (r) => s.clients.sqs(r),
            address: s.address,
            queueUrlFor: (r) => signing.get(r) as string,
            deadLetterQueues,
            actor,
            expectedEpoch: epoch,
            dryRun,
            includeLedger: opts.dlqOnly !== true,
            runId: `ops-${s.now.getTime().toString(36)}`,
            now: s.now,
          });
        };
        return runMutation(s, opts, {
          command: opts.dlqOnly ? 'sweep-dlq' : 'hand-off',
          input: { dlqOnly: opts.dlqOnly === true },
          plan: async (lease) => {
            const preview = await run(lease.epoch, 'dry-run', true);
            return [
              `move about ${preview.fromDeadLetterQueues} message(s) from the signing DLQs of ${regions.join(' and ')} to ${lease.activeRegion}'s signing queue`,
              ...(opts.dlqOnly
                ? []
                : [
                    `re-send ${preview.requeued.length} open transaction(s) to it (deduplicated per epoch ${lease.epoch}): ${preview.requeued.join(', ') || 'none'}`,
                  ]),
              `stop if the lease leaves epoch ${lease.epoch} meanwhile`,
            ];
          },
          act: async (lease, actor) => {
            const report = await run(lease.epoch, actor, false);
            if (report.fenced) throw new OpsRefusedError(`refusing: ${report.stoppedBecause}; nothing was moved`);
            return report;
          },
          describe: (r) => [
            `Handed off to ${r.holder} at epoch ${r.epoch}: ${r.fromDeadLetterQueues} DLQ message(s), ${r.requeued.length} open transaction(s) re-sent.`,
            ...(r.stoppedBecause !== undefined ? [`STOPPED EARLY: ${r.stoppedBecause}`] : []),
            'Check: wallet-ops stuck shows the DLQs empty and the open transactions moving.',
          ],
        });
      }) as never,
    );
}
