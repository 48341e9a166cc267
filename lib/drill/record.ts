import { WalletConfig } from '../config/schema';
import { DrillDirection } from '../contract/drill-metrics';
import { ModelAssumptions, round } from '../failover/timing';
import type { EmitOutcome } from '../status/wallet-events';
import { CheckResult } from './checks';
import { ExitCode } from './exit-codes';
import { Plan } from './plan';
import { Target } from './target';

/**
 * The drill record (what a drill or chaos run wrote down: outcome, timeline, measurements, restore)
 * and how runDrill assembles it. Every report, the KPI publisher and the status page's postmortem
 * read this shape.
 */

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

/** Everything about one drill: the input to every report. */
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

/** An ISO 8601 timestamp for a clock reading in milliseconds. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export function buildRecord(r: {
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
