import { WalletConfig } from '../config/schema';
import { SwitchPosition } from '../contract/failover-switch';
import { LeaseMove } from '../failover/lease';
import { SwitchThrown } from '../failover/switch';
import type { DrillOptions } from './drill';
import { leaseMoveCommand, leaseReadCommand, switchCommand, verifyCommands } from './manual';
import { safe } from './phases';
import { Plan } from './plan';
import { PhaseId, RestoreRecord, TimelineEvent } from './record';
import { describeError } from './status';
import { Target } from './target';

/**
 * Undoes what the drill changed, newest first (switch, then lease), and verifies it. The switch is
 * re-published once a minute until its alarm agrees: a period that held both the throw and the
 * release has Maximum 1, so one release data point is not always enough.
 */
export async function restoreDrill(
  o: DrillOptions,
  plan: Plan,
  done: { lease?: LeaseMove; switch?: SwitchThrown },
  why: string,
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
): Promise<RestoreRecord> {
  const { target, config } = o;
  const clock = target.clock;
  const actions: string[] = [];
  const problems: string[] = [];
  const original: SwitchPosition = plan.switchTo === 'on' ? 'off' : 'on';
  const restoreReason = `restore after aborted ${plan.direction} drill: ${why}`;
  let switchRestoredAt: number | undefined;
  let leaseRestored = false;

  if (done.switch !== undefined) {
    try {
      const s = await target.throwSwitch(original, restoreReason);
      switchRestoredAt = Date.parse(s.timestamp);
      actions.push(`switch put back to ${original} (PutMetricData value ${s.value} in ${s.region})`);
      mark('switch-restored', `switch put back to ${original}`, switchRestoredAt, 'CloudWatch PutMetricData');
    } catch (err) {
      problems.push(`putting the switch back to ${original} failed: ${describeError(err)}`);
    }
  }
  if (done.lease?.changed === true) {
    try {
      const back = await target.moveLease(plan.from, {
        actor: o.actor,
        reason: restoreReason,
        expectedEpoch: done.lease.after.epoch,
        isTargetHealthy: async (region) => {
          const h = await target.endpointHealth(plan.from);
          return {
            healthy: h.healthy,
            reasons: [`Route 53: ${h.healthyCheckers} of ${h.totalCheckers} checkers report ${region} healthy`],
          };
        },
      });
      leaseRestored = true;
      actions.push(`lease moved back to ${plan.fromRegion} (epoch ${back.after.epoch})`);
      mark(
        'lease-restored',
        `lease moved back to ${plan.fromRegion} (epoch ${back.after.epoch})`,
        clock.now(),
        'DynamoDB UpdateItem',
      );
    } catch (err) {
      problems.push(`moving the lease back to ${plan.fromRegion} failed: ${describeError(err)}`);
    }
  }

  // Verify, bounded in time; a second Ctrl-C stops waiting (and the restore counts as not verified).
  const deadline = clock.now() + (o.restoreTimeoutSeconds ?? 300) * 1000;
  const pollMs = (o.pollSeconds ?? 5) * 1000;
  // The switch is back when its alarm agrees AND Route 53 does (its HealthCheckStatus for the
  // switch, or the DNS answer naming the region the drill left).
  let switchOk = done.switch === undefined;
  let lastPublish = switchRestoredAt ?? 0;
  let leaseOk = !leaseRestored;
  const restoreMinute = Math.floor((switchRestoredAt ?? 0) / 60_000) * 60_000;
  const verifying = () => (!switchOk && switchRestoredAt !== undefined) || !leaseOk;
  while (verifying() && clock.now() < deadline && !o.restoreSignal?.aborted) {
    if (!switchOk && switchRestoredAt !== undefined) {
      const st = await safe(() => target.switchState());
      const alarmAgrees =
        st?.alarmState === (original === 'off' ? 'OK' : 'ALARM') &&
        st.alarmUpdatedAt !== undefined &&
        Date.parse(st.alarmUpdatedAt) >= switchRestoredAt;
      if (alarmAgrees) {
        const dns = await safe(() => target.dnsAnswer());
        const last = (await safe(() => target.healthCheckSeries(restoreMinute - 60_000)))?.failoverSwitch.at(-1);
        const route53Agrees =
          last !== undefined && last.at >= restoreMinute && last.value >= 1 === (original === 'off');
        switchOk = route53Agrees || dns?.role === plan.from;
      } else if (clock.now() - lastPublish >= 60_000) {
        const again = await safe(() =>
          target.throwSwitch(original, `${restoreReason} (repeat: the alarm has not agreed yet)`),
        );
        if (again !== undefined) {
          lastPublish = Date.parse(again.timestamp);
          actions.push(`switch ${original} published again at ${again.timestamp} (the alarm had not agreed yet)`);
        }
      }
    }
    if (!leaseOk) {
      const lease = await safe(() => target.readLease(plan.from));
      leaseOk = lease?.activeRegion === plan.fromRegion;
    }
    if (!verifying()) break;
    o.onEvent?.({
      kind: 'waiting',
      label: 'verifying the restore',
      elapsedSeconds: Math.round((clock.now() - (switchRestoredAt ?? clock.now())) / 1000),
      timeoutSeconds: o.restoreTimeoutSeconds ?? 300,
    });
    await clock.sleep(pollMs, o.restoreSignal);
  }
  if (switchRestoredAt !== undefined && !switchOk) {
    problems.push(
      o.restoreSignal?.aborted
        ? 'verifying the switch was interrupted (second Ctrl-C)'
        : `the switch did not read back as ${original} (alarm and Route 53) within ${o.restoreTimeoutSeconds ?? 300} s`,
    );
  }
  if (leaseRestored && !leaseOk) problems.push(`the lease did not read back as held by ${plan.fromRegion}`);
  const succeeded = problems.length === 0;
  if (succeeded) mark('restore-verified', 'restore verified', clock.now(), 'switch alarm and lease read back');
  return {
    reason: why,
    actions,
    problems,
    succeeded,
    manualSteps: succeeded
      ? []
      : manualRestoreSteps(
          config,
          plan,
          {
            lease: leaseRestored ? undefined : done.lease,
            switch: switchOk ? undefined : (done.switch ?? undefined),
          },
          await addressOf(target),
        ),
  };
}

/** The commands an operator runs to finish a restore by hand, with this environment's values. */
export function manualRestoreSteps(
  config: WalletConfig,
  plan: Plan,
  pending: { lease?: LeaseMove; switch?: SwitchThrown },
  address: string,
): string[] {
  const original: SwitchPosition = plan.switchTo === 'on' ? 'off' : 'on';
  const out: string[] = [];
  let n = 1;
  if (pending.switch !== undefined) {
    out.push(
      `${n++}. Put the failover switch back to ${original} (one data-plane call in ${config.regions.standby}); repeat it a minute later if the alarm still says ${original === 'off' ? 'ALARM' : 'OK'}:`,
      `   ${switchCommand(config, original)}`,
    );
  }
  if (pending.lease?.changed === true) {
    out.push(
      `${n++}. Read the lease (note activeRegion and epoch):`,
      `   ${leaseReadCommand(config, plan.toRegion, address)}`,
      `${n++}. Only when ${plan.fromRegion} is healthy again, move the lease back, conditional on the epoch you read (${pending.lease.after.epoch} if nobody moved it since):`,
      `   ${leaseMoveCommand(config, {
        region: plan.fromRegion,
        address,
        fromRegion: plan.toRegion,
        toRegion: plan.fromRegion,
        epoch: pending.lease.after.epoch,
        reason: `manual restore after an aborted ${plan.direction} drill`,
      })}`,
      `   If ${plan.fromRegion} is not healthy, leave the lease where it is: the signer there fails closed, which is safe.`,
    );
  }
  out.push(`${n}. Verify:`, ...verifyCommands(config).map((c) => `   ${c}`));
  out.push('See docs/runbooks/failover-drill.md ("Abort and rollback") and docs/runbooks/manual-failover.md.');
  return out;
}

/** The signing address for the manual steps, or a placeholder when it cannot be read. */
export async function addressOf(target: Target): Promise<string> {
  try {
    return await target.signingAddress();
  } catch {
    return '<signing address>';
  }
}
