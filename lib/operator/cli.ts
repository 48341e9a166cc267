import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/validate';
import { registerAllowlist } from './commands/allowlist';
import { registerBump } from './commands/bump';
import { registerCancel } from './commands/cancel';
import { createOpsCli, OpsIo, OpsRefusedError, OpsUsageError } from './commands/context';
import { registerFillGap } from './commands/fill-gap';
import { registerGaps } from './commands/gaps';
import { registerHandOff } from './commands/hand-off';
import { registerPrepareTopUp } from './commands/prepare-top-up';
import { registerQuarantine } from './commands/quarantine';
import { registerResolve } from './commands/resolve';
import { registerStuck } from './commands/stuck';
import { OPS_EXIT, OPS_EXIT_CODE_HELP } from './exit-codes';

export type { OpsIo } from './commands/context';

/**
 * wallet-ops, the operator commands for what the signer and reconciliation leave to a human: list
 * stuck and stranded requests and nonce gaps; quarantine, resolve, cancel; fill a gap; hand stranded
 * work to the lease holder; send a transaction stuck at the fee cap back to the signer (bump). Built like the drill (lib/drill/cli.ts): one module per command under
 * ./commands/, the exit code returned (tests drive it in-process), bin/ops.ts exits with it.
 * Every mutating command refuses unless the caller's region holds the lease, supports --dry-run and
 * writes an audit record in the ledger.
 */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  let exitCode: number = OPS_EXIT.ok;
  let json = false;
  const program = new Command();
  program
    .name('wallet-ops')
    .description(
      'Operator commands for stuck requests, quarantine, cancellations, nonce gaps and stranded work. Mutations are audited, need the lease in --region, and take --dry-run.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `\n${OPS_EXIT_CODE_HELP}\n\nSee docs/runbooks/wallet-ops.md.`)
    .hook('preAction', (_program, action) => {
      json = action.opts().json === true;
    });
  const cli = createOpsCli(io, (code) => {
    exitCode = code;
  });
  // Read-only first, then the mutations, in the order an operator meets them.
  registerStuck(program, cli);
  registerGaps(program, cli);
  registerQuarantine(program, cli);
  registerResolve(program, cli);
  registerCancel(program, cli);
  registerFillGap(program, cli);
  registerHandOff(program, cli);
  registerBump(program, cli);
  registerAllowlist(program, cli, io.allowlist);
  registerPrepareTopUp(program, cli);

  const fail = (code: number, kind: string, e: Error, extra: Record<string, unknown> = {}) => {
    if (json) io.stdout.write(`${JSON.stringify({ error: kind, message: e.message, ...extra }, null, 2)}\n`);
    io.stderr.write(`wallet-ops: ${e.message}\n`);
    return code;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version')
        return OPS_EXIT.ok;
      return OPS_EXIT.usage;
    }
    if (e instanceof OpsUsageError) return fail(OPS_EXIT.usage, 'usage', e, { problems: e.problems });
    if (e instanceof ConfigError) return fail(OPS_EXIT.usage, 'config', e);
    if (e instanceof OpsRefusedError) return fail(OPS_EXIT.refused, 'refused', e, e.details);
    io.stderr.write(`wallet-ops: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return OPS_EXIT.refused;
  }
}
