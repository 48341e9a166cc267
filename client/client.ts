import { API_PATHS } from '../lib/contract/api';
import {
  AcceptedTransaction,
  HealthAnswerBody,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  REPLAYED_HEADER,
  TransactionRequest,
  TransactionView,
} from '../lib/contract/api-wire';
import { HEALTH_PATH } from '../lib/contract/health';
import { CircuitBreaker } from './breaker';
import { ClientEvent, RegionEndpoint, resolveOptions, ResolvedOptions, WalletClientOptions } from './options';
import { backoffDelayMs, Classification, classifyNetworkError, classifyResponse, errorBody, snippet } from './retry';
import { ClientRequest, ClientResponse, ClientTransport, fetchTransport, NetworkError } from './transport';

/** Where a request goes. */
export type Via =
  /** The regional names, in circuit-breaker order, failing over between them (the default). */
  | 'regions'
  /**
   * The public failover name only, SigV4-signed for `failoverName` (the region DNS is believed to
   * serve). No failover between regions and no breaker bookkeeping: the transaction canary
   * measures the name users reach, and a canary that routed around a failure would hide it.
   */
  | { readonly failoverName: string };

export interface CallOptions {
  /** Cancels the logical request (waits and attempts). */
  readonly signal?: AbortSignal;
  /** @default the client's deadlineMs */
  readonly deadlineMs?: number;
  /** @default 'regions' */
  readonly via?: Via;
}

export interface SubmitOptions extends CallOptions {
  /**
   * The logical request's key. Give your own (stored with your intent, before the first send) to
   * keep it across process restarts; a resend with the same key and body returns the same
   * transaction. @default - a fresh UUID per submitTransaction call
   */
  readonly idempotencyKey?: string;
}

/** What every result says about the logical request. */
interface Common {
  readonly attempts: number;
  /** Region of the last attempt (for `via: { failoverName }`, the region it was signed for). */
  readonly region: string;
  /** The last HTTP answer, when there was one. */
  readonly response?: ClientResponse;
}

/** Any final HTTP answer that is not a success: 4xx (except 429), 1xx or 3xx. Resending cannot change it. */
export interface Rejected extends Common {
  readonly kind: 'rejected';
  readonly status: number;
  /** The API's `error.code` (lib/contract/api-wire.ts API_ERROR_STATUS), when the body has one. */
  readonly code?: string;
  readonly message: string;
  readonly details?: unknown;
}

/**
 * No answer that settles the request within the attempts or the deadline. Nothing is known to
 * have been created or not: retry later with the SAME idempotency key (it is in the result).
 */
export interface Unavailable extends Omit<Common, 'region'> {
  readonly kind: 'unavailable';
  /** `bad-answer`: a 2xx whose body is not the contract's shape (the request may have been accepted). */
  readonly reason: 'attempts-exhausted' | 'deadline' | 'aborted' | 'bad-answer' | 'sign-failed';
  readonly region?: string;
  /** The longest Retry-After a region asked for, when that is why the client stopped. */
  readonly retryAfterMs?: number;
  /** The last attempt's failure, e.g. "timeout: POST https://... no complete answer within 2000 ms". */
  readonly message: string;
  /** The last attempt's network error, when it got no HTTP answer (`cause` is the transport's own error). */
  readonly error?: NetworkError;
}

export type SubmitResult =
  | (Common & {
      readonly kind: 'accepted';
      readonly transaction: AcceptedTransaction;
      /** True when the API answered from the key's record (`Idempotent-Replayed: true`). */
      readonly replayed: boolean;
      readonly idempotencyKey: string;
      readonly response: ClientResponse;
    })
  | (Common & {
      /** 503 `WithdrawalsSuspended`: degraded mode in that region. Not retried; nothing was created. */
      readonly kind: 'withdrawals-paused';
      readonly message: string;
      readonly retryAfterMs?: number;
      readonly idempotencyKey: string;
    })
  | (Rejected & { readonly idempotencyKey: string })
  | (Unavailable & { readonly idempotencyKey: string });

export type GetResult =
  | (Common & { readonly kind: 'found'; readonly transaction: TransactionView; readonly response: ClientResponse })
  | (Common & { readonly kind: 'not-found'; readonly message: string })
  | Rejected
  | Unavailable;

/** A probe of one region's `/health` (the failback check). */
export interface ProbeResult {
  readonly region: string;
  readonly ok: boolean;
  readonly detail: string;
}

type Attempt =
  | { readonly kind: 'answer'; readonly region: string; readonly response: ClientResponse; readonly c: Classification }
  | { readonly kind: 'network'; readonly region: string; readonly error: NetworkError; readonly c: Classification };

interface Target extends RegionEndpoint {
  /** False for the failover name: its failures say nothing about one region. */
  readonly breaker: boolean;
}

/**
 * A client of the wallet API for the wallet's own apps and partners (docs/client.md). It knows both
 * regional names, so it does not wait for DNS to fail over; it gives every logical request one
 * Idempotency-Key and reuses it on every retry, in every region; it retries only what is safe and
 * useful to retry, with full-jitter backoff and Retry-After; it opens a region's circuit after
 * consecutive failures and probes it back.
 */
export class WalletClient {
  private readonly o: ResolvedOptions;
  private readonly transport: ClientTransport;
  private readonly breakers: Map<string, CircuitBreaker>;
  /** Per region: not before this time (a Retry-After it sent). */
  private readonly notBefore = new Map<string, number>();
  private readonly probing = new Map<string, Promise<ProbeResult>>();
  private readonly lastProbe = new Map<string, number>();

  constructor(options: WalletClientOptions) {
    this.o = resolveOptions(options);
    this.transport = this.o.transport ?? fetchTransport();
    this.breakers = new Map(
      this.o.regions.map((r) => [
        r.region,
        new CircuitBreaker(r.region, this.o.failureThreshold, (state, failures) =>
          this.emit({ type: 'circuit', region: r.region, state, failures }),
        ),
      ]),
    );
  }

  /** The regions in the order a new request tries them: closed circuits in configured order, then open ones, longest-open first. */
  regionOrder(): string[] {
    return this.orderedTargets().map((t) => t.region);
  }

  /** Submits a withdrawal (POST /v1/wallets/{walletId}/transactions). */
  async submitTransaction(
    walletId: string,
    request: TransactionRequest | Readonly<Record<string, unknown>>,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const idempotencyKey = options.idempotencyKey ?? this.o.newIdempotencyKey();
    if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new TypeError(
        `idempotencyKey must be 8-128 characters of [A-Za-z0-9_.:-]; received ${JSON.stringify(idempotencyKey)}. Fix: use a UUID, or leave it out and the client makes one`,
      );
    }
    const path = API_PATHS.transactions.replace('{walletId}', encodeURIComponent(walletId));
    const body = JSON.stringify(request);
    const out = await this.run('submit', options, idempotencyKey, (timeoutMs) => ({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': this.o.userAgent,
        [IDEMPOTENCY_KEY_HEADER.toLowerCase()]: idempotencyKey,
      },
      body,
      timeoutMs,
    }));
    if (out.kind !== 'settled') return { ...out.result, idempotencyKey };
    const { attempt, attempts } = out;
    const { response, region, c } = attempt;
    if (c.type === 'paused') {
      return {
        kind: 'withdrawals-paused',
        message: c.message,
        ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
        idempotencyKey,
        attempts,
        region,
        response,
      };
    }
    if (c.type === 'final') return { ...rejected(attempt, attempts), idempotencyKey };
    const replayed = response.headers[REPLAYED_HEADER.toLowerCase()] === 'true';
    const transaction = parseJson(response.body) as Partial<AcceptedTransaction> | undefined;
    if (typeof transaction?.txId !== 'string' || typeof transaction.status !== 'string') {
      return {
        kind: 'unavailable',
        reason: 'bad-answer',
        message: `HTTP ${response.status} without {"txId": string, "status": string}: ${snippet(response.body)}`,
        attempts,
        region,
        response,
        idempotencyKey,
      };
    }
    return {
      kind: 'accepted',
      transaction: transaction as AcceptedTransaction,
      replayed,
      idempotencyKey,
      attempts,
      region,
      response,
    };
  }

  /** Reads a transaction (GET /v1/wallets/{walletId}/transactions/{txId}); reads work in degraded mode. */
  async getTransaction(walletId: string, txId: string, options: CallOptions = {}): Promise<GetResult> {
    const path = API_PATHS.transaction
      .replace('{walletId}', encodeURIComponent(walletId))
      .replace('{txId}', encodeURIComponent(txId));
    const out = await this.run('get', options, undefined, (timeoutMs) => ({
      method: 'GET',
      url: path,
      headers: { accept: 'application/json', 'user-agent': this.o.userAgent },
      timeoutMs,
    }));
    if (out.kind !== 'settled') return out.result;
    const { attempt, attempts } = out;
    if (attempt.c.type === 'success') {
      return {
        kind: 'found',
        transaction: parseJson(attempt.response.body) as TransactionView,
        attempts,
        region: attempt.region,
        response: attempt.response,
      };
    }
    if (attempt.response.status === 404 && errorBody(attempt.response)?.error.code !== 'WalletNotFound') {
      return {
        kind: 'not-found',
        message: attempt.c.type === 'final' ? attempt.c.message : snippet(attempt.response.body),
        attempts,
        region: attempt.region,
        response: attempt.response,
      };
    }
    return rejected(attempt, attempts);
  }

  /**
   * Probes every region whose circuit is open (`GET /health`, unsigned) and closes the circuit of
   * each that answers healthy, as itself, in the `active` role (it holds the signer lease: the
   * operators' failback moved it home). Runs on its own, at most every probeIntervalMs, when a
   * request starts while a circuit is open; call it to probe now.
   */
  async probe(): Promise<ProbeResult[]> {
    const open = this.o.regions.filter((r) => this.breakers.get(r.region)?.isOpen());
    return Promise.all(open.map((r) => this.probeRegion(r)));
  }

  private probeRegion(r: RegionEndpoint): Promise<ProbeResult> {
    const running = this.probing.get(r.region);
    if (running !== undefined) return running;
    this.lastProbe.set(r.region, this.o.clock.now());
    const p = (async (): Promise<ProbeResult> => {
      const url = `${r.baseUrl}${HEALTH_PATH}`;
      let detail: string;
      let ok = false;
      try {
        const res = await this.transport({
          method: 'GET',
          url,
          headers: { accept: 'application/json', 'user-agent': this.o.userAgent },
          timeoutMs: this.o.attemptTimeoutMs,
        });
        const body = parseJson(res.body) as Partial<HealthAnswerBody> | undefined;
        if (res.status !== 200 || body?.healthy !== true) detail = `HTTP ${res.status}: ${snippet(res.body, 120)}`;
        else if (body.region !== r.region) detail = `answered by ${String(body.region)}, not ${r.region}`;
        else if (body.role !== 'active') detail = `healthy but role ${String(body.role)} (the lease is elsewhere)`;
        else {
          ok = true;
          detail = 'healthy and active';
        }
      } catch (err) {
        detail = err instanceof Error ? err.message : String(err);
      }
      if (ok) this.breakers.get(r.region)?.success();
      this.emit({ type: 'probe', region: r.region, ok, detail });
      return { region: r.region, ok, detail };
    })().finally(() => this.probing.delete(r.region));
    this.probing.set(r.region, p);
    return p;
  }

  /** Starts (without waiting for) the probes that are due. */
  private probeDue(): void {
    const now = this.o.clock.now();
    for (const r of this.o.regions) {
      if (!this.breakers.get(r.region)?.isOpen()) continue;
      const last = this.lastProbe.get(r.region) ?? this.breakers.get(r.region)?.openedAt ?? now;
      if (now - last >= this.o.probeIntervalMs) void this.probeRegion(r);
    }
  }

  private orderedTargets(): Target[] {
    const position = new Map(this.o.regions.map((r, i) => [r.region, i]));
    return [...this.o.regions]
      .sort((a, b) => {
        const ba = this.breakers.get(a.region);
        const bb = this.breakers.get(b.region);
        const oa = ba?.isOpen() ? 1 : 0;
        const ob = bb?.isOpen() ? 1 : 0;
        if (oa !== ob) return oa - ob;
        if (oa === 1) return (ba?.openedAt ?? 0) - (bb?.openedAt ?? 0);
        return (position.get(a.region) ?? 0) - (position.get(b.region) ?? 0);
      })
      .map((r) => ({ ...r, breaker: true }));
  }

  private targetsFor(via: Via): Target[] {
    if (via === 'regions') return this.orderedTargets();
    if (this.o.failoverUrl === undefined) {
      throw new TypeError(
        'via { failoverName } needs the client option failoverUrl. Fix: pass failoverUrl ("https://api.<zone>") to the WalletClient',
      );
    }
    return [{ region: via.failoverName, baseUrl: this.o.failoverUrl, breaker: false }];
  }

  /**
   * The attempt loop shared by every operation. Settles on the first success, final or paused
   * answer; otherwise retries (same request, same key) until the attempts or the deadline run out.
   */
  private async run(
    operation: 'submit' | 'get',
    options: CallOptions,
    idempotencyKey: string | undefined,
    build: (timeoutMs: number) => ClientRequest,
  ): Promise<
    | { kind: 'settled'; attempt: Attempt & { kind: 'answer' }; attempts: number }
    | { kind: 'gave-up'; result: Unavailable }
  > {
    const clock = this.o.clock;
    const start = clock.now();
    const deadline = start + (options.deadlineMs ?? this.o.deadlineMs);
    const via = options.via ?? 'regions';
    this.probeDue();
    const targets = this.targetsFor(via);
    const key = idempotencyKey !== undefined ? { idempotencyKey } : {};
    let index = 0;
    let attempts = 0;
    let last: Attempt | undefined;
    const giveUp = (reason: Unavailable['reason'], retryAfterMs?: number) => {
      const message =
        last === undefined
          ? `no attempt was made (${reason})`
          : last.kind === 'network'
            ? last.error.message
            : last.c.type === 'retry'
              ? last.c.detail
              : `HTTP ${last.response.status}`;
      this.emit({ type: 'give-up', operation, ...key, attempts, reason });
      const result: Unavailable = {
        kind: 'unavailable',
        reason,
        attempts,
        message,
        ...(last !== undefined ? { region: last.region } : {}),
        ...(last?.kind === 'answer' ? { response: last.response } : {}),
        ...(last?.kind === 'network' ? { error: last.error } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
      return { kind: 'gave-up' as const, result };
    };

    for (;;) {
      if (options.signal?.aborted) return giveUp('aborted');
      const remaining = deadline - clock.now();
      if (remaining <= 0) return giveUp('deadline');
      const target = targets[index];
      attempts += 1;
      const began = clock.now();
      const unsigned = build(Math.min(this.o.attemptTimeoutMs, remaining));
      const request: ClientRequest = {
        ...unsigned,
        url: `${target.baseUrl}${unsigned.url}`,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      };
      last = await this.attempt(request, target);
      const c = last.c;
      this.emit({
        type: 'attempt',
        operation,
        ...key,
        attempt: attempts,
        region: target.region,
        url: request.url,
        outcome: c.type,
        ...(last.kind === 'answer' ? { status: last.response.status } : {}),
        ...(c.type === 'retry' ? { detail: c.detail } : {}),
        ms: clock.now() - began,
      });
      if (target.breaker) {
        const breaker = this.breakers.get(target.region);
        if (c.type === 'retry' && c.regionFault) breaker?.failure(clock.now());
        else if (c.type !== 'retry' && last.kind === 'answer') breaker?.success();
      }
      if (c.type !== 'retry') {
        if (last.kind === 'answer') return { kind: 'settled', attempt: last, attempts };
        return giveUp('sign-failed');
      }
      if (last.kind === 'network' && last.error.kind === 'aborted') return giveUp('aborted');
      if (c.retryAfterMs !== undefined) this.notBefore.set(target.region, clock.now() + c.retryAfterMs);
      if (attempts >= this.o.maxAttempts) return giveUp('attempts-exhausted');

      // The next target: after a region's fault, the next region (it is the likelier to answer,
      // and the key makes the move safe); after a throttle, the same one. Either way skip a
      // region that asked for a wait longer than the backoff, if another has not.
      const delay = backoffDelayMs(attempts, this.o, this.o.random);
      const now = clock.now();
      const first = c.regionFault ? (index + 1) % targets.length : index;
      const order = targets.map((_, i) => (first + i) % targets.length);
      const ready = order.find((i) => (this.notBefore.get(targets[i].region) ?? 0) <= now + delay);
      const next =
        ready ??
        order.reduce((a, b) =>
          (this.notBefore.get(targets[a].region) ?? 0) <= (this.notBefore.get(targets[b].region) ?? 0) ? a : b,
        );
      const wait = Math.max(delay, (this.notBefore.get(targets[next].region) ?? 0) - now);
      if (now + wait >= deadline) {
        // Waiting would pass the deadline: stop now, saying how long the API asked to wait.
        const asked = this.notBefore.get(targets[next].region);
        return giveUp('deadline', asked !== undefined && asked > now ? asked - now : undefined);
      }
      this.emit({
        type: 'retry',
        operation,
        ...key,
        attempt: attempts,
        fromRegion: target.region,
        toRegion: targets[next].region,
        delayMs: wait,
        reason: c.reason,
      });
      try {
        await clock.sleep(wait, options.signal);
      } catch {
        return giveUp('aborted');
      }
      index = next;
    }
  }

  private async attempt(request: ClientRequest, target: Target): Promise<Attempt> {
    let signed = request;
    if (this.o.sign !== undefined) {
      try {
        signed = await this.o.sign(request, target.region);
      } catch (err) {
        // Not the region's fault and not worth a retry (credentials, clock): stop, saying so.
        const message = `signing for ${target.region} failed: ${err instanceof Error ? err.message : String(err)}`;
        return {
          kind: 'network',
          region: target.region,
          error: new NetworkError('other', message, { cause: err }),
          c: { type: 'final', message },
        };
      }
    }
    try {
      const response = await this.transport(signed);
      return { kind: 'answer', region: target.region, response, c: classifyResponse(response, this.o.clock.now()) };
    } catch (err) {
      const error =
        err instanceof NetworkError
          ? err
          : new NetworkError('other', err instanceof Error ? err.message : String(err), { cause: err });
      return { kind: 'network', region: target.region, error, c: classifyNetworkError(error) };
    }
  }

  private emit(event: ClientEvent): void {
    try {
      this.o.onEvent?.(event);
    } catch {
      // A telemetry hook must never change what the client does.
    }
  }
}

function rejected(attempt: Attempt & { kind: 'answer' }, attempts: number): Rejected {
  const c = attempt.c;
  return {
    kind: 'rejected',
    status: attempt.response.status,
    message: c.type === 'final' ? c.message : snippet(attempt.response.body),
    ...(c.type === 'final' && c.code !== undefined ? { code: c.code } : {}),
    ...(c.type === 'final' && c.details !== undefined ? { details: c.details } : {}),
    attempts,
    region: attempt.region,
    response: attempt.response,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
