import { LeaseMove, RegionHealth } from '../failover/lease';
import { WalletConfig } from '../config/schema';
import { DrillDirection } from '../contract/drill-metrics';
import { RegionRole } from '../contract/names';
import { SwitchThrown } from '../failover/switch';
import { CheckResult } from './checks';
import { EXIT, ExitCode } from './exit-codes';
import { ModelAssumptions, round } from '../failover/timing';
import { buildPlan, Plan } from './plan';
import { DrillAbort, measure, waitForPhases } from './phases';
import { buildRecord, DrillRecord, iso, Measurements, Outcome, PhaseId, RestoreRecord, TimelineEvent } from './record';
import { addressOf, manualRestoreSteps, restoreDrill } from './restore';
import { describeError } from './status';
import { Target } from './target';
import type { EmitOutcome } from '../status/wallet-events';
import { DrillStatusPage } from './status-page';

/** Something the CLI shows while the drill runs. */
export type DrillEvent =
  | { readonly kind: 'info' | 'warn'; readonly message: string }
  | { readonly kind: 'phase'; readonly event: TimelineEvent }
  | {
      readonly kind: 'waiting';
      readonly label: string;
      readonly elapsedSeconds: number;
      readonly timeoutSeconds: number;
    }
  | { readonly kind: 'plan'; readonly plan: Plan };

export interface DrillOptions {
  readonly target: Target;
  readonly config: WalletConfig;
  readonly direction: DrillDirection;
  /** Who runs it (for the lease audit record). */
  readonly actor: string;
  readonly reason?: string;
  /** Aborts the drill (Ctrl-C): stop and restore. */
  readonly signal: AbortSignal;
  /** Aborts the restore's verification (a second Ctrl-C): exit 4 with manual steps. */
  readonly restoreSignal?: AbortSignal;
  /** @default 5 */
  readonly pollSeconds?: number;
  /** One timeout for every phase. @default - per phase, from the model's worst case */
  readonly phaseTimeoutSeconds?: number;
  /** @default 300 */
  readonly restoreTimeoutSeconds?: number;
  /** On a phase timeout, stop waiting but keep the failover in place (a real incident). */
  readonly keepOnTimeout?: boolean;
  readonly allowAlarms?: readonly string[];
  readonly assumptions?: ModelAssumptions;
  /** Asked after the plan passed and before anything changes; false cancels. */
  readonly confirm?: (plan: Plan) => Promise<boolean>;
  readonly onEvent?: (event: DrillEvent) => void;
}

/**
 * Runs a failover or failback drill: plan, confirm, move the lease, throw (or release) the switch,
 * wait for and timestamp each phase, and restore on Ctrl-C, a phase timeout or a failed guard.
 * Data plane only: the lease (DynamoDB) and the switch (CloudWatch PutMetricData).
 */
export async function runDrill(o: DrillOptions): Promise<DrillRecord> {
  const buckets = o.target.statusBuckets?.() ?? [];
  const page =
    buckets.length === 0
      ? undefined
      : new DrillStatusPage(o.config, buckets, o.actor, o.reason ?? `${o.direction} drill by ${o.actor}`);
  let toRegion = '';
  const record = await runDrillCore({
    ...o,
    onEvent: (e) => {
      o.onEvent?.(e);
      if (e.kind === 'plan') toRegion = e.plan.toRegion;
      if (page === undefined || e.kind !== 'phase') return;
      if (e.event.id === 'lease-moved' || e.event.id === 'switch-thrown') page.started(e.event.at);
      if (e.event.id === 'dns-changed') page.serving(e.event.at, toRegion);
    },
  });
  return withStatusPage(
    record,
    (await o.target.flushStatusEvents?.()) ?? [],
    (await page?.finish(record.finishedAt)) ?? [],
    o.target.handOffChecks?.() ?? [],
  );
}

async function runDrillCore(o: DrillOptions): Promise<DrillRecord> {
  const { target, config, direction } = o;
  const clock = target.clock;
  const emit = (e: DrillEvent) => o.onEvent?.(e);
  const startedAt = clock.now();
  const reason = o.reason ?? `${direction} drill by ${o.actor}`;
  const pollMs = (o.pollSeconds ?? 5) * 1000;
  const timeline: TimelineEvent[] = [];
  const steps: Array<{ id: string; title: string; done: boolean; at?: string; detail?: string }> = [];
  let t0 = startedAt;
  const mark = (id: PhaseId, label: string, at: number, evidence: string) => {
    const event: TimelineEvent = { id, label, at: iso(at), offsetSeconds: round((at - t0) / 1000), evidence };
    timeline.push(event);
    emit({ kind: 'phase', event });
    return event;
  };

  emit({ kind: 'info', message: `reading ${config.envName} (${target.kind}) and running the pre-checks` });
  const plan = await buildPlan(target, config, direction, {
    allowAlarms: o.allowAlarms,
    assumptions: o.assumptions,
  });
  emit({ kind: 'plan', plan });
  const base = {
    target,
    config,
    plan,
    startedAt,
    timeline,
    steps,
  };
  const finish = (
    outcome: Outcome,
    exitCode: ExitCode,
    message: string,
    measurements?: Measurements,
    restore?: RestoreRecord,
  ): DrillRecord => buildRecord({ ...base, outcome, exitCode, message, measurements, restore });

  if (!plan.ready) {
    const failed = plan.checks.filter((c) => !c.ok && c.level === 'blocker');
    return finish(
      'refused',
      EXIT.checkFailed,
      `refused to ${direction}: ${failed.length} pre-check${failed.length === 1 ? '' : 's'} failed (${failed.map((c) => c.id).join(', ')}); nothing was changed`,
    );
  }
  if (plan.nothingToDo) {
    return finish(
      'nothing-to-do',
      EXIT.ok,
      `nothing to do: the lease is already in ${plan.toRegion} and the switch is already ${plan.switchTo}`,
    );
  }
  if (o.confirm !== undefined && !(await o.confirm(plan))) {
    return finish('cancelled', EXIT.abortedRestored, 'cancelled at the confirmation prompt; nothing was changed');
  }
  if (o.signal.aborted)
    return finish('cancelled', EXIT.abortedRestored, 'interrupted before any change; nothing was changed');

  const done: { lease?: LeaseMove; switch?: SwitchThrown } = {};
  let observedRpoSeconds: number | undefined;
  const healthOf = async (role: RegionRole): Promise<RegionHealth> => {
    const h = await target.endpointHealth(role);
    return {
      healthy: h.healthy,
      reasons: [`Route 53: ${h.healthyCheckers} of ${h.totalCheckers} checkers report ${role} healthy`],
    };
  };

  try {
    const leaseStep = plan.steps.find((s) => s.id === 'lease')!;
    const switchStep = plan.steps.find((s) => s.id === 'switch')!;
    if (!leaseStep.alreadyDone) {
      const expectedEpoch = plan.status.lease.ok ? plan.status.lease.value?.epoch : undefined;
      try {
        done.lease = await target.moveLease(plan.to, {
          actor: o.actor,
          reason,
          expectedEpoch,
          isTargetHealthy: () => healthOf(plan.to),
        });
      } catch (err) {
        throw new DrillAbort('error', `moving the lease failed: ${describeError(err)}`);
      }
      const at = Date.parse(done.lease.after.updatedAt);
      steps.push({
        id: 'lease',
        title: leaseStep.title,
        done: true,
        at: iso(at),
        detail: `epoch ${done.lease.after.epoch}`,
      });
      mark(
        'lease-moved',
        `lease moved to ${plan.toRegion} (epoch ${done.lease.after.epoch})`,
        at,
        'DynamoDB UpdateItem',
      );
      observedRpoSeconds = await rpoAtHandover(target, config, plan.to);
    } else {
      steps.push({ id: 'lease', title: leaseStep.title, done: true, detail: 'already done before this drill' });
      observedRpoSeconds = await rpoAtHandover(target, config, plan.to);
    }
    if (o.signal.aborted) throw new DrillAbort('interrupted', 'interrupted (Ctrl-C) after the lease moved');

    if (!switchStep.alreadyDone) {
      try {
        done.switch = await target.throwSwitch(plan.switchTo, reason);
      } catch (err) {
        throw new DrillAbort('error', `throwing the switch failed: ${describeError(err)}`);
      }
      t0 = Date.parse(done.switch.timestamp);
      steps.push({
        id: 'switch',
        title: switchStep.title,
        done: true,
        at: done.switch.timestamp,
        detail: `value ${done.switch.value}`,
      });
      for (const e of timeline) (e as { offsetSeconds: number }).offsetSeconds = round((Date.parse(e.at) - t0) / 1000);
      mark(
        'switch-thrown',
        `switch ${plan.switchTo === 'on' ? 'thrown' : 'released'} (value ${done.switch.value})`,
        t0,
        'CloudWatch PutMetricData',
      );
    } else {
      steps.push({ id: 'switch', title: switchStep.title, done: true, detail: 'already done before this drill' });
      t0 = clock.now();
    }

    const observed = await waitForPhases(o, plan, t0, pollMs, mark);
    const measurements = await measure(target, config, plan, t0, observed, observedRpoSeconds);
    const passed = measurements.rtoMet === true && measurements.rpoMet === true;
    return finish(
      'completed',
      passed ? EXIT.ok : EXIT.checkFailed,
      passed
        ? `${direction} completed: RTO ${measurements.rtoSeconds} s (target ${config.targets.rtoSeconds} s), RPO ${measurements.observedRpoSeconds} s (target ${config.targets.rpoSeconds} s)`
        : `${direction} completed but missed a target: RTO ${measurements.rtoSeconds} s (target ${config.targets.rtoSeconds} s), RPO ${measurements.observedRpoSeconds} s (target ${config.targets.rpoSeconds} s)`,
      measurements,
    );
  } catch (err) {
    const abort = err instanceof DrillAbort ? err : new DrillAbort('error', `the drill failed: ${describeError(err)}`);
    const changed = done.switch !== undefined || done.lease?.changed === true;
    mark('aborted', `aborted: ${abort.message}`, clock.now(), abort.kind);
    if (!changed) {
      return finish(
        abort.kind === 'interrupted' ? 'cancelled' : 'failed',
        abort.kind === 'interrupted' ? EXIT.abortedRestored : EXIT.checkFailed,
        `${abort.message}; nothing was changed`,
      );
    }
    if (abort.kind === 'timeout' && o.keepOnTimeout === true) {
      const manual = manualRestoreSteps(config, plan, done, await addressOf(target));
      return finish(
        'failed',
        EXIT.checkFailed,
        `${abort.message}; --keep-on-timeout: the ${direction} was left in place (lease in ${plan.toRegion}, switch ${plan.switchTo}). To undo it by hand, see the manual steps`,
        undefined,
        {
          reason: abort.message,
          actions: [],
          problems: ['not restored (--keep-on-timeout)'],
          succeeded: false,
          manualSteps: manual,
        },
      );
    }
    emit({ kind: 'warn', message: `${abort.message}: restoring` });
    const restore = await restoreDrill(o, plan, done, abort.message, mark);
    return finish(
      restore.succeeded ? 'aborted-restored' : 'aborted-not-restored',
      restore.succeeded ? EXIT.abortedRestored : EXIT.abortedNotRestored,
      restore.succeeded
        ? `${abort.message}; everything the drill changed was put back and verified`
        : `${abort.message}; the restore did NOT complete: ${restore.problems.join('; ')}. Manual action needed`,
      undefined,
      restore,
    );
  }
}

async function rpoAtHandover(target: Target, config: WalletConfig, to: RegionRole): Promise<number | undefined> {
  if (config.data.consistency === 'MRSC') return 0;
  try {
    return (await target.replication(to)).latencySeconds;
  } catch {
    return undefined;
  }
}

/**
 * The drill record with its status-page part and its hand-offs: the wallet events' outcomes, one check
 * per lease move's hand-off of stranded work (a failed one names `wallet-ops hand-off`), and one check per phase
 * and status bucket among the drill's checks (warnings: the page is reported on, never a reason to
 * fail or undo a failover; the message names what the page did not show).
 */
function withStatusPage(
  record: DrillRecord,
  statusEvents: readonly EmitOutcome[],
  pageChecks: readonly CheckResult[],
  handOffChecks: readonly CheckResult[] = [],
): DrillRecord {
  const pageFailed = pageChecks.filter((c) => !c.ok);
  const handOffFailed = handOffChecks.filter((c) => !c.ok);
  const undelivered = statusEvents.filter((e) => !e.delivered);
  const notes = [
    ...(pageFailed.length > 0
      ? [`the status page did not show the drill: ${pageFailed.map((c) => `${c.id}: ${c.detail}`).join('; ')}`]
      : []),
    ...(undelivered.length > 0
      ? [`status events not delivered: ${undelivered.map((e) => `${e.kind} to ${e.region} (${e.error})`).join('; ')}`]
      : []),
    ...handOffFailed.map((c) => `${c.id}: ${c.detail}; ${c.fix ?? ''}`),
  ];
  return {
    ...record,
    checks: [...record.checks, ...pageChecks, ...handOffChecks],
    ...(statusEvents.length > 0 ? { statusEvents } : {}),
    ...(notes.length > 0 ? { message: `${record.message}; warning: ${notes.join('; ')}` } : {}),
  };
}
