import { API_ERROR_STATUS, ApiErrorBody, RETRY_AFTER_HEADER } from '../lib/contract/api-wire';
import { ClientResponse, NetworkError } from './transport';

/**
 * Which outcomes are retried, from docs/api.md ("Retrying after a 500, a 503 or a timeout is always
 * safe with the same key"; a 409 and a 4xx validation answer are final; a replay is a 202).
 *
 * - `success`: 2xx (a replay is a success: `Idempotent-Replayed: true`).
 * - `paused`: 503 `WithdrawalsSuspended` (degraded mode). Final and typed: degraded mode is a
 *   deliberate fail-closed posture, so the client neither retries it nor routes around it to the
 *   other region.
 * - `final`: any other 1xx/3xx/4xx except 429 (validation, 404, 409 key reused or wallet not
 *   active, 413, 415, 401/403). Resending the same request cannot change the answer.
 * - `retry`: 429 (throttled), 503 `IdempotencyNotProven` (MREC: nothing was created), any other
 *   5xx (500 `InternalError`, 502/504 from API Gateway, a 503 without our body), and every network
 *   error (refused, reset, timeout, DNS, TLS). `regionFault` says whether it counts against the
 *   region's circuit breaker: a throttle does not (the region is up and answering).
 */
export type Classification =
  | { readonly type: 'success' }
  | { readonly type: 'paused'; readonly retryAfterMs?: number; readonly message: string }
  | { readonly type: 'final'; readonly code?: string; readonly message: string; readonly details?: unknown }
  | {
      readonly type: 'retry';
      readonly reason: RetryReason;
      readonly regionFault: boolean;
      readonly retryAfterMs?: number;
      readonly detail: string;
    };

export type RetryReason = 'network' | 'throttled' | 'not-proven' | 'server-error';

/** The API's error body, if the answer has one. */
export function errorBody(res: ClientResponse): ApiErrorBody | undefined {
  try {
    const parsed = JSON.parse(res.body) as Partial<ApiErrorBody> | null;
    if (parsed !== null && typeof parsed === 'object' && typeof parsed.error?.code === 'string') {
      return parsed as ApiErrorBody;
    }
  } catch {
    // not JSON: e.g. an HTML page from a proxy
  }
  return undefined;
}

/** The longest Retry-After honoured; a larger value is clamped (a misconfigured proxy must not park a client for a day). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3), clamped
 * to [0, {@link MAX_RETRY_AFTER_MS}]. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // An HTTP-date names a day and month ("Wed, 02 Dec 2026 12:00:10 GMT"); Date.parse alone would read "-5" as a year.
    if (!/[A-Za-z]{3}/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

export function classifyResponse(res: ClientResponse, nowMs: number): Classification {
  const body = errorBody(res);
  const code = body?.error.code;
  const message = body?.error.message ?? snippet(res.body);
  const retryAfterMs = parseRetryAfter(res.headers[RETRY_AFTER_HEADER.toLowerCase()], nowMs);
  const after = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (res.status >= 200 && res.status <= 299) return { type: 'success' };
  if (res.status === 503 && code === 'WithdrawalsSuspended') return { type: 'paused', message, ...after };
  if (res.status === 429) {
    return { type: 'retry', reason: 'throttled', regionFault: false, detail: `HTTP 429: ${message}`, ...after };
  }
  if (res.status === API_ERROR_STATUS.IdempotencyNotProven && code === 'IdempotencyNotProven') {
    return { type: 'retry', reason: 'not-proven', regionFault: true, detail: `HTTP 503 ${code}: ${message}`, ...after };
  }
  if (res.status >= 500) {
    return {
      type: 'retry',
      reason: 'server-error',
      regionFault: true,
      detail: `HTTP ${res.status}${code !== undefined ? ` ${code}` : ''}: ${message}`,
      ...after,
    };
  }
  return {
    type: 'final',
    message,
    ...(code !== undefined ? { code } : {}),
    ...(body?.error.details !== undefined ? { details: body.error.details } : {}),
  };
}

export function classifyNetworkError(err: NetworkError): Classification {
  return { type: 'retry', reason: 'network', regionFault: true, detail: `${err.kind}: ${err.message}` };
}

export interface BackoffPolicy {
  /** The first retry waits up to this. */
  readonly baseDelayMs: number;
  /** No retry waits longer than this (before Retry-After). */
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter":
 * `sleep = random_between(0, min(cap, base * 2 ** attempt))`): retry `n` (1-based) waits a uniform
 * random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). Full jitter spreads the retries of
 * many clients that failed together, so a recovering region is not hit by one synchronized wave.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

export function snippet(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
