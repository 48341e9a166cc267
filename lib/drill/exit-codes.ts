/** The drill CLI's exit codes: a contract for scripts and CI (documented in --help and the runbook). */
export const EXIT = {
  /** Everything ran and every check or target passed. */
  ok: 0,
  /** A check failed: a pre-check refused the drill, a target was missed, or a phase was not observed. */
  checkFailed: 1,
  /** Bad usage: unknown command or option, an invalid value, an invalid config. Nothing was changed. */
  usage: 2,
  /** Aborted (Ctrl-C, phase timeout, guard) and everything the drill changed was put back and verified. */
  abortedRestored: 3,
  /** Aborted and NOT restored: manual action is needed; the manual steps are printed. */
  abortedNotRestored: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  ok: every check and target passed',
  '  1  a check failed (pre-check refused, target missed, phase not observed)',
  '  2  bad usage (unknown option, invalid value or config); nothing changed',
  '  3  aborted (Ctrl-C, phase timeout, guard) and restored',
  '  4  aborted and NOT restored: manual action needed (steps are printed)',
].join('\n');
