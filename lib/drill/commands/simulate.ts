import { Command } from 'commander';
import { loadConfigFile, resolveConfigPath } from '../../config/load';
import { EXIT } from '../exit-codes';
import { DEFAULT_ASSUMPTIONS } from '../../failover/timing';
import { monteCarlo } from '../montecarlo';
import { colourEnabled, formatMonteCarlo, paint } from '../ui';
import { Cli } from './context';
import { intIn, oneOf } from './options';

/** `wallet-drill simulate`: Monte Carlo RTO percentiles over the simulated model. */
export function registerSimulate(program: Command, cli: Cli): void {
  const { io, guarded } = cli;
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
    .option(
      '--switch-only',
      'model the planned path without the lease-following primary check (the design before it): it waits for the switch',
    )
    .option(
      '--blip-seconds <seconds>',
      `length of the transient failures the false-failover estimate assumes (default ${DEFAULT_ASSUMPTIONS.transientFailure.seconds})`,
      intIn('--blip-seconds', 0, 3600),
    )
    .option(
      '--blips-per-month <n>',
      `how many such transient failures a month (default ${DEFAULT_ASSUMPTIONS.transientFailure.perMonth})`,
      intIn('--blips-per-month', 0, 100000),
    )
    .option('--json', 'print one JSON document on stdout')
    .option('--no-color', 'never colour the output')
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-drill simulate --runs 500 --json\n  wallet-drill simulate --threshold 2 --seed 7\n  wallet-drill simulate --blip-seconds 15 --blips-per-month 4\n\nPrints the false-failover probability a month beside the RTO.\nExit 1 when the slowest simulated run misses the RTO target.',
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
          switchOnly?: boolean;
          blipSeconds?: number;
          blipsPerMonth?: number;
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
            leaseFollowingCheck: opts.switchOnly !== true,
            assumptions: {
              ...DEFAULT_ASSUMPTIONS,
              transientFailure: {
                seconds: opts.blipSeconds ?? DEFAULT_ASSUMPTIONS.transientFailure.seconds,
                perMonth: opts.blipsPerMonth ?? DEFAULT_ASSUMPTIONS.transientFailure.perMonth,
              },
            },
          });
          io.stdout.write(
            `${opts.json ? JSON.stringify({ command: 'simulate', ...result }, null, 2) : formatMonteCarlo(result, p)}\n`,
          );
          return result.unplanned.meetsTarget && result.planned.meetsTarget ? EXIT.ok : EXIT.checkFailed;
        },
      ) as never,
    );
}
