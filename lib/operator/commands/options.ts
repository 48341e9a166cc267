import { Command } from 'commander';

/** The options every wallet-ops command takes, and the checks of positional values. */
export function addCommon(cmd: Command, options: { mutating?: boolean } = {}): Command {
  cmd
    .option('-c, --config <name|path>', 'config file: a name under config/ or a path (same as `cdk -c config=`)')
    .option(
      '--region <region>',
      'the region you act from (its ledger replica; must hold the lease to change anything). Default: AWS_REGION',
    )
    .requiredOption('--address <0xaddress>', 'the signing address (the lease and nonces belong to it)')
    .option('--endpoint <url>', 'send every AWS call to this endpoint (moto_server, LocalStack)')
    .option('--json', 'print one JSON document on stdout');
  if (options.mutating) {
    cmd
      .option('--dry-run', 'print exactly what would be done and change nothing (no audit record either)')
      .option('--actor <name>', 'who acts, for the audit record (default: your STS caller ARN)');
  }
  return cmd;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Problems with a wallet id and a transaction id, as messages (the caller throws them all at once). */
export function idProblems(walletId: string, txId: string): string[] {
  const problems: string[] = [];
  if (!ID.test(walletId)) {
    problems.push(`<walletId> must be 1-64 letters, digits, '-' or '_'; received ${JSON.stringify(walletId)}`);
  }
  if (!ID.test(txId)) {
    problems.push(
      `<txId> must be 1-64 letters, digits, '-' or '_' (the txId the API returned); received ${JSON.stringify(txId)}`,
    );
  }
  return problems;
}

export function textProblem(name: string, value: string | undefined, example: string): string[] {
  return value === undefined || value.trim() === ''
    ? [
        `${name} is required and must not be empty (it goes into the audit record); received ${JSON.stringify(value ?? null)}. Example: ${name} "${example}"`,
      ]
    : [];
}

export const WHOLE = /^(0|[1-9][0-9]*)$/;
