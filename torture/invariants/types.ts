import type { Observations } from './observations';

/** One safety property checked after every schedule (torture/invariants/index.ts lists them). */
export interface Invariant {
  readonly name: string;
  /** What must hold, in one sentence. */
  readonly description: string;
  /** Every way the run broke it (empty: it held). */
  check(observations: Observations): string[];
}
