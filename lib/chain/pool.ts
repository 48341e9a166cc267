import type { Hex, PublicClient } from 'viem';
import { isAddress } from 'viem/utils';
import type { Broadcaster, ChainNonceSource } from '../contract/chain-io';
import { broadcastToAll, type BroadcastReport } from './broadcast';
import { createRpcClient, readChainId, readHead, readPendingNonce, shortError } from './rpc';

export type { BroadcastReport, ProviderBroadcastResult, BroadcastOutcome } from './broadcast';

/**
 * The RPC provider pool of one region (issue 16, docs/chain.md "Providers and the pool").
 *
 * Every provider is scored from its probes (eth_chainId, eth_getBlockByNumber latest) and from the
 * requests the pool sends it: head block number and timestamp, lag behind the best head in blocks
 * and seconds, error rate over the recent window, latency. A provider is unhealthy, with the reason
 * kept, when it never reported a head, its last probe failed, it answers another chain id (refused
 * for good: a provider on another network must never see or serve our transactions), it lags past
 * a limit, or its error rate is past the limit. Garbage answers count as errors with the reason;
 * they never crash the caller.
 */
export interface ProviderEndpoint {
  readonly name: string;
  readonly url: string;
}

export interface PoolLimits {
  readonly maxLagBlocks: number;
  readonly maxLagSeconds: number;
  /** over the recent window, 0..1 */
  readonly maxErrorRate: number;
  readonly requestTimeoutMs: number;
  /** read/pendingNonce/broadcast probe first when the last probe is older than this */
  readonly refreshIntervalMs: number;
}

export interface ProviderHealth {
  readonly name: string;
  readonly healthy: boolean;
  /** why not healthy */
  readonly reason?: string;
  readonly chainId?: number;
  readonly headNumber?: bigint;
  /** unix s */
  readonly headTimestamp?: number;
  readonly lagBlocks?: number;
  readonly lagSeconds?: number;
  readonly errorRate: number;
  readonly latencyMs?: number;
  /** ms epoch */
  readonly checkedAt?: number;
}

/** A provider configured but not usable at all (its secret could not be resolved, say). */
export interface UnusableProvider {
  readonly name: string;
  readonly reason: string;
}

/** How many recent outcomes the error rate is computed over. */
export const ERROR_WINDOW = 20;

export class NoHealthyProviderError extends Error {
  constructor(
    what: string,
    readonly health: readonly ProviderHealth[],
  ) {
    super(
      `${what}: no healthy RPC provider (${health.map((h) => `${h.name}: ${h.reason ?? 'healthy'}`).join('; ') || 'none configured'})`,
    );
    this.name = 'NoHealthyProviderError';
  }
}

/** pendingNonce could not get two healthy providers to agree: reconciliation must not guess. */
export class NonceAgreementError extends Error {
  constructor(
    message: string,
    readonly answers: Readonly<Record<string, number | string>>,
  ) {
    super(message);
    this.name = 'NonceAgreementError';
  }
}

interface ProviderState {
  readonly name: string;
  readonly client?: PublicClient;
  /** Set for good: wrong chain id, or unusable from the start. */
  refused?: string;
  chainId?: number;
  headNumber?: bigint;
  headTimestamp?: number;
  latencyMs?: number;
  checkedAt?: number;
  /** The last probe's failure, cleared by a good probe. */
  probeError?: string;
  /** true = ok, newest last */
  window: boolean[];
  lastError?: string;
}

export class ProviderPool {
  readonly chainId: number;
  readonly limits: PoolLimits;
  private readonly states: ProviderState[];
  private readonly now: () => number;
  private refreshing: Promise<readonly ProviderHealth[]> | undefined;
  private lastRefresh: number | undefined;

  constructor(options: {
    chainId: number;
    providers: readonly ProviderEndpoint[];
    limits: PoolLimits;
    now?: () => number;
    /** Configured providers that cannot be used (kept so health() reports them with the reason). */
    unusable?: readonly UnusableProvider[];
    /** Provider names in config order: health() lists them so (default: providers, then unusable). */
    order?: readonly string[];
    /**
     * Makes each provider's JSON-RPC client. Only for harnesses that put simulated providers behind
     * the real pool (torture/sim/providers.ts: a viem custom transport in virtual time).
     * @default createRpcClient - viem's http transport, no retries, `requestTimeoutMs`
     */
    clientFor?: (provider: ProviderEndpoint, requestTimeoutMs: number) => PublicClient;
  }) {
    this.chainId = options.chainId;
    this.limits = options.limits;
    this.now = options.now ?? Date.now;
    const names = new Set<string>();
    for (const p of [...options.providers, ...(options.unusable ?? [])]) {
      if (names.has(p.name)) throw new Error(`ProviderPool: provider name ${JSON.stringify(p.name)} is used twice`);
      names.add(p.name);
    }
    const clientFor =
      options.clientFor ?? ((p: ProviderEndpoint, timeoutMs: number) => createRpcClient(p.url, timeoutMs));
    this.states = [
      ...options.providers.map((p): ProviderState => ({
        name: p.name,
        client: clientFor(p, options.limits.requestTimeoutMs),
        window: [],
      })),
      ...(options.unusable ?? []).map((u): ProviderState => ({ name: u.name, refused: u.reason, window: [] })),
    ];
    const order = options.order;
    if (order !== undefined) {
      const at = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
      this.states.sort((a, b) => at(a.name) - at(b.name));
    }
  }

  /** Probes every provider now (concurrent callers share one probe round). */
  refresh(): Promise<readonly ProviderHealth[]> {
    this.refreshing ??= this.probeAll().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async probeAll(): Promise<readonly ProviderHealth[]> {
    await Promise.all(this.states.map((s) => this.probe(s)));
    this.lastRefresh = this.now();
    return this.health();
  }

  private async probe(s: ProviderState): Promise<void> {
    if (s.client === undefined || s.refused !== undefined) {
      s.checkedAt = this.now();
      return;
    }
    const started = this.now();
    try {
      const [chainId, head] = await Promise.all([readChainId(s.client), readHead(s.client)]);
      s.latencyMs = this.now() - started;
      s.checkedAt = this.now();
      s.chainId = chainId;
      if (chainId !== this.chainId) {
        s.refused = `wrong chain id: the provider answers ${chainId}, the config says ${this.chainId} (refused for good)`;
        return;
      }
      s.headNumber = head.number;
      s.headTimestamp = head.timestamp;
      s.probeError = undefined;
      this.record(s, true);
    } catch (err) {
      s.latencyMs = this.now() - started;
      s.checkedAt = this.now();
      s.probeError = `probe failed: ${shortError(err)}`;
      this.record(s, false, err);
    }
  }

  private record(s: ProviderState, ok: boolean, err?: unknown): void {
    s.window.push(ok);
    if (s.window.length > ERROR_WINDOW) s.window.splice(0, s.window.length - ERROR_WINDOW);
    if (!ok) s.lastError = shortError(err);
  }

  private recordByName(name: string, ok: boolean, latencyMs: number, err?: unknown): void {
    const s = this.states.find((x) => x.name === name);
    if (s === undefined) return;
    this.record(s, ok, err);
    if (ok) s.latencyMs = latencyMs;
  }

  /** Last known health, no I/O. */
  health(): readonly ProviderHealth[] {
    const live = this.states.filter((s) => s.refused === undefined && s.headNumber !== undefined);
    let bestNumber: bigint | undefined;
    let bestTimestamp: number | undefined;
    for (const s of live) {
      if (bestNumber === undefined || s.headNumber! > bestNumber) bestNumber = s.headNumber;
      if (bestTimestamp === undefined || s.headTimestamp! > bestTimestamp) bestTimestamp = s.headTimestamp;
    }
    return this.states.map((s): ProviderHealth => {
      const errors = s.window.filter((ok) => !ok).length;
      const errorRate = s.window.length === 0 ? 0 : errors / s.window.length;
      const lagBlocks =
        s.headNumber !== undefined && bestNumber !== undefined ? Number(bestNumber - s.headNumber) : undefined;
      const lagSeconds =
        s.headTimestamp !== undefined && bestTimestamp !== undefined ? bestTimestamp - s.headTimestamp : undefined;
      let reason: string | undefined;
      if (s.refused !== undefined) reason = s.refused;
      else if (s.checkedAt === undefined) reason = 'not probed yet';
      else if (s.probeError !== undefined) reason = s.probeError;
      else if (s.headNumber === undefined) reason = 'never reported a head';
      else if (lagBlocks !== undefined && lagBlocks > this.limits.maxLagBlocks) {
        reason = `lagging: ${lagBlocks} blocks behind the best head (limit ${this.limits.maxLagBlocks})`;
      } else if (lagSeconds !== undefined && lagSeconds > this.limits.maxLagSeconds) {
        reason = `lagging: head ${lagSeconds} s older than the best head (limit ${this.limits.maxLagSeconds} s)`;
      } else if (errorRate > this.limits.maxErrorRate) {
        reason =
          `error rate ${errors}/${s.window.length} over the last requests (limit ${this.limits.maxErrorRate}); ` +
          `last error: ${s.lastError ?? 'unknown'}`;
      }
      return {
        name: s.name,
        healthy: reason === undefined,
        ...(reason === undefined ? {} : { reason }),
        ...(s.chainId === undefined ? {} : { chainId: s.chainId }),
        ...(s.headNumber === undefined ? {} : { headNumber: s.headNumber, headTimestamp: s.headTimestamp }),
        ...(lagBlocks === undefined ? {} : { lagBlocks }),
        ...(lagSeconds === undefined ? {} : { lagSeconds }),
        errorRate,
        ...(s.latencyMs === undefined ? {} : { latencyMs: s.latencyMs }),
        ...(s.checkedAt === undefined ? {} : { checkedAt: s.checkedAt }),
      };
    });
  }

  private async fresh(): Promise<readonly ProviderHealth[]> {
    if (this.lastRefresh === undefined || this.now() - this.lastRefresh >= this.limits.refreshIntervalMs) {
      return this.refresh();
    }
    return this.health();
  }

  /** Healthy providers, best first: least lag, then lowest error rate, then lowest latency. */
  private async ranked(): Promise<{ states: ProviderState[]; health: readonly ProviderHealth[] }> {
    const health = await this.fresh();
    const healthy = health
      .filter((h) => h.healthy)
      .sort(
        (a, b) =>
          (a.lagBlocks ?? 0) - (b.lagBlocks ?? 0) ||
          a.errorRate - b.errorRate ||
          (a.latencyMs ?? Infinity) - (b.latencyMs ?? Infinity),
      );
    return { states: healthy.map((h) => this.states.find((s) => s.name === h.name)!), health };
  }

  /**
   * Best healthy provider first; on error the next one; refreshes first if stale. Every error the
   * callback throws counts against the provider, so turn "not found" answers into values inside it.
   */
  async read<T>(what: string, call: (client: PublicClient, provider: string) => Promise<T>): Promise<T> {
    const { states, health } = await this.ranked();
    if (states.length === 0) throw new NoHealthyProviderError(what, health);
    const failures: string[] = [];
    for (const s of states) {
      const started = this.now();
      try {
        const result = await call(s.client!, s.name);
        this.recordByName(s.name, true, this.now() - started);
        return result;
      } catch (err) {
        this.recordByName(s.name, false, this.now() - started, err);
        failures.push(`${s.name}: ${shortError(err)}`);
      }
    }
    throw new Error(`${what} failed on every healthy provider: ${failures.join('; ')}`);
  }

  /**
   * eth_getTransactionCount(address, 'pending') agreed by two healthy providers; else throws.
   *
   * Every healthy provider is asked at once. The answer is the HIGHEST nonce any of them reported,
   * and at least two must report exactly it. A lagging or stale provider answers lower (it misses
   * mined or pending transactions), so the highest is the one that counts; but one provider alone
   * is never trusted (it may be wrong the other way). With fewer than two healthy providers, or
   * when the highest answer has no second, it throws NonceAgreementError and reconciliation fails
   * closed (retry later, or the operator supplies the nonce: docs/runbooks/unplanned-failover-mrec.md).
   */
  async pendingNonce(address: string): Promise<number> {
    const { states, health } = await this.rankedFor(address);
    if (states.length < 2) {
      throw new NonceAgreementError(
        `the pending nonce of ${address} needs two healthy providers to agree, and ${states.length === 0 ? 'none is' : `only ${states[0].name} is`} healthy ` +
          `(${health.map((h) => `${h.name}: ${h.reason ?? 'healthy'}`).join('; ')}); reconciliation fails closed: ` +
          'restore a provider or supply the nonce as the runbook describes',
        {},
      );
    }
    const { answers, numbers, shown } = await this.askPendingNonce(address, states);
    if (numbers.length === 0) {
      throw new NonceAgreementError(`no healthy provider answered the pending nonce of ${address} (${shown})`, answers);
    }
    const highest = Math.max(...numbers);
    const agreeing = numbers.filter((n) => n === highest).length;
    if (agreeing < 2) {
      throw new NonceAgreementError(
        `the pending nonce of ${address} has no agreement of two healthy providers (${shown}): the highest answer, ` +
          `${highest}, comes from one provider only; reconciliation fails closed until two agree`,
        answers,
      );
    }
    return highest;
  }

  /**
   * eth_getTransactionCount(address, 'pending'): the HIGHEST answer of any healthy provider, with no
   * agreement asked. For a check that only ever REFUSES on a high count (the sweeper's "has a signer
   * this replica does not know of used the key?"): one provider's higher answer is reason enough to
   * refuse, and a provider answering too high only stops sweeps (the float alarm then fires). Throws
   * when no healthy provider answers. Reconciliation, which SETS the counter from the answer, uses
   * {@link pendingNonce} instead.
   */
  async highestPendingNonce(address: string): Promise<number> {
    const { states, health } = await this.rankedFor(address);
    const { answers, numbers, shown } = await this.askPendingNonce(address, states);
    if (numbers.length === 0) {
      const why = states.length === 0 ? health.map((h) => `${h.name}: ${h.reason ?? 'healthy'}`).join('; ') : shown;
      throw new NonceAgreementError(`no healthy provider answered the pending nonce of ${address} (${why})`, answers);
    }
    return Math.max(...numbers);
  }

  private async rankedFor(address: string) {
    if (!isAddress(address, { strict: false })) {
      throw new Error(`pendingNonce: ${JSON.stringify(address)} is not an address; pass 0x followed by 40 hex digits`);
    }
    return this.ranked();
  }

  /** The given providers at once, for the pending nonce; each answer or error recorded against its provider. */
  private async askPendingNonce(address: string, states: Awaited<ReturnType<ProviderPool['ranked']>>['states']) {
    const answers: Record<string, number | string> = {};
    await Promise.all(
      states.map(async (s) => {
        const started = this.now();
        try {
          answers[s.name] = await readPendingNonce(s.client!, address as Hex);
          this.recordByName(s.name, true, this.now() - started);
        } catch (err) {
          answers[s.name] = `error: ${shortError(err)}`;
          this.recordByName(s.name, false, this.now() - started, err);
        }
      }),
    );
    return {
      answers,
      numbers: Object.values(answers).filter((v): v is number => typeof v === 'number'),
      shown: Object.entries(answers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
    };
  }

  /** To every healthy provider at once; "already known" and equivalents are success. */
  async broadcast(raw: Hex, meta: { address: string; nonce: number; txHash: string }): Promise<BroadcastReport> {
    const { states } = await this.ranked();
    // All at once, so rank does not matter; the report lists providers in config order.
    const inConfigOrder = this.states.filter((s) => states.includes(s));
    return broadcastToAll(
      inConfigOrder.map((s) => ({ name: s.name, client: s.client! })),
      raw,
      meta,
      this.now,
      (name, ok, latencyMs, err) => this.recordByName(name, ok, latencyMs, err),
    );
  }
}

/** The signer's Broadcaster (lambda/shared/chain.ts contract) over the pool. */
export function poolBroadcaster(pool: ProviderPool): Broadcaster {
  return {
    name: 'rpc-pool',
    enabled: true,
    broadcast: async (raw, meta) => {
      await pool.broadcast(raw, meta);
    },
  };
}

/** Reconciliation's chain-nonce source over the pool (agreement of two, fails closed). */
export function poolNonceSource(pool: ProviderPool): ChainNonceSource {
  return { name: 'rpc-pool', pendingNonce: (address) => pool.pendingNonce(address) };
}

/** The sweeper's chain-nonce source over the pool: the highest answer of any healthy provider (a check that only refuses). */
export function poolHighestNonceSource(pool: ProviderPool): ChainNonceSource {
  return { name: 'rpc-pool-highest', pendingNonce: (address) => pool.highestPendingNonce(address) };
}
