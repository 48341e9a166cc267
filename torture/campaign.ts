import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BugName } from './bugs';
import { checkInvariants, INVARIANTS, Violation } from './invariants';
import { runSchedule } from './run';
import { encodeSchedule, generateSchedule, Schedule } from './schedule';

/**
 * A torture campaign: schedules `seed`, `seed + 1`, ... run and judged; on the first violation the
 * schedule is shrunk to a minimal one that still breaks the same invariant, with the command that
 * replays it. Schedules are independent, so a campaign splits them over worker threads.
 */
export interface CampaignOptions {
  readonly schedules: number;
  readonly seed: number;
  readonly consistency: 'MRSC' | 'MREC';
  readonly bug?: BugName;
  /** @default the machine's parallelism, at most 4 */
  readonly workers?: number;
  /** Stop at the first violating schedule. @default true */
  readonly stopAtFirst?: boolean;
  /** @default true */
  readonly shrink?: boolean;
}

export interface ScheduleOutcome {
  readonly seed: number;
  readonly faults: Record<string, number>;
  readonly violations: readonly Violation[];
  readonly settled: boolean;
}

export interface CampaignReport {
  readonly consistency: 'MRSC' | 'MREC';
  readonly seed: number;
  readonly injectedBug: BugName | null;
  readonly schedulesRun: number;
  readonly durationMs: number;
  readonly schedulesPerSecond: number;
  readonly faultsByKind: Record<string, number>;
  readonly invariantChecks: ReadonlyArray<{ name: string; description: string; checks: number; violations: number }>;
  readonly violations: ReadonlyArray<Violation & { seed: number }>;
  /** The first violating schedule's number in the campaign (1-based), if any. */
  readonly firstViolationAt: number | null;
  readonly minimal?: {
    readonly schedule: Schedule;
    readonly violations: readonly Violation[];
    readonly replay: string;
  };
}

export async function runOne(seed: number, consistency: 'MRSC' | 'MREC', bug?: BugName): Promise<ScheduleOutcome> {
  return judge(generateSchedule(seed, consistency), bug);
}

export async function judge(schedule: Schedule, bug?: BugName): Promise<ScheduleOutcome> {
  const result = await runSchedule(schedule, { bug });
  return {
    seed: schedule.seed,
    faults: result.faults,
    violations: checkInvariants(result.observations),
    settled: result.settled,
  };
}

/** Greedy shrinking: drop faults, operations and requests one at a time while the same invariant still breaks. */
export async function shrink(
  schedule: Schedule,
  invariant: string,
  bug?: BugName,
  budget = 150,
): Promise<{ schedule: Schedule; violations: Violation[] }> {
  let best = schedule;
  let bestViolations = (await judge(best, bug)).violations.filter((v) => v.invariant === invariant);
  let runs = 1;
  for (let changed = true; changed && runs < budget;) {
    changed = false;
    for (const field of ['faults', 'chainFaults', 'sweepFaults', 'sweeps', 'ops', 'requests'] as const) {
      for (let i = (best[field] ?? []).length - 1; i >= 0 && runs < budget; i--) {
        const list = (best[field] ?? []) as readonly unknown[];
        const candidate = { ...best, [field]: [...list.slice(0, i), ...list.slice(i + 1)] } as Schedule;
        runs += 1;
        const v = (await judge(candidate, bug)).violations.filter((x) => x.invariant === invariant);
        if (v.length > 0) {
          best = candidate;
          bestViolations = v;
          changed = true;
        }
      }
    }
    if (runs < budget && (best.skewMs[0] !== 0 || best.skewMs[1] !== 0)) {
      const candidate: Schedule = { ...best, skewMs: [0, 0] };
      runs += 1;
      const v = (await judge(candidate, bug)).violations.filter((x) => x.invariant === invariant);
      if (v.length > 0) {
        best = candidate;
        bestViolations = v;
      }
    }
  }
  return { schedule: best, violations: bestViolations };
}

export const replayCommand = (schedule: Schedule, bug?: BugName): string =>
  `npm run torture -- --consistency ${schedule.consistency}${bug ? ` --inject-bug ${bug}` : ''} --replay ${encodeSchedule(schedule)}`;

async function runSlice(seeds: number[], options: CampaignOptions): Promise<ScheduleOutcome[]> {
  const out: ScheduleOutcome[] = [];
  for (const seed of seeds) {
    const o = await runOne(seed, options.consistency, options.bug);
    out.push(o);
    if (o.violations.length > 0 && options.stopAtFirst !== false) break;
  }
  return out;
}

function inWorker(seeds: number[], options: CampaignOptions): Promise<ScheduleOutcome[]> {
  return new Promise((resolve, reject) => {
    // The worker compiles TypeScript the way the CLI does (tsx), whatever started this process.
    const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'worker.ts'))});`, {
      eval: true,
      workerData: { seeds, options },
      execArgv: [],
    });
    worker.once('message', (m: ScheduleOutcome[]) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`torture worker exited with ${code}`))));
  });
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const seeds = Array.from({ length: options.schedules }, (_, i) => options.seed + i);
  const workers = Math.max(1, Math.min(options.workers ?? Math.min(4, availableParallelism()), seeds.length));
  let outcomes: ScheduleOutcome[];
  if (workers === 1) {
    outcomes = await runSlice(seeds, options);
  } else {
    // Interleaved slices, so "the first violating schedule" is near the front of every slice.
    const slices = Array.from({ length: workers }, (_, w) => seeds.filter((_, i) => i % workers === w));
    outcomes = (await Promise.all(slices.map((s) => inWorker(s, options)))).flat();
    outcomes.sort((a, b) => a.seed - b.seed);
    if (options.stopAtFirst !== false) {
      const first = outcomes.findIndex((o) => o.violations.length > 0);
      if (first >= 0) outcomes = outcomes.slice(0, first + 1);
    }
  }
  const faultsByKind: Record<string, number> = {};
  for (const o of outcomes) for (const [k, n] of Object.entries(o.faults)) faultsByKind[k] = (faultsByKind[k] ?? 0) + n;
  const violations = outcomes.flatMap((o) => o.violations.map((v) => ({ ...v, seed: o.seed })));
  const firstBad = outcomes.find((o) => o.violations.length > 0);
  const durationMs = Date.now() - started; // the schedules, not the shrinking
  let minimal: CampaignReport['minimal'];
  if (firstBad !== undefined && options.shrink !== false) {
    const shrunk = await shrink(
      generateSchedule(firstBad.seed, options.consistency),
      firstBad.violations[0].invariant,
      options.bug,
    );
    minimal = { ...shrunk, replay: replayCommand(shrunk.schedule, options.bug) };
  }
  return {
    consistency: options.consistency,
    seed: options.seed,
    injectedBug: options.bug ?? null,
    schedulesRun: outcomes.length,
    durationMs,
    schedulesPerSecond: Math.round((outcomes.length / Math.max(durationMs, 1)) * 1000 * 10) / 10,
    faultsByKind,
    invariantChecks: INVARIANTS.map((inv) => ({
      name: inv.name,
      description: inv.description,
      checks: outcomes.length,
      violations: outcomes.filter((o) => o.violations.some((v) => v.invariant === inv.name)).length,
    })),
    violations,
    firstViolationAt: firstBad === undefined ? null : outcomes.indexOf(firstBad) + 1,
    ...(minimal ? { minimal } : {}),
  };
}

export { runSlice };
