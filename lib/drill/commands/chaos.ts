import { Command } from 'commander';
import { createInterface } from 'node:readline';
import { EXPERIMENT_NAMES } from '../../contract/chaos';
import { CHAOS_HELP, chaosAction, ChaosCommandOptions, checkExperiment } from '../chaos/command';
import { Cli, CommonOptions, UsageError } from './context';
import { addCommon, intIn } from './options';

/** `wallet-drill chaos <experiment>`: options here, the run in lib/drill/chaos/. */
export function registerChaos(program: Command, cli: Cli): void {
  const { io, guarded } = cli;
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
        const ctx = cli.context(opts);
        const config = cli.loadConfig(opts);
        const experiment = checkExperiment(config, name, (m) => new UsageError(m));
        const target = cli.makeTarget(opts, config, 'primary');
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
          ask: async (question) => {
            const rl = createInterface({ input: io.stdin, terminal: false });
            io.stderr.write(question);
            const answer = await new Promise<string>((resolve) => {
              rl.once('line', (line) => resolve(line.trim()));
              rl.once('close', () => resolve(''));
            });
            rl.close();
            return answer;
          },
          usage: (m) => new UsageError(m),
        });
      }) as never,
    );
}
