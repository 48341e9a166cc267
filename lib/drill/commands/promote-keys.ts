import { Command, InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { WalletConfig } from '../../config/schema';
import { EXPERIMENT_TAGS } from '../../contract/chaos';
import { ACTIVE_STATUSES, awsFisSend, FisApi, fisApi, simulatedFisApi } from '../chaos/fis';
import { createDrillClients, DrillClients } from '../clients';
import { EXIT_CODE_HELP } from '../exit-codes';
import { KeyAdmin, kmsKeyAdmin, Read, readFailure } from '../promote/admin';
import { PROMOTABLE_KEYS } from '../promote/keys';
import { formatPromotion, writePromotionReports } from '../promote/report';
import { runPromotion } from '../promote/run';
import { attachWorld } from '../sim/sdk';
import { SimulatedTarget } from '../simulated-target';
import { Paint, Progress } from '../ui';
import { Cli, CommonOptions, UsageError } from './context';
import { addCommon, intIn } from './options';

export interface PromoteKeysOptions extends CommonOptions {
  execute?: boolean;
  yes?: boolean;
  timeout: number;
  reportDir: string;
  simCaller?: string;
}

const stsArn = (raw: string): string => {
  if (!/^arn:aws[\w-]*:(sts::\d{12}:assumed-role\/[^/]+\/.+|iam::\d{12}:(user|root|role)\b.*)$/.test(raw)) {
    throw new InvalidArgumentError(
      `--sim-caller must be a caller ARN as STS GetCallerIdentity reports it, e.g. arn:aws:sts::111111111111:assumed-role/WalletOperator/alice; received ${JSON.stringify(raw)}.`,
    );
  }
  return raw;
};

/** The break-glass role's session ARN (what STS reports after `aws sts assume-role`): the simulated default. */
export function breakGlassSessionArn(config: WalletConfig, session = 'promote-keys-rehearsal'): string {
  const m = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(config.security.breakGlassRoleArn)!;
  return `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${session}`;
}

/** The environment's running FIS experiments in both regions (the chaos command's own rule, lib/drill/chaos/run.ts). */
async function runningExperiments(fis: FisApi, config: WalletConfig): Promise<Read<readonly string[]>> {
  const running: string[] = [];
  for (const region of [...new Set([config.regions.primary, config.regions.standby])]) {
    try {
      const ours = new Set(
        (await fis.listExperimentTemplates(region))
          .filter((t) => t.tags[EXPERIMENT_TAGS.environment] === config.envName)
          .map((t) => t.id),
      );
      for (const e of await fis.listExperiments(region)) {
        if (!ACTIVE_STATUSES.includes(e.status)) continue;
        if (e.tags[EXPERIMENT_TAGS.environment] === config.envName || ours.has(e.templateId)) {
          running.push(`${e.id} (${e.tags[EXPERIMENT_TAGS.experiment] ?? e.templateId}, ${e.status}, ${region})`);
        }
      }
    } catch (err) {
      const f = readFailure(err);
      return { ...f, error: `ListExperiments in ${region}: ${f.error}` };
    }
  }
  return { ok: true, value: running };
}

async function promoteKeysAction(cli: Cli, opts: PromoteKeysOptions): Promise<number> {
  const { io } = cli;
  const { p, pe, out, err } = cli.context(opts);
  if (opts.address !== undefined) {
    throw new UsageError(
      `--address does not apply to promote-keys: it derives every signing key's address from the key itself; received --address ${opts.address}. Drop it.`,
    );
  }
  if (opts.simCaller !== undefined && opts.target !== 'simulated') {
    throw new UsageError(
      `--sim-caller applies to --target simulated only; received --target ${opts.target}. On AWS the caller is whoever the credentials belong to.`,
    );
  }
  if (opts.execute && !opts.yes && io.stdin.isTTY !== true) {
    throw new UsageError(
      'refusing to promote keys without confirmation: stdin is not a terminal and --yes was not given. Add --yes to run unattended, or run it from a terminal.',
    );
  }
  const config = cli.loadConfig(opts);
  // The rehearsal runs after a failover: the lease and the traffic are in the standby already.
  const target = cli.makeTarget(opts, config, 'standby');
  let clients: DrillClients;
  let fis: FisApi;
  if (target instanceof SimulatedTarget) {
    const world = target.world;
    world.callerArn = opts.simCaller ?? breakGlassSessionArn(config);
    clients = createDrillClients({
      credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
      defaultRegion: world.callerRegion,
      decorate: (client, service, region) => attachWorld(client, service, region, world),
      breakGlass: true,
    });
    fis = simulatedFisApi(world, clients.calls);
  } else {
    const endpoint = opts.endpoint ?? io.awsClients?.endpoint;
    clients = createDrillClients({
      ...io.awsClients,
      ...(endpoint === undefined ? {} : { endpoint }),
      breakGlass: true,
    });
    const sts = clients.sts;
    fis = fisApi(
      awsFisSend({
        endpoint,
        credentials: async () => {
          const c = await sts.config.credentials();
          return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
        },
      }),
      clients.calls,
    );
  }
  const admin: KeyAdmin = kmsKeyAdmin(clients);
  const progress = new Progress(io.stderr, pe, !opts.json);
  const abort = new AbortController();
  const off = io.onInterrupt(() => {
    progress.line(
      pe.yellow('Ctrl-C: no further request is sent; stopping the wait (an accepted update still completes).'),
    );
    abort.abort();
  });
  let record;
  try {
    record = await runPromotion({
      config,
      admin,
      clock: target.clock,
      target: opts.target,
      ...(opts.target === 'simulated' ? { scenario: opts.scenario ?? 'planned-drill' } : {}),
      execute: opts.execute === true,
      experiments: () => runningExperiments(fis, config),
      keys: PROMOTABLE_KEYS,
      timeoutSeconds: opts.timeout,
      pollSeconds: opts.poll,
      signal: abort.signal,
      onProgress: (line) => progress.line(pe.dim(line)),
      confirm: opts.yes
        ? undefined
        : (work) =>
            confirm(
              cli,
              config,
              work.map((k) => k.name),
              pe,
            ),
    });
  } finally {
    progress.done();
    off();
  }
  const reports = writePromotionReports(record, path.resolve(io.cwd, opts.reportDir));
  if (opts.json) {
    out(JSON.stringify({ command: 'promote-keys', ...record, reports }, null, 2));
    if (record.manualSteps.length > 0) err(['MANUAL ACTION NEEDED:', ...record.manualSteps].join('\n'));
  } else {
    out(formatPromotion(record, p));
    out(p.dim(`Reports: ${reports.markdown}\n         ${reports.json}`));
  }
  return record.exitCode;
}

async function confirm(cli: Cli, config: WalletConfig, keys: readonly string[], p: Paint): Promise<boolean> {
  const { io } = cli;
  const rl = createInterface({ input: io.stdin, terminal: false });
  io.stderr.write(
    `${p.bold(`This makes ${config.regions.standby} the primary region of the ${keys.join(', ')} key(s) (kms:UpdatePrimaryRegion); ${config.regions.primary} keeps replicas.`)}\nType the environment name (${config.envName}) to go ahead, anything else cancels: `,
  );
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', (line) => resolve(line.trim()));
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer === config.envName;
}

/** `wallet-drill promote-keys` (dry run without --execute): lib/drill/promote/. */
export function registerPromoteKeys(program: Command, cli: Cli): void {
  addCommon(program.command('promote-keys'))
    .description(
      'break-glass: make the standby region the primary region of every wallet multi-Region KMS key (kms:UpdatePrimaryRegion), keeping the same address; pre-checks, plan, wait and verify (dry run without --execute)',
    )
    .option('--execute', 'send UpdatePrimaryRegion: without it only the pre-checks and the plan run')
    .option('-y, --yes', 'do not ask for confirmation (required without a TTY)')
    .option(
      '--timeout <seconds>',
      'how long to wait for each key to show its new primary',
      intIn('--timeout', 1, 3600),
      120,
    )
    .option('--report-dir <dir>', 'where the JSON and Markdown reports go', 'drill-reports')
    .option(
      '--sim-caller <arn>',
      'simulated target only: the caller STS reports (default: a session of security.breakGlassRoleArn)',
      stsArn,
    )
    .addHelpText(
      'after',
      `\nRun it as the break-glass role (security.breakGlassRoleArn): any other caller is refused (exit 1) with how to assume it.\nKMS takes UpdatePrimaryRegion only in the CURRENT primary region: while that region's KMS does not answer, the run is refused\nand the replicas keep signing without promotion. See docs/runbooks/key-recovery.md.\n\nExamples:\n  wallet-drill promote-keys --target simulated                          # dry run\n  wallet-drill promote-keys --execute --yes --target simulated --json\n  wallet-drill promote-keys --target simulated --sim-caller arn:aws:sts::111111111111:assumed-role/WalletOperator/me   # refused\n\n${EXIT_CODE_HELP}`,
    )
    .action(cli.guarded(async (opts: PromoteKeysOptions) => promoteKeysAction(cli, opts)) as never);
}
