import { Command, InvalidArgumentError } from 'commander';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { OPEN_TX_STATUSES, TxStatus } from '../../contract/ledger';
import { readLease } from '../../failover/lease';
import { OPS_EXIT } from '../exit-codes';
import { OperatorTx } from '../ports';
import { OpsCli, OpsOptions } from './context';
import { addCommon } from './options';

interface StuckOptions extends OpsOptions {
  olderThan: number;
}

export interface StuckReport {
  readonly lease?: { holder: string; epoch: number; nextNonce: number };
  /** Open (queued, nonce-assigned, signed) for longer than the threshold. */
  readonly stuck: ReadonlyArray<OperatorTx & { ageSeconds: number }>;
  readonly quarantined: readonly OperatorTx[];
  /**
   * Broadcast but not mined, and the signer reached the fee cap (status `stuck`): no further
   * replacement is signed. Its signed variants may still be mined when fees fall.
   */
  readonly atFeeCap: readonly OperatorTx[];
  /** Messages in each region's signing DLQ (approximate, as SQS reports them); `error` if unreadable. */
  readonly deadLetterQueues: ReadonlyArray<{ region: string; messages?: number; error?: string }>;
}

const seconds = (raw: string): number => {
  if (!/^\d+$/.test(raw) || Number(raw) > 7 * 86400) {
    throw new InvalidArgumentError(
      `--older-than must be whole seconds from 0 to 604800; received ${JSON.stringify(raw)}.`,
    );
  }
  return Number(raw);
};

/** `wallet-ops stuck`: requests accepted but not done (open too long), quarantined, and stranded in DLQs. */
export function registerStuck(program: Command, cli: OpsCli): void {
  addCommon(program.command('stuck'))
    .description(
      'list stuck and stranded requests: open too long, quarantined, and messages in each signing DLQ (read-only)',
    )
    .option('--older-than <seconds>', 'an open transaction not updated for this long is stuck', seconds, 300)
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-ops stuck --region us-west-2 --address 0xabc... --older-than 600 --json',
    )
    .action(
      cli.guarded(async (opts: StuckOptions) => {
        const s = cli.session(opts);
        const lease = await readLease(s.store, s.address);
        const stuck: Array<OperatorTx & { ageSeconds: number }> = [];
        for (const status of OPEN_TX_STATUSES as TxStatus[]) {
          for (const tx of await s.ledger.listByStatus(s.store, s.address, status)) {
            const ageSeconds = Math.floor((s.now.getTime() - Date.parse(tx.updatedAt)) / 1000);
            if (ageSeconds >= opts.olderThan) stuck.push({ ...tx, ageSeconds });
          }
        }
        stuck.sort((a, b) => b.ageSeconds - a.ageSeconds);
        const quarantined = await s.ledger.listByStatus(s.store, s.address, 'quarantined');
        const atFeeCap = await s.ledger.listByStatus(s.store, s.address, 'stuck');
        const deadLetterQueues: Array<{ region: string; messages?: number; error?: string }> = [];
        for (const region of [s.config.regions.primary, s.config.regions.standby]) {
          try {
            const url = await s.queueUrl(region, 'dead-letter');
            const attrs = await s.clients
              .sqs(region)
              .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
            deadLetterQueues.push({ region, messages: Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) });
          } catch (err) {
            // A region in trouble must not hide the other's answer.
            deadLetterQueues.push({ region, error: `${(err as Error).name}: ${(err as Error).message}` });
          }
        }
        const report: StuckReport = {
          ...(lease !== undefined
            ? { lease: { holder: lease.activeRegion, epoch: lease.epoch, nextNonce: lease.nextNonce } }
            : {}),
          stuck,
          quarantined,
          atFeeCap,
          deadLetterQueues,
        };
        if (s.json) {
          s.out(
            JSON.stringify(
              { command: 'stuck', region: s.region, address: s.address, olderThanSeconds: opts.olderThan, ...report },
              null,
              2,
            ),
          );
          return OPS_EXIT.ok;
        }
        const lines = [
          lease === undefined
            ? `No lease for ${s.address} in ${s.region}'s ledger.`
            : `Lease: ${lease.activeRegion} at epoch ${lease.epoch}, next nonce ${lease.nextNonce} (read in ${s.region}).`,
          `Stuck (open, not updated for ${opts.olderThan} s or more): ${stuck.length}`,
          ...stuck.map(
            (t) =>
              `  ${t.walletId}/${t.txId}  ${t.status}  nonce ${t.nonce ?? '-'}  ${t.ageSeconds} s  accepted in ${t.intakeRegion ?? '?'}`,
          ),
          `Quarantined: ${quarantined.length}`,
          ...quarantined.map(
            (t) =>
              `  ${t.walletId}/${t.txId}  from ${t.quarantinedFrom ?? '?'}  nonce ${t.nonce ?? '-'}  reason: ${t.quarantineReason ?? '?'}`,
          ),
          `At the fee cap (broadcast, not mined, no further replacement): ${atFeeCap.length}`,
          ...atFeeCap.map(
            (t) =>
              `  ${t.walletId}/${t.txId}  nonce ${t.nonce ?? '-'}  ${t.txHash ?? '-'}  ${t.stuckReason ?? ''}\n` +
              `    after raising the cap: wallet-ops bump ${t.walletId} ${t.txId} --region ${lease?.activeRegion ?? s.region} --address ${s.address} --dry-run`,
          ),
          'Signing dead-letter queues:',
          ...deadLetterQueues.map((d) => `  ${d.region}: ${d.error ?? `${d.messages} message(s)`}`),
        ];
        if (
          stuck.length + quarantined.length + atFeeCap.length > 0 ||
          deadLetterQueues.some((d) => (d.messages ?? 0) > 0)
        ) {
          lines.push(
            '',
            'Next: wallet-ops hand-off (stranded work), resolve/cancel (quarantined); at the fee cap: raise chain.fees.maxFeePerGasGwei ' +
              'and deploy, then wallet-ops bump <walletId> <txId> (--dry-run first), or wait for fees to fall (docs/runbooks/wallet-ops.md)',
          );
        }
        s.out(lines.join('\n'));
        return OPS_EXIT.ok;
      }) as never,
    );
}
