import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { WalletConfig } from '../config/schema';
import { signingDeadLetterQueueName, signingQueueName } from '../contract/names';
import { handOffStrandedWork, HandOffReport } from '../failover/handoff';
import { LeaseMove, LeaseStore } from '../failover/lease';
import { CheckResult } from './checks/check';
import { DrillClients } from './clients';

/**
 * The drill's hand-off of stranded work after each lease move it makes (failover, failback, and the
 * restore of an aborted drill): both regions' signing DLQs and every open transaction of the address
 * go to the new holder's signing queue (lib/failover/handoff.ts, fenced by the epoch the move
 * created). Remediation does the same after its automatic failover; `wallet-ops hand-off` is the
 * manual form. A failed hand-off never undoes the move: it becomes a warning check naming the command
 * that finishes it.
 */
export async function handOffAfterMove(o: {
  readonly config: WalletConfig;
  readonly clients: DrillClients;
  readonly store: LeaseStore;
  readonly address: string;
  readonly move: LeaseMove;
  readonly actor: string;
  readonly now: Date;
}): Promise<CheckResult> {
  const { config, clients, move } = o;
  const regions = [config.regions.primary, config.regions.standby];
  const id = `work-handoff-epoch-${move.after.epoch}`;
  const title = `stranded work handed to ${move.after.activeRegion} after the lease move to epoch ${move.after.epoch}`;
  const fix =
    `run \`wallet-ops hand-off --region ${move.after.activeRegion} -c ${config.envName}\` ` +
    '(docs/runbooks/wallet-ops.md); it is safe to repeat';
  try {
    const url = async (region: string, name: string) =>
      (await clients.sqs(region).send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
    const signing = new Map<string, string>();
    const deadLetterQueues: Array<{ region: string; url: string }> = [];
    for (const region of regions) {
      signing.set(region, await url(region, signingQueueName(config.envName)));
      deadLetterQueues.push({ region, url: await url(region, signingDeadLetterQueueName(config.envName)) });
    }
    const report = await handOffStrandedWork({
      ledger: o.store,
      sqs: clients.sqs(move.after.activeRegion),
      sqsForRegion: (region) => clients.sqs(region),
      address: o.address,
      queueUrlFor: (region) => {
        const queue = signing.get(region);
        if (queue === undefined)
          throw new Error(`no signing queue known for ${region} (regions: ${regions.join(', ')})`);
        return queue;
      },
      deadLetterQueues,
      actor: o.actor,
      expectedEpoch: move.after.epoch,
      runId: `drill-${o.now.getTime().toString(36)}`,
      now: o.now,
    });
    return handOffCheck(id, title, report, fix);
  } catch (err) {
    return {
      id,
      title,
      ok: false,
      level: 'warning',
      detail: `the hand-off failed: ${(err as Error).name}: ${(err as Error).message}. The lease move stands; stranded work may wait in a DLQ or an old queue`,
      fix,
    };
  }
}

function handOffCheck(id: string, title: string, r: HandOffReport, fix: string): CheckResult {
  if (r.fenced || r.stoppedBecause !== undefined) {
    return {
      id,
      title,
      ok: false,
      level: 'warning',
      detail: `the hand-off stopped: ${r.stoppedBecause ?? 'fenced'} (moved so far: ${r.fromDeadLetterQueues} from DLQs, ${r.requeued.length} open transaction(s) re-sent)`,
      fix,
    };
  }
  return {
    id,
    title,
    ok: true,
    level: 'warning',
    detail:
      `${r.fromDeadLetterQueues} message(s) moved from the signing DLQs, ${r.requeued.length} open transaction(s) re-sent to ${r.holder}` +
      (r.requeued.length > 0 ? ` (${r.requeued.join(', ')})` : '') +
      (r.deleteRefused > 0
        ? `; ${r.deleteRefused} DLQ delete(s) refused (the message comes back and moves again)`
        : '') +
      (r.auditKey !== undefined ? `; audit ${r.auditKey.pk} ${r.auditKey.sk}` : ''),
  };
}
