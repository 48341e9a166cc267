import { Command } from 'commander';
import { EXIT } from '../exit-codes';
import { readStatus } from '../status';
import { formatStatus } from '../ui';
import { Cli, CommonOptions } from './context';
import { addCommon } from './options';

/** `wallet-drill status`: health checks, switch, lease, alarms, replication, the DNS answer. */
export function registerStatus(program: Command, cli: Cli): void {
  const { context, loadConfig, makeTarget, guarded } = cli;
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
}
