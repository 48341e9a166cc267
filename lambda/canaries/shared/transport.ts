import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { CanaryFailure, FailureReason } from './failure';

/** One HTTP exchange, as the canary logic sees it. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole exchange (connect, TLS, request, full body) must finish within this. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * A fetch-like transport. It resolves with any HTTP status and rejects only with a
 * {@link CanaryFailure} (dns, connection, tls, timeout, bad-body), so the checks stay pure.
 */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** Time, injectable so polling and latency bounds are testable. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface NodeTransportOptions {
  /** Extra trusted CA certificates (tests use a throwaway one). @default - the system's trust store */
  readonly ca?: string | Buffer;
  /** Name resolution override (tests point names at 127.0.0.1). @default - the system resolver */
  readonly lookup?: LookupFunction;
  /** Bodies larger than this fail as bad-body. @default 1 MiB */
  readonly maxBodyBytes?: number;
}

const TLS_CODES: Readonly<Record<string, string>> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not match the host name',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain contains a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not issued by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is not issued by a trusted authority',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
};

function classify(err: NodeJS.ErrnoException, method: string, url: URL): CanaryFailure {
  const code = err.code ?? '';
  const where = `${method} ${url.origin}${url.pathname}`;
  let reason: FailureReason;
  let what: string;
  let fix: string;
  if (code in TLS_CODES || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    reason = 'tls';
    what = TLS_CODES[code] ?? 'the TLS handshake failed';
    fix = `check the API custom domain and ACM certificate for ${url.hostname} (and that DNS points ${url.hostname} at the API that owns that certificate)`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    reason = 'dns';
    what = `${url.hostname} does not resolve`;
    fix = 'check the Route 53 records for this name';
  } else {
    reason = 'connection';
    what = 'the connection failed';
    fix = 'check that the API endpoint exists and accepts HTTPS on this port';
  }
  return new CanaryFailure(reason, `${where}: ${what} (${code || err.name}: ${err.message}); ${fix}.`);
}

/** The production transport: node:https with an overall deadline and error classification. */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const lib = url.protocol === 'http:' ? http : https;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = lib.request(
        url,
        {
          method: request.method,
          headers: request.headers,
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          ...(options.lookup !== undefined ? { lookup: options.lookup } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBodyBytes) {
              req.destroy();
              finish(() =>
                reject(
                  new CanaryFailure(
                    'bad-body',
                    `${request.method} ${url.origin}${url.pathname}: the body exceeds ${maxBodyBytes} bytes; a health or transaction answer is small`,
                  ),
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            finish(() =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            ),
          );
          res.on('error', (err) => finish(() => reject(classify(err, request.method, url))));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish(() =>
          reject(
            new CanaryFailure(
              'timeout',
              `${request.method} ${url.origin}${url.pathname}: no complete answer within ${request.timeoutMs} ms; the API or its dependencies are hanging, or the network path is broken`,
            ),
          ),
        );
      }, request.timeoutMs);
      req.on('error', (err) => finish(() => reject(classify(err, request.method, url))));
      if (request.body !== undefined) req.write(request.body);
      req.end();
    });
}
