import { spawn } from 'node:child_process';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Command, CommanderError } from 'commander';
import { loadConfigFile, resolveConfigPath } from '../config/load';
import { ConfigError } from '../config/validate';
import { Clock, systemClock } from '../drill/clock';
import {
  AlarmReader,
  cloudWatchAlarmReader,
  deployCode,
  DeployCodeOutcome,
  deployOrder,
  StackDeployer,
} from './deploy-code';

/** Exit codes of `npm run deploy-code` (a contract for scripts and CI; docs/safe-deploys.md). */
export const DEPLOY_EXIT = {
  /** Both regions deployed, the standby baked green in between. */
  deployed: 0,
  /** Bad usage or an invalid config; nothing was deployed. */
  usage: 2,
  /** Refused before anything was deployed: an alarm was already in ALARM. */
  refused: 3,
  /** The standby's stack update failed (CloudFormation rolled it back; CodeDeploy rolled the aliases back). The primary was not touched. */
  standbyFailed: 4,
  /** An alarm fired during the bake, or the canaries were not green after it. The primary was not touched. */
  bakeFailed: 5,
  /** The primary's stack update failed and rolled back; the standby runs the new code. */
  primaryFailed: 6,
} as const;

export interface DeployCliIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly cwd: string;
  /** @default spawns `npx cdk deploy <stack> --exclusively` */
  readonly deployer?: (configPath: string) => StackDeployer;
  /** @default CloudWatch DescribeAlarms in each region (SDK default credentials) */
  readonly alarms?: (envName: string) => AlarmReader;
  /** @default the wall clock */
  readonly clock?: Clock;
}

/** The real deployer: one stack at a time, its dependencies NOT redeployed (they are infrastructure: `cdk deploy --all`). */
export function cdkDeployer(configPath: string, cwd: string): StackDeployer {
  return {
    deploy: (stackName) =>
      new Promise((resolve, reject) => {
        const child = spawn(
          'npx',
          ['cdk', 'deploy', stackName, '--exclusively', '--require-approval', 'never', '-c', `config=${configPath}`],
          { cwd, stdio: 'inherit', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
        );
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`cdk deploy ${stackName} exited with code ${code}`)),
        );
      }),
  };
}

const HELP = `
Deploys new code one region at a time: the standby stack, a bake with the standby's canaries green,
then the primary stack (docs/safe-deploys.md). Infrastructure changes: npx cdk deploy --all.

Exit codes:
  0  deployed to both regions
  2  bad usage or invalid config; nothing deployed
  3  refused: an alarm was already in ALARM; nothing deployed
  4  the standby deploy failed (rolled back); the primary was not touched
  5  an alarm during the bake, or canaries not green after it; the primary was not touched
  6  the primary deploy failed (rolled back); the standby runs the new code
`;

export async function runDeployCode(argv: readonly string[], io: DeployCliIo): Promise<number> {
  const program = new Command('deploy-code')
    .description('Region-at-a-time code deploy: standby, bake, primary')
    .option('-c, --config <name|path>', 'config name under config/ or a path to a JSON file', 'example')
    .option('--bake-minutes <n>', 'override deployment.bakeMinutes (not below the config rule)')
    .option('--dry-run', 'print the plan and exit')
    .addHelpText('after', HELP)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : DEPLOY_EXIT.usage;
    throw err;
  }
  const opts = program.opts<{ config: string; bakeMinutes?: string; dryRun?: boolean }>();
  const configPath = resolveConfigPath(opts.config.replace(/^config=/, ''), io.cwd);
  let config;
  try {
    config = loadConfigFile(configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return DEPLOY_EXIT.usage;
    }
    throw err;
  }
  let bakeMinutes = config.deployment.bakeMinutes;
  if (opts.bakeMinutes !== undefined) {
    const n = Number(opts.bakeMinutes);
    if (!Number.isInteger(n) || n < config.deployment.bakeMinutes) {
      io.stderr.write(
        `--bake-minutes: must be a whole number of at least deployment.bakeMinutes (${config.deployment.bakeMinutes}); received ${JSON.stringify(opts.bakeMinutes)}. Fix: raise it, or change the config.\n`,
      );
      return DEPLOY_EXIT.usage;
    }
    bakeMinutes = n;
  }
  const plan = { envName: config.envName, regions: config.regions, bakeMs: bakeMinutes * 60_000 };
  const order = deployOrder(plan);
  io.stdout.write(
    `Plan: ${order[0].stackName} (${order[0].region}), bake ${bakeMinutes} min, then ${order[1].stackName} (${order[1].region})\n`,
  );
  if (opts.dryRun === true) return DEPLOY_EXIT.deployed;

  const clients = new Map<string, CloudWatchClient>();
  const cw = (region: string) => {
    let c = clients.get(region);
    if (c === undefined) clients.set(region, (c = new CloudWatchClient({ region })));
    return c;
  };
  const outcome: DeployCodeOutcome = await deployCode(plan, {
    deployer: (io.deployer ?? ((p) => cdkDeployer(p, io.cwd)))(configPath),
    alarms: (io.alarms ?? ((env) => cloudWatchAlarmReader(env, cw)))(config.envName),
    clock: io.clock ?? systemClock,
    onEvent: (e) => io.stdout.write(`[+${Math.round(e.atMs / 1000)}s] ${e.step}: ${e.detail}\n`),
  });
  switch (outcome.outcome) {
    case 'deployed':
      io.stdout.write('Deployed: standby, baked green, then primary.\n');
      return DEPLOY_EXIT.deployed;
    case 'refused':
      io.stderr.write(`Refused: ${outcome.reason}: ${outcome.alarms.join(', ')}\n`);
      return DEPLOY_EXIT.refused;
    case 'bake-failed':
      io.stderr.write(`Stopped: ${outcome.reason}: ${outcome.alarms.join(', ')}. See docs/runbooks/rollback.md.\n`);
      return DEPLOY_EXIT.bakeFailed;
    case 'stack-failed':
      io.stderr.write(`Stopped: ${outcome.stackName} failed (${outcome.reason}). See docs/runbooks/rollback.md.\n`);
      return outcome.role === 'standby' ? DEPLOY_EXIT.standbyFailed : DEPLOY_EXIT.primaryFailed;
  }
}
