import {
  ClientRequest,
  ClientResponse,
  ClientTransport,
  NetworkError,
  NetworkErrorKind,
  regionalBaseUrl,
  WalletClient,
} from '../../../client/index';
import { CanaryFailure } from './failure';
import { RequestSigner } from './sigv4';
import { Clock, HttpResponse, Transport } from './transport';

/**
 * The transaction canary calls the API through the wallet client (client/), as the wallet's apps
 * do: the same request building, Idempotency-Key handling and answer classification. It keeps the
 * canary's own transport (node:https with its error classification; tests add a CA and a loopback
 * resolver) and its SigV4 signer.
 *
 * One attempt, on the public failover name, signed for the region that serves it: a canary that
 * retried or failed over to the other region would pass while the name users reach is broken, and
 * its alarm (and the remediation that reads it) would never see the failure.
 */
export interface CanaryClientInput {
  /** The public failover URL the canary measures (`https://api.<zone>`). */
  readonly baseUrl: string;
  /** Both regions (the client refuses fewer); only their regional names are derived, never called. */
  readonly regions: readonly string[];
  readonly requestTimeoutMs: number;
  readonly userAgent: string;
  readonly transport: Transport;
  readonly sign: RequestSigner;
  readonly clock: Clock;
  readonly newIdempotencyKey: () => string;
}

const KIND: Readonly<Record<string, NetworkErrorKind>> = { timeout: 'timeout', dns: 'dns', tls: 'tls' };

function flatten(headers: HttpResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function toCanaryRequest(req: ClientRequest) {
  return {
    method: req.method,
    url: req.url,
    headers: req.headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
    timeoutMs: req.timeoutMs,
  };
}

/** The canary's transport as a client transport: a CanaryFailure becomes the NetworkError's cause. */
export function canaryClientTransport(transport: Transport): ClientTransport {
  return async (req): Promise<ClientResponse> => {
    try {
      const res = await transport(toCanaryRequest(req));
      return { status: res.status, headers: flatten(res.headers), body: res.body };
    } catch (err) {
      const kind = err instanceof CanaryFailure ? (KIND[err.reason] ?? 'other') : 'other';
      throw new NetworkError(kind, err instanceof Error ? err.message : String(err), { cause: err });
    }
  };
}

export function canaryWalletClient(input: CanaryClientInput): WalletClient {
  return new WalletClient({
    regions: input.regions.map((region) => ({ region, baseUrl: regionalBaseUrl(input.baseUrl, region) })),
    failoverUrl: input.baseUrl,
    transport: canaryClientTransport(input.transport),
    sign: async (req, region) => ({ ...req, ...(await input.sign(toCanaryRequest(req), region)) }),
    maxAttempts: 1,
    attemptTimeoutMs: input.requestTimeoutMs,
    deadlineMs: input.requestTimeoutMs,
    userAgent: input.userAgent,
    newIdempotencyKey: input.newIdempotencyKey,
    clock: { now: () => input.clock.now(), sleep: (ms) => input.clock.sleep(ms) },
  });
}

/**
 * The HTTP answer of a client result, for the canary's checks; a result without one (no answer:
 * refused, timeout, DNS, TLS; or the signer failed) rethrows the transport's CanaryFailure or the
 * signer's error, so the failure is the one the canary always reported.
 */
export function answerOf(result: { response?: ClientResponse; error?: NetworkError; message?: string }): HttpResponse {
  if (result.response !== undefined) return result.response;
  const cause = result.error?.cause;
  // The transport's CanaryFailure, or the signer's own error, exactly as the canary threw them before.
  if (cause !== undefined) throw cause;
  throw new CanaryFailure('connection', result.error?.message ?? result.message ?? 'no answer');
}
