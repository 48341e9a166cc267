/**
 * The hot/cold sweep (issue 21; docs/spending-policy.md "Hot/cold"): names shared by the config
 * (lib/config/spending-cold.ts), the sweeper (lambda/sweeper/), `wallet-ops prepare-top-up` and the
 * docs. One definition each.
 */

/** A plain transfer (sweep or top-up): 21000 gas, no call data. */
export const SWEEP_GAS_LIMIT = '21000';

/** The sweeper's settings as one JSON environment variable (`SweeperSettings`). */
export const SWEEP_SETTINGS_ENV = 'WALLET_SWEEP_SETTINGS';

export interface SweeperSettings {
  /** Lower-case cold address. */
  readonly coldAddress: string;
  readonly floatCeilingWei: string;
  readonly minimumSweepWei: string;
  /** The cold-only wallet sweeps are requested on. */
  readonly sweepWalletId: string;
}

/**
 * The one sweep-control item per hot address (`SWEEP#<address>` / `CONTROL`): at most one sweep in
 * flight. Its compare-and-set rules are in lambda/sweeper/control.ts.
 */
export const sweepKeys = {
  control: (address: string) => ({ pk: `SWEEP#${address.toLowerCase()}`, sk: 'CONTROL' }),
} as const;

/** The idempotency key a sweep is submitted with: one sweep id, one transaction, however often it is retried. */
export const sweepIdempotencyKey = (sweepId: string): string => `sweep:${sweepId}`;

/** The caller recorded as the sweep's initiator (the API's `initiator` for a request it did not receive over HTTP). */
export const SWEEPER_INITIATOR = 'wallet-sweeper';

/** Metric namespace and names (Embedded Metric Format lines; dimension `Region`). */
export const sweepMetricNamespace = (envName: string): string => `Wallet/Sweep/${envName}`;
export const SWEEP_DIMENSIONS = { region: 'Region' } as const;
export const SWEEP_METRICS = {
  /** Wei above the ceiling after pending outgoing transactions (0 when at or below). Lease holder only. */
  excessWei: 'FloatExcessWei',
  /** 1 when the float is above its ceiling by at least the minimum sweep, else 0. */
  aboveCeiling: 'FloatAboveCeiling',
  /** 1 per sweep submitted through intake. */
  sweepsStarted: 'SweepsStarted',
  /** 1 per sweep that ended failed, cancelled, refused or rejected by intake. */
  sweepsFailed: 'SweepsFailed',
  /** 1 per run that could not read the hot balance (nothing swept). */
  balanceUnreadable: 'BalanceUnreadable',
} as const;

/** Transaction statuses that end a sweep (a new one may start after them). */
export const SWEEP_DONE_STATUSES = ['confirmed'] as const;
export const SWEEP_FAILED_STATUSES = ['cancelled', 'rejected', 'expired'] as const;
