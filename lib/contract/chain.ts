/**
 * Names shared by the chain side (issue 16): the RPC provider pool and the chain watcher that
 * publish them, and the alarms, dashboard and drill pre-check that read them. One definition each.
 *
 * Metrics are per environment and region: the watcher (lambda/chain-watcher) publishes them as
 * Embedded Metric Format lines in every region on every run, whether or not the region holds the
 * lease (the standby's provider health is what the drill's pre-check and the standby alarm need).
 */
export const chainMetricNamespace = (envName: string): string => `Wallet/Chain/${envName}`;

/** Dimension names. Every metric has `Region`; per-provider metrics add `Provider` (its config name). */
export const CHAIN_DIMENSIONS = { region: 'Region', provider: 'Provider' } as const;

export const CHAIN_METRICS = {
  /** Providers the pool counts healthy in this region (Region). Alarm: < 1 means no way to the chain. */
  healthyProviders: 'HealthyProviders',
  /** 1 healthy, 0 not (Region, Provider). */
  providerHealthy: 'ProviderHealthy',
  /** Blocks behind the best head any provider reported (Region, Provider). */
  providerHeadLagBlocks: 'ProviderHeadLagBlocks',
  /** Latency of the provider's head probe, ms (Region, Provider). */
  providerLatencyMs: 'ProviderLatencyMs',
  /** Age of the best head's block timestamp, seconds (Region). Alarm: chain head stale. */
  headAgeSeconds: 'HeadAgeSeconds',
  /** Transactions broadcast and not yet mined (Region; lease holder only). */
  pendingTransactions: 'PendingTransactions',
  /** Transactions reported stuck (fee cap reached, not mined) (Region; lease holder only). */
  stuckTransactions: 'StuckTransactions',
  /** Seconds the oldest unmined transaction has waited since it was first broadcast (Region). */
  oldestPendingSeconds: 'OldestPendingSeconds',
  /** Fee-bumped replacement variants signed (Region; the signer). */
  replacements: 'Replacements',
  /** Request accepted to first mined, seconds (Region; per mined transaction). */
  requestToMinedSeconds: 'RequestToMinedSeconds',
} as const;

/**
 * How long one run of the chain watcher keeps walking (lambda/chain-watcher/index.ts `runForMs`):
 * a walk starts only before this, so the last one still ends within the function's 55 s timeout.
 * The lease holder's run lasts about this long (it sleeps between walks, and Lambda bills the
 * sleep); the cost estimate (lib/resilience/cost.ts) prices it from here.
 */
export const CHAIN_WATCHER_RUN_FOR_MS = 40_000;

/**
 * A run stops taking steps this long after it started, whatever the walk it is in (the function's
 * timeout is 55 s, lib/constructs/chain-watcher.ts): the transactions not reached are counted in the
 * metrics and left for the next run (outcome `deferred`), so a walk over many transactions at a slow
 * provider ends in time instead of being cut off by the timeout (docs/benchmarks.md, the watcher).
 */
export const CHAIN_WATCHER_STEP_DEADLINE_MS = 48_000;

/** The degraded-mode reason remediation sets when a region has no healthy provider (auto mode). */
export const CHAIN_UNREACHABLE_REASON = 'withdrawals paused: chain unreachable';

/**
 * A bump request from the chain watcher to the signer (the signing queue; FIFO group = walletId,
 * dedup id = `bump-<txId>-<fromTxHash>`): the latest variant `fromTxHash` was not mined within the
 * chain's resubmit interval. The signer treats a bump whose `fromTxHash` is no longer the latest as done.
 */
export interface BumpMessage {
  readonly kind: 'bump';
  readonly walletId: string;
  readonly txId: string;
  readonly fromTxHash: string;
}

/** Log events of the chain side (the stuck alarm's metric filter and the replacement count match them). */
export const CHAIN_LOG_EVENTS = {
  /** The signer reached the fee cap: no further signature (CHAIN_METRICS.stuckTransactions). */
  stuck: 'transaction stuck at the fee cap',
  /** The signer signed a fee-bumped replacement (CHAIN_METRICS.replacements). */
  replaced: 'transaction replaced with higher fees',
} as const;
