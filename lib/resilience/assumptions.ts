import { CHAIN_WATCHER_RUN_FOR_MS } from '../contract/chain';

/**
 * The usage the cost estimate assumes: ONE place, printed in every report. Change a figure here
 * (and say why in the commit); the report shows each line item's arithmetic from these values.
 */
export interface UsageAssumption {
  readonly value: number;
  readonly unit: string;
  readonly why: string;
}

const API_REQUESTS_PER_MONTH = 10_000_000;

export const USAGE = {
  walletWritesPerMonth: {
    value: 1_000_000,
    unit: 'writes/month',
    why: 'ledger writes (transactions, nonce allocations, lease and state transitions), each a single-item conditional write of 1 KB or less; the ledger uses no transactions (lib/constructs/wallet-table.ts)',
  },
  gsiWriteFraction: {
    value: 1,
    unit: 'fraction of writes',
    why: 'share of ledger writes that also update each global secondary index (every item carries gsi1 keys: the pessimistic case)',
  },
  strongReadsPerMonth: {
    value: 3_000_000,
    unit: 'reads/month',
    why: 'strongly consistent reads of 4 KB or less in the active region (balances, lease, idempotency checks)',
  },
  ledgerSizeGb: {
    value: 10,
    unit: 'GB per replica',
    why: 'ledger table size in each replica region, used for storage, point-in-time recovery and backup storage',
  },
  signaturesPerMonth: {
    value: 100_000,
    unit: 'Sign requests/month',
    why: 'one KMS Sign per outgoing transaction (plus retries), in the active region',
  },
  apiRequestsPerMonth: {
    value: API_REQUESTS_PER_MONTH,
    unit: 'requests/month',
    why: 'API requests inspected by WAF, counted once: only the active region serves traffic',
  },
  dnsQueriesPerMonth: {
    value: API_REQUESTS_PER_MONTH,
    unit: 'queries/month',
    why: 'Route 53 queries for the public API name, at most one per API request (apiRequestsPerMonth): the upper bound, as if no resolver cached an answer; a shorter dns.recordTtlSeconds moves the real figure towards it',
  },
  // Billed seconds of one chain-watcher run (Lambda bills from the handler's start to its return,
  // init included, rounded up to 1 ms), by the region's role.
  chainWatcherHolderSecondsPerRun: {
    value: CHAIN_WATCHER_RUN_FOR_MS / 1000 + 2,
    unit: 'seconds/run',
    why: `the lease holder (the primary in normal operation) walks open transactions until ${CHAIN_WATCHER_RUN_FOR_MS / 1000} s (CHAIN_WATCHER_RUN_FOR_MS; it sleeps between walks, and Lambda bills the sleep), plus about 2 s for its last walk and the first probe (docs/benchmarks.md: at a 50 ms provider a walk takes about 0.1-0.2 s per transaction)`,
  },
  chainWatcherStandbySecondsPerRun: {
    value: 3,
    unit: 'seconds/run',
    why: 'a region without the lease probes every provider (eth_chainId and the latest block, each bounded by chain.health.requestTimeoutMs), publishes their health, reads the lease once and returns; 3 s allows a slow provider or a cold start (an assumption, not measured on AWS)',
  },
  // Billed seconds of one sweeper run (issue 21, lambda/sweeper/handler.ts), in every region where it runs.
  sweeperSecondsPerRun: {
    value: 2,
    unit: 'seconds/run',
    why: 'the lease holder reads the sweep wallet, the lease and the sweep-control item, queries its unmined transactions and reads the hot balance through the provider pool (one eth_getBalance, bounded by chain.health.requestTimeoutMs); a run that sweeps adds the fee read and the in-process intake, rarely. 2 s allows a slow provider or a cold start (an assumption, not measured on AWS). Every region is priced as the holder: either region may hold the lease, and the template does not say which (a region without it returns after the lease read, for less)',
  },
} as const satisfies Record<string, UsageAssumption>;

/** How Route 53 classifies our endpoint checks for pricing. */
export const HEALTH_CHECK_ENDPOINT_CLASS = {
  value: 'nonAws' as 'aws' | 'nonAws',
  why: 'Route 53 prices checks of "AWS endpoints" (resources in the same account, e.g. ELB, EC2) lower; we price the API Gateway custom domains as non-AWS endpoints: the higher, safe figure',
};

/** AWS Backup start window when a rule does not set one (AWS Backup console default: 8 hours). */
export const DEFAULT_BACKUP_START_WINDOW_MINUTES = 480;
