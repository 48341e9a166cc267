import { Command } from 'commander';
import { DrillDirection } from '../../contract/drill-metrics';
import { EXIT } from '../exit-codes';
import { buildPlan } from '../plan';
import { formatPlan } from '../ui';
import { Cli, CommonOptions, UsageError } from './context';
import { addCommon } from './options';

/** The plan (dry run) for one direction; also what failover/failback print without --execute. */
export async function planAction(
  cli: Cli,
  direction: DrillDirection,
  opts: CommonOptions,
  note?: string,
): Promise<number> {
  const { context, loadConfig, makeTarget } = cli;
  const { p, out } = context(opts);
  const config = loadConfig(opts);
  const target = makeTarget(opts, config, direction === 'failback' ? 'standby' : 'primary');
  const plan = await buildPlan(target, config, direction, { allowAlarms: opts.allowAlarm });
  const code = plan.ready ? EXIT.ok : EXIT.checkFailed;
  if (opts.json) {
    const { status, ...rest } = plan;
    out(
      JSON.stringify({ command: 'plan', target: target.kind, dryRun: true, ...rest, exitCode: code, status }, null, 2),
    );
  } else {
    out(formatPlan(plan, config, p) + (note === undefined ? '' : `\n${note}`));
  }
  return code;
}

/** `wallet-drill plan [direction]` (the default command): the pre-checks and the exact steps; changes nothing. */
export function registerPlan(program: Command, cli: Cli): void {
  const { guarded } = cli;
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
        return planAction(cli, direction, opts);
      }) as never,
    );
}
