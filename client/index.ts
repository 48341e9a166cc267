/**
 * The wallet API client (docs/client.md): its own entry point, with no CDK, no AWS SDK and no
 * server code in its bundle. It imports only the API contract (lib/contract), which eslint enforces
 * (eslint.config.mjs) and test/client/bundle.test.ts proves on the esbuild bundle.
 */
export { WalletClient } from './client';
export type {
  CallOptions,
  GetResult,
  ProbeResult,
  Rejected,
  SubmitOptions,
  SubmitResult,
  Unavailable,
  Via,
} from './client';
export { CLIENT_DEFAULTS, regionalBaseUrl, systemClock, WalletClientConfigError } from './options';
export type { ClientClock, ClientEvent, RegionEndpoint, WalletClientOptions } from './options';
export { backoffDelayMs, classifyResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry';
export type { BackoffPolicy, Classification, RetryReason } from './retry';
export { fetchTransport, NETWORK_ERROR_KINDS, NetworkError, networkErrorKind } from './transport';
export type { ClientRequest, ClientResponse, ClientTransport, NetworkErrorKind } from './transport';
export type {
  AcceptedTransaction,
  ApiErrorBody,
  ApiErrorCode,
  TransactionChainView,
  TransactionRequest,
  TransactionStatus,
  TransactionView,
} from '../lib/contract/api-wire';
export { API_ERROR_STATUS, IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from '../lib/contract/api-wire';
