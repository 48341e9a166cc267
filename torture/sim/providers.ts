import { createPublicClient, custom, keccak256, numberToHex, type Hex, type PublicClient } from 'viem';
import { NonceTakenError } from '../../lib/contract/chain-io';
import type { ChainFault, ChainFaultKind } from '../schedule';
import { BLOCK_MS, blockAt, ChainRejectedError, type SimBlock, type SimChain } from './chain';

/**
 * The RPC providers in front of the simulated chain: each answers the JSON-RPC methods the pool and
 * the broadcast use (eth_chainId, eth_getBlockByNumber "latest", eth_getTransactionCount "pending",
 * eth_sendRawTransaction, eth_getTransactionByHash) as a node would, and misbehaves during its fault
 * windows the way lib/chain/devnet/fault-proxy.ts makes a real node misbehave: down, slow past the
 * request timeout, head stuck, stale nonce, swallowing sends, wrong chain id.
 *
 * The pool itself is the REAL lib/chain/pool.ts: each provider is a viem public client over a custom
 * transport (no retries, no cache, as lib/chain/rpc.ts makes them), so the pool's scoring, failover,
 * agreement-of-two nonce read and broadcast to every healthy provider are what the harness tortures.
 * Requests cost no virtual time, except a slow answer: the caller waits the request timeout (a
 * scheduler sleep), then gets a timeout error.
 */
export interface ProviderEvent {
  readonly provider: string;
  readonly kind: ChainFaultKind;
  readonly method: string;
}

/** A JSON-RPC error object, as a node answers it (viem maps it by its code). */
const rpcError = (message: string) => Object.assign(new Error(message), { code: -32000 });

export class SimProvider {
  /** What each window froze (head-stuck): the head and the nonce counts when it started. */
  private readonly frozen = new Map<ChainFault, { head: SimBlock; counts: Map<string, number> }>();

  constructor(
    readonly name: string,
    private readonly chain: SimChain,
    private readonly chainId: number,
    private readonly faults: readonly ChainFault[],
    private readonly deps: {
      readonly clock: () => number;
      readonly sleep: (ms: number) => Promise<void>;
      readonly timeoutMs: number;
      readonly onFault: (event: ProviderEvent) => void;
    },
  ) {}

  private active(kind: ChainFaultKind, method: string): ChainFault | undefined {
    const now = this.deps.clock();
    const f = this.faults.find((x) => x.kind === kind && x.from <= now && now < x.to);
    if (f !== undefined) this.deps.onFault({ provider: this.name, kind, method });
    return f;
  }

  private stuck(method: string) {
    const f = this.active('head-stuck', method);
    if (f === undefined) return undefined;
    let frozen = this.frozen.get(f);
    if (frozen === undefined) {
      frozen = { head: blockAt(f.from), counts: new Map() };
      this.frozen.set(f, frozen);
    }
    return frozen;
  }

  async request({ method, params }: { method: string; params?: unknown }): Promise<unknown> {
    const args = (params ?? []) as unknown[];
    if (this.active('down', method)) {
      throw new Error(`fetch failed: connect ECONNREFUSED (${this.name} is down)`);
    }
    const slow = this.active('slow', method);
    if (slow !== undefined) {
      await this.deps.sleep(this.deps.timeoutMs);
      if (method === 'eth_sendRawTransaction' && slow.reaches === true) {
        await this.answer(method, args).catch(() => undefined);
      }
      throw new Error(`The request took too long to respond (${this.name}, timeout ${this.deps.timeoutMs} ms)`);
    }
    return this.answer(method, args);
  }

  private async answer(method: string, args: unknown[]): Promise<unknown> {
    switch (method) {
      case 'eth_chainId':
        return numberToHex(this.active('wrong-chain-id', method) ? 1 : this.chainId);
      case 'eth_blockNumber':
        return numberToHex((this.stuck(method)?.head ?? this.chain.head()).number);
      case 'eth_getBlockByNumber': {
        const head = this.stuck(method)?.head ?? this.chain.head();
        return { number: numberToHex(head.number), timestamp: numberToHex(head.timestamp), hash: head.hash };
      }
      case 'eth_getTransactionCount': {
        const address = String(args[0]).toLowerCase();
        const frozen = this.stuck(method);
        let count = this.chain.confirmedCount(address);
        if (frozen !== undefined) {
          // The first answer in the window is what the node had when it stopped syncing.
          if (!frozen.counts.has(address)) frozen.counts.set(address, count);
          count = frozen.counts.get(address)!;
        }
        const stale = this.active('stale-nonce', method);
        if (stale !== undefined) count = Math.max(0, count - (stale.behind ?? 1));
        return numberToHex(count);
      }
      case 'eth_getBalance': {
        // At the provider's head: a node that stopped syncing answers the balance of its frozen head.
        const frozen = this.stuck(method);
        const at = frozen === undefined ? this.deps.clock() : (frozen.head.number - 1) * BLOCK_MS;
        return numberToHex(this.chain.balanceAt(String(args[0]), at));
      }
      case 'eth_sendRawTransaction': {
        const raw = String(args[0]) as Hex;
        const hash = keccak256(raw);
        if (this.active('swallow', method)) return hash; // "accepted": never forwarded
        try {
          await this.chain.submit(raw, hash);
        } catch (err) {
          // The node's own words: "nonce too low", "replacement transaction underpriced", "invalid sender".
          if (err instanceof NonceTakenError || err instanceof ChainRejectedError) throw rpcError(err.message);
          throw err;
        }
        return hash;
      }
      case 'eth_getTransactionByHash': {
        const hash = String(args[0]).toLowerCase();
        return this.chain.knows(hash) ? { hash } : null;
      }
      default:
        throw Object.assign(
          new Error(`the torture providers do not answer ${method}; extend torture/sim/providers.ts`),
          {
            code: -32601,
          },
        );
    }
  }

  /** A viem public client over this provider, made the way lib/chain/rpc.ts makes them (no retries, no cache). */
  client(): PublicClient {
    return createPublicClient({ transport: custom(this, { retryCount: 0 }), cacheTime: 0 });
  }
}
