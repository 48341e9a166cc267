import * as path from 'node:path';
import { WalletConfig } from '../../config/schema';
import { EXPERIMENT_NAMES, EXPERIMENTS, ExperimentName } from '../../contract/chaos';
import { CallRecord, ClientOptions, createDrillClients } from '../clients';
import { DrillRecord } from '../record';
import { EXIT, EXIT_CODE_HELP } from '../exit-codes';
import { writeReports } from '../report';
import { SimulatedTarget } from '../simulated-target';
import { Target } from '../target';
import { formatChecks, formatRecord, OutStream, Paint, Progress } from '../ui';
import { awsFisSend, FisApi, fisApi, simulatedFisApi } from './fis';
import { chaosUsageProblems, runChaos } from './run';

/** `wallet-drill chaos <experiment>`: option parsing lives in lib/drill/cli.ts, the action here. */

export const CHAOS_HELP = [
  '',
  'Experiments (AWS FIS templates the regional stacks define; lib/contract/chaos.ts):',
  ...EXPERIMENT_NAMES.map(
    (n) =>
      `  ${n.padEnd(20)}${EXPERIMENTS[n].regionRole}; expects ${EXPERIMENTS[n].expectation} (${EXPERIMENTS[n].action})`,
  ),
  '',
  'Examples:',
  '  wallet-drill chaos primary-down --target simulated                    # dry run: the pre-checks',
  '  wallet-drill chaos primary-down --execute --yes --target simulated --json',
  '  wallet-drill chaos api-latency --execute -c prod                      # asks for confirmation',
  '',
  'Ctrl-C, a phase timeout or a failed guard stops the experiment and verifies recovery (exit 3); a second',
  'Ctrl-C stops the verification and prints the manual steps (exit 4). An unknown experiment, or one this',
  'config does not define, is bad usage (exit 2): nothing is started.',
  '',
  EXIT_CODE_HELP,
  '',
  'See docs/runbooks/chaos.md.',
].join('\n');

export interface ChaosCommandOptions {
  readonly execute?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly poll: number;
  readonly phaseTimeout?: number;
  readonly restoreTimeout?: number;
  readonly reportDir: string;
  readonly allowAlarm?: string[];
  readonly actor?: string;
}

export interface ChaosCommandDeps {
  readonly config: WalletConfig;
  readonly target: Target;
  readonly cwd: string;
  readonly stdinIsTty: boolean;
  readonly stderr: OutStream;
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly p: Paint;
  readonly pe: Paint;
  readonly onInterrupt: (handler: () => void) => () => void;
  readonly interruptGraceMs?: number;
  readonly awsClients?: ClientOptions;
  /** Asks the operator a question on the terminal; resolves with the trimmed answer. */
  readonly ask: (question: string) => Promise<string>;
  /** Thrown for bad usage (the CLI maps it to exit 2). */
  readonly usage: (message: string) => Error;
}

/** The FIS port for a target: the simulated world's FIS, or signed requests to real FIS. */
export function fisFor(target: Target, awsClients?: ClientOptions): FisApi {
  const calls = target.calls as CallRecord[];
  if (target instanceof SimulatedTarget) return simulatedFisApi(target.world, calls);
  const sts = createDrillClients(awsClients).sts;
  return fisApi(
    awsFisSend({
      endpoint: awsClients?.endpoint,
      credentials: async () => {
        const c = await sts.config.credentials();
        return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
      },
    }),
    calls,
  );
}

/** Validates the experiment name against the config before anything is read or started. */
export function checkExperiment(config: WalletConfig, experiment: string, usage: (m: string) => Error): ExperimentName {
  const problems = chaosUsageProblems(config, experiment);
  if (problems.length > 0) throw usage(problems.join('; '));
  return experiment as ExperimentName;
}

export async function chaosAction(
  experiment: ExperimentName,
  opts: ChaosCommandOptions,
  d: ChaosCommandDeps,
): Promise<number> {
  const { config, target, p, pe } = d;
  if (opts.execute && !opts.yes && !d.stdinIsTty) {
    throw d.usage(
      `refusing to start ${experiment} without confirmation: stdin is not a terminal and --yes was not given. Add --yes to run unattended, or run it from a terminal.`,
    );
  }
  const fis = fisFor(target, d.awsClients);
  const progress = new Progress(d.stderr, pe, !opts.json);
  const run = new AbortController();
  const restore = new AbortController();
  let interrupts = 0;
  let first = 0;
  const off = d.onInterrupt(() => {
    if (interrupts === 1 && Date.now() - first < (d.interruptGraceMs ?? 1000)) return;
    interrupts++;
    if (interrupts === 1) {
      first = Date.now();
      progress.line(pe.yellow('Ctrl-C: stopping the experiment. Press Ctrl-C again to stop verifying the recovery.'));
      run.abort();
    } else {
      restore.abort();
    }
  });
  let actor = opts.actor;
  if (actor === undefined) actor = (await target.identity().catch(() => undefined))?.arn;
  let record: DrillRecord;
  try {
    record = await runChaos({
      target,
      fis,
      config,
      experiment,
      actor: actor ?? 'wallet-drill',
      signal: run.signal,
      restoreSignal: restore.signal,
      pollSeconds: opts.poll,
      phaseTimeoutSeconds: opts.phaseTimeout,
      restoreTimeoutSeconds: opts.restoreTimeout,
      allowAlarms: opts.allowAlarm,
      onEvent: (e) => progress.handle(e),
      // Without --execute the run stops after the pre-checks (a dry run); with it, --yes or a typed name.
      confirm: !opts.execute
        ? async () => false
        : opts.yes
          ? undefined
          : async () =>
              (await d.ask(
                `${pe.bold(`This starts the FIS experiment ${experiment} in ${EXPERIMENTS[experiment].regionRole === 'primary' ? config.regions.primary : config.regions.standby}: ${EXPERIMENTS[experiment].description}`)}\nType the environment name (${config.envName}) to go ahead, anything else cancels: `,
              )) === config.envName,
    });
  } finally {
    progress.done();
    off();
  }
  if (!opts.execute) {
    const ready = record.checks.every((c) => c.ok || c.level !== 'blocker');
    const code = ready ? EXIT.ok : EXIT.checkFailed;
    if (opts.json) {
      d.out(
        JSON.stringify(
          { command: 'chaos', dryRun: true, experiment, ready, checks: record.checks, exitCode: code },
          null,
          2,
        ),
      );
    } else {
      d.out(
        [
          p.bold(`chaos ${experiment} (${target.kind}): pre-checks ${ready ? p.green('pass') : p.red('FAIL')}`),
          ...formatChecks(record.checks, p),
          `Dry run: nothing was started. Add --execute to start the experiment.`,
        ].join('\n'),
      );
    }
    return code;
  }
  const reports = writeReports(record, path.resolve(d.cwd, opts.reportDir));
  if (opts.json) {
    d.out(JSON.stringify({ command: 'chaos', ...record, reports }, null, 2));
  } else {
    d.out(formatRecord(record, p));
    d.out(p.dim(`Reports: ${reports.markdown}\n         ${reports.html}\n         ${reports.json}`));
  }
  if (record.restore !== undefined && record.restore.manualSteps.length > 0 && opts.json) {
    d.err(['MANUAL ACTION NEEDED:', ...record.restore.manualSteps].join('\n'));
  }
  return record.exitCode;
}
