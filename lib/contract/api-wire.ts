/**
 * The wallet API as its clients see it on the wire (docs/api.md): headers, the error codes and the
 * statuses they come with, and the JSON shapes of requests and answers. The API handler
 * (lambda/api, lambda/shared/errors.ts) and the client library (client/) both import these, and
 * test/contract/api-wire.test.ts checks that every error the handler can raise is listed here with
 * its status. Types and constants only: nothing here may import a runtime or CDK module, because
 * the client bundle includes this file.
 */

/** Request header: one key per intended transaction, reused on every retry of it (docs/api.md). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** 8-128 characters `[A-Za-z0-9_.:-]`, e.g. a UUID. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** Response header of an accepted submit: `true` when the key was seen before (a replay). */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** Response header of the 503 answers: seconds to wait before the same region is asked again. */
export const RETRY_AFTER_HEADER = 'Retry-After';

/** Every `error.code` the API answers with, and its HTTP status. */
export const API_ERROR_STATUS = {
  ValidationFailed: 400,
  MalformedJson: 400,
  WalletNotFound: 404,
  TransactionNotFound: 404,
  RouteNotFound: 404,
  IdempotencyKeyReused: 409,
  /** Approvals: the request is not open for approval (expired, rejected, already queued or signed), or changed. */
  ApprovalRefused: 409,
  /** Approvals: the caller may not decide this request (the initiator, or already approved it, or no verified identity). */
  ApprovalForbidden: 403,
  WalletNotActive: 409,
  /** The spending policy refuses the request; `details` name the rule and the limit (docs/spending-policy.md). */
  'policy-refused': 403,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  /** Degraded mode: new transactions are paused in this region (a replay is still answered). */
  WithdrawalsSuspended: 503,
  /** MREC only: this region cannot prove a new key unused in every region; nothing was created. */
  IdempotencyNotProven: 503,
  /** Approvals, MREC only: decisions are recorded only in the lease holder's region; `Retry-After`. */
  ApprovalElsewhere: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** The one error shape of every non-2xx answer the handlers produce. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
  readonly requestId?: string;
}

/** `POST /v1/wallets/{walletId}/transactions` body (decimal strings: JSON numbers lose precision). */
export interface TransactionRequest {
  readonly to: string;
  /** Wei, decimal string. */
  readonly value: string;
  /** Call data, 0x-hex; absent for a plain transfer. */
  readonly data?: string;
  /** Decimal string. */
  readonly gasLimit: string;
  /** Wei per gas, decimal string. */
  readonly maxFeePerGas: string;
  /** Wei per gas, decimal string. */
  readonly maxPriorityFeePerGas: string;
  readonly chainId: number;
}

export const TRANSACTION_STATUSES = [
  'queued',
  'nonce-assigned',
  'signed',
  'broadcast',
  'mined',
  'confirmed',
  'quarantined',
  'cancelled',
  'pending-approval',
  'rejected',
  'expired',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** The `202` answer of a submit (and of its replays). */
export interface AcceptedTransaction {
  readonly txId: string;
  readonly walletId: string;
  readonly status: TransactionStatus;
  readonly createdAt: string;
  readonly links?: { readonly self: string };
}

/** The `200` answer of `GET /v1/wallets/{walletId}/transactions/{txId}` (fields beyond these vary by status). */
export interface TransactionView extends TransactionChainView {
  readonly txId: string;
  readonly walletId: string;
  readonly status: TransactionStatus;
  readonly from?: string;
  readonly request?: TransactionRequest;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly nonce?: number;
  readonly signedRawTransaction?: string;
  readonly transactionHash?: string;
  readonly signedAt?: string;
  readonly quarantine?: { readonly reason: string };
  readonly broadcastAt?: string;
}

/**
 * The chain facts a `GET .../transactions/{txId}` adds once the chain watcher tracks it (issue 16):
 * `mined` and `transactionHash` (the variant mined) from status `mined` on, `confirmations` once
 * `confirmed`, and every signed variant with the ones not mined marked `replaced`.
 */
export interface TransactionChainView {
  readonly transactionHash?: string;
  readonly mined?: {
    readonly blockNumber: number;
    readonly blockHash: string;
    readonly at: string;
    readonly receiptStatus?: 'success' | 'reverted';
  };
  /** Blocks counted when it was confirmed (the block holding it is the first). */
  readonly confirmations?: number;
  readonly confirmedAt?: string;
  /** How many times a reorg took its block off the chain (it was broadcast again, unchanged). */
  readonly reorgs?: number;
  readonly variants?: ReadonlyArray<{
    readonly index: number;
    readonly transactionHash: string;
    readonly signedAt?: string;
    readonly replaced: boolean;
  }>;
}

/** `GET /health`: what the client's failback probe reads (lib/contract/health.ts has the marker). */
export interface HealthAnswerBody {
  readonly healthy: boolean;
  readonly region: string;
  /** `degraded` while degraded mode is on, else `active` if the region holds the signer lease, else `standby`. */
  readonly role?: 'active' | 'standby' | 'degraded';
}
