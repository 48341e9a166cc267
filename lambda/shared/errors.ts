/**
 * Typed errors of the wallet runtime. Every error a client can cause maps to one HTTP status and a
 * stable `code`; its message says what was wrong, the value received and how to fix it. Anything
 * else is an internal error: the client sees a generic 500 with the request id, the log has the rest.
 */

/** One problem with a request, for a 400 answer that lists every problem at once. */
export interface RequestProblem {
  /** Where: `body.value`, `header Idempotency-Key`, `path walletId`. */
  readonly field: string;
  readonly message: string;
  /** The value received (shortened), or `undefined` when it was missing. */
  readonly received: unknown;
  readonly fix: string;
}

export abstract class WalletError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  /** Extra machine-readable detail for the client (never secrets). */
  readonly details?: unknown;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers?: Record<string, string>;
}

/** Renders a received value for an error message: short, JSON, and explicit about "missing". */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing (it is missing)';
  let text: string;
  try {
    text = typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

export class RequestValidationError extends WalletError {
  readonly statusCode = 400;
  readonly code = 'ValidationFailed';
  override readonly details: { problems: readonly RequestProblem[] };

  constructor(problems: readonly RequestProblem[]) {
    super(
      `the request has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ` +
        problems.map((p) => `${p.field} ${p.message}; received ${showValue(p.received)}. Fix: ${p.fix}`).join(' | '),
    );
    this.name = 'RequestValidationError';
    this.details = { problems };
  }
}

export class MalformedJsonError extends WalletError {
  readonly statusCode = 400;
  readonly code = 'MalformedJson';
  constructor(parserMessage: string, received: string) {
    super(
      `the request body is not valid JSON (${parserMessage}); received ${showValue(received)}. ` +
        'Fix: send one JSON object, e.g. {"to":"0x…","value":"1000"}, with Content-Type: application/json',
    );
    this.name = 'MalformedJsonError';
  }
}

export class UnsupportedMediaTypeError extends WalletError {
  readonly statusCode = 415;
  readonly code = 'UnsupportedMediaType';
  constructor(received: string) {
    super(`Content-Type must be application/json; received ${showValue(received)}. Fix: send JSON`);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class PayloadTooLargeError extends WalletError {
  readonly statusCode = 413;
  readonly code = 'PayloadTooLarge';
  constructor(bytes: number, limit: number) {
    super(
      `the request body is ${bytes} bytes; the limit is ${limit} bytes. Fix: send a smaller body ` +
        '(the transaction fields only; large call data does not belong in a wallet withdrawal)',
    );
    this.name = 'PayloadTooLargeError';
  }
}

export class WalletNotFoundError extends WalletError {
  readonly statusCode = 404;
  readonly code = 'WalletNotFound';
  constructor(walletId: string) {
    super(`wallet ${showValue(walletId)} does not exist. Fix: check the wallet id in the URL`);
    this.name = 'WalletNotFoundError';
  }
}

export class WalletNotActiveError extends WalletError {
  readonly statusCode = 409;
  readonly code = 'WalletNotActive';
  constructor(walletId: string, status: string) {
    super(
      `wallet ${showValue(walletId)} is ${showValue(status)}, not "active", so it takes no new transactions. ` +
        'Fix: ask an operator to re-activate it',
    );
    this.name = 'WalletNotActiveError';
  }
}

export class TransactionNotFoundError extends WalletError {
  readonly statusCode = 404;
  readonly code = 'TransactionNotFound';
  constructor(walletId: string, txId: string) {
    super(
      `transaction ${showValue(txId)} does not exist in wallet ${showValue(walletId)}. ` +
        'Fix: use the txId returned by POST /v1/wallets/{walletId}/transactions for this wallet',
    );
    this.name = 'TransactionNotFoundError';
  }
}

export class RouteNotFoundError extends WalletError {
  readonly statusCode = 404;
  readonly code = 'RouteNotFound';
  constructor(method: string, path: string) {
    super(`no route for ${method} ${showValue(path)}. Fix: see docs/api.md for the routes this API serves`);
    this.name = 'RouteNotFoundError';
  }
}

export class IdempotencyConflictError extends WalletError {
  readonly statusCode = 409;
  readonly code = 'IdempotencyKeyReused';
  override readonly details: { txId?: string };
  /**
   * `txId` only when that transaction exists (GET answers it); a key whose first request did not
   * get as far as creating its transaction names none, so a 409 never points at a 404.
   */
  constructor(idempotencyKey: string, txId: string | undefined) {
    super(
      `Idempotency-Key ${showValue(idempotencyKey)} was already used for a different request body` +
        `${txId === undefined ? '' : ` (transaction ${txId})`}. ` +
        `Fix: resend the original body to get ${txId === undefined ? 'its transaction' : 'that transaction'}, or use a new key for a new transaction`,
    );
    this.name = 'IdempotencyConflictError';
    this.details = txId === undefined ? {} : { txId };
  }
}

/**
 * MREC only: this region cannot prove the Idempotency-Key unused in every region (it does not hold
 * the signing lease, or it took the lease and reconciliation has not yet attributed every nonce the
 * chain used to a request it knows). Minting a transaction now could pay the same request twice.
 */
export class IntakeNotProvenError extends WalletError {
  readonly statusCode = 503;
  readonly code = 'IdempotencyNotProven';
  override readonly headers = { 'Retry-After': '30' };
  constructor(region: string, why: string) {
    super(
      `${region} cannot prove this Idempotency-Key was not already used in another region (${why}); this request was not ` +
        'processed and no transaction was created. Fix: retry later with the same Idempotency-Key and the same body',
    );
    this.name = 'IntakeNotProvenError';
  }
}

export class ServiceDegradedError extends WalletError {
  readonly statusCode = 503;
  readonly code = 'WithdrawalsSuspended';
  override readonly headers = { 'Retry-After': '60' };
  constructor(region: string, since: string | undefined, reason: string | undefined) {
    super(
      `new transactions are suspended in ${region} (degraded mode${since ? ` since ${since}` : ''}` +
        `${reason ? `: ${reason}` : ''}); this request was not processed. Reading transactions and health still work, ` +
        'and transactions accepted earlier are still signed. Fix: retry later with the same Idempotency-Key',
    );
    this.name = 'ServiceDegradedError';
  }
}

/** Thrown at module load when a Lambda is missing configuration. Never mapped to a client answer. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** The KMS signature does not recover to the signing key's public key under either recovery id. */
export class SignatureRecoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureRecoveryError';
  }
}

/** The transaction belongs to a different address than this region's signing key. */
export class SigningKeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyMismatchError';
  }
}

/** Under MREC, the lease moved and nonces were not reconciled with the chain yet. */
export class ReconciliationRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconciliationRequiredError';
  }
}

/** A bounded retry gave up; `cause` is the last error. */
export class RetryExhaustedError extends Error {
  constructor(
    message: string,
    public readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryExhaustedError';
  }
}

export interface HttpErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
  readonly requestId?: string;
}

/** Maps an error to `{statusCode, body, headers}`; unknown errors become a generic 500. */
export function errorToHttp(
  err: unknown,
  requestId?: string,
): { statusCode: number; body: HttpErrorBody; headers: Record<string, string> } {
  if (err instanceof WalletError) {
    return {
      statusCode: err.statusCode,
      body: {
        error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
        requestId,
      },
      headers: err.headers ?? {},
    };
  }
  return {
    statusCode: 500,
    body: {
      error: {
        code: 'InternalError',
        message: `internal error; nothing about your request is known to be wrong. Retry with the same Idempotency-Key, and quote request id ${requestId ?? '(none)'} if it persists`,
      },
      requestId,
    },
    headers: {},
  };
}
