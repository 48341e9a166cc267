import type { Invariant } from './types';

/**
 * What a drill or remediation step tells the operator is true: a step that reports "nothing was
 * changed" did not change anything (issue 15, scenario 6: a lost reply on the lease move was
 * reported as a refusal while the lease sat at the standby with the switch never thrown).
 */
export const reportsAreTrue: Invariant = {
  name: 'reports-are-true',
  description: 'no drill or remediation step reports "nothing was changed" after its own write applied',
  check(o) {
    return o.nothingChangedReports
      .filter((r) => r.ownMoveApplied)
      .map(
        (r) =>
          `${r.step} reported "nothing was changed", but its own move applied: the lease is at ${r.leaseNow.region}@${r.leaseNow.epoch} (moved by ${r.leaseNow.by}: ${r.leaseNow.reason})`,
      );
  },
};
