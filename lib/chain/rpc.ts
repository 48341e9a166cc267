import { createPublicClient, http, type PublicClient } from 'viem';

/**
 * One JSON-RPC client per provider: viem's public client over its http transport with NO retries
 * of its own (`retryCount: 0`) and a timeout. The pool (pool.ts) does the retrying and failover,
 * so a dead provider costs one timeout, not viem's default three attempts with backoff.
 */
export function createRpcClient(url: string, timeoutMs: number): PublicClient {
  return createPublicClient({
    transport: http(url, { retryCount: 0, timeout: timeoutMs }),
    // No client-side cache of eth_blockNumber (viem keeps it for the polling interval, 4 s by
    // default): a cached head would hide a provider that stopped syncing.
    cacheTime: 0,
    // No `chain`: the pool checks eth_chainId itself, and reads that need the chain pass it.
  });
}

/** A provider answered, but not with what the method returns (non-JSON, wrong shape, nonsense). */
export class GarbageAnswerError extends Error {
  constructor(
    readonly method: string,
    readonly got: unknown,
    expected: string,
  ) {
    super(`garbage answer to ${method}: expected ${expected}, got ${showAnswer(got)}`);
    this.name = 'GarbageAnswerError';
  }
}

export function showAnswer(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/i;
const HASH = /^0x[0-9a-f]{64}$/i;

/** A JSON-RPC QUANTITY ("0x1a") as a bigint; anything else is a GarbageAnswerError. */
export function quantity(method: string, v: unknown): bigint {
  if (typeof v !== 'string' || !QUANTITY.test(v) || v.length > 66)
    throw new GarbageAnswerError(method, v, 'a hex quantity');
  return BigInt(v);
}

/** A QUANTITY that fits a JS number exactly (nonces, chain ids, timestamps). */
export function smallQuantity(method: string, v: unknown): number {
  const n = quantity(method, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new GarbageAnswerError(method, v, 'a quantity below 2^53');
  return Number(n);
}

export function hash32(method: string, v: unknown): `0x${string}` {
  if (typeof v !== 'string' || !HASH.test(v)) throw new GarbageAnswerError(method, v, 'a 32-byte hex hash');
  return v.toLowerCase() as `0x${string}`;
}

export interface HeadBlock {
  readonly number: bigint;
  /** unix seconds */
  readonly timestamp: number;
  readonly hash: `0x${string}`;
}

/** `eth_getBlockByNumber("latest", false)`, checked field by field. */
export async function readHead(client: PublicClient): Promise<HeadBlock> {
  const method = 'eth_getBlockByNumber';
  const block: unknown = await client.request({ method, params: ['latest', false] });
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw new GarbageAnswerError(method, block, 'a block object');
  }
  const b = block as Record<string, unknown>;
  return {
    number: quantity(method, b.number),
    timestamp: smallQuantity(method, b.timestamp),
    hash: hash32(method, b.hash),
  };
}

export async function readChainId(client: PublicClient): Promise<number> {
  return smallQuantity('eth_chainId', await client.request({ method: 'eth_chainId' }));
}

/** `eth_getTransactionCount(address, "pending")`, checked. */
export async function readPendingNonce(client: PublicClient, address: `0x${string}`): Promise<number> {
  const method = 'eth_getTransactionCount';
  return smallQuantity(method, await client.request({ method, params: [address, 'pending'] }));
}

/** The text of an error and its causes (viem wraps the node's message in `details` and `cause`). */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 6; depth += 1) {
    if (e instanceof Error) {
      parts.push(e.message);
      const details = (e as { details?: unknown }).details;
      if (typeof details === 'string') parts.push(details);
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(' | ');
}

/** One line for a reason or a log: the shortest informative message viem gives. */
export function shortError(err: unknown): string {
  if (err instanceof GarbageAnswerError) return err.message;
  const short = (err as { shortMessage?: unknown })?.shortMessage;
  const details = (err as { details?: unknown })?.details;
  const text = [typeof short === 'string' ? short : err instanceof Error ? err.message.split('\n')[0] : String(err)];
  if (typeof details === 'string' && details !== '' && !text[0].includes(details)) text.push(details);
  const s = redactUrls(text.join(': ')).replace(/\s+/g, ' ');
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}

/**
 * A provider URL often carries its API key (`https://eth-sepolia.g.alchemy.com/v2/<key>`), and
 * viem puts the URL in its error messages. Reasons end up in logs, metrics and the drill's output,
 * so every URL is cut to its origin.
 */
export function redactUrls(text: string): string {
  return text.replace(/\b(https?|wss?):\/\/[^\s"'<>]+/gi, (url) => {
    try {
      const u = new URL(url);
      return u.pathname === '/' && u.search === '' && u.username === '' ? u.origin : `${u.origin}/<redacted>`;
    } catch {
      return '<url redacted>';
    }
  });
}
