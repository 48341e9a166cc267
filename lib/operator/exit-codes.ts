/** wallet-ops exit codes: the drill's conventions (lib/drill/exit-codes.ts), a contract for scripts. */
export const OPS_EXIT = {
  /** Done (or, with --dry-run, planned). */
  ok: 0,
  /** Refused: this region does not hold the lease, the item is not in a state the command acts on, or it changed meanwhile. */
  refused: 1,
  /** Bad usage: unknown command or option, an invalid value, an invalid config. Nothing was changed. */
  usage: 2,
} as const;

export const OPS_EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  ok (with --dry-run: planned, nothing changed)',
  '  1  refused: not the lease holder, wrong state, or changed meanwhile; nothing changed',
  '  2  bad usage (unknown option, invalid value or config); nothing changed',
].join('\n');
