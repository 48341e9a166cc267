import type { Invariant } from './types';

/**
 * Every alarm transition delivered to remediation is decided by some invocation (its decision is
 * audited: failed over, refused with a reason, or paged), or its event sits in the function's
 * dead-letter queue after Lambda's retries: never answered "duplicate" with nobody having decided it.
 * That is how an invocation that takes its own claim, applied and its reply lost, for another's
 * silently skips an automatic failover (issue 15, scenario 7).
 */
export const everyAlarmDecided: Invariant = {
  name: 'every-alarm-decided',
  description:
    'every alarm transition delivered to remediation is decided (audited) by some invocation, or dead-lettered',
  check(o) {
    return [...o.transitions.entries()]
      .filter(([, t]) => !t.decided && !t.deadLettered)
      .map(
        ([id, t]) =>
          `alarm transition ${id} was delivered ${t.deliveries} time(s) and never decided (answers: ${t.verdicts.join(', ') || 'none'}): an automatic failover was silently skipped`,
      );
  },
};
