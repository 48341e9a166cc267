import { broadcastReachedNetwork } from './broadcast-reached-network';
import { every202Resolves } from './every-202-resolves';
import { everyAlarmDecided } from './every-alarm-decided';
import { intakeFenced } from './intake-fenced';
import { nonceReadAgreed } from './nonce-read-agreed';
import { noStaleNonceGap } from './no-stale-nonce-gap';
import type { Observations } from './observations';
import { oneSignerPerEpoch } from './one-signer-per-epoch';
import { oneTransactionPerKey } from './one-transaction-per-key';
import { reportsAreTrue } from './reports-are-true';
import { oneSweepInFlight } from './one-sweep-in-flight';
import { sweepByHolder } from './sweep-by-holder';
import { sweepToColdOnly } from './sweep-to-cold-only';
import { sweepWithinExcess } from './sweep-within-excess';
import type { Invariant } from './types';
import { withinSpendingPolicy } from './within-spending-policy';

/** The invariants every torture schedule is judged by (one per file, like lib/security/rules). */
export const INVARIANTS: readonly Invariant[] = [
  oneTransactionPerKey,
  every202Resolves,
  noStaleNonceGap,
  oneSignerPerEpoch,
  reportsAreTrue,
  intakeFenced,
  everyAlarmDecided,
  withinSpendingPolicy,
  nonceReadAgreed,
  broadcastReachedNetwork,
  sweepWithinExcess,
  oneSweepInFlight,
  sweepToColdOnly,
  sweepByHolder,
];

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
}

export function checkInvariants(observations: Observations): Violation[] {
  return INVARIANTS.flatMap((inv) => inv.check(observations).map((detail) => ({ invariant: inv.name, detail })));
}

export type { Invariant };
