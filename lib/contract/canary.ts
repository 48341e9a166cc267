/**
 * The canaries' contract, imported by the CDK code (canary construct: environment, schedule, IAM,
 * alarms on the custom metrics) and by the runtime code (the canary scripts under
 * lambda/canaries/, the wallet API and the signer, which must recognise canary transactions).
 */

/**
 * The Synthetics runtime the canaries are written for: `syn-nodejs-5.4`, the newest browserless
 * Node.js runtime ("Runtime versions using Node.js", CloudWatch User Guide, read 2026-12-01:
 * "syn-nodejs-5.4 ... Major dependencies: Lambda runtime Node.js 22.x"). aws-cdk-lib 2.276 names
 * only up to `SYNTHETICS_NODEJS_3_1` (Node.js 20), so the construct builds it with
 * `new Runtime(CANARY_RUNTIME, RuntimeFamily.NODEJS)`. It has no browser (API canaries need none)
 * and exposes the Synthetics library as `@aws/synthetics-core` ("Starting Synthetics syn-nodejs-3.1
 * and later, Synthetics runtime uses the new namespace"), the module the scripts import. The wallet
 * rule CanaryRuntimeCurrent keeps the deprecation table (dated, sourced).
 */
export const CANARY_RUNTIME = 'syn-nodejs-5.4';
/** The module the Synthetics runtime provides; bundlers must leave it external. */
export const SYNTHETICS_MODULE = '@aws/synthetics-core';

/** The three canaries each region runs; also the folder names under lambda/canaries/. */
export const CANARY_KINDS = ['deep-health', 'public-name', 'transaction'] as const;
export type CanaryKind = (typeof CANARY_KINDS)[number];

/**
 * Synthetics canary names (1-255 characters of `[0-9a-z_-]`, unique per region). The name is the
 * `CanaryName` dimension of the `CloudWatchSynthetics` metrics the canary alarms watch.
 */
export const canaryName = (envName: string, kind: CanaryKind): string => `${envName}-wallet-${kind}`;

/** Environment variables the CDK sets on each canary (`environmentVariables`). */
export const CANARY_ENV = {
  /** The environment name (metric dimension). Same name as the Lambda functions use. */
  envName: 'WALLET_ENV_NAME',
  /** `https://<host>` the canary calls; no path. Deep health: `https://<region>.<api>.<zone>`. */
  baseUrl: 'WALLET_CANARY_BASE_URL',
  /** Comma-separated regions allowed to answer (deep health: its own region only). */
  expectedRegions: 'WALLET_CANARY_EXPECTED_REGIONS',
  /** Deep health only, optional: the peer region's regional base URL, probed for evidence (never fails the canary). */
  peerBaseUrl: 'WALLET_CANARY_PEER_BASE_URL',
  /** Deep health only, with peerBaseUrl: the region expected to answer at the peer URL. */
  peerRegion: 'WALLET_CANARY_PEER_REGION',
  /** A correct answer slower than this fails the check. @default CANARY_DEFAULTS.maxLatencyMs */
  maxLatencyMs: 'WALLET_CANARY_MAX_LATENCY_MS',
  /** Each HTTP request is abandoned after this. @default CANARY_DEFAULTS.requestTimeoutMs */
  requestTimeoutMs: 'WALLET_CANARY_REQUEST_TIMEOUT_MS',
  /** Transaction only: the canary transaction must be signed within this. @default CANARY_DEFAULTS.signBoundMs */
  signBoundMs: 'WALLET_CANARY_SIGN_BOUND_MS',
  /** Transaction only: how often to poll for the signed status. @default CANARY_DEFAULTS.pollIntervalMs */
  pollIntervalMs: 'WALLET_CANARY_POLL_INTERVAL_MS',
  /**
   * Transaction only, optional: the region to SigV4-sign for. Unset: the canary asks `/health` on
   * the base URL which region answers and signs for that one (the public name moves on failover).
   */
  signingRegion: 'WALLET_CANARY_SIGNING_REGION',
} as const;

/**
 * Run timeouts the CDK gives the canaries (docs/observability-wiring.md). The health canaries make
 * at most two requests (deep health: its region, then the peer); the transaction canary asks
 * `/health`, submits, then polls for up to `signBoundMs`. `startupMarginMs` is left for the
 * Synthetics runtime to start (AWS advises at least 15 s of timeout for cold starts and instrumentation).
 */
export const CANARY_TIMEOUTS = {
  healthSeconds: 30,
  transactionSeconds: 60,
  startupMarginMs: 5000,
} as const;

export const CANARY_DEFAULTS = {
  maxLatencyMs: 2000,
  requestTimeoutMs: 10000,
  signBoundMs: 30000,
  pollIntervalMs: 1000,
} as const;

/**
 * Custom metrics the canaries publish (standard resolution). Give the canary role
 * `cloudwatch:PutMetricData` with the condition `cloudwatch:namespace = CANARY_METRIC_NAMESPACE`.
 */
export const CANARY_METRIC_NAMESPACE = 'Wallet/Canary';
export const CANARY_METRICS = {
  /**
   * 1 when the peer region's `/health/deep` answered correctly from this region, else 0.
   * Dimensions: Environment, Vantage (where the canary runs), Target (the peer region).
   * The `peer-deep-health` alarm (lib/contract/alarms.ts) watches it.
   */
  peerDeepHealth: 'PeerDeepHealth',
  /** 1 per run of the public-name canary. Dimensions: Environment, Vantage, AnsweredBy (the region). */
  publicNameAnswer: 'PublicNameAnswer',
  /** Milliseconds from submit to signed. Dimensions: Environment, Vantage. */
  signLatency: 'CanarySignLatency',
} as const;

export const CANARY_DIMENSIONS = {
  environment: 'Environment',
  vantage: 'Vantage',
  target: 'Target',
  answeredBy: 'AnsweredBy',
} as const;

/**
 * The reserved test wallet. Transactions to it are CANARY transactions: the API accepts them only
 * with {@link CANARY_TX_FLAG} set, and the signer:
 * - checks the lease as for any transaction (that is what the canary tests), but
 * - never allocates a real nonce for them: it signs with {@link CANARY_SIGNING_NONCE}, and
 * - never broadcasts them.
 * The wallet must exist (registered like any wallet) before the transaction canary can pass.
 */
export const CANARY_WALLET_ID = 'canary-test-wallet';

/** Body field (boolean true) that marks a request as a canary transaction. */
export const CANARY_TX_FLAG = 'canary';

/**
 * The nonce a canary transaction is signed with: 2^64 - 1. EIP-2681 caps account nonces below it,
 * so a transaction with this nonce is invalid on every EIP-2681 chain forever: the signed bytes are
 * not a bearer instrument even if they leak, and the real nonce sequence never gets a gap.
 */
export const CANARY_SIGNING_NONCE = 2n ** 64n - 1n;

/** Zero-value transfer to the conventional burn address; never broadcast (see above). */
export const CANARY_SINK_ADDRESS = '0x000000000000000000000000000000000000dEaD';

/** The body the transaction canary submits. */
export function canaryTransactionRequest(): Record<string, unknown> {
  return { to: CANARY_SINK_ADDRESS, value: '0', [CANARY_TX_FLAG]: true };
}

/** True for a transaction the signer must treat as a canary (see {@link CANARY_WALLET_ID}). */
export function isCanaryTransaction(tx: { readonly walletId: string; readonly [CANARY_TX_FLAG]?: unknown }): boolean {
  return tx.walletId === CANARY_WALLET_ID || tx[CANARY_TX_FLAG] === true;
}

/** The idempotency header the API reads on transaction intake. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** The IAM-authenticated (SigV4, service `execute-api`) routes the transaction canary uses. */
export const canaryRoutes = {
  submit: (walletId: string): string => `/v1/wallets/${encodeURIComponent(walletId)}/transactions`,
  get: (walletId: string, txId: string): string =>
    `/v1/wallets/${encodeURIComponent(walletId)}/transactions/${encodeURIComponent(txId)}`,
} as const;

/** What the canary reads from the submit and get responses: `{ "txId": "...", "status": "..." }`. */
export interface CanaryTransactionView {
  readonly txId: string;
  readonly status: string;
}

/** Statuses that mean "signed" for the canary (a canary transaction is never broadcast). */
export const SIGNED_STATUSES: readonly string[] = ['signed'];
/** Statuses that end a transaction without a signature: the canary fails at once. */
export const TERMINAL_FAILED_STATUSES: readonly string[] = ['failed', 'rejected', 'quarantined'];
