import { LeaseMove, RegionHealth } from '../failover/lease';
import { WalletConfig } from '../config/schema';
import { DrillDirection } from '../contract/drill-metrics';
import { SwitchPosition } from '../contract/failover-switch';
import { RegionRole } from '../contract/names';
import { SwitchThrown } from '../failover/switch';
import { CheckResult } from './checks';
import { EXIT, ExitCode } from './exit-codes';
import { leaseMoveCommand, leaseReadCommand, switchCommand, verifyCommands } from './manual';
import { dnsCache, leaseDetection, ModelAssumptions, propagation, round, switchDetection } from '../failover/timing';
import { settingsFromConfig } from './settings';
import { buildPlan, Plan } from './plan';
import { describeError } from './status';
import { Target } from './target';
import type { EmitOutcome } from '../status/wallet-events';
import { DrillStatusPage } from './status-page';

/** How a drill ended. */
export type Outcome =
  'completed' | 'refused' | 'nothing-to-do' | 'cancelled' | 'failed' | 'aborted-restored' | 'aborted-not-restored';

export type PhaseId =
  | 'lease-moved'
  | 'switch-thrown'
  | 'route53-changed'
  | 'dns-changed'
  | 'canary-green'
  | 'aborted'
  | 'switch-restored'
  | 'lease-restored'
  | 'restore-verified'
  // chaos (lib/drill/chaos/run.ts)
  | 'experiment-started'
  | 'fault-active'
  | 'alarm-fired'
  | 'failover-refused'
  | 'experiment-stopped'
  | 'recovered';

/** One timestamped point of a drill. */
export interface TimelineEvent {
  readonly id: PhaseId;
  readonly label: string;
  /** ISO 8601. */
  readonly at: string;
  /** Seconds since the switch was thrown (negative before). */
  readonly offsetSeconds: number;
  /** What showed it. */
  readonly evidence: string;
}

export interface Measurements {
  /** Switch thrown -> Route 53 marked the primary record changed (as observed: an upper bound). */
  readonly detectionSeconds?: number;
  /** When the HealthCheckStatus metric narrows it down: [earliest, latest] seconds after the switch. */
  readonly detectionBoundsSeconds?: readonly [number, number];
  /** Switch thrown -> authoritative DNS answer changed. */
  readonly dnsCutoverSeconds?: number;
  /** Switch thrown -> the target region's canary reached it through the public name. */
  readonly rtoSeconds?: number;
  /** Replication lag at the lease handover (0 under MRSC). */
  readonly observedRpoSeconds?: number;
  readonly rtoTargetSeconds: number;
  readonly rpoTargetSeconds: number;
  readonly rtoMet?: boolean;
  readonly rpoMet?: boolean;
  /** Route 53 had already moved away from the region being left before the switch (unplanned). */
  readonly alreadyFailedOverBeforeSwitch: boolean;
  /** Chaos: the fault started -> the environment was back to normal after the experiment stopped. */
  readonly timeToRecoverSeconds?: number;
  /**
   * Chaos: the fault started -> a failover by someone other than the chaos command (the standby's remediation
   * in auto mode, or an operator) was first seen: the lease moved or the switch thrown, whichever first.
   * Absent: nobody failed over.
   */
  readonly externalFailoverSeconds?: number;
}

/** What a chaos record adds: the FIS experiment it ran (lib/drill/chaos/run.ts). */
export interface ChaosExperimentInfo {
  readonly name: string;
  readonly region: string;
  readonly action: string;
  readonly expectation: string;
  readonly templateId?: string;
  readonly experimentId?: string;
  readonly finalStatus?: string;
  readonly finalReason?: string;
  /** Who failed over while the experiment ran (the lease's updatedBy, e.g. `remediation:<region>:<alarm>`). */
  readonly failedOverBy?: string;
  /** The lease epoch after that failover. */
  readonly failedOverEpoch?: number;
}

export interface RestoreRecord {
  readonly reason: string;
  readonly actions: readonly string[];
  readonly problems: readonly string[];
  readonly succeeded: boolean;
  readonly manualSteps: readonly string[];
}

/** Everything about one drill: the input to every report. */
/** The failover settings a drill or chaos record was measured under (one reader: recordSettings). */
export interface RecordSettings {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly ttlSeconds: number;
  readonly checkerRegions: readonly string[];
  readonly consistency: string;
  readonly canarySchedule: string;
}

/** The settings block of a drill or chaos record, read from the config. */
export function recordSettings(config: WalletConfig): RecordSettings {
  return {
    intervalSeconds: config.dns.healthCheck.intervalSeconds,
    failureThreshold: config.dns.healthCheck.failureThreshold,
    ttlSeconds: config.dns.recordTtlSeconds,
    checkerRegions: config.dns.healthCheck.regions,
    consistency: config.data.consistency,
    canarySchedule: config.canary.schedule,
  };
}

export interface DrillRecord {
  readonly schemaVersion: 1;
  readonly id: string;
  readonly tool: 'wallet-drill';
  /** `chaos` for `wallet-drill chaos` records; absent (a drill) otherwise. */
  readonly kind?: 'drill' | 'chaos';
  readonly target: 'aws' | 'simulated';
  readonly scenario?: string;
  readonly envName: string;
  readonly direction: DrillDirection;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: Outcome;
  readonly exitCode: ExitCode;
  readonly message: string;
  readonly settings: RecordSettings;
  readonly expectedWorstCaseRtoSeconds: number;
  readonly checks: readonly CheckResult[];
  readonly steps: ReadonlyArray<{ id: string; title: string; done: boolean; at?: string; detail?: string }>;
  readonly timeline: readonly TimelineEvent[];
  readonly measurements: Measurements;
  readonly passed: boolean;
  readonly restore?: RestoreRecord;
  readonly assumptions: ModelAssumptions;
  /** The SDK commands the drill sent, in order (inputs omitted). */
  readonly calls: ReadonlyArray<{ service: string; region: string; command: string; kind: string }>;
  /** Chaos records: the experiment run. */
  readonly experiment?: ChaosExperimentInfo;
  /** The status page's wallet events (lease moved, switch changed) per region's bus, and whether each was delivered. */
  readonly statusEvents?: readonly EmitOutcome[];
  /** Whether the measurements were published as the KPI series (set by the CLI after the drill). */
  readonly kpi?: { readonly published: boolean; readonly error?: string };
}

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

class DrillAbort extends Error {
  constructor(
    public readonly kind: 'interrupted' | 'timeout' | 'guard' | 'error',
    message: string,
  ) {
    super(message);
    this.name = 'DrillAbort';
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

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

async function addressOf(target: Target): Promise<string> {
  try {
    return await target.signingAddress();
  } catch {
    return '<signing address>';
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

interface Observed {
  route53?: { at: number; evidence: string };
  dns?: { at: number };
  canary?: { at: number };
  alreadyBeforeSwitch: boolean;
}

function defaultTimeouts(o: DrillOptions): [number, number, number] {
  if (o.phaseTimeoutSeconds !== undefined) return [o.phaseTimeoutSeconds, o.phaseTimeoutSeconds, o.phaseTimeoutSeconds];
  const s = settingsFromConfig(o.config);
  // A failover sees the earlier of the lease check and the switch; a failback needs BOTH back healthy
  // (the CALCULATED check), so the timeout allows for the slower of the two.
  const detect =
    Math.max(switchDetection(s, o.assumptions).worstSeconds, leaseDetection(s, o.assumptions).worstSeconds) +
    propagation(o.assumptions).worstSeconds;
  const poll = o.pollSeconds ?? 5;
  return [
    Math.ceil(2 * detect + 60),
    Math.ceil(2 * propagation(o.assumptions).worstSeconds + 4 * poll + 30),
    Math.ceil(2 * (dnsCache(s).worstSeconds + s.canaryPeriodSeconds) + 60),
  ];
}

/** Polls the target until each phase is observed, in order; throws DrillAbort to stop. */
async function waitForPhases(
  o: DrillOptions,
  plan: Plan,
  t0: number,
  pollMs: number,
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
): Promise<Observed> {
  const { target } = o;
  const clock = target.clock;
  const expected = plan.direction === 'failover' ? 0 : 1;
  const minuteOfSwitch = Math.floor(t0 / 60_000) * 60_000;
  const timeouts = defaultTimeouts(o);
  const labels = [
    plan.direction === 'failover'
      ? 'Route 53 marks the primary record unhealthy'
      : 'Route 53 marks the primary record healthy',
    `authoritative DNS answer names ${plan.to} (${plan.toRegion})`,
    `${plan.to} canary reaches ${plan.toRegion} through the public name`,
  ];
  const observed: Observed = {
    alreadyBeforeSwitch: plan.direction === 'failover' && plan.status.dns.ok && plan.status.dns.value.role === plan.to,
  };
  let phase = 0;
  let phaseStart = clock.now();
  const expectedEpoch = plan.status.lease.ok ? (plan.status.lease.value?.epoch ?? 0) : 0;
  for (;;) {
    if (o.signal.aborted) throw new DrillAbort('interrupted', `interrupted (Ctrl-C) while waiting: ${labels[phase]}`);
    const now = clock.now();
    // Guards: the region taking over stays healthy and keeps the lease.
    const health = await safe(() => target.endpointHealth(plan.to));
    if (health !== undefined && !health.healthy) {
      throw new DrillAbort(
        'guard',
        `guard failed: ${plan.toRegion} became unhealthy (${health.healthyCheckers} of ${health.totalCheckers} checkers report healthy)`,
      );
    }
    const lease = await safe(() => target.readLease(plan.to));
    if (lease !== undefined && (lease.activeRegion !== plan.toRegion || lease.epoch < expectedEpoch)) {
      throw new DrillAbort(
        'guard',
        `guard failed: the lease changed under the drill (now ${lease.activeRegion} at epoch ${lease.epoch})`,
      );
    }
    const dns = await safe(() => target.dnsAnswer());
    if (phase === 0) {
      if (dns?.role === plan.to) {
        observed.route53 = {
          at: now,
          evidence:
            'inferred: DNS already answers with the target, which Route 53 does only once the primary record changed',
        };
      } else {
        const series = await safe(() => target.healthCheckSeries(minuteOfSwitch - 60_000));
        const point = series?.primaryRecord.find((p) => p.at >= minuteOfSwitch && p.value === expected);
        if (point !== undefined) {
          observed.route53 = {
            at: now,
            evidence: `Route 53 HealthCheckStatus ${point.value} for the minute from ${iso(point.at)}`,
          };
        }
      }
      if (observed.route53 !== undefined) {
        mark('route53-changed', labels[0], observed.route53.at, observed.route53.evidence);
        phase = 1;
        phaseStart = now;
      }
    }
    if (phase === 1 && dns?.role === plan.to) {
      observed.dns = { at: now };
      mark('dns-changed', labels[1], now, `TestDNSAnswer ${dns.recordName}: ${dns.recordData.join(', ')}`);
      phase = 2;
      phaseStart = now;
    }
    if (phase === 2) {
      // The public-name canary publishes one point per run at standard resolution: the first minute
      // after the switch with an answer from the target region bounds the cut-over from above.
      const canary = await safe(() => target.canary(plan.to, t0));
      const green = canary?.answeredBySelf.find((p) => p.value >= 1 && p.at + 60_000 > t0);
      if (green !== undefined) {
        const at = Math.min(green.at + 60_000, now);
        observed.canary = { at };
        mark(
          'canary-green',
          labels[2],
          at,
          `public-name canary in ${plan.toRegion}: PublicNameAnswer answered by ${plan.toRegion} in the minute from ${iso(green.at).slice(11, 16)} UTC (upper bound)`,
        );
        return observed;
      }
    }
    const elapsed = (clock.now() - phaseStart) / 1000;
    if (elapsed >= timeouts[phase]) {
      throw new DrillAbort('timeout', `phase timeout: "${labels[phase]}" not observed within ${timeouts[phase]} s`);
    }
    o.onEvent?.({
      kind: 'waiting',
      label: labels[phase],
      elapsedSeconds: Math.round(elapsed),
      timeoutSeconds: timeouts[phase],
    });
    await clock.sleep(pollMs, o.signal);
  }
}

async function safe<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

async function measure(
  target: Target,
  config: WalletConfig,
  plan: Plan,
  t0: number,
  observed: Observed,
  observedRpoSeconds: number | undefined,
): Promise<Measurements> {
  const secs = (at?: number) => (at === undefined ? undefined : round((at - t0) / 1000));
  // Narrow detection down with Route 53's per-minute HealthCheckStatus, now that it has been published.
  let bounds: [number, number] | undefined;
  const expected = plan.direction === 'failover' ? 0 : 1;
  const minuteOfSwitch = Math.floor(t0 / 60_000) * 60_000;
  const series = await safe(() => target.healthCheckSeries(minuteOfSwitch - 60_000));
  const point = series?.primaryRecord.find((p) => p.at >= minuteOfSwitch && p.value === expected);
  if (point !== undefined && observed.route53 !== undefined) {
    const earliest = Math.max(point.at, t0);
    const latest = Math.min(point.at + 60_000, observed.dns?.at ?? observed.route53.at, observed.route53.at);
    if (latest >= earliest) bounds = [round((earliest - t0) / 1000), round((latest - t0) / 1000)];
  }
  const rtoSeconds = secs(observed.canary?.at);
  return {
    detectionSeconds: secs(observed.route53?.at),
    detectionBoundsSeconds: bounds,
    dnsCutoverSeconds: secs(observed.dns?.at),
    rtoSeconds,
    observedRpoSeconds: observedRpoSeconds === undefined ? undefined : round(observedRpoSeconds),
    rtoTargetSeconds: config.targets.rtoSeconds,
    rpoTargetSeconds: config.targets.rpoSeconds,
    rtoMet: rtoSeconds === undefined ? undefined : rtoSeconds <= config.targets.rtoSeconds,
    rpoMet: observedRpoSeconds === undefined ? undefined : observedRpoSeconds <= config.targets.rpoSeconds,
    alreadyFailedOverBeforeSwitch: observed.alreadyBeforeSwitch,
  };
}

/**
 * Undoes what the drill changed, newest first (switch, then lease), and verifies it. The switch is
 * re-published once a minute until its alarm agrees: a period that held both the throw and the
 * release has Maximum 1, so one release data point is not always enough.
 */
async function restoreDrill(
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

function buildRecord(r: {
  target: Target;
  config: WalletConfig;
  plan: Plan;
  startedAt: number;
  timeline: TimelineEvent[];
  steps: Array<{ id: string; title: string; done: boolean; at?: string; detail?: string }>;
  outcome: Outcome;
  exitCode: ExitCode;
  message: string;
  measurements?: Measurements;
  restore?: RestoreRecord;
}): DrillRecord {
  const { config, plan, target } = r;
  const scenario = (target as { scenario?: string }).scenario;
  const measurements: Measurements = r.measurements ?? {
    rtoTargetSeconds: config.targets.rtoSeconds,
    rpoTargetSeconds: config.targets.rpoSeconds,
    alreadyFailedOverBeforeSwitch: false,
  };
  const started = iso(r.startedAt);
  return {
    schemaVersion: 1,
    id: `${config.envName}-${plan.direction}-${started.replace(/[:.]/g, '-')}`,
    tool: 'wallet-drill',
    target: target.kind,
    scenario,
    envName: config.envName,
    direction: plan.direction,
    fromRegion: plan.fromRegion,
    toRegion: plan.toRegion,
    startedAt: started,
    finishedAt: iso(target.clock.now()),
    outcome: r.outcome,
    exitCode: r.exitCode,
    message: r.message,
    settings: recordSettings(config),
    expectedWorstCaseRtoSeconds: round(plan.estimate.planned.worstSeconds + plan.estimate.canary.worstSeconds),
    checks: plan.checks,
    steps: r.steps,
    timeline: r.timeline,
    measurements,
    passed: r.outcome === 'completed' && measurements.rtoMet === true && measurements.rpoMet === true,
    restore: r.restore,
    assumptions: plan.assumptions,
    calls: target.calls.map((c) => ({ service: c.service, region: c.region, command: c.command, kind: c.kind })),
  };
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
