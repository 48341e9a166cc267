import { Command, InvalidArgumentError, Option } from 'commander';
import { BUG_NAMES, BugName } from './bugs';
import { CampaignReport, judge, replayCommand, runCampaign } from './campaign';
import { decodeSchedule } from './schedule';

/**
 * `npm run torture -- --schedules N --seed S --consistency MRSC|MREC [--json] [--inject-bug NAME]
 * [--replay SCHEDULE]`: runs a campaign (torture/campaign.ts) and prints schedules run, faults by
 * kind, invariant checks and violations; on a violation the minimal schedule and the command that
 * replays it. Exit code 1 when an invariant was violated, 2 on bad arguments.
 */
const whole = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${name} must be a whole number >= 1; received ${JSON.stringify(value)}`);
  }
  return n;
};

function text(report: CampaignReport): string {
  const lines = [
    `torture ${report.consistency}${report.injectedBug ? ` with injected bug ${report.injectedBug}` : ''}: ${report.schedulesRun} schedules from seed ${report.seed} in ${(report.durationMs / 1000).toFixed(1)} s (${report.schedulesPerSecond} schedules/s)`,
    `faults: ${Object.entries(report.faultsByKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    ...report.invariantChecks.map(
      (c) =>
        `  ${c.violations === 0 ? 'ok  ' : 'FAIL'} ${c.name} (${c.checks} checks, ${c.violations} violating): ${c.description}`,
    ),
  ];
  if (report.violations.length > 0) {
    lines.push(`first violation at schedule ${report.firstViolationAt} (seed ${report.violations[0].seed}):`);
    for (const v of report.violations.slice(0, 10)) lines.push(`  ${v.invariant}: ${v.detail}`);
  }
  if (report.minimal) {
    lines.push(
      `minimal schedule: ${report.minimal.schedule.faults.length} faults, ${(report.minimal.schedule.chainFaults ?? []).length} provider faults, ${report.minimal.schedule.ops.length} operations, ${report.minimal.schedule.requests.length} requests`,
      ...report.minimal.violations.map((v) => `  ${v.invariant}: ${v.detail}`),
      `replay: ${report.minimal.replay}`,
    );
  }
  return lines.join('\n');
}

export async function main(argv: readonly string[], out: (s: string) => void = console.log): Promise<number> {
  const program = new Command('torture')
    .description('fault-injection harness: real handlers, simulated AWS and chain, seeded fault schedules')
    .option('--schedules <n>', 'how many schedules to run', whole('--schedules'), 200)
    .option('--seed <n>', 'the first schedule seed', whole('--seed'), 1)
    .addOption(
      new Option('--consistency <mode>', 'the ledger table consistency').choices(['MRSC', 'MREC']).default('MRSC'),
    )
    .addOption(
      new Option('--inject-bug <name>', 'switch on a known-bad variant (harness seams only)').choices([...BUG_NAMES]),
    )
    .option('--replay <schedule>', 'run exactly one schedule, as printed after a violation')
    .option('--workers <n>', 'worker threads (default: the machine parallelism, at most 4)', whole('--workers'))
    .option('--no-shrink', 'report the first violation without shrinking it')
    .option('--json', 'print the report as JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => out(s.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const o = program.opts<{
    schedules: number;
    seed: number;
    consistency: 'MRSC' | 'MREC';
    injectBug?: BugName;
    replay?: string;
    workers?: number;
    shrink: boolean;
    json?: boolean;
  }>();
  if (o.replay !== undefined) {
    let schedule;
    try {
      schedule = decodeSchedule(o.replay);
    } catch (err) {
      out((err as Error).message);
      return 2;
    }
    const outcome = await judge(schedule, o.injectBug);
    const report = { replayed: schedule, replay: replayCommand(schedule, o.injectBug), ...outcome };
    out(
      o.json
        ? JSON.stringify(report, null, 2)
        : [
            `replayed seed ${schedule.seed} (${schedule.consistency}): ${outcome.violations.length} violations`,
            ...outcome.violations.map((v) => `  ${v.invariant}: ${v.detail}`),
          ].join('\n'),
    );
    return outcome.violations.length > 0 ? 1 : 0;
  }
  const report = await runCampaign({
    schedules: o.schedules,
    seed: o.seed,
    consistency: o.consistency,
    bug: o.injectBug,
    workers: o.workers,
    shrink: o.shrink,
  });
  out(o.json ? JSON.stringify(report, null, 2) : text(report));
  return report.violations.length > 0 ? 1 : 0;
}
