import { Command } from 'commander';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { WalletConfig } from '../../config/schema';
import { DrillDirection } from '../../contract/drill-metrics';
import { runDrill } from '../drill';
import { DrillRecord } from '../record';
import { EXIT_CODE_HELP } from '../exit-codes';
import { writeReports } from '../report';
import { formatPlan, formatRecord, Paint, Progress } from '../ui';
import { Cli, CliIo, ExecuteOptions, UsageError } from './context';
import { addCommon, addExecute } from './options';
import { planAction } from './plan';

/** failover/failback: the plan without --execute; with it, the drill, its reports and the KPI metrics. */
async function executeAction(cli: Cli, direction: DrillDirection, opts: ExecuteOptions): Promise<number> {
  const { io, context, loadConfig, makeTarget } = cli;
  if (!opts.execute) {
    return planAction(cli, direction, opts, `Dry run. Add --execute to ${direction}.`);
  }
  const { p, pe, out, err } = context(opts);
  if (!opts.yes && io.stdin.isTTY !== true) {
    throw new UsageError(
      `refusing to ${direction} without confirmation: stdin is not a terminal and --yes was not given. Add --yes to run unattended, or run it from a terminal.`,
    );
  }
  const config = loadConfig(opts);
  const target = makeTarget(opts, config, direction === 'failback' ? 'standby' : 'primary');
  const progress = new Progress(io.stderr, pe, !opts.json);
  const drill = new AbortController();
  const restore = new AbortController();
  let interrupts = 0;
  let firstInterrupt = 0;
  const off = io.onInterrupt(() => {
    if (interrupts === 1 && Date.now() - firstInterrupt < (io.interruptGraceMs ?? 1000)) return;
    interrupts++;
    if (interrupts === 1) {
      firstInterrupt = Date.now();
      progress.line(
        pe.yellow('Ctrl-C: stopping and restoring. Press Ctrl-C again to stop the restore (you get the manual steps).'),
      );
      drill.abort();
    } else {
      restore.abort();
    }
  });
  let actor = opts.actor;
  if (actor === undefined) {
    try {
      actor = (await target.identity()).arn;
    } catch {
      actor = undefined;
    }
  }
  let record: DrillRecord;
  try {
    record = await runDrill({
      target,
      config,
      direction,
      actor: actor ?? 'wallet-drill',
      reason: opts.reason,
      signal: drill.signal,
      restoreSignal: restore.signal,
      pollSeconds: opts.poll,
      phaseTimeoutSeconds: opts.phaseTimeout,
      restoreTimeoutSeconds: opts.restoreTimeout,
      keepOnTimeout: opts.keepOnTimeout,
      allowAlarms: opts.allowAlarm,
      onEvent: (e) => {
        if (e.kind === 'plan' && !opts.json) {
          progress.line(formatPlan(e.plan, config, pe).split('\n').slice(0, -1).join('\n'));
        } else {
          progress.handle(e);
        }
      },
      confirm: opts.yes ? undefined : (plan) => confirm(io, plan.direction, config, plan.fromRegion, plan.toRegion, pe),
    });
  } finally {
    progress.done();
    off();
  }
  let kpi: { published: boolean; error?: string } | undefined;
  if (record.outcome === 'completed' && opts.publish) {
    try {
      await target.publishDrillMetrics(direction, {
        measuredRtoSeconds: record.measurements.rtoSeconds,
        detectionSeconds: record.measurements.detectionSeconds,
        dnsCutoverSeconds: record.measurements.dnsCutoverSeconds,
        observedRpoSeconds: record.measurements.observedRpoSeconds,
        passed: record.passed,
      });
      kpi = { published: true };
    } catch (e) {
      kpi = { published: false, error: (e as Error).message };
      err(pe.yellow(`! could not publish the drill KPI metrics: ${(e as Error).message}`));
    }
    record = {
      ...record,
      calls: target.calls.map((c) => ({ service: c.service, region: c.region, command: c.command, kind: c.kind })),
    };
  }
  const full = { ...record, kpi };
  const reports = writeReports(full, path.resolve(io.cwd, opts.reportDir));
  if (opts.json) {
    out(JSON.stringify({ command: direction, ...full, reports }, null, 2));
  } else {
    out(formatRecord(full, p));
    out(p.dim(`Reports: ${reports.markdown}\n         ${reports.html}\n         ${reports.json}`));
  }
  if (record.restore !== undefined && record.restore.manualSteps.length > 0 && opts.json) {
    // In --json mode stdout is machine-readable; the manual steps must still reach a person.
    err(['MANUAL ACTION NEEDED:', ...record.restore.manualSteps].join('\n'));
  }
  return record.exitCode;
}

/** `wallet-drill failover` and `wallet-drill failback` (dry run without --execute). */
export function registerExecute(program: Command, cli: Cli): void {
  const { guarded } = cli;
  for (const direction of ['failover', 'failback'] as const) {
    addExecute(addCommon(program.command(direction), { alarms: true }))
      .description(
        direction === 'failover'
          ? 'fail over to the standby: pre-checks, move the lease, throw the switch, measure each phase (dry run without --execute)'
          : 'fail back to the primary: pre-checks, move the lease back, release the switch, measure each phase (dry run without --execute)',
      )
      .addHelpText(
        'after',
        `\nExamples:\n  wallet-drill ${direction} --target simulated                       # dry run\n  wallet-drill ${direction} --execute --yes --target simulated --json\n  wallet-drill ${direction} --execute -c prod                          # asks for confirmation\n\nCtrl-C stops and restores (exit 3); a second Ctrl-C stops the restore and prints the manual steps (exit 4).\n\n${EXIT_CODE_HELP}`,
      )
      .action(guarded(async (opts: ExecuteOptions) => executeAction(cli, direction, opts)) as never);
  }
}

/** Asks the operator to type the environment name; anything else cancels. */
async function confirm(
  io: CliIo,
  direction: DrillDirection,
  config: WalletConfig,
  fromRegion: string,
  toRegion: string,
  p: Paint,
): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  io.stderr.write(
    `${p.bold(`This ${direction} moves the signer lease and ${direction === 'failover' ? 'throws' : 'releases'} the failover switch: traffic moves from ${fromRegion} to ${toRegion}.`)}\nType the environment name (${config.envName}) to go ahead, anything else cancels: `,
  );
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', (line) => resolve(line.trim()));
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer === config.envName;
}
