/**
 * One HTTP exchange, as the client sees it. The default transport is the platform's `fetch`
 * (Node.js 20+, browsers, workers), so the bundle carries no Node built-in and no dependency; a
 * caller with its own needs (extra CA certificates, a proxy, the canary's node:https transport)
 * passes its own {@link ClientTransport}.
 */

export interface ClientRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** Lower-case names. The sign hook may add headers (SigV4: authorization, x-amz-date, ...). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole exchange (connect, TLS, request, full body) must finish within this. */
  readonly timeoutMs: number;
  /** The caller's cancellation. */
  readonly signal?: AbortSignal;
}

export interface ClientResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/**
 * Why an exchange produced no HTTP answer. `refused` and `dns` mean the request never reached a
 * server; `reset` and `timeout` mean it may have been processed (the answer was lost), which is
 * why every retry carries the same Idempotency-Key.
 */
export const NETWORK_ERROR_KINDS = ['refused', 'dns', 'tls', 'reset', 'timeout', 'aborted', 'other'] as const;
export type NetworkErrorKind = (typeof NETWORK_ERROR_KINDS)[number];

/** The only error a {@link ClientTransport} may reject with (anything else is wrapped as `other`). */
export class NetworkError extends Error {
  constructor(
    public readonly kind: NetworkErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** Resolves with any HTTP status; rejects only with a {@link NetworkError}. */
export type ClientTransport = (request: ClientRequest) => Promise<ClientResponse>;

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

function codeOf(err: unknown): string {
  let e: unknown = err;
  // fetch wraps the socket error: TypeError('fetch failed', { cause: Error & { code } }).
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

/** Classifies a platform error (Node's socket codes, undici's, or a TLS code). */
export function networkErrorKind(err: unknown): NetworkErrorKind {
  const code = codeOf(err);
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (TLS_CODE.test(code)) return 'tls';
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED'].includes(code)) return 'reset';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'timeout';
  return 'other';
}

export interface FetchTransportOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * The default transport: `fetch` with an overall timeout that also covers reading the body, and
 * redirects not followed (the API never redirects; a signed request must not be replayed elsewhere).
 */
export function fetchTransport(options: FetchTransportOptions = {}): ClientTransport {
  return async (request) => {
    const doFetch = options.fetch ?? globalThis.fetch;
    if (typeof doFetch !== 'function') {
      throw new NetworkError('other', 'no fetch on this platform; pass a transport to the WalletClient');
    }
    const where = `${request.method} ${request.url}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    const onAbort = () => controller.abort();
    if (request.signal?.aborted) controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        redirect: 'manual',
        signal: controller.signal,
      });
      const body = await res.text();
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: res.status, headers, body };
    } catch (err) {
      if (timedOut) {
        throw new NetworkError('timeout', `${where}: no complete answer within ${request.timeoutMs} ms`, {
          cause: err,
        });
      }
      if (request.signal?.aborted)
        throw new NetworkError('aborted', `${where}: cancelled by the caller`, { cause: err });
      const kind = networkErrorKind(err);
      const code = codeOf(err);
      throw new NetworkError(kind, `${where}: ${kind} (${code || String(err)})`, { cause: err });
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  };
}
