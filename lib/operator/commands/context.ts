import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { loadConfigFile, resolveConfigPath } from '../../config/load';
import { WalletConfig } from '../../config/schema';
import { ledgerKeys, schemaStamp } from '../../contract/ledger';
import { ledgerTableName, signingDeadLetterQueueName, signingQueueName } from '../../contract/names';
import { Lease, LeaseStore, readLease } from '../../failover/lease';
import { createOpsClients, OpsClientOptions, OpsClients } from '../clients';
import { OPS_EXIT } from '../exit-codes';
import type { AllowlistPort } from '../allowlist-port';
import { OperatorLedger } from '../ports';

/** What wallet-ops needs from its process; bin/ops.ts passes the real ones, tests pass their own. */
export interface OpsIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The transaction operations (bin/ops-ledger.ts adapts lambda/shared). */
  readonly ledger: OperatorLedger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Options for the AWS clients (tests point them at moto_server). */
  readonly clientOptions?: OpsClientOptions;
  /** The allowlist store (bin/ops-ledger.ts adapts lambda/shared/policy/allowlist.ts). */
  readonly allowlist?: AllowlistPort;
}

/** A usage problem found after parsing: exit 2 with the message (every problem at once). */
export class OpsUsageError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? problems[0]
        : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'OpsUsageError';
  }
}

/** The command refused to act (not the lease holder, wrong state, changed meanwhile): exit 1. */
export class OpsRefusedError extends Error {
  constructor(
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OpsRefusedError';
  }
}

export interface OpsOptions {
  config?: string;
  region?: string;
  address: string;
  endpoint?: string;
  actor?: string;
  json?: boolean;
  dryRun?: boolean;
}

/** Everything a command needs once its options are parsed and the region is known. */
export interface OpsSession {
  readonly config: WalletConfig;
  /** The caller's region: the ledger replica it reads and (for mutations) must hold the lease. */
  readonly region: string;
  readonly address: string;
  readonly store: LeaseStore;
  readonly clients: OpsClients;
  readonly now: Date;
  readonly out: (s: string) => void;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly ledger: OperatorLedger;
  /** The signing queue (or its DLQ) URL of a region, by name (GetQueueUrl). */
  queueUrl(region: string, which: 'signing' | 'dead-letter'): Promise<string>;
}

export interface OpsCli {
  readonly io: OpsIo;
  /** Validates the common options; `problems` found in the command's own input are reported with them, at once. */
  session(opts: OpsOptions, problems?: readonly string[]): OpsSession;
  /** Wraps a command action so its returned number becomes the exit code. */
  guarded(fn: (...args: never[]) => Promise<number>): (...args: never[]) => Promise<void>;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function createOpsCli(io: OpsIo, setExitCode: (code: number) => void): OpsCli {
  const session = (opts: OpsOptions, inputProblems: readonly string[] = []): OpsSession => {
    const problems: string[] = [...inputProblems];
    const config = loadConfigFile(resolveConfigPath(opts.config, io.cwd));
    const regions = [config.regions.primary, config.regions.standby];
    const region = opts.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    if (region === undefined) {
      problems.push(
        `no region: pass --region <${regions.join('|')}> (the region you act from) or set AWS_REGION; received nothing`,
      );
    } else if (!regions.includes(region)) {
      problems.push(
        `--region must be one of this config's regions (${regions.join(', ')}); received ${JSON.stringify(region)}`,
      );
    }
    if (!ADDRESS.test(opts.address ?? '')) {
      problems.push(
        `--address must be the 0x-prefixed 20-byte signing address; received ${JSON.stringify(opts.address)}`,
      );
    }
    if (problems.length > 0) throw new OpsUsageError(problems);
    const clients = createOpsClients({
      ...io.clientOptions,
      ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
      defaultRegion: region,
    });
    const store = { ddb: clients.dynamodb(region as string), tableName: ledgerTableName(config.envName) };
    const urls = new Map<string, string>();
    return {
      config,
      region: region as string,
      address: opts.address.toLowerCase(),
      store,
      clients,
      now: new Date((io.now ?? Date.now)()),
      out: (s: string) => io.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
      json: opts.json === true,
      dryRun: opts.dryRun === true,
      ledger: io.ledger,
      queueUrl: async (r, which) => {
        const name =
          which === 'signing' ? signingQueueName(config.envName) : signingDeadLetterQueueName(config.envName);
        const key = `${r}/${name}`;
        let url = urls.get(key);
        if (url === undefined) {
          url = (await clients.sqs(r).send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
          urls.set(key, url);
        }
        return url;
      },
    };
  };
  const guarded =
    (fn: (...args: never[]) => Promise<number>) =>
    async (...args: never[]): Promise<void> => {
      setExitCode(await fn(...args));
    };
  return { io, session, guarded };
}

/**
 * Refuses unless the caller's region holds the lease of the address (read strongly consistent in
 * that region's replica). Every mutating command calls it first, dry run or not, so a dry run also
 * tells the operator they are in the wrong region.
 */
export async function requireLeaseHolder(s: OpsSession): Promise<Lease> {
  const lease = await readLease(s.store, s.address);
  if (lease === undefined) {
    throw new OpsRefusedError(
      `refusing: no lease exists for ${s.address} in ${s.region}'s ledger (${s.store.tableName}); check --address and --region`,
      { address: s.address, region: s.region },
    );
  }
  if (lease.activeRegion !== s.region) {
    throw new OpsRefusedError(
      `refusing: ${s.region} does not hold the lease for ${s.address}; it is held by ${lease.activeRegion} at epoch ${lease.epoch}. ` +
        `Run the command from the holder (--region ${lease.activeRegion}), or move the lease first (wallet-drill).`,
      { address: s.address, region: s.region, holder: lease.activeRegion, epoch: lease.epoch },
    );
  }
  return lease;
}

/** The caller: --actor, else the STS caller ARN (the same identity CloudTrail records). */
export async function resolveActor(s: OpsSession, given: string | undefined): Promise<string> {
  if (given !== undefined && given.trim() !== '') return given.trim();
  const id = await s.clients.sts.send(new GetCallerIdentityCommand({}));
  if (id.Arn === undefined)
    throw new OpsRefusedError('refusing: could not tell who you are (STS returned no ARN); pass --actor');
  return id.Arn;
}

/**
 * Writes the audit record of one operator command (who, when, what, at which epoch, and the result),
 * beside the region-control and lease audit records: `AUDIT#ops#<address>` / `<at>#<command>-<runId>`.
 * Never overwrites (a retried write after a lost reply that meets its own record is success).
 */
export async function writeOpsAudit(
  s: OpsSession,
  record: {
    readonly command: string;
    readonly actor: string;
    readonly epoch: number;
    readonly input: Record<string, unknown>;
    readonly result?: unknown;
    readonly error?: string;
  },
): Promise<{ pk: string; sk: string }> {
  const at = s.now.toISOString();
  const key = ledgerKeys.audit(`ops#${s.address}`, at, `${record.command}-${s.now.getTime().toString(36)}`);
  const item = {
    ...key,
    kind: 'operator-command',
    address: s.address,
    region: s.region,
    ...JSON.parse(JSON.stringify(record)),
    at,
    ...schemaStamp(),
  };
  try {
    await s.store.ddb.send(
      new PutCommand({ TableName: s.store.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
  }
  return key;
}

/**
 * The shape of every mutating command: lease check, actor, then either the plan (--dry-run: printed,
 * nothing written, not even an audit record) or the action and its audit record.
 */
export async function runMutation<R>(
  s: OpsSession,
  opts: { actor?: string },
  spec: {
    readonly command: string;
    readonly input: Record<string, unknown>;
    /** Reads only: what the command will do (its refusals are raised here, before anything changes). */
    plan(lease: Lease): Promise<string[]>;
    act(lease: Lease, actor: string): Promise<R>;
    describe(result: R): string[];
  },
): Promise<number> {
  const lease = await requireLeaseHolder(s);
  const actor = await resolveActor(s, opts.actor);
  const steps = await spec.plan(lease);
  const head = {
    command: spec.command,
    region: s.region,
    address: s.address,
    lease: { holder: lease.activeRegion, epoch: lease.epoch },
    actor,
  };
  if (s.dryRun) {
    s.out(
      s.json
        ? JSON.stringify({ ...head, dryRun: true, wouldDo: steps, changed: false }, null, 2)
        : [`DRY RUN: ${spec.command} (nothing was changed). It would:`, ...steps.map((x) => `  - ${x}`)].join('\n'),
    );
    return OPS_EXIT.ok;
  }
  let result: R;
  try {
    result = await spec.act(lease, actor);
  } catch (err) {
    await writeOpsAudit(s, {
      command: spec.command,
      actor,
      epoch: lease.epoch,
      input: spec.input,
      error: String((err as Error).message),
    });
    throw err;
  }
  const audit = await writeOpsAudit(s, { command: spec.command, actor, epoch: lease.epoch, input: spec.input, result });
  s.out(
    s.json
      ? JSON.stringify({ ...head, dryRun: false, did: steps, result, audit }, null, 2)
      : [...spec.describe(result), `Audit record: ${s.store.tableName} ${audit.pk} / ${audit.sk}`].join('\n'),
  );
  return OPS_EXIT.ok;
}
