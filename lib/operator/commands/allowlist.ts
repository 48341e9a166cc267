import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { loadConfigFile, resolveConfigPath } from '../../config/load';
import { ledgerTableName } from '../../contract/names';
import { type AllowlistEntry, onCallTopicArn } from '../../contract/policy';
import type { AllowlistPort } from '../allowlist-port';
import { OPS_EXIT } from '../exit-codes';
import { OpsCli, OpsRefusedError, OpsUsageError } from './context';

/**
 * `wallet-ops allowlist list|add|remove` (docs/spending-policy.md, docs/runbooks/wallet-ops.md): the
 * destination allowlist of a wallet. An added destination is usable only after the config's time lock
 * (`spending.allowlistTimeLockHours`, default 48 h); a removal takes effect at once. Every change is
 * written with the caller's AWS identity (STS GetCallerIdentity: no `--actor`, the identity is the
 * authentication), audited in the ledger and published on the region's on-call topic.
 *
 * The allowlist is wallet data, not signing state: no lease is needed (a removal must work from
 * either region during an incident). Under MREC a change shows in the other region after replication.
 */
interface AllowlistOptions {
  config?: string;
  region?: string;
  wallet?: string;
  destination?: string;
  label?: string;
  reason?: string;
  endpoint?: string;
  json?: boolean;
  dryRun?: boolean;
}

const WALLET = /^[A-Za-z0-9_-]{1,64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

const partitionOf = (region: string) =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

export function registerAllowlist(program: Command, cli: OpsCli, port: AllowlistPort | undefined): void {
  const group = program
    .command('allowlist')
    .description('list, add or remove allowlisted destinations of a wallet (time-locked, audited, notified)');
  const common = (cmd: Command, needsDestination: boolean) => {
    cmd
      .option('-c, --config <name|path>', 'config file: a name under config/ or a path')
      .option(
        '--region <region>',
        'the region you act from (its ledger replica and on-call topic). Default: AWS_REGION',
      )
      .requiredOption('--wallet <walletId>', 'the wallet whose allowlist this is')
      .option('--endpoint <url>', 'send every AWS call to this endpoint (moto_server, LocalStack)')
      .option('--json', 'print one JSON document on stdout');
    if (needsDestination) {
      cmd
        .requiredOption('--destination <0xaddress>', 'the destination address')
        .option('--dry-run', 'print what would be done and change nothing');
    }
    return cmd;
  };

  const session = (opts: AllowlistOptions, extra: string[] = []) => {
    const problems = [...extra];
    const config = loadConfigFile(resolveConfigPath(opts.config, cli.io.cwd));
    const regions = [config.regions.primary, config.regions.standby];
    const region = opts.region ?? cli.io.env.AWS_REGION ?? cli.io.env.AWS_DEFAULT_REGION;
    if (region === undefined || !regions.includes(region)) {
      problems.push(
        `--region must be one of this config's regions (${regions.join(', ')}); received ${JSON.stringify(region)}`,
      );
    }
    if (!WALLET.test(opts.wallet ?? '')) {
      problems.push(`--wallet must be 1-64 letters, digits, '-' or '_'; received ${JSON.stringify(opts.wallet)}`);
    }
    if (opts.destination !== undefined && !ADDRESS.test(opts.destination)) {
      problems.push(`--destination must be 0x followed by 40 hex digits; received ${JSON.stringify(opts.destination)}`);
    }
    if (port === undefined) problems.push('this wallet-ops build has no allowlist store wired (bin/ops.ts wires it)');
    if (problems.length > 0) throw new OpsUsageError(problems);
    const options = cli.io.clientOptions ?? {};
    const base = {
      region: region as string,
      maxAttempts: 3,
      ...((opts.endpoint ?? options.endpoint) ? { endpoint: opts.endpoint ?? options.endpoint } : {}),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    };
    const store = {
      ddb: DynamoDBDocumentClient.from(new DynamoDBClient(base), { marshallOptions: { removeUndefinedValues: true } }),
      tableName: ledgerTableName(config.envName),
    };
    return {
      config,
      region: region as string,
      store,
      sts: new STSClient(base),
      sns: new SNSClient(base),
      topicArn: onCallTopicArn(partitionOf(region as string), region as string, config.account, config.envName),
      now: new Date((cli.io.now ?? Date.now)()),
      out: (o: AllowlistOptions, text: string[], doc: unknown) =>
        cli.io.stdout.write(o.json ? `${JSON.stringify(doc, null, 2)}\n` : `${text.join('\n')}\n`),
    };
  };

  type Session = ReturnType<typeof session>;

  const caller = async (s: Session): Promise<string> => {
    const id = await s.sts.send(new GetCallerIdentityCommand({}));
    if (id.Arn === undefined)
      throw new OpsRefusedError('refusing: STS GetCallerIdentity returned no ARN; nothing changed');
    return id.Arn;
  };

  /** Publishes the change on the on-call topic; a failure does not undo the (audited) change but is reported. */
  const notify = async (s: Session, subject: string, message: Record<string, unknown>) => {
    try {
      const res = await s.sns.send(
        new PublishCommand({
          TopicArn: s.topicArn,
          // SNS Subject: at most 100 printable ASCII characters (SNS Publish API).
          Subject: subject.replace(/[^\x20-\x7e]/g, '').slice(0, 100),
          Message: JSON.stringify(message, null, 2),
        }),
      );
      return { topicArn: s.topicArn, messageId: res.MessageId };
    } catch (err) {
      return { topicArn: s.topicArn, error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  const show = (e: AllowlistEntry, now: Date) =>
    `${e.address}  ${Date.parse(e.usableAt) <= now.getTime() ? 'usable' : `time-locked until ${e.usableAt}`}  added ${e.addedAt} by ${e.addedBy}${e.label ? `  (${e.label})` : ''}`;

  common(group.command('list'), false)
    .description('list the allowlist of a wallet, with what is usable now')
    .action((given: AllowlistOptions) =>
      // Commander passes the options; guarded turns the returned code into the exit code.
      cli.guarded(async (opts: AllowlistOptions) => {
        const s = session(opts);
        const entries = await port!.list(s.store, opts.wallet as string);
        s.out(
          opts,
          entries.length === 0 ? [`${opts.wallet}: no allowlisted destination`] : entries.map((e) => show(e, s.now)),
          {
            walletId: opts.wallet,
            entries: entries.map((e) => ({ ...e, usable: Date.parse(e.usableAt) <= s.now.getTime() })),
          },
        );
        return OPS_EXIT.ok;
      })(given as never),
    );

  common(group.command('add'), true)
    .description('add a destination; usable only after spending.allowlistTimeLockHours (default 48)')
    .option('--label <text>', 'what the destination is, e.g. "exchange deposit address"')
    .action((given: AllowlistOptions) =>
      // Commander passes the options; guarded turns the returned code into the exit code.
      cli.guarded(async (opts: AllowlistOptions) => {
        const s = session(opts);
        const timeLockHours = s.config.spending.allowlistTimeLockHours;
        const usableAt = new Date(s.now.getTime() + timeLockHours * 3600_000).toISOString();
        const actor = await caller(s);
        if (opts.dryRun) {
          s.out(
            opts,
            [
              `dry run: would add ${opts.destination?.toLowerCase()} to ${opts.wallet} as ${actor}, usable from ${usableAt} (${timeLockHours} h lock), audit it and notify ${s.topicArn}`,
            ],
            { dryRun: true, walletId: opts.wallet, address: opts.destination?.toLowerCase(), actor, usableAt },
          );
          return OPS_EXIT.ok;
        }
        const added = await port!
          .add(s.store, {
            walletId: opts.wallet as string,
            address: opts.destination as string,
            ...(opts.label !== undefined ? { label: opts.label } : {}),
            addedBy: actor,
            now: s.now,
            timeLockHours,
          })
          .catch((err: Error) => {
            throw err.name === 'AllowlistConflictError' ? new OpsRefusedError(`refusing: ${err.message}`) : err;
          });
        const notified = await notify(s, `Wallet ${opts.wallet}: allowlist destination added`, {
          change: 'add',
          ...added.entry,
          audit: added.audit,
          region: s.region,
        });
        s.out(
          opts,
          [
            `added ${added.entry.address} to ${opts.wallet}: usable from ${added.entry.usableAt}; audit ${added.audit.pk} ${added.audit.sk}`,
            notified.error === undefined
              ? `notified ${notified.topicArn}`
              : `NOT notified (${notified.error}): tell the on-call team yourself; the change stands`,
          ],
          { walletId: opts.wallet, entry: added.entry, audit: added.audit, notification: notified },
        );
        return notified.error === undefined ? OPS_EXIT.ok : OPS_EXIT.refused;
      })(given as never),
    );

  common(group.command('remove'), true)
    .description('remove a destination (effective at once)')
    .option('--reason <text>', 'why: goes into the audit record and the notification')
    .action((given: AllowlistOptions) =>
      // Commander passes the options; guarded turns the returned code into the exit code.
      cli.guarded(async (opts: AllowlistOptions) => {
        const s = session(
          opts,
          opts.reason === undefined || opts.reason.trim() === ''
            ? ['--reason is required: say why, e.g. --reason "exchange retired this deposit address (ticket 42)"']
            : [],
        );
        const actor = await caller(s);
        if (opts.dryRun) {
          s.out(
            opts,
            [
              `dry run: would remove ${opts.destination?.toLowerCase()} from ${opts.wallet} as ${actor}, audit it and notify ${s.topicArn}`,
            ],
            { dryRun: true, walletId: opts.wallet, address: opts.destination?.toLowerCase(), actor },
          );
          return OPS_EXIT.ok;
        }
        const removed = await port!
          .remove(s.store, {
            walletId: opts.wallet as string,
            address: opts.destination as string,
            removedBy: actor,
            now: s.now,
            reason: opts.reason as string,
          })
          .catch((err: Error) => {
            throw err.name === 'AllowlistConflictError' ? new OpsRefusedError(`refusing: ${err.message}`) : err;
          });
        const notified = await notify(s, `Wallet ${opts.wallet}: allowlist destination removed`, {
          change: 'remove',
          walletId: opts.wallet,
          address: removed.entry.address,
          removedBy: actor,
          reason: opts.reason,
          audit: removed.audit,
          region: s.region,
        });
        s.out(
          opts,
          [
            `removed ${removed.entry.address} from ${opts.wallet}; audit ${removed.audit.pk} ${removed.audit.sk}`,
            notified.error === undefined
              ? `notified ${notified.topicArn}`
              : `NOT notified (${notified.error}): tell the on-call team yourself; the change stands`,
          ],
          { walletId: opts.wallet, removed: removed.entry, audit: removed.audit, notification: notified },
        );
        return notified.error === undefined ? OPS_EXIT.ok : OPS_EXIT.refused;
      })(given as never),
    );
}
