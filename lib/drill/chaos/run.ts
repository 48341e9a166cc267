import { WalletConfig } from '../../config/schema';
import { regionalAlarmName, RegionalAlarmKind } from '../../contract/alarms';
import {
  EXPERIMENT_NAMES,
  EXPERIMENT_TAGS,
  EXPERIMENTS,
  ExperimentName,
  ExperimentSpec,
  experimentsFor,
  isExperimentName,
} from '../../contract/chaos';
import { RegionRole } from '../../contract/names';
import { DEFAULT_ASSUMPTIONS, ModelAssumptions, round, unplannedRto } from '../../failover/timing';
import { CheckResult } from '../checks';
import { DrillEvent } from '../drill';
import { DrillRecord, Measurements, Outcome, PhaseId, recordSettings, RestoreRecord, TimelineEvent } from '../record';
import { EXIT, ExitCode } from '../exit-codes';
import { buildPlan } from '../plan';
import { settingsFromConfig } from '../settings';
import { describeError } from '../status';
import { Target } from '../target';
import { ACTIVE_STATUSES, FisApi, FisExperiment } from './fis';

/**
 * `wallet-drill chaos <experiment>`: runs one of the FIS experiments the stacks define (lib/contract/chaos.ts)
 * and measures what the design does about it, like a failover drill measures a planned failover:
 *
 * 1. pre-checks (every problem at once; any blocker refuses and nothing is started): the template is
 *    deployed, no experiment of this environment is running, no drill or failover is in progress (switch
 *    released, lease in the primary), the region the experiment does NOT target is healthy (so an
 *    experiment never takes down the last healthy region: `replication-paused` targets the standby and is
 *    refused while the primary is down), the targeted region serves, and no unrelated alarm fires;
 * 2. StartExperiment, then poll: `unplanned-failover` measures detection (Route 53 changed the primary
 *    record), DNS cut-over and RTO (the standby's canary served through the public name), all from the
 *    moment FIS reports the experiment running; `degraded-no-failover` measures the time until the
 *    experiment's alarm fires and requires that DNS stays on the primary; `replication-lag` measures the
 *    time until the lag exceeds the RPO target and requires a failover pre-check to refuse;
 * 3. StopExperiment as soon as the outcome is measured (or on Ctrl-C, a phase timeout or a failed guard),
 *    then verify the environment recovered (the primary healthy and answering, the alarm clear, the lag
 *    back) and measure the time to recover.
 *
 * Exit codes are the drill's (lib/drill/exit-codes.ts): 0 passed, 1 refused or expectation missed, 2 bad
 * usage (unknown experiment: nothing started), 3 aborted and recovered, 4 aborted or stopped and NOT
 * recovered (manual steps printed).
 */

export interface ChaosOptions {
  readonly target: Target;
  readonly fis: FisApi;
  readonly config: WalletConfig;
  readonly experiment: ExperimentName;
  readonly actor: string;
  /** Aborts the run (Ctrl-C): stop the experiment and verify recovery. */
  readonly signal: AbortSignal;
  /** Aborts the recovery verification (a second Ctrl-C): exit 4 with manual steps. */
  readonly restoreSignal?: AbortSignal;
  /** @default 5 */
  readonly pollSeconds?: number;
  /** One timeout for every phase. @default - the experiment's own duration (it ends by itself then) */
  readonly phaseTimeoutSeconds?: number;
  /** @default 600 */
  readonly restoreTimeoutSeconds?: number;
  readonly allowAlarms?: readonly string[];
  readonly assumptions?: ModelAssumptions;
  /** Asked after the pre-checks passed and before the experiment starts; false cancels. */
  readonly confirm?: (checks: readonly CheckResult[]) => Promise<boolean>;
  readonly onEvent?: (event: DrillEvent) => void;
}

/** Why a chaos run cannot even be attempted: bad usage (exit 2), nothing started. */
export function chaosUsageProblems(config: WalletConfig, experiment: string): string[] {
  if (!isExperimentName(experiment)) {
    return [
      `unknown experiment "${experiment}": choose one of ${EXPERIMENT_NAMES.join(', ')} (lib/contract/chaos.ts; docs/runbooks/chaos.md)`,
    ];
  }
  const problems: string[] = [];
  if (!config.chaos.enabled) {
    problems.push(
      `chaos is disabled in this config (chaos.enabled false), so no experiment template is deployed: set chaos.enabled true and deploy, or pass another --config`,
    );
  }
  if (!experimentsFor(config.data.consistency).some((e) => e.name === experiment)) {
    problems.push(
      `experiment ${experiment} needs data.consistency "${EXPERIMENTS[experiment].consistency}" (FIS pauses replication only for eventually consistent tables); this config uses "${config.data.consistency}": pass an MREC config or choose ${experimentsFor(
        config.data.consistency,
      )
        .map((e) => e.name)
        .join(', ')}`,
    );
  }
  return problems;
}

/** The alarm a degraded experiment must fire (lib/contract/alarms.ts names). */
export const EXPECTED_ALARM: Partial<Record<ExperimentName, RegionalAlarmKind>> = {
  'signer-failing': 'signerErrors',
  'api-latency': 'apiLatencyP99',
  'replication-paused': 'replicationLatency',
};

class ChaosAbort extends Error {
  constructor(
    public readonly kind: 'interrupted' | 'timeout' | 'guard' | 'error',
    message: string,
  ) {
    super(message);
    this.name = 'ChaosAbort';
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
const other = (role: RegionRole): RegionRole => (role === 'primary' ? 'standby' : 'primary');

async function safe<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** Runs one experiment end to end; never throws for AWS trouble (it is in the record). */
export async function runChaos(o: ChaosOptions): Promise<DrillRecord> {
  const { target, config, fis } = o;
  const spec = EXPERIMENTS[o.experiment];
  const clock = target.clock;
  const region = spec.regionRole === 'primary' ? config.regions.primary : config.regions.standby;
  const emit = (e: DrillEvent) => o.onEvent?.(e);
  const pollMs = (o.pollSeconds ?? 5) * 1000;
  const startedAt = clock.now();
  const timeline: TimelineEvent[] = [];
  const steps: Array<{ id: string; title: string; done: boolean; at?: string; detail?: string }> = [];
  let t0 = startedAt;
  const mark = (id: PhaseId, label: string, at: number, evidence: string) => {
    const event: TimelineEvent = { id, label, at: iso(at), offsetSeconds: round((at - t0) / 1000), evidence };
    timeline.push(event);
    emit({ kind: 'phase', event });
    return event;
  };
  const info: { templateId?: string; experiment?: FisExperiment } = {};
  const finish = (
    outcome: Outcome,
    exitCode: ExitCode,
    message: string,
    checks: readonly CheckResult[],
    measurements?: Partial<Measurements>,
    restore?: Recovery,
    passed = false,
  ): DrillRecord =>
    chaosRecord({
      o,
      spec,
      region,
      startedAt,
      outcome,
      exitCode,
      message,
      checks,
      timeline,
      steps,
      measurements,
      restore,
      passed,
      templateId: info.templateId,
      experiment: info.experiment,
    });

  emit({ kind: 'info', message: `reading ${config.envName} (${target.kind}) and running the chaos pre-checks` });
  const checks = await chaosPreChecks(o, spec, region, info);
  const blockers = checks.filter((c) => !c.ok && c.level === 'blocker');
  if (blockers.length > 0) {
    return finish(
      'refused',
      EXIT.checkFailed,
      `refused to start ${spec.name}: ${blockers.length} pre-check${blockers.length === 1 ? '' : 's'} failed (${blockers.map((c) => c.id).join(', ')}); nothing was started`,
      checks,
    );
  }
  if (o.confirm !== undefined && !(await o.confirm(checks))) {
    return finish(
      'cancelled',
      EXIT.abortedRestored,
      'cancelled at the confirmation prompt; nothing was started',
      checks,
    );
  }
  if (o.signal.aborted) {
    return finish(
      'cancelled',
      EXIT.abortedRestored,
      'interrupted before the experiment started; nothing was started',
      checks,
    );
  }

  const runId = `${config.envName}-chaos-${spec.name}-${iso(startedAt).replace(/[:.]/g, '-')}`;
  try {
    try {
      info.experiment = await fis.startExperiment(region, {
        templateId: info.templateId as string,
        clientToken: runId,
        tags: {
          [EXPERIMENT_TAGS.environment]: config.envName,
          [EXPERIMENT_TAGS.experiment]: spec.name,
          'wallet:started-by': o.actor,
        },
      });
    } catch (err) {
      return finish(
        'failed',
        EXIT.checkFailed,
        `StartExperiment failed: ${describeError(err)}; nothing was started`,
        checks,
      );
    }
    const startCall = clock.now();
    steps.push({
      id: 'start',
      title: `start FIS experiment ${spec.name} in ${region}`,
      done: true,
      at: iso(startCall),
      detail: info.experiment.id,
    });
    mark(
      'experiment-started',
      `FIS experiment ${info.experiment.id} started (${spec.action})`,
      startCall,
      'fis StartExperiment',
    );
    const observed = await waitForOutcome(o, spec, region, info, pollMs, mark, (at) => {
      t0 = at;
      for (const e of timeline) (e as { offsetSeconds: number }).offsetSeconds = round((Date.parse(e.at) - t0) / 1000);
    });
    const stoppedAt = await stopExperiment(o, region, info, mark, steps, 'outcome measured');
    const recovery = await verifyRecovery(o, spec, region, info, stoppedAt, mark);
    const m = measurementsOf(config, spec, t0, observed, recovery);
    if (!recovery.succeeded) {
      return finish(
        'aborted-not-restored',
        EXIT.abortedNotRestored,
        `${spec.name}: the outcome was measured, but the environment did NOT recover after the experiment stopped: ${recovery.problems.join('; ')}. Manual action needed`,
        checks,
        m,
        recovery,
      );
    }
    const passed = outcomePassed(spec, m, observed);
    return finish(
      'completed',
      passed ? EXIT.ok : EXIT.checkFailed,
      `${spec.name} ${passed ? 'passed' : 'FAILED its expectation'}: ${summary(spec, m, observed, config.targets.rtoSeconds)}${failedOverNote(recovery, m)}`,
      checks,
      m,
      recovery,
      passed,
    );
  } catch (err) {
    const abort =
      err instanceof ChaosAbort ? err : new ChaosAbort('error', `the chaos run failed: ${describeError(err)}`);
    mark('aborted', `aborted: ${abort.message}`, clock.now(), abort.kind);
    emit({ kind: 'warn', message: `${abort.message}: stopping the experiment and verifying recovery` });
    const stoppedAt = await stopExperiment(o, region, info, mark, steps, abort.message);
    const recovery = await verifyRecovery(o, spec, region, info, stoppedAt, mark, abort.message);
    return finish(
      recovery.succeeded ? 'aborted-restored' : 'aborted-not-restored',
      recovery.succeeded ? EXIT.abortedRestored : EXIT.abortedNotRestored,
      recovery.succeeded
        ? `${abort.message}; the experiment was stopped and the environment recovered${failedOverNote(recovery)}`
        : `${abort.message}; the environment did NOT recover: ${recovery.problems.join('; ')}. Manual action needed`,
      checks,
      undefined,
      recovery,
    );
  }
}

/** Every pre-check at once (nothing is started unless every blocker passes). */
async function chaosPreChecks(
  o: ChaosOptions,
  spec: ExperimentSpec,
  region: string,
  info: { templateId?: string },
): Promise<CheckResult[]> {
  const { target, config, fis } = o;
  const checks: CheckResult[] = [];
  const blocker = (id: string, title: string, ok: boolean, detail: string, fix?: string) =>
    checks.push({ id, title, ok, level: 'blocker', detail, fix: ok ? undefined : fix });

  const templates = await safe(() => fis.listExperimentTemplates(region));
  const template = templates?.find(
    (t) => t.tags[EXPERIMENT_TAGS.experiment] === spec.name && t.tags[EXPERIMENT_TAGS.environment] === config.envName,
  );
  info.templateId = template?.id;
  blocker(
    'template-deployed',
    `the ${spec.name} experiment template is deployed in ${region}`,
    template !== undefined,
    templates === undefined
      ? `ListExperimentTemplates in ${region} failed`
      : template === undefined
        ? `no template tagged ${EXPERIMENT_TAGS.experiment}=${spec.name}, ${EXPERIMENT_TAGS.environment}=${config.envName} among ${templates.length} in ${region}`
        : `template ${template.id}`,
    'deploy the regional stacks with chaos.enabled true (lib/constructs/fault-experiments.ts)',
  );

  const regions = [...new Set([config.regions.primary, config.regions.standby])];
  const running: string[] = [];
  let unreadable = false;
  for (const r of regions) {
    const list = await safe(() => fis.listExperiments(r));
    const ours = new Map(
      ((r === region ? templates : await safe(() => fis.listExperimentTemplates(r))) ?? [])
        .filter((t) => t.tags[EXPERIMENT_TAGS.environment] === config.envName)
        .map((t) => [t.id, t.tags[EXPERIMENT_TAGS.experiment] ?? t.id]),
    );
    if (list === undefined) unreadable = true;
    for (const e of list ?? []) {
      if (!ACTIVE_STATUSES.includes(e.status)) continue;
      if (e.tags[EXPERIMENT_TAGS.environment] === config.envName || ours.has(e.templateId)) {
        const name = e.tags[EXPERIMENT_TAGS.experiment] ?? ours.get(e.templateId) ?? e.templateId;
        running.push(`${e.id} (${name}, ${e.status}, ${r})`);
      }
    }
  }
  blocker(
    'no-experiment-running',
    'no other experiment of this environment is running',
    running.length === 0 && !unreadable,
    unreadable
      ? 'ListExperiments failed in a region, so a running experiment cannot be ruled out'
      : running.length === 0
        ? `none active in ${regions.join(', ')}`
        : `active: ${running.join('; ')}`,
    'wait for it to end, or stop it (aws fis stop-experiment --id <id> --region <region>); one fault at a time',
  );

  const sw = await safe(() => target.switchState());
  const lease = await safe(() => target.readLease('primary'));
  const drillFree = sw !== undefined && sw.position === 'off' && lease?.activeRegion === config.regions.primary;
  blocker(
    'no-drill-in-progress',
    'no failover drill or failover is in progress (switch released, lease in the primary)',
    drillFree,
    `switch ${sw?.position ?? 'unreadable'}${sw === undefined ? '' : ` (${sw.evidence})`}; lease ${lease === undefined ? 'unreadable' : `in ${lease.activeRegion} at epoch ${lease.epoch}`}`,
    'finish the drill or fail back first (wallet-drill failback --execute); an experiment during a drill measures neither',
  );

  const peer = other(spec.regionRole);
  const peerHealth = await safe(() => target.endpointHealth(peer));
  const dns = await safe(() => target.dnsAnswer());
  const peerOk = peerHealth?.healthy === true && (peer === 'standby' || dns?.role === 'primary');
  blocker(
    'peer-region-healthy',
    `the ${peer} region (not targeted) is healthy${peer === 'primary' ? ' and serving' : ''}`,
    peerOk,
    peerHealth === undefined
      ? `Route 53 health of the ${peer} endpoint unreadable`
      : `${peerHealth.healthyCheckers} of ${peerHealth.totalCheckers} checkers report the ${peer} healthy; DNS answers ${dns?.role ?? 'unreadable'}`,
    peer === 'primary'
      ? `the primary is down or not serving: an experiment on the ${spec.regionRole} would leave no healthy region. Wait for the primary to recover`
      : 'the standby is the failover target: fix it before breaking the primary',
  );

  const own = await safe(() => target.endpointHealth(spec.regionRole));
  const serving = own?.healthy === true && (spec.regionRole === 'standby' || dns?.role === 'primary');
  blocker(
    'target-region-serving',
    `the ${spec.regionRole} region (targeted) is healthy${spec.regionRole === 'primary' ? ' and answering the public name' : ''}`,
    serving,
    own === undefined
      ? `Route 53 health of the ${spec.regionRole} endpoint unreadable`
      : `${own.healthyCheckers} of ${own.totalCheckers} checkers report it healthy; DNS answers ${dns?.role ?? 'unreadable'}`,
    'the region is already impaired: this is an incident, not an experiment',
  );

  const alarms = await safe(() => target.alarmsFiring());
  const allowed = new Set(o.allowAlarms ?? []);
  const firing = (alarms?.firing ?? []).filter((a) => !allowed.has(a.name));
  blocker(
    'alarms-quiet',
    'no alarm fires before the experiment',
    alarms !== undefined && firing.length === 0 && alarms.unreadable.length === 0,
    alarms === undefined
      ? 'alarms unreadable'
      : firing.length === 0 && alarms.unreadable.length === 0
        ? 'none in ALARM'
        : [
            ...firing.map((a) => `${a.name} (${a.region})`),
            ...alarms.unreadable.map((u) => `${u.region} unreadable: ${u.error}`),
          ].join('; '),
    'a firing alarm would hide the experiment’s effect: resolve it, or acknowledge it with --allow-alarm <name>',
  );
  return checks;
}

interface Observed {
  running?: number;
  route53?: { at: number; evidence: string };
  dns?: number;
  canary?: number;
  alarm?: { at: number; evidence: string };
  failoverRefused?: { at: number; evidence: string };
  unexpectedFailover?: boolean;
  /** The standby's remediation (auto mode) failed over while the experiment ran: lease and switch, as seen. */
  remediation?: RemediationSeen;
}

/** What the chaos command saw of a failover it did not make (remediation in auto mode, or an operator). */
interface RemediationSeen {
  leaseAt?: number;
  leaseEpoch?: number;
  leaseActor?: string;
  switchAt?: number;
  switchEvidence?: string;
}

/**
 * Reads the lease (from the standby, which a primary-down experiment leaves reachable) and the switch on
 * every poll: remediation in auto mode may fail over on its own while the experiment runs (FAILOVER_RULE,
 * lib/contract/remediation.ts). The chaos command never writes either; it only records who did and when.
 */
async function observeRemediation(
  o: ChaosOptions,
  observed: Observed,
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
): Promise<void> {
  const { target, config } = o;
  const now = target.clock.now();
  const seen: RemediationSeen = observed.remediation ?? {};
  if (seen.leaseAt === undefined) {
    const lease = await safe(() => target.readLease('standby'));
    if (lease !== undefined && lease.activeRegion === config.regions.standby) {
      seen.leaseAt = now;
      seen.leaseEpoch = lease.epoch;
      seen.leaseActor = lease.updatedBy;
      observed.remediation = seen;
      mark(
        'lease-moved',
        `the signing lease moved to ${config.regions.standby} (epoch ${lease.epoch}) by ${lease.updatedBy}, not by this command`,
        now,
        `lease item read in ${config.regions.standby}: updatedBy ${lease.updatedBy} at ${lease.updatedAt} (${lease.reason})`,
      );
    }
  }
  if (seen.switchAt === undefined) {
    const sw = await safe(() => target.switchState());
    if (sw?.position === 'on') {
      seen.switchAt = now;
      seen.switchEvidence = sw.evidence;
      observed.remediation = seen;
      mark(
        'switch-thrown',
        `the failover switch was thrown during the experiment${seen.leaseActor === undefined ? '' : ` (lease moved by ${seen.leaseActor})`}, not by this command`,
        now,
        sw.evidence,
      );
    }
  }
}

async function waitForOutcome(
  o: ChaosOptions,
  spec: ExperimentSpec,
  region: string,
  info: { experiment?: FisExperiment },
  pollMs: number,
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
  setT0: (at: number) => void,
): Promise<Observed> {
  const { target, config, fis } = o;
  const clock = target.clock;
  const timeout = o.phaseTimeoutSeconds ?? spec.durationMinutes * 60;
  const observed: Observed = {};
  let phaseStart = clock.now();
  const alarmKind = EXPECTED_ALARM[spec.name];
  const alarmName = alarmKind === undefined ? undefined : regionalAlarmName(config.envName, region, alarmKind);
  let label = 'FIS reports the experiment running';
  for (;;) {
    if (o.signal.aborted) throw new ChaosAbort('interrupted', `interrupted (Ctrl-C) while waiting: ${label}`);
    const now = clock.now();
    const exp = await safe(() => fis.getExperiment(region, info.experiment!.id));
    if (exp !== undefined) {
      info.experiment = exp;
      if (!ACTIVE_STATUSES.includes(exp.status) || exp.status === 'stopping') {
        throw new ChaosAbort(
          'guard',
          `FIS ended the experiment before the outcome was measured (${exp.status}: ${exp.reason ?? 'no reason given'})`,
        );
      }
    }
    if (observed.running === undefined) {
      if (exp?.status === 'running') {
        observed.running = exp.startTime ?? now;
        setT0(observed.running);
        mark(
          'fault-active',
          `experiment running: ${spec.action} on ${spec.functions?.join(', ') ?? 'the ledger replica'}`,
          observed.running,
          `fis GetExperiment: running since ${iso(observed.running)}`,
        );
        phaseStart = now;
        label = phaseLabel(spec, 0, config);
      }
    } else if (spec.expectation === 'unplanned-failover') {
      const standby = await safe(() => target.endpointHealth('standby'));
      if (standby !== undefined && !standby.healthy) {
        throw new ChaosAbort(
          'guard',
          `guard failed: the standby became unhealthy (${standby.healthyCheckers} of ${standby.totalCheckers} checkers)`,
        );
      }
      await observeRemediation(o, observed, mark);
      const dns = await safe(() => target.dnsAnswer());
      if (observed.route53 === undefined) {
        const minute = Math.floor(observed.running / 60_000) * 60_000;
        const series = await safe(() => target.healthCheckSeries(minute - 60_000));
        const point = series?.primaryRecord.find((p) => p.at >= minute && p.value === 0);
        if (dns?.role === 'standby' || point !== undefined) {
          observed.route53 = {
            at: now,
            evidence:
              point !== undefined
                ? `Route 53 HealthCheckStatus 0 for the primary record in the minute from ${iso(point.at)}`
                : 'inferred: DNS answers with the standby, which Route 53 does only once the primary record changed',
          };
          mark('route53-changed', label, now, observed.route53.evidence);
          phaseStart = now;
          label = phaseLabel(spec, 1, config);
        }
      }
      if (observed.route53 !== undefined && observed.dns === undefined && dns?.role === 'standby') {
        observed.dns = now;
        mark('dns-changed', label, now, `TestDNSAnswer ${dns.recordName}: ${dns.recordData.join(', ')}`);
        phaseStart = now;
        label = phaseLabel(spec, 2, config);
      }
      if (observed.dns !== undefined) {
        const canary = await safe(() => target.canary('standby', observed.running!));
        const green = canary?.answeredBySelf.find((p) => p.value >= 1 && p.at + 60_000 > observed.running!);
        if (green !== undefined) {
          observed.canary = Math.min(green.at + 60_000, now);
          mark(
            'canary-green',
            label,
            observed.canary,
            `public-name canary in ${config.regions.standby}: answered by ${config.regions.standby} in the minute from ${iso(green.at).slice(11, 16)} UTC (upper bound)`,
          );
          return observed;
        }
      }
    } else {
      const dns = await safe(() => target.dnsAnswer());
      if (dns?.role === 'standby') {
        observed.unexpectedFailover = true;
        throw new ChaosAbort('guard', `guard failed: DNS moved to the standby, which ${spec.name} must not cause`);
      }
      if (observed.alarm === undefined) {
        let evidence: string | undefined;
        if (spec.expectation === 'replication-lag') {
          const rep = await safe(() => target.replication('standby'));
          if (rep?.latencySeconds !== undefined && rep.latencySeconds > config.targets.rpoSeconds) {
            evidence = `ReplicationLatency ${round(rep.latencySeconds)} s into ${config.regions.standby}, above the RPO target ${config.targets.rpoSeconds} s`;
          }
        } else {
          const alarms = await safe(() => target.alarmsFiring());
          const hit = alarms?.firing.find((a) => a.name === alarmName);
          if (hit !== undefined) evidence = `alarm ${hit.name} in ALARM (${hit.reason ?? 'no reason'})`;
        }
        if (evidence !== undefined) {
          observed.alarm = { at: now, evidence };
          mark('alarm-fired', label, now, evidence);
          phaseStart = now;
          if (spec.expectation !== 'replication-lag') return observed;
          label = phaseLabel(spec, 1, config);
        }
      }
      if (observed.alarm !== undefined && spec.expectation === 'replication-lag') {
        const plan = await safe(() => buildPlan(target, config, 'failover', { assumptions: o.assumptions }));
        if (plan !== undefined && !plan.ready) {
          const why = plan.checks.filter((c) => !c.ok && c.level === 'blocker').map((c) => c.id);
          observed.failoverRefused = { at: now, evidence: `wallet-drill plan failover: refused (${why.join(', ')})` };
          mark('failover-refused', label, now, observed.failoverRefused.evidence);
          return observed;
        }
      }
    }
    const elapsed = (clock.now() - phaseStart) / 1000;
    if (elapsed >= timeout)
      throw new ChaosAbort('timeout', `phase timeout: "${label}" not observed within ${timeout} s`);
    o.onEvent?.({ kind: 'waiting', label, elapsedSeconds: Math.round(elapsed), timeoutSeconds: timeout });
    await clock.sleep(pollMs, o.signal);
  }
}

function phaseLabel(spec: ExperimentSpec, phase: number, config: WalletConfig): string {
  if (spec.expectation === 'unplanned-failover') {
    return [
      'Route 53 marks the primary record unhealthy (on its own)',
      `authoritative DNS answer names the standby (${config.regions.standby})`,
      `standby canary reaches ${config.regions.standby} through the public name`,
    ][phase];
  }
  if (spec.expectation === 'replication-lag') {
    return [
      `replication lag into the standby exceeds the RPO target (${config.targets.rpoSeconds} s)`,
      'a failover pre-check refuses while the standby lags',
    ][phase];
  }
  return `the ${EXPECTED_ALARM[spec.name]} alarm fires`;
}

async function stopExperiment(
  o: ChaosOptions,
  region: string,
  info: { experiment?: FisExperiment },
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
  steps: Array<{ id: string; title: string; done: boolean; at?: string; detail?: string }>,
  why: string,
): Promise<number> {
  const now = o.target.clock.now();
  const exp = info.experiment;
  if (exp === undefined) return now;
  const current = (await safe(() => o.fis.getExperiment(region, exp.id))) ?? exp;
  if (['pending', 'initiating', 'running'].includes(current.status)) {
    const stopped = await safe(() => o.fis.stopExperiment(region, exp.id));
    if (stopped !== undefined) info.experiment = stopped;
    steps.push({
      id: 'stop',
      title: `stop FIS experiment ${exp.id}`,
      done: stopped !== undefined,
      at: iso(now),
      detail: why,
    });
    mark(
      'experiment-stopped',
      `StopExperiment ${exp.id} (${why})`,
      now,
      stopped === undefined ? 'fis StopExperiment FAILED' : 'fis StopExperiment',
    );
  } else {
    info.experiment = current;
    mark(
      'experiment-stopped',
      `experiment already ${current.status} (${current.reason ?? 'no reason'})`,
      now,
      'fis GetExperiment',
    );
  }
  return now;
}

/** After the experiment stopped: FIS says it ended, and the environment is back to what it was. */
async function verifyRecovery(
  o: ChaosOptions,
  spec: ExperimentSpec,
  region: string,
  info: { experiment?: FisExperiment },
  stoppedAt: number,
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
  reason = 'outcome measured',
): Promise<Recovery> {
  const { target, config, fis } = o;
  const clock = target.clock;
  const timeoutS = o.restoreTimeoutSeconds ?? 600;
  const deadline = stoppedAt + timeoutS * 1000;
  const pollMs = (o.pollSeconds ?? 5) * 1000;
  const actions: string[] = [];
  const alarmKind = EXPECTED_ALARM[spec.name];
  const alarmName = alarmKind === undefined ? undefined : regionalAlarmName(config.envName, region, alarmKind);
  let state: Record<string, boolean> = {};
  const pending = () =>
    Object.entries(state)
      .filter(([, ok]) => !ok)
      .map(([k]) => k);
  let failedOver: FailedOver | undefined;
  for (;;) {
    state = {};
    const exp =
      info.experiment === undefined ? undefined : await safe(() => fis.getExperiment(region, info.experiment!.id));
    if (exp !== undefined) info.experiment = exp;
    state['FIS reports the experiment ended'] =
      info.experiment === undefined || !ACTIVE_STATUSES.includes(info.experiment.status);
    const sw = await safe(() => target.switchState());
    const lease = await safe(() => target.readLease('standby'));
    // A failover this command did not make (remediation in auto mode, or an operator) is not undone here:
    // failing back is an operator's decision (lib/contract/remediation.ts: no automatic failback). The
    // environment has recovered when it is consistent and healthy on the standby: lease and switch both
    // there (one writer), DNS following the switch, and the primary healthy again for a later failback.
    const movedAway = sw?.position === 'on' || lease?.activeRegion === config.regions.standby;
    failedOver = movedAway
      ? {
          by: lease?.activeRegion === config.regions.standby ? lease.updatedBy : 'unknown (the lease did not move)',
          epoch: lease?.epoch,
        }
      : undefined;
    if (spec.regionRole === 'primary') {
      const h = await safe(() => target.endpointHealth('primary'));
      const dns = await safe(() => target.dnsAnswer());
      state['the primary is healthy again (Route 53)'] = h?.healthy === true;
      if (movedAway) {
        state[`the lease and the switch agree: both on the standby (${config.regions.standby})`] =
          sw?.position === 'on' && lease?.activeRegion === config.regions.standby;
        state['the public name answers with the standby (the switch holds it there until a failback)'] =
          dns?.role === 'standby';
      } else {
        state['the public name answers with the primary again'] = dns?.role === 'primary';
      }
    }
    if (alarmName !== undefined && spec.expectation === 'degraded-no-failover') {
      const alarms = await safe(() => target.alarmsFiring());
      state[`alarm ${alarmName} is clear`] = alarms !== undefined && !alarms.firing.some((a) => a.name === alarmName);
    }
    if (spec.expectation === 'replication-lag') {
      const rep = await safe(() => target.replication('standby'));
      state[`replication lag back under the RPO target (${config.targets.rpoSeconds} s)`] =
        rep?.latencySeconds !== undefined && rep.latencySeconds <= config.targets.rpoSeconds;
    }
    if (!movedAway) state['the failover switch is still released'] = sw?.position === 'off';
    if (pending().length === 0) {
      const at = clock.now();
      const where = failedOver === undefined ? '' : ` on the standby (failed over by ${failedOver.by})`;
      mark('recovered', `environment recovered${where}`, at, Object.keys(state).join('; '));
      actions.push(
        `recovered${where} ${round((at - stoppedAt) / 1000)} s after the stop: ${Object.keys(state).join('; ')}`,
      );
      return {
        reason,
        actions,
        problems: [],
        succeeded: true,
        manualSteps: failedOver === undefined ? [] : failbackSteps(config, failedOver),
        recoveredAt: at,
        failedOver,
      };
    }
    if (clock.now() >= deadline || o.restoreSignal?.aborted) break;
    o.onEvent?.({
      kind: 'waiting',
      label: `verifying recovery: ${pending().join(', ')}`,
      elapsedSeconds: Math.round((clock.now() - stoppedAt) / 1000),
      timeoutSeconds: timeoutS,
    });
    await clock.sleep(pollMs, o.restoreSignal);
  }
  const problems = pending().map((p) =>
    o.restoreSignal?.aborted ? `not verified (second Ctrl-C): ${p}` : `not within ${timeoutS} s: ${p}`,
  );
  return {
    reason,
    actions,
    problems,
    succeeded: false,
    manualSteps: manualChaosSteps(config, spec, region, info.experiment, state, failedOver),
    failedOver,
  };
}

/** A failover made during the experiment by someone else (remediation in auto mode, or an operator). */
interface FailedOver {
  /** The lease's updatedBy (`remediation:<region>:<alarm>` for remediation). */
  readonly by: string;
  readonly epoch?: number;
}

type Recovery = RestoreRecord & { recoveredAt?: number; failedOver?: FailedOver };

/** The next step after a failover nobody undoes automatically. */
function failbackSteps(config: WalletConfig, f: FailedOver): string[] {
  return [
    `1. ${f.by} failed over to ${config.regions.standby}${f.epoch === undefined ? '' : ` (lease epoch ${f.epoch})`} while the experiment ran; there is no automatic failback. Once the primary has been healthy for a while, fail back:`,
    `   wallet-drill failback --execute --config <this config>`,
    `See docs/runbooks/chaos.md ("When remediation fails over during an experiment"). Environment ${config.envName}.`,
  ];
}

/** What an operator does by hand when an experiment's effect outlives it. */
export function manualChaosSteps(
  config: WalletConfig,
  spec: ExperimentSpec,
  region: string,
  experiment: FisExperiment | undefined,
  state: Record<string, boolean>,
  failedOver?: FailedOver,
): string[] {
  const out: string[] = [];
  let n = 1;
  if (experiment !== undefined && state['FIS reports the experiment ended'] !== true) {
    out.push(
      `${n++}. Stop the experiment (FIS removes the fault configuration and the replica policy it added):`,
      `   aws fis stop-experiment --region ${region} --id ${experiment.id}`,
    );
  }
  if (failedOver !== undefined) {
    out.push(
      `${n++}. ${failedOver.by} failed over during the experiment (switch or lease on the standby). Make lease and switch agree on ONE region before anything else (wallet-drill status shows both), then, once the primary is healthy, fail back:`,
      `   wallet-drill failback --execute --config <this config>`,
    );
  } else if (state['the failover switch is still released'] === false) {
    out.push(
      `${n++}. The failover switch was thrown during the experiment (remediation in auto mode, or an operator): once the primary is healthy, fail back with the drill:`,
      `   wallet-drill failback --execute --config <this config>`,
    );
  }
  if (spec.regionRole === 'primary') {
    out.push(
      `${n++}. Check that the FIS extension no longer injects: the fault configuration under FisConfigs/ in the fault-injection bucket of ${region} is gone (FIS deletes it when the experiment ends); delete it by hand only after the experiment has stopped.`,
    );
  }
  out.push(`${n}. Verify: wallet-drill status --config <this config>`);
  out.push(`See docs/runbooks/chaos.md ("Stopping an experiment"). Environment ${config.envName}.`);
  return out;
}

function measurementsOf(
  config: WalletConfig,
  spec: ExperimentSpec,
  t0: number,
  observed: Observed,
  recovery: { recoveredAt?: number },
): Partial<Measurements> {
  const r = observed.remediation;
  const firstSeen = [r?.leaseAt, r?.switchAt].filter((x): x is number => x !== undefined);
  const switchAt = firstSeen.length === 0 ? undefined : Math.min(...firstSeen);
  const secs = (at?: number) => (at === undefined ? undefined : round((at - t0) / 1000));
  const rtoSeconds = secs(observed.canary);
  const detection = spec.expectation === 'unplanned-failover' ? observed.route53?.at : observed.alarm?.at;
  return {
    detectionSeconds: secs(detection),
    dnsCutoverSeconds: secs(observed.dns),
    rtoSeconds,
    rtoMet: rtoSeconds === undefined ? undefined : rtoSeconds <= config.targets.rtoSeconds,
    timeToRecoverSeconds: secs(recovery.recoveredAt),
    externalFailoverSeconds: switchAt === undefined ? undefined : secs(switchAt),
  };
}

/** What the message adds when someone else failed over during the experiment. */
function failedOverNote(recovery: Recovery, m?: Partial<Measurements>): string {
  const f = recovery.failedOver;
  if (f === undefined) return '';
  const when =
    m?.externalFailoverSeconds === undefined
      ? ''
      : ` (first seen ${m.externalFailoverSeconds} s after the fault started, ${m.detectionSeconds !== undefined && m.detectionSeconds < m.externalFailoverSeconds ? `after Route 53 had marked the primary record unhealthy on its own at ${m.detectionSeconds} s` : 'before Route 53 had marked the primary record unhealthy on its own: detection includes the switch'})`;
  return `; ${f.by} failed over to the standby${f.epoch === undefined ? '' : ` at lease epoch ${f.epoch}`}${when}, and the environment recovered ON THE STANDBY: no automatic failback, run wallet-drill failback --execute when ready`;
}

function outcomePassed(spec: ExperimentSpec, m: Partial<Measurements>, observed: Observed): boolean {
  switch (spec.expectation) {
    case 'unplanned-failover':
      return m.rtoMet === true;
    case 'degraded-no-failover':
      return observed.alarm !== undefined && observed.unexpectedFailover !== true;
    case 'replication-lag':
      return observed.alarm !== undefined && observed.failoverRefused !== undefined;
  }
}

function summary(spec: ExperimentSpec, m: Partial<Measurements>, observed: Observed, target: number): string {
  if (spec.expectation === 'unplanned-failover') {
    return `detection ${m.detectionSeconds} s, DNS cut-over ${m.dnsCutoverSeconds} s, RTO ${m.rtoSeconds} s (target ${target} s), recovered ${m.timeToRecoverSeconds} s after the start`;
  }
  if (spec.expectation === 'replication-lag') {
    return `lag above the RPO target after ${m.detectionSeconds} s; ${observed.failoverRefused?.evidence ?? 'failover NOT refused'}; recovered ${m.timeToRecoverSeconds} s after the start`;
  }
  return `${EXPECTED_ALARM[spec.name]} alarm after ${m.detectionSeconds} s, DNS stayed on the primary, recovered ${m.timeToRecoverSeconds} s after the start`;
}

function chaosRecord(r: {
  o: ChaosOptions;
  spec: ExperimentSpec;
  region: string;
  startedAt: number;
  outcome: Outcome;
  exitCode: ExitCode;
  message: string;
  checks: readonly CheckResult[];
  timeline: TimelineEvent[];
  steps: Array<{ id: string; title: string; done: boolean; at?: string; detail?: string }>;
  measurements?: Partial<Measurements>;
  restore?: Recovery;
  passed: boolean;
  templateId?: string;
  experiment?: FisExperiment;
}): DrillRecord {
  const { o, spec } = r;
  const { config, target } = o;
  const assumptions = o.assumptions ?? DEFAULT_ASSUMPTIONS;
  const started = iso(r.startedAt);
  const failover = spec.expectation === 'unplanned-failover';
  const restore =
    r.restore === undefined
      ? undefined
      : {
          reason: r.restore.reason,
          actions: r.restore.actions,
          problems: r.restore.problems,
          succeeded: r.restore.succeeded,
          manualSteps: r.restore.manualSteps,
        };
  return {
    schemaVersion: 1,
    id: `${config.envName}-chaos-${spec.name}-${started.replace(/[:.]/g, '-')}`,
    tool: 'wallet-drill',
    kind: 'chaos',
    target: target.kind,
    scenario: spec.name,
    envName: config.envName,
    direction: 'failover',
    fromRegion: failover ? config.regions.primary : r.region,
    toRegion: failover ? config.regions.standby : r.region,
    startedAt: started,
    finishedAt: iso(target.clock.now()),
    outcome: r.outcome,
    exitCode: r.exitCode,
    message: r.message,
    settings: recordSettings(config),
    expectedWorstCaseRtoSeconds: round(unplannedRto(settingsFromConfig(config), assumptions).worstSeconds),
    checks: r.checks,
    steps: r.steps,
    timeline: r.timeline,
    measurements: {
      rtoTargetSeconds: config.targets.rtoSeconds,
      rpoTargetSeconds: config.targets.rpoSeconds,
      alreadyFailedOverBeforeSwitch: false,
      ...r.measurements,
    },
    passed: r.passed,
    restore,
    assumptions,
    calls: target.calls.map((c) => ({ service: c.service, region: c.region, command: c.command, kind: c.kind })),
    experiment: {
      name: spec.name,
      region: r.region,
      action: spec.action,
      expectation: spec.expectation,
      templateId: r.templateId,
      experimentId: r.experiment?.id,
      finalStatus: r.experiment?.status,
      finalReason: r.experiment?.reason,
      failedOverBy: r.restore?.failedOver?.by,
      failedOverEpoch: r.restore?.failedOver?.epoch,
    },
  };
}
