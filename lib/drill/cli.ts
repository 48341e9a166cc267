import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfigFile, resolveConfigPath } from '../config/load';
import { WalletConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import { DrillDirection } from '../contract/drill-metrics';
import { EXPERIMENT_NAMES } from '../contract/chaos';
import { RegionRole } from '../contract/names';
import { CHAOS_HELP, chaosAction, ChaosCommandOptions, checkExperiment } from './chaos/command';
import { ClientOptions, createDrillClients } from './clients';
import { buildKpis, KpiInputError, publishKpis, renderKpiHtml, renderKpiText } from './kpi';
import { systemClock } from './clock';
import { DrillRecord, runDrill } from './drill';
import { EXIT, EXIT_CODE_HELP } from './exit-codes';
import { monteCarlo } from './montecarlo';
import { buildPlan } from './plan';
import { writeReports, WrittenReports } from './report';
import { SCENARIO_NAMES, SCENARIOS, ScenarioName } from './sim/scenarios';
import { ScenarioError, SimulatedTarget } from './simulated-target';
import { readStatus } from './status';
import { AwsTarget, NoCredentialsError, Target } from './target';
import {
  colourEnabled,
  formatMonteCarlo,
  formatPlan,
  formatRecord,
  formatStatus,
  OutStream,
  paint,
  Paint,
  Progress,
} from './ui';

/** What the CLI needs from its process; bin/drill.ts passes the real ones, tests pass fakes. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Registers a Ctrl-C (SIGINT) handler for the duration of a drill; returns its removal. */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Replaces target creation (tests inject a simulated target with faults). */
  readonly createTarget?: (context: TargetContext) => Target;
  /** Extra options for the aws target's clients (tests). */
  readonly awsClients?: ClientOptions;
  /**
   * A second Ctrl-C within this many real milliseconds of the first is ignored, so a double press
   * (or one signal delivered twice by a wrapper) cannot skip the restore. @default 1000
   */
  readonly interruptGraceMs?: number;
}

export interface TargetContext {
  readonly kind: 'aws' | 'simulated';
  readonly config: WalletConfig;
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly position: RegionRole;
  readonly speed?: number;
  readonly endpoint?: string;
  readonly address?: string;
  readonly startMs: number;
}

/** Usage problems found after parsing (conflicting options and the like). */
class UsageError extends Error {}

interface CommonOptions {
  config?: string;
  target: 'aws' | 'simulated';
  scenario?: ScenarioName;
  seed: number;
  speed?: number;
  endpoint?: string;
  address?: string;
  json?: boolean;
  color: boolean;
  allowAlarm?: string[];
  poll: number;
}

interface ExecuteOptions extends CommonOptions {
  execute?: boolean;
  yes?: boolean;
  phaseTimeout?: number;
  restoreTimeout: number;
  keepOnTimeout?: boolean;
  reportDir: string;
  publish: boolean;
  reason?: string;
  actor?: string;
}

const intIn =
  (name: string, min: number, max: number) =>
  (raw: string): number => {
    const v = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min} to ${max}; received ${JSON.stringify(raw)}.`,
      );
    }
    return v;
  };

const positive =
  (name: string) =>
  (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(`${name} must be a number greater than 0; received ${JSON.stringify(raw)}.`);
    }
    return v;
  };

const oneOf =
  (name: string, allowed: readonly number[]) =>
  (raw: string): number => {
    const v = Number(raw);
    if (!allowed.includes(v)) {
      throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}; received ${JSON.stringify(raw)}.`);
    }
    return v;
  };

const address = (raw: string): string => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) {
    throw new InvalidArgumentError(
      `--address must be a 0x-prefixed 20-byte hex address; received ${JSON.stringify(raw)}. Omit it to derive the address from the signing key.`,
    );
  }
  return raw.toLowerCase();
};

function addCommon(cmd: Command, options: { alarms?: boolean } = {}): Command {
  cmd
    .option('-c, --config <name|path>', 'config file: a name under config/ or a path (same as `cdk -c config=`)')
    .addOption(
      new Option('--target <target>', 'aws: real AWS (standard credential chain); simulated: offline model')
        .choices(['aws', 'simulated'])
        .default('aws'),
    )
    .addOption(
      new Option(
        '--scenario <name>',
        `simulated target only: ${SCENARIO_NAMES.join(', ')} (default planned-drill)`,
      ).choices([...SCENARIO_NAMES]),
    )
    .option(
      '--seed <n>',
      'simulated target only: random seed (reproducible timings)',
      intIn('--seed', 0, 2 ** 31 - 1),
      1,
    )
    .option('--speed <x>', 'simulated target only: virtual seconds per real second while waiting', positive('--speed'))
    .option('--endpoint <url>', 'aws target only: send every AWS call to this endpoint (moto_server, LocalStack)')
    .option(
      '--address <0x...>',
      'the signing address whose lease moves (default: derived from the signing key)',
      address,
    )
    .option('--poll <seconds>', 'seconds between observations while waiting', intIn('--poll', 1, 60), 5)
    .option('--json', 'print one JSON document on stdout (no colour, no progress)')
    .option('--no-color', 'never colour the output (NO_COLOR is honoured too)');
  if (options.alarms) {
    cmd.option(
      '--allow-alarm <name...>',
      'acknowledge a firing alarm as understood and unrelated (repeatable; exact alarm name)',
    );
  }
  return cmd;
}

function addExecute(cmd: Command): Command {
  return cmd
    .option('--execute', 'act: without it the command is a dry run (the plan)')
    .option('-y, --yes', 'do not ask for confirmation (required without a TTY)')
    .option(
      '--phase-timeout <seconds>',
      'abort and restore when a phase is not observed in time (default: per phase, from the model)',
      intIn('--phase-timeout', 1, 3600),
    )
    .option('--restore-timeout <seconds>', 'how long to verify a restore', intIn('--restore-timeout', 1, 3600), 300)
    .option('--keep-on-timeout', 'on a phase timeout, keep the failover in place instead of restoring (real incidents)')
    .option('--report-dir <dir>', 'where the JSON, Markdown and HTML reports go', 'drill-reports')
    .option('--no-publish', 'do not publish the measured RTO as a CloudWatch metric')
    .option('--reason <text>', 'why (recorded in the lease audit item and the switch call)')
    .option('--actor <name>', 'who runs it (lease audit item; default: the caller ARN)');
}

/**
 * The drill CLI. Returns the exit code (documented in lib/drill/exit-codes.ts) instead of exiting,
 * so tests drive it in-process; bin/drill.ts exits with it.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const now = io.now ?? Date.now;
  const program = new Command();
  program
    .name('wallet-drill')
    .description(
      'Failover drills for the wallet: plan (dry run, the default), fail over, fail back, measure and report; against AWS or a simulated AWS. Data plane only: the signer lease (DynamoDB) and the failover switch (CloudWatch PutMetricData).',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `\nScenarios (--target simulated --scenario <name>):\n${SCENARIO_NAMES.map((n) => `  ${n.padEnd(22)}${SCENARIOS[n].description}`).join('\n')}\n\n${EXIT_CODE_HELP}\n\nSee docs/runbooks/failover-drill.md.`,
    );

  const context = (opts: CommonOptions) => {
    const p = paint(!opts.json && colourEnabled(io.stdout, io.env, opts.color));
    const pe = paint(!opts.json && colourEnabled(io.stderr, io.env, opts.color));
    const out = (s: string) => io.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
    const err = (s: string) => io.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
    return { p, pe, out, err };
  };

  const loadConfig = (opts: CommonOptions): WalletConfig => loadConfigFile(resolveConfigPath(opts.config, io.cwd));

  const makeTarget = (opts: CommonOptions, config: WalletConfig, position: RegionRole): Target => {
    if (opts.target === 'aws' && (opts.scenario !== undefined || opts.speed !== undefined)) {
      throw new UsageError(
        `--scenario and --speed apply to --target simulated only; received --target aws with ${opts.scenario !== undefined ? `--scenario ${opts.scenario}` : `--speed ${opts.speed}`}. Add --target simulated, or drop the option.`,
      );
    }
    if (opts.target === 'simulated' && opts.endpoint !== undefined) {
      throw new UsageError(
        `--endpoint applies to --target aws only; received --target simulated with --endpoint ${opts.endpoint}. Drop --endpoint, or use --target aws.`,
      );
    }
    const ctx: TargetContext = {
      kind: opts.target,
      config,
      scenario: opts.scenario ?? 'planned-drill',
      seed: opts.seed,
      position,
      speed: opts.speed,
      endpoint: opts.endpoint,
      address: opts.address,
      startMs: now(),
    };
    if (io.createTarget !== undefined) return io.createTarget(ctx);
    if (ctx.kind === 'simulated') {
      return SimulatedTarget.create({
        config,
        scenario: ctx.scenario,
        seed: ctx.seed,
        startMs: ctx.startMs,
        position,
        speed: ctx.speed,
        address: ctx.address,
      });
    }
    return new AwsTarget({
      config,
      clock: systemClock,
      address: ctx.address,
      clients: createDrillClients({
        ...io.awsClients,
        ...(ctx.endpoint === undefined ? {} : { endpoint: ctx.endpoint }),
      }),
    });
  };

  const guarded =
    (fn: (...args: never[]) => Promise<number>) =>
    async (...args: never[]): Promise<void> => {
      exitCode = await fn(...args);
    };

  // ---------------------------------------------------------------- status
  addCommon(program.command('status'))
    .description('show health checks, the switch, the lease, alarms, replication and which region DNS answers with')
    .addHelpText('after', '\nExamples:\n  wallet-drill status --target simulated\n  wallet-drill status -c prod --json')
    .action(
      guarded(async (opts: CommonOptions) => {
        const { p, out } = context(opts);
        const config = loadConfig(opts);
        const target = makeTarget(opts, config, 'primary');
        const status = await readStatus(target);
        out(
          opts.json
            ? JSON.stringify({ command: 'status', target: target.kind, status }, null, 2)
            : formatStatus(status, config, p),
        );
        return EXIT.ok;
      }) as never,
    );

  // ---------------------------------------------------------------- plan
  const planAction = async (direction: DrillDirection, opts: CommonOptions, note?: string): Promise<number> => {
    const { p, out } = context(opts);
    const config = loadConfig(opts);
    const target = makeTarget(opts, config, direction === 'failback' ? 'standby' : 'primary');
    const plan = await buildPlan(target, config, direction, { allowAlarms: opts.allowAlarm });
    const code = plan.ready ? EXIT.ok : EXIT.checkFailed;
    if (opts.json) {
      const { status, ...rest } = plan;
      out(
        JSON.stringify(
          { command: 'plan', target: target.kind, dryRun: true, ...rest, exitCode: code, status },
          null,
          2,
        ),
      );
    } else {
      out(formatPlan(plan, config, p) + (note === undefined ? '' : `\n${note}`));
    }
    return code;
  };

  addCommon(program.command('plan', { isDefault: true }), { alarms: true })
    .argument('[direction]', 'failover or failback', 'failover')
    .description('dry run (the default command): run the pre-checks and print the exact steps; never changes anything')
    .addHelpText('after', '\nExamples:\n  wallet-drill plan --target simulated\n  wallet-drill plan failback -c prod')
    .action(
      guarded(async (direction: string, opts: CommonOptions) => {
        if (direction !== 'failover' && direction !== 'failback') {
          throw new UsageError(
            `plan takes "failover" or "failback"; received ${JSON.stringify(direction)}. Example: wallet-drill plan failback`,
          );
        }
        return planAction(direction, opts);
      }) as never,
    );

  // ---------------------------------------------------------------- failover / failback
  const executeAction = async (direction: DrillDirection, opts: ExecuteOptions): Promise<number> => {
    if (!opts.execute) {
      return planAction(direction, opts, `Dry run. Add --execute to ${direction}.`);
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
          pe.yellow(
            'Ctrl-C: stopping and restoring. Press Ctrl-C again to stop the restore (you get the manual steps).',
          ),
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
        confirm: opts.yes
          ? undefined
          : (plan) => confirm(io, plan.direction, config, plan.fromRegion, plan.toRegion, pe),
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
  };

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
      .action(guarded(async (opts: ExecuteOptions) => executeAction(direction, opts)) as never);
  }

  // ---------------------------------------------------------------- chaos (lib/drill/chaos)
  addCommon(program.command('chaos'), { alarms: true })
    .argument('<experiment>', `one of ${EXPERIMENT_NAMES.join(', ')}`)
    .description(
      'run an AWS FIS experiment: pre-checks, start, measure detection, DNS cut-over and RTO (or the alarm), stop and verify recovery (dry run without --execute)',
    )
    .option('--execute', 'start the experiment: without it only the pre-checks run')
    .option('-y, --yes', 'do not ask for confirmation (required without a TTY)')
    .option(
      '--phase-timeout <seconds>',
      "stop the experiment when a phase is not observed in time (default: the experiment's duration)",
      intIn('--phase-timeout', 1, 7200),
    )
    .option('--restore-timeout <seconds>', 'how long to verify the recovery', intIn('--restore-timeout', 1, 7200), 600)
    .option('--report-dir <dir>', 'where the JSON, Markdown and HTML reports go', 'drill-reports')
    .option('--actor <name>', 'who runs it (experiment tag; default: the caller ARN)')
    .addHelpText('after', CHAOS_HELP)
    .action(
      guarded(async (name: string, opts: CommonOptions & ChaosCommandOptions) => {
        const ctx = context(opts);
        const config = loadConfig(opts);
        const experiment = checkExperiment(config, name, (m) => new UsageError(m));
        const target = makeTarget(opts, config, 'primary');
        return chaosAction(experiment, opts, {
          config,
          target,
          cwd: io.cwd,
          stdinIsTty: io.stdin.isTTY === true,
          stderr: io.stderr,
          out: ctx.out,
          err: ctx.err,
          p: ctx.p,
          pe: ctx.pe,
          onInterrupt: io.onInterrupt,
          interruptGraceMs: io.interruptGraceMs,
          awsClients: io.awsClients,
          ask: (question) => ask(io, question),
          usage: (m) => new UsageError(m),
        });
      }) as never,
    );

  // ---------------------------------------------------------------- kpi (lib/drill/kpi.ts)
  program
    .command('kpi')
    .description(
      'KPIs from drill, chaos and status-page records: time to detect and recover per scenario (p50/p90/max/count), SLA per month, incident frequency',
    )
    .requiredOption('--records <dir>', 'directory of drill/chaos records (.json) and status-page state files')
    .option('--html <file>', 'also write the report as a self-contained HTML page')
    .option('--publish', 'publish the KPIs as CloudWatch metrics (namespace Wallet/Kpi, in the standby region)')
    .option('-c, --config <name|path>', 'config file (for --publish: the region)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-drill kpi --records drill-reports\n  wallet-drill kpi --records drill-reports --html kpi.html --json',
    )
    .action(
      guarded(async (opts: { records: string; html?: string; publish?: boolean; config?: string; json?: boolean }) => {
        const k = buildKpis(path.resolve(io.cwd, opts.records));
        if (opts.html !== undefined) writeFileSync(path.resolve(io.cwd, opts.html), renderKpiHtml(k));
        let published: number | undefined;
        if (opts.publish) {
          const config = loadConfigFile(resolveConfigPath(opts.config, io.cwd));
          const clients = createDrillClients(io.awsClients);
          published = await publishKpis(clients.cloudwatch(config.regions.standby), k, new Date(now()));
        }
        io.stdout.write(
          `${opts.json ? JSON.stringify({ command: 'kpi', ...k, published }, null, 2) : renderKpiText(k)}\n`,
        );
        return EXIT.ok;
      }) as never,
    );

  // ---------------------------------------------------------------- report
  addCommon(program.command('report'))
    .argument('[file]', 'a drill record (.json); default: the newest in --report-dir')
    .option('--report-dir <dir>', 'where drill records are', 'drill-reports')
    .option(
      '--publish',
      "publish the record's measurements as CloudWatch metrics (once per drill, or the KPI series double-counts)",
    )
    .description(
      'render a drill record as Markdown and HTML (timeline chart), print its summary, optionally publish its KPI metrics',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-drill report\n  wallet-drill report drill-reports/example-failover-2030-01-01T12-00-00-000Z.json --json',
    )
    .action(
      guarded(async (file: string | undefined, opts: CommonOptions & { reportDir: string; publish?: boolean }) => {
        const { p, out } = context(opts);
        const chosen =
          file === undefined ? newestRecord(path.resolve(io.cwd, opts.reportDir)) : path.resolve(io.cwd, file);
        const record = readRecord(chosen);
        const reports: WrittenReports = writeReports(record, path.dirname(chosen));
        let published = false;
        if (opts.publish) {
          const config = loadConfig(opts);
          const target = makeTarget(opts, config, record.direction === 'failback' ? 'standby' : 'primary');
          await target.publishDrillMetrics(record.direction, {
            measuredRtoSeconds: record.measurements.rtoSeconds,
            detectionSeconds: record.measurements.detectionSeconds,
            dnsCutoverSeconds: record.measurements.dnsCutoverSeconds,
            observedRpoSeconds: record.measurements.observedRpoSeconds,
            passed: record.passed,
          });
          published = true;
        }
        if (opts.json)
          out(
            JSON.stringify(
              {
                command: 'report',
                id: record.id,
                verdict: record.passed,
                outcome: record.outcome,
                measurements: record.measurements,
                timeline: record.timeline,
                reports,
                published,
              },
              null,
              2,
            ),
          );
        else
          out(
            `${formatRecord(record, p)}\n${p.dim(`Reports: ${reports.markdown}\n         ${reports.html}`)}${published ? '\nKPI metrics published.' : ''}`,
          );
        return EXIT.ok;
      }) as never,
    );

  // ---------------------------------------------------------------- simulate
  program
    .command('simulate')
    .description(
      'Monte Carlo over the simulated model: RTO percentiles for the current config (or overridden settings)',
    )
    .option('-c, --config <name|path>', 'config file: a name under config/ or a path')
    .option('--runs <n>', 'simulated incidents per path', intIn('--runs', 1, 100000), 1000)
    .option('--seed <n>', 'random seed (the same seed gives the same percentiles)', intIn('--seed', 0, 2 ** 31 - 1), 1)
    .option(
      '--interval <seconds>',
      "try this health-check interval instead of the config's (10 or 30)",
      oneOf('--interval', [10, 30]),
    )
    .option('--threshold <n>', "try this failure threshold instead of the config's (1-10)", intIn('--threshold', 1, 10))
    .option('--ttl <seconds>', "try this record TTL instead of the config's", intIn('--ttl', 0, 86400))
    .option('--json', 'print one JSON document on stdout')
    .option('--no-color', 'never colour the output')
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-drill simulate --runs 500 --json\n  wallet-drill simulate --threshold 2 --seed 7\n\nExit 1 when the slowest simulated run misses the RTO target.',
    )
    .action(
      guarded(
        async (opts: {
          config?: string;
          runs: number;
          seed: number;
          interval?: number;
          threshold?: number;
          ttl?: number;
          json?: boolean;
          color: boolean;
        }) => {
          const p = paint(!opts.json && colourEnabled(io.stdout, io.env, opts.color));
          const config = loadConfigFile(resolveConfigPath(opts.config, io.cwd));
          const result = monteCarlo({
            config,
            runs: opts.runs,
            seed: opts.seed,
            override: {
              intervalSeconds: opts.interval as 10 | 30 | undefined,
              failureThreshold: opts.threshold,
              ttlSeconds: opts.ttl,
            },
          });
          io.stdout.write(
            `${opts.json ? JSON.stringify({ command: 'simulate', ...result }, null, 2) : formatMonteCarlo(result, p)}\n`,
          );
          return result.unplanned.meetsTarget && result.planned.meetsTarget ? EXIT.ok : EXIT.checkFailed;
        },
      ) as never,
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version')
        return EXIT.ok;
      return EXIT.usage;
    }
    const write = (s: string) => io.stderr.write(`${s}\n`);
    if (e instanceof UsageError || e instanceof ScenarioError) {
      write(`wallet-drill: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      write(e.message);
      return EXIT.usage;
    }
    if (e instanceof NoCredentialsError) {
      write(`wallet-drill: ${e.message}`);
      return EXIT.checkFailed;
    }
    if (e instanceof RecordError || e instanceof KpiInputError) {
      write(`wallet-drill: ${e.message}`);
      return EXIT.usage;
    }
    write(`wallet-drill: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return EXIT.checkFailed;
  }
}

class RecordError extends Error {}

function newestRecord(dir: string): string {
  if (!existsSync(dir)) {
    throw new RecordError(
      `no drill records: ${dir} does not exist. Run a drill first, or pass a record file or --report-dir.`,
    );
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) {
    throw new RecordError(`no drill records (*.json) in ${dir}. Run a drill first, or pass a record file.`);
  }
  return files[0];
}

function readRecord(file: string): DrillRecord {
  if (!existsSync(file)) throw new RecordError(`${file} does not exist; pass the path of a drill record (.json).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RecordError(
      `${file} is not valid JSON (${(e as Error).message}); pass a drill record written by wallet-drill.`,
    );
  }
  const r = raw as Partial<DrillRecord>;
  const missing = ['schemaVersion', 'tool', 'direction', 'timeline', 'measurements', 'checks'].filter(
    (k) => (r as Record<string, unknown>)[k] === undefined,
  );
  if (r.tool !== 'wallet-drill' || r.schemaVersion !== 1 || missing.length > 0) {
    throw new RecordError(
      `${file} is not a wallet-drill record (tool ${JSON.stringify(r.tool)}, schemaVersion ${JSON.stringify(r.schemaVersion)}${missing.length > 0 ? `, missing ${missing.join(', ')}` : ''}); pass a .json written by failover/failback --execute.`,
    );
  }
  return raw as DrillRecord;
}

/** Asks one question on stderr and reads one line from stdin. */
async function ask(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  io.stderr.write(question);
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', (line) => resolve(line.trim()));
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer;
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
