import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { WalletConfig } from '../config/schema';
import { loadConfigFile, resolveConfigPath } from '../config/load';
import { ConfigError } from '../config/validate';
import { statusDomainName, WebhookKind } from '../contract/status';
import type { DrillRecord } from '../drill/record';
import { settingsFromConfig } from '../drill/settings';
import { pageWeightBytes, renderSite } from './documents';
import {
  attachPostmortem,
  Change,
  findIncident,
  openIncident,
  publishIncident,
  resolveIncident,
  updateIncident,
  Who,
} from './incidents';
import {
  componentStates,
  initialState,
  isOpen,
  overallStatus,
  PageInfo,
  parseAffected,
  StatusInputError,
  StatusState,
} from './model';
import { describeNotifications } from './notify';
import { draftDrillPostmortem, draftPostmortem } from './postmortem';
import { commitChange, Notifier } from './publish';
import { RENDER_SCENARIOS, RenderScenario, scenarioState } from './scenarios';
import { DirectoryStatusReplica, ReplicaUnavailableError, StatusReplica } from './store';
import { INCIDENT_STATES, IncidentState } from '../contract/status';
import { parseScenario } from './templates';
import { AwsStatusTargetOptions, awsStatusTarget, AwsTargetUsageError, StatusCredentialsError } from './aws-target';

/**
 * `wallet-status`: the operator's side of the status page. Every change names who and why (audited
 * in the state and as one object per change), `--dry-run` shows exactly what the page and every
 * subscriber channel would get and writes nothing.
 */

export const STATUS_EXIT = {
  ok: 0,
  /** The change was refused (unknown incident, component or state, missing placeholder value, bad secret). Nothing was written. */
  refused: 1,
  /** Bad usage: unknown command or option, invalid config. Nothing was written. */
  usage: 2,
  /** No status replica answered (both buckets unreachable). Nothing was written. */
  unavailable: 3,
} as const;

export const STATUS_USAGE = `Usage: wallet-status <command> [options]

Commands:
  render --scenario <${RENDER_SCENARIOS.join('|')}> --out <dir>
                          render a sample site offline (no AWS)
  list                    incidents, newest first, with their state and whether published
  open --scenario <s> --reason <why> [--component id=state ...] [--message <text>] [--started-at <iso>] [--draft]
  update <id> --status <${['investigating', 'identified', 'monitoring'].join('|')}> --message <text> --reason <why> [--component id=state ...]
  resolve <id> --reason <why> [--message <text>]
  publish <id> --reason <why>      publish a drafted incident (notify-only mode drafts them)
  preview [<id>]                   what the page shows now, and what publishing <id> would send
  postmortem <id | drill-record.json> [--out <file>]     draft Markdown (TODO items for a human)
  postmortem <id> --publish <file> --reason <why>        attach a completed postmortem to the incident

Options:
  -c, --config <name|path>  config (default config/example.json)
  --target <local|aws>      local: a directory (offline rehearsal; the default); aws: both regions' status buckets
  --state-dir <dir>         the local target's directory (default status-local)
  --bucket <region>=<name>  aws: a status bucket other than the stack's name (repeatable)
  --topic-arn <arn>         aws: the subscribers' topic (default: the status stack's, in --notify-region)
  --webhook-queue-url <url> aws: the webhook queue (default: the status stack's, in --notify-region)
  --notify-region <region>  aws: the wallet region whose topic and queue notify (default: the primary)
  --actor <who>             who makes the change (default: operator:<USER>)
  --dry-run                 show what the page and subscribers would get; write nothing
  --json                    machine-readable output
  -h, --help                this text

Exit codes: 0 ok; 1 refused (what was wrong is printed; nothing written); 2 bad usage or config, or
no AWS credentials (--target aws; the message names the permissions needed); 3 no status replica answered.`;

export interface StatusIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  /** Client options for --target aws (tests: moto's endpoint and credentials). @default - AWS, the standard chain */
  readonly aws?: Pick<AwsStatusTargetOptions, 'endpoint' | 'credentials'>;
}

/** Where the CLI reads and writes: replicas and a notifier (tests and the AWS wiring pass their own). */
export interface StatusTarget {
  readonly replicas: readonly StatusReplica[];
  readonly notifier: Notifier;
  /** Checks every configured channel's secret before a change is published (throws StatusInputError). */
  readonly preflight?: () => Promise<void>;
  readonly webhooks: readonly WebhookKind[];
  /** Checks the target can be reached at all (credentials) before anything is read. */
  readonly ready?: () => Promise<void>;
}

export interface TargetArgs {
  readonly target?: string;
  readonly stateDir?: string;
  readonly buckets?: readonly string[];
  readonly topicArn?: string;
  readonly webhookQueueUrl?: string;
  readonly notifyRegion?: string;
}

export type TargetFactory = (config: WalletConfig, args: TargetArgs) => StatusTarget;

/** The default target: a local directory; notifications are printed, not sent. */
export const localTarget =
  (io: StatusIo): TargetFactory =>
  (config, args) => ({
    replicas: [new DirectoryStatusReplica(path.resolve(io.cwd, args.stateDir ?? 'status-local'))],
    notifier: {
      send: async (n) => io.stdout(`(local target: not sent)\n${describeNotifications(n, config.status.webhooks)}`),
    },
    webhooks: config.status.webhooks,
  });

/** The default factory: `--target local` (the default) or `--target aws` (lib/status/aws-target.ts). */
export const defaultTarget =
  (io: StatusIo): TargetFactory =>
  (config, args) => {
    if (args.target === undefined || args.target === 'local') {
      const awsOnly = (['buckets', 'topicArn', 'webhookQueueUrl', 'notifyRegion'] as const).filter(
        (k) => args[k] !== undefined,
      );
      if (awsOnly.length > 0)
        throw new UsageError(
          `${awsOnly.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/s$/, '')}`).join(', ')} applies to --target aws only; add --target aws, or drop it`,
        );
      return localTarget(io)(config, args);
    }
    if (args.target !== 'aws')
      throw new UsageError(`--target must be "local" or "aws"; received ${JSON.stringify(args.target)}`);
    if (args.stateDir !== undefined)
      throw new UsageError('--state-dir applies to the local target only; drop it, or drop --target aws');
    try {
      return awsStatusTarget(config, {
        ...(args.buckets ? { buckets: args.buckets } : {}),
        ...(args.topicArn ? { topicArn: args.topicArn } : {}),
        ...(args.webhookQueueUrl ? { webhookQueueUrl: args.webhookQueueUrl } : {}),
        ...(args.notifyRegion ? { notifyRegion: args.notifyRegion } : {}),
        ...io.aws,
      });
    } catch (err) {
      if (err instanceof AwsTargetUsageError) throw new UsageError(err.message);
      throw err;
    }
  };

export const pageInfo = (config: WalletConfig): PageInfo => ({
  id: config.envName,
  name: config.status.pageName ?? `${config.envName} wallet status`,
  url: `https://${statusDomainName(config.dns.zoneName)}`,
  regions: { primary: config.regions.primary, standby: config.regions.standby },
});

class UsageError extends Error {}

export async function main(argv: readonly string[], io: StatusIo, makeTarget?: TargetFactory): Promise<number> {
  try {
    return await run(argv, io, makeTarget ?? defaultTarget(io));
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n\n${STATUS_USAGE}`);
      return STATUS_EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.stderr(err.message);
      return STATUS_EXIT.usage;
    }
    if (err instanceof StatusInputError) {
      io.stderr(`${err.message}\nNothing was written.`);
      return STATUS_EXIT.refused;
    }
    if (err instanceof StatusCredentialsError) {
      io.stderr(`${err.message}\nNothing was written.`);
      return STATUS_EXIT.usage;
    }
    if (err instanceof ReplicaUnavailableError) {
      io.stderr(`${err.message}\nNothing was written. Check the status buckets' regions and your credentials.`);
      return STATUS_EXIT.unavailable;
    }
    throw err;
  }
}

async function run(argv: readonly string[], io: StatusIo, makeTarget: TargetFactory): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        'state-dir': { type: 'string' },
        target: { type: 'string' },
        bucket: { type: 'string', multiple: true },
        'topic-arn': { type: 'string' },
        'webhook-queue-url': { type: 'string' },
        'notify-region': { type: 'string' },
        scenario: { type: 'string' },
        out: { type: 'string' },
        reason: { type: 'string' },
        actor: { type: 'string' },
        component: { type: 'string', multiple: true },
        message: { type: 'string' },
        status: { type: 'string' },
        'started-at': { type: 'string' },
        draft: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        publish: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [command, arg] = positionals;
  if (v.help || command === undefined) {
    io.stdout(STATUS_USAGE);
    return command === undefined && !v.help ? STATUS_EXIT.usage : STATUS_EXIT.ok;
  }
  const config = loadConfigFile(resolveConfigPath(v.config, io.cwd));
  const settings = settingsFromConfig(config);
  const page = pageInfo(config);

  if (command === 'render') {
    if (v.scenario === undefined || v.out === undefined)
      throw new UsageError('render needs --scenario <name> and --out <dir>');
    if (!(RENDER_SCENARIOS as readonly string[]).includes(v.scenario)) {
      throw new StatusInputError([
        `unknown scenario ${JSON.stringify(v.scenario)}; use one of ${RENDER_SCENARIOS.join(', ')}`,
      ]);
    }
    const docs = renderSite(scenarioState(v.scenario as RenderScenario, page, settings));
    const out = path.resolve(io.cwd, v.out);
    for (const d of docs) {
      mkdirSync(path.dirname(path.join(out, d.path)), { recursive: true });
      writeFileSync(path.join(out, d.path), d.body);
    }
    io.stdout(
      `rendered ${v.scenario}: ${docs.length} documents in ${out}; page weight ${pageWeightBytes(docs)} bytes (index.html + status.css)`,
    );
    return STATUS_EXIT.ok;
  }

  const target = makeTarget(config, {
    ...(v.target !== undefined ? { target: v.target } : {}),
    ...(v['state-dir'] !== undefined ? { stateDir: v['state-dir'] } : {}),
    ...(v.bucket !== undefined ? { buckets: v.bucket } : {}),
    ...(v['topic-arn'] !== undefined ? { topicArn: v['topic-arn'] } : {}),
    ...(v['webhook-queue-url'] !== undefined ? { webhookQueueUrl: v['webhook-queue-url'] } : {}),
    ...(v['notify-region'] !== undefined ? { notifyRegion: v['notify-region'] } : {}),
  });
  await target.ready?.();
  const now = io.now().toISOString();
  const who = (): Who => {
    if (v.reason === undefined)
      throw new StatusInputError(['--reason is required: say why (it is audited with your name)']);
    return { actor: v.actor ?? `operator:${io.env.USER ?? 'unknown'}`, reason: v.reason, now };
  };
  const initial = () => initialState(page, now);
  const load = async (): Promise<StatusState> => {
    const states = await Promise.allSettled(target.replicas.map((r) => r.readState()));
    const ok = states.flatMap((s) => (s.status === 'fulfilled' && s.value.state !== undefined ? [s.value.state] : []));
    if (ok.length === 0 && states.every((s) => s.status === 'rejected'))
      throw (states[0] as PromiseRejectedResult).reason;
    return ok.sort((a, b) => b.revision - a.revision)[0] ?? initial();
  };
  const mutate = async (change: (s: StatusState) => Change, publishes: boolean): Promise<number> => {
    if (publishes && !v['dry-run'] && target.preflight) await target.preflight();
    const result = await commitChange(target.replicas, initial, change, target.notifier, {
      dryRun: v['dry-run'] ?? false,
      key: `cli-${now}`,
      now: io.now,
    });
    const overall = overallStatus(componentStates(result.state));
    if (v.json) {
      io.stdout(
        JSON.stringify({
          dryRun: v['dry-run'] ?? false,
          changed: result.changed,
          overall,
          notifications: result.notifications,
          unavailable: result.unavailable,
        }),
      );
    } else {
      io.stdout(
        `${v['dry-run'] ? 'DRY RUN (nothing written): ' : ''}page: ${overall.description} (${overall.indicator})`,
      );
      const states = componentStates(result.state);
      io.stdout(
        Object.entries(states)
          .map(([id, s]) => `  ${id}: ${s}`)
          .join('\n'),
      );
      io.stdout(describeNotifications(v['dry-run'] ? result.notifications : [], target.webhooks));
      if (result.unavailable.length > 0)
        io.stderr(
          `warning: not written to ${result.unavailable.join(', ')} (unavailable); it catches up on the next change`,
        );
    }
    return STATUS_EXIT.ok;
  };
  const affected = v.component === undefined ? undefined : parseAffected(v.component);

  switch (command) {
    case 'list': {
      const state = await load();
      const rows = [...state.incidents].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      if (v.json)
        io.stdout(
          JSON.stringify(
            rows.map((i) => ({ id: i.id, name: i.name, status: i.status, published: i.published, drill: i.drill })),
          ),
        );
      else {
        io.stdout(
          rows.length === 0
            ? 'no incidents'
            : rows
                .map(
                  (i) =>
                    `${i.id}  ${i.status.padEnd(13)} ${i.published ? 'published' : 'DRAFT    '} ${i.drill ? '[drill] ' : ''}${i.name}`,
                )
                .join('\n'),
        );
      }
      return STATUS_EXIT.ok;
    }
    case 'open': {
      if (v.scenario === undefined) throw new UsageError('open needs --scenario <name>');
      const scenario = parseScenario(v.scenario);
      const w = who();
      return mutate(
        (s) =>
          openIncident(
            s,
            {
              scenario,
              settings,
              publish: !v.draft,
              ...(affected ? { affected } : {}),
              ...(v.message ? { body: v.message } : {}),
              ...(v['started-at'] ? { startedAt: v['started-at'] } : {}),
            },
            w,
          ),
        !v.draft,
      );
    }
    case 'update': {
      if (arg === undefined || v.status === undefined || v.message === undefined)
        throw new UsageError('update needs <id> --status <state> --message <text>');
      if (!(INCIDENT_STATES as readonly string[]).includes(v.status)) {
        throw new StatusInputError([
          `unknown incident state ${JSON.stringify(v.status)}; use investigating, identified or monitoring (resolve with \`resolve\`)`,
        ]);
      }
      const w = who();
      return mutate(
        (s) =>
          updateIncident(
            s,
            { id: arg, status: v.status as IncidentState, body: v.message!, ...(affected ? { affected } : {}) },
            w,
          ),
        true,
      );
    }
    case 'resolve': {
      if (arg === undefined) throw new UsageError('resolve needs <id>');
      const w = who();
      return mutate((s) => resolveIncident(s, arg, v.message, w), true);
    }
    case 'publish': {
      if (arg === undefined) throw new UsageError('publish needs <id>');
      const w = who();
      return mutate((s) => publishIncident(s, arg, w), true);
    }
    case 'preview': {
      const state = await load();
      const overall = overallStatus(componentStates(state));
      io.stdout(
        `page now: ${overall.description} (${overall.indicator}); open incidents: ${
          state.incidents
            .filter(isOpen)
            .map((i) => `${i.id}${i.published ? '' : ' (draft)'}`)
            .join(', ') || 'none'
        }`,
      );
      if (arg === undefined) return STATUS_EXIT.ok;
      const incident = findIncident(state, arg);
      const change = incident.published
        ? { state, notifications: [] }
        : publishIncident(state, arg, {
            actor: v.actor ?? `operator:${io.env.USER ?? 'unknown'}`,
            reason: 'preview',
            now,
          });
      const after = overallStatus(componentStates(change.state));
      io.stdout(`publishing ${arg} would show: ${after.description} (${after.indicator})`);
      io.stdout(describeNotifications(change.notifications, target.webhooks));
      return STATUS_EXIT.ok;
    }
    case 'postmortem': {
      if (arg === undefined) throw new UsageError('postmortem needs <incident id> or <drill record .json>');
      if (v.publish !== undefined) {
        const file = path.resolve(io.cwd, v.publish);
        if (!existsSync(file)) throw new StatusInputError([`postmortem file ${file} does not exist`]);
        const markdown = readFileSync(file, 'utf8');
        const w = who();
        return mutate((s) => attachPostmortem(s, arg, markdown, w), true);
      }
      let markdown: string;
      if (arg.endsWith('.json')) {
        const file = path.resolve(io.cwd, arg);
        if (!existsSync(file)) throw new StatusInputError([`drill record ${file} does not exist`]);
        const record = JSON.parse(readFileSync(file, 'utf8')) as DrillRecord;
        if (record.tool !== 'wallet-drill')
          throw new StatusInputError([
            `${file} is not a wallet-drill record (its "tool" is ${JSON.stringify(record.tool)})`,
          ]);
        markdown = draftDrillPostmortem(record);
      } else {
        const state = await load();
        findIncident(state, arg);
        markdown = draftPostmortem(state, arg);
      }
      if (v.out !== undefined) {
        writeFileSync(path.resolve(io.cwd, v.out), markdown);
        io.stdout(`postmortem draft written to ${v.out}; complete the TODO items, then publish it with --publish`);
      } else io.stdout(markdown);
      return STATUS_EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
