import { Command, CommanderError, Option } from 'commander';
import type { ApprovalView } from '../../contract/approvals';
import {
  ApiAnswer,
  ApiUnavailableError,
  approvalClient,
  ApprovalClient,
  CredentialsProvider,
  defaultCredentials,
} from './approve-client';

/**
 * `wallet-approve`: two-person approval of withdrawals the spending policy holds in
 * `pending-approval` (docs/runbooks/approvals.md). list, show, approve, reject, each a SigV4 call to
 * the wallet API's IAM-authorized approval routes with the caller's own AWS identity: the API, not
 * this CLI, decides who the caller is, and refuses the initiator, a second approval by the same
 * principal, and any decision on an expired, rejected, queued or signed request.
 */
export const APPROVE_EXIT = {
  /** Done: listed, shown, or the decision recorded. */
  ok: 0,
  /** Refused by the API (403, 404, 409): not allowed for you, not found, or not open for approval. Nothing recorded. */
  refused: 1,
  /** Bad usage: unknown command or option, a missing or invalid value (also a 400 from the API). Nothing recorded. */
  usage: 2,
  /** The API could not be reached or failed (network, credentials, 5xx): the decision may not be recorded; `show` tells. */
  unavailable: 3,
} as const;

export const APPROVE_EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  refused by the API (not allowed for you, not found, or not open for approval); nothing recorded',
  '  2  bad usage (unknown option, missing or invalid value); nothing recorded',
  '  3  API unreachable or failing (network, credentials, 5xx); run `show` to see whether it was recorded',
].join('\n');

export interface ApproveIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default the SDK's default credential chain */
  readonly credentials?: CredentialsProvider;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

interface Common {
  apiUrl?: string;
  region?: string;
  json?: boolean;
}

class UsageError extends Error {}
class RefusedError extends Error {
  constructor(
    message: string,
    readonly answer: ApiAnswer,
  ) {
    super(message);
  }
}

const TX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HASH = /^[0-9a-f]{64}$/;

function formatView(v: ApprovalView): string {
  const eth = (wei: string) => `${wei} wei`;
  return [
    `${v.walletId}/${v.txId}  ${v.status}`,
    `  amount:        ${eth(v.value)}`,
    `  destination:   ${v.to}`,
    `  from:          ${v.from} (chain ${v.chainId})`,
    `  fee cap:       ${eth(v.feeCapWei)} (gasLimit ${v.gasLimit} x maxFeePerGas ${v.maxFeePerGas}; priority ${v.maxPriorityFeePerGas})`,
    ...(v.data !== undefined ? [`  call data:     ${v.data}`] : []),
    `  initiator:     ${v.initiator}`,
    `  created:       ${v.createdAt}`,
    `  expires:       ${v.expiresAt}`,
    `  why approval:  ${v.reasons.join('; ') || '-'}`,
    `  approvals:     ${v.approvals.length} of ${v.required}${v.approvals.map((a) => `\n                 ${a.principal} at ${a.at}`).join('')}`,
    ...(v.rejection !== undefined
      ? [`  rejected:      by ${v.rejection.principal} at ${v.rejection.at}: ${v.rejection.reason}`]
      : []),
    `  request hash:  ${v.requestHash}`,
  ].join('\n');
}

export async function runApprove(argv: readonly string[], io: ApproveIo): Promise<number> {
  let exitCode: number = APPROVE_EXIT.ok;
  let json = false;
  const out = (s: string): void => {
    io.stdout.write(`${s}\n`);
  };
  const program = new Command();
  program
    .name('wallet-approve')
    .description(
      'Two-person approval of held withdrawals: list, show, approve, reject. Calls the wallet API with your AWS identity (SigV4).',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `\n${APPROVE_EXIT_CODE_HELP}\n\nSee docs/runbooks/approvals.md.`)
    .hook('preAction', (_p, action) => {
      json = action.opts().json === true;
    });

  const common = (cmd: Command) =>
    cmd
      .addOption(
        new Option('--api-url <url>', 'the wallet API base URL, e.g. https://api.wallet.example.com').env(
          'WALLET_API_URL',
        ),
      )
      .option('--region <region>', 'the API region, for SigV4 (default: AWS_REGION)')
      .option('--json', 'machine-readable output');

  function client(opts: Common, problems: string[]): ApprovalClient {
    const apiUrl = opts.apiUrl ?? io.env.WALLET_API_URL;
    const region = opts.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    if (apiUrl === undefined) problems.push('no API URL: pass --api-url <https://...> or set WALLET_API_URL');
    else if (!/^https?:\/\//.test(apiUrl)) problems.push(`--api-url must be an http(s) URL; received ${apiUrl}`);
    if (region === undefined) problems.push('no region: pass --region <region> (the API region) or set AWS_REGION');
    if (problems.length > 0) {
      throw new UsageError(
        problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`,
      );
    }
    return approvalClient({
      apiUrl: apiUrl!,
      region: region!,
      credentials: io.credentials ?? defaultCredentials(region!),
      ...(io.fetch !== undefined ? { fetch: io.fetch } : {}),
    });
  }
  const ids = (walletId: string, txId: string, problems: string[]) => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(walletId))
      problems.push(`walletId must be 1-64 letters, digits, "-" or "_"; received ${walletId}`);
    if (!TX_ID.test(txId)) problems.push(`txId must be a lower-case UUID (from \`list\`); received ${txId}`);
  };
  const expectOk = (a: ApiAnswer): Record<string, unknown> => {
    if (a.status >= 200 && a.status < 300) return a.body;
    const err = (a.body.error ?? {}) as { code?: string; message?: string };
    const message = `${err.code ?? `HTTP ${a.status}`}: ${err.message ?? JSON.stringify(a.body)}`;
    if (a.status === 400) throw new UsageError(message);
    if (a.status === 403 || a.status === 404 || a.status === 409) throw new RefusedError(message, a);
    throw new ApiUnavailableError(message);
  };

  common(program.command('list').description('requests of a wallet waiting for approval'))
    .requiredOption('--wallet <walletId>', 'the wallet')
    .action(async (opts: Common & { wallet: string }) => {
      const body = expectOk(await client(opts, []).list(opts.wallet));
      const pending = (body.pending ?? []) as ApprovalView[];
      if (json) return out(JSON.stringify(body, null, 2));
      if (pending.length === 0) return out(`no request of ${opts.wallet} is waiting for approval`);
      for (const v of pending) {
        out(
          `${v.txId}  ${v.value} wei -> ${v.to}  approvals ${v.approvals.length}/${v.required}  expires ${v.expiresAt}  by ${v.initiator}`,
        );
      }
    });

  common(program.command('show').description('everything an approver must see before deciding'))
    .argument('<walletId>')
    .argument('<txId>')
    .action(async (walletId: string, txId: string, opts: Common) => {
      const problems: string[] = [];
      ids(walletId, txId, problems);
      const body = expectOk(await client(opts, problems).show(walletId, txId));
      out(json ? JSON.stringify(body, null, 2) : formatView(body as unknown as ApprovalView));
    });

  const decision = (name: 'approve' | 'reject') =>
    common(
      program
        .command(name)
        .description(
          name === 'approve'
            ? 'approve exactly the request you were shown (its --request-hash from `show`)'
            : 'reject the request (it ends there); --reason is audited',
        ),
    )
      .argument('<walletId>')
      .argument('<txId>')
      .option('--request-hash <hash>', 'the request hash `show` printed: the decision applies to exactly that request')
      .option('--reason <text>', name === 'approve' ? 'why (audited)' : 'why (required, audited)')
      .action(async (walletId: string, txId: string, opts: Common & { requestHash?: string; reason?: string }) => {
        const problems: string[] = [];
        ids(walletId, txId, problems);
        if (opts.requestHash === undefined || !HASH.test(opts.requestHash)) {
          problems.push(
            `--request-hash must be the 64-hex-digit hash \`wallet-approve show ${walletId} ${txId}\` printed; received ${opts.requestHash ?? 'nothing'}`,
          );
        }
        if (name === 'reject' && (opts.reason === undefined || opts.reason.trim() === '')) {
          problems.push('--reason is required to reject (it is audited); received nothing');
        }
        const api = client(opts, problems);
        const body = expectOk(
          await api.decide(walletId, txId, {
            decision: name,
            requestHash: opts.requestHash!,
            ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
          }),
        );
        if (json) return out(JSON.stringify(body, null, 2));
        const view = body.view as ApprovalView;
        out(
          name === 'approve'
            ? `approved: ${walletId}/${txId} now ${String(body.status)} (${String(body.approvals)} of ${String(body.required)} approvals)`
            : `rejected: ${walletId}/${txId} is ${String(body.status)}`,
        );
        out(formatView(view));
      });
  decision('approve');
  decision('reject');

  const fail = (code: number, kind: string, e: Error, extra: Record<string, unknown> = {}) => {
    if (json) out(JSON.stringify({ error: kind, message: e.message, ...extra }, null, 2));
    io.stderr.write(`wallet-approve: ${e.message}\n`);
    return code;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version')
        return APPROVE_EXIT.ok;
      return APPROVE_EXIT.usage;
    }
    if (e instanceof UsageError) return fail(APPROVE_EXIT.usage, 'usage', e);
    if (e instanceof RefusedError)
      return fail(APPROVE_EXIT.refused, 'refused', e, { status: e.answer.status, answer: e.answer.body });
    if (e instanceof ApiUnavailableError) return fail(APPROVE_EXIT.unavailable, 'unavailable', e);
    exitCode = APPROVE_EXIT.unavailable;
    io.stderr.write(`wallet-approve: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return exitCode;
  }
}
