import { Command, InvalidArgumentError } from 'commander';
import { findNonceGaps } from '../gaps';
import { OPS_EXIT } from '../exit-codes';
import { OpsCli, OpsOptions } from './context';
import { addCommon } from './options';

const nonce = (raw: string): number => {
  if (!/^(0|[1-9][0-9]*)$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`--from must be a whole number (a nonce); received ${JSON.stringify(raw)}.`);
  }
  return Number(raw);
};

const ADVICE: Record<string, string> = {
  missing: 'wallet-ops fill-gap',
  'unsigned-void': 'wallet-ops fill-gap (signs the reserved void again)',
  'cancelled-tx': 'wallet-ops fill-gap (replaces the cancelled reservation with a void)',
  'quarantined-tx': 'resolve it first (wallet-ops resolve / cancel), then fill-gap if cancelled',
};

/** `wallet-ops gaps`: nonces handed out that nothing the chain can mine holds (lib/operator/gaps.ts). */
export function registerGaps(program: Command, cli: OpsCli): void {
  addCommon(program.command('gaps'))
    .description('list nonce gaps of the address: each stalls every later withdrawal on chain (read-only)')
    .option('--from <nonce>', "look from this nonce (the chain's confirmed nonce)", nonce, 0)
    .action(
      cli.guarded(async (opts: OpsOptions & { from: number }) => {
        const s = cli.session(opts);
        const gaps = await findNonceGaps(s.store, s.address, { from: opts.from });
        if (s.json) {
          s.out(
            JSON.stringify({ command: 'gaps', region: s.region, address: s.address, from: opts.from, gaps }, null, 2),
          );
        } else {
          s.out(
            [
              `Nonce gaps of ${s.address} from ${opts.from} (read in ${s.region}): ${gaps.length}`,
              ...gaps.map(
                (g) =>
                  `  nonce ${g.nonce}  ${g.kind}${g.owner !== undefined ? ` (${g.owner})` : ''}  -> ${ADVICE[g.kind]}`,
              ),
            ].join('\n'),
          );
        }
        return OPS_EXIT.ok;
      }) as never,
    );
}
