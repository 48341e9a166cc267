import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/validate';
import { registerChaos } from './commands/chaos';
import { registerExecute } from './commands/execute';
import { registerKpi } from './commands/kpi';
import { CliIo, createCli, RecordError, UsageError } from './commands/context';
import { registerPlan } from './commands/plan';
import { registerPromoteKeys } from './commands/promote-keys';
import { registerReport } from './commands/report';
import { registerSimulate } from './commands/simulate';
import { registerStatus } from './commands/status';
import { EXIT, EXIT_CODE_HELP } from './exit-codes';
import { SCENARIO_NAMES, SCENARIOS } from './sim/scenarios';
import { ScenarioError } from './simulated-target';
import { NoCredentialsError } from './target';

export type { CliIo, TargetContext } from './commands/context';

/**
 * The drill CLI. Returns the exit code (documented in lib/drill/exit-codes.ts) instead of exiting,
 * so tests drive it in-process; bin/drill.ts exits with it.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
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

  const cli = createCli(io, (code) => {
    exitCode = code;
  });
  // One module per command (./commands/); the order here is the order of --help.
  registerStatus(program, cli);
  registerPlan(program, cli);
  registerExecute(program, cli);
  registerReport(program, cli);
  registerSimulate(program, cli);
  registerChaos(program, cli);
  registerKpi(program, cli);
  registerPromoteKeys(program, cli);

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
    if (e instanceof RecordError) {
      write(`wallet-drill: ${e.message}`);
      return EXIT.usage;
    }
    write(`wallet-drill: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return EXIT.checkFailed;
  }
}
