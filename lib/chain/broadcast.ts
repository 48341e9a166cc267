import type { Hex, PublicClient } from 'viem';
import { keccak256 } from 'viem/utils';
import { NonceTakenError } from '../contract/chain-io';
import { errorText, GarbageAnswerError, hash32, shortError } from './rpc';

/**
 * Broadcast: the signed transaction goes to every healthy provider AT ONCE (one slow or
 * swallowing provider must not decide whether the network sees it). Per provider the answer is
 * one of:
 *  - accepted: the node returned the transaction's hash;
 *  - already-known: "already known" (geth), "known transaction" (Hardhat/Besu/OpenEthereum),
 *    "transaction already imported" / "already exists" (Nethermind/Erigon): the node has it;
 *  - own-tx-known: "nonce too low" or "replacement transaction underpriced", AND the node knows our
 *    hash (eth_getTransactionByHash): it is our own transaction, mined or pending: success;
 *  - nonce-taken: the same answers, and the node says it does not know our hash (null): another
 *    transaction holds the nonce. A node that cannot answer the lookup is an error, not a refusal:
 *    NonceTakenError makes the signer quarantine, so it is thrown only on definite answers;
 *  - error: anything else (down, timeout, garbage, a rate limit): transient.
 * The broadcast succeeds when at least one provider accepted or knew it. With none, a nonce-taken
 * answer (after looking the hash up on every reachable provider) throws NonceTakenError, naming the
 * hash that holds the nonce when a refusing provider can tell (findNonceHolder); else the error is
 * transient and the caller retries.
 */
export type BroadcastOutcome = 'accepted' | 'already-known' | 'own-tx-known' | 'nonce-taken' | 'error';

export interface ProviderBroadcastResult {
  readonly provider: string;
  readonly outcome: BroadcastOutcome;
  /** The node's message, for everything but accepted. */
  readonly detail?: string;
  readonly latencyMs: number;
}

export interface BroadcastReport {
  readonly txHash: string;
  /** Providers that accepted or already knew the transaction. */
  readonly acceptedBy: readonly string[];
  readonly results: readonly ProviderBroadcastResult[];
}

export interface BroadcastTarget {
  readonly name: string;
  readonly client: PublicClient;
}

const ALREADY_KNOWN = [
  /already known/i,
  /known transaction/i,
  /already imported/i, // OpenEthereum/Nethermind: "Transaction with the same hash was already imported."
  /already exists/i,
  /existing tx with same hash/i, // Erigon: "INTERNAL_ERROR: existing tx with same hash"
  /already in (the )?(mempool|pool|txpool)/i,
];
const NONCE_CONFLICT = [
  /nonce too low/i,
  /nonce is too low/i, // OpenEthereum: "Transaction nonce is too low"
  /nonce has already been used/i,
  /replacement transaction underpriced/i,
  /transaction underpriced.*replace/i,
  /nonce.*(is )?(already )?(used|taken)/i,
  // Hardhat/EDR: "Nonce too low. Expected nonce to be 3 but got 2."
  /expected nonce to be \d+ but got \d+/i,
];

export function classifyBroadcastError(err: unknown): 'already-known' | 'nonce-conflict' | 'transient' {
  if (err instanceof GarbageAnswerError) return 'transient';
  const text = errorText(err);
  if (ALREADY_KNOWN.some((r) => r.test(text))) return 'already-known';
  if (NONCE_CONFLICT.some((r) => r.test(text))) return 'nonce-conflict';
  return 'transient';
}

/** Does this provider know the transaction (pending or mined)? undefined: it could not tell. */
async function knowsTransaction(client: PublicClient, txHash: Hex): Promise<boolean | undefined> {
  try {
    const tx: unknown = await client.request({ method: 'eth_getTransactionByHash', params: [txHash] });
    if (tx === null) return false;
    if (typeof tx === 'object' && !Array.isArray(tx)) {
      const h = (tx as { hash?: unknown }).hash;
      return typeof h === 'string' && h.toLowerCase() === txHash.toLowerCase();
    }
    return undefined; // garbage: cannot tell
  } catch {
    return undefined;
  }
}

interface RpcTx {
  readonly hash?: unknown;
  readonly from?: unknown;
  readonly nonce?: unknown;
}

const sameText = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** The hash of the transaction in `txs` from `address` at `nonce` that is not `ours`, when it is well formed. */
function holderIn(txs: unknown, address: string, nonce: number, ours: string): string | undefined {
  if (!Array.isArray(txs)) return undefined;
  for (const t of txs as RpcTx[]) {
    if (t === null || typeof t !== 'object') continue;
    if (!sameText(t.from, address) || typeof t.nonce !== 'string' || Number(BigInt(t.nonce)) !== nonce) continue;
    if (typeof t.hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(t.hash) || sameText(t.hash, ours)) continue;
    return t.hash.toLowerCase();
  }
  return undefined;
}

/**
 * The hash of the transaction that holds `address`'s `nonce` on this node, or undefined when the
 * node cannot tell (never a guess: only a transaction the node itself reports with that sender and
 * nonce counts). Looked up only on the rare nonce-taken path, in this order:
 * - pending: geth's and Erigon's `txpool_contentFrom(address)` (pending and queued, by nonce), else
 *   the pending block (`eth_getBlockByNumber("pending", true)`, which Hardhat and geth answer);
 * - mined: `eth_getTransactionCount(address, latest)` above the nonce means a block used it; the
 *   lowest block whose count is above the nonce is found by bisection (at most ~log2(head) calls;
 *   a node without the old state, a non-archive geth, fails the lookup: undefined) and that block's
 *   transactions name it.
 */
export async function findNonceHolder(
  client: PublicClient,
  address: string,
  nonce: number,
  ours: string,
): Promise<string | undefined> {
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    try {
      return await client.request({ method: method as never, params: params as never });
    } catch {
      return undefined;
    }
  };
  const pool = (await call('txpool_contentFrom', [address])) as
    { pending?: Record<string, unknown>; queued?: Record<string, unknown> } | undefined;
  if (pool !== undefined && pool !== null && typeof pool === 'object') {
    for (const part of [pool.pending, pool.queued]) {
      const found = holderIn(part === undefined ? undefined : [part[String(nonce)]], address, nonce, ours);
      if (found !== undefined) return found;
    }
  }
  const pending = (await call('eth_getBlockByNumber', ['pending', true])) as { transactions?: unknown } | undefined;
  const inPending = holderIn(pending?.transactions, address, nonce, ours);
  if (inPending !== undefined) return inPending;

  const count = async (block: bigint | 'latest'): Promise<bigint | undefined> => {
    const tag = block === 'latest' ? block : `0x${block.toString(16)}`;
    const answer = await call('eth_getTransactionCount', [address, tag]);
    return typeof answer === 'string' && /^0x[0-9a-fA-F]+$/.test(answer) ? BigInt(answer) : undefined;
  };
  const latest = await count('latest');
  const head = await call('eth_blockNumber', []);
  if (latest === undefined || latest <= BigInt(nonce) || typeof head !== 'string') return undefined;
  // Invariant: count(hi) > nonce, count(lo - 1) <= nonce (block 0 has no transactions of ours before it).
  let lo = 0n;
  let hi = BigInt(head);
  for (let i = 0; i < 80 && lo < hi; i++) {
    const mid = (lo + hi) / 2n;
    const c = await count(mid);
    if (c === undefined) return undefined;
    if (c > BigInt(nonce)) hi = mid;
    else lo = mid + 1n;
  }
  const block = (await call('eth_getBlockByNumber', [`0x${hi.toString(16)}`, true])) as
    { transactions?: unknown } | undefined;
  return holderIn(block?.transactions, address, nonce, ours);
}

/** The raw transaction's hash (keccak256 of the signed bytes), checked against what the signer says. */
export function rawTxHash(raw: Hex): Hex {
  return keccak256(raw);
}

export async function broadcastToAll(
  targets: readonly BroadcastTarget[],
  raw: Hex,
  meta: { readonly address: string; readonly nonce: number; readonly txHash: string },
  now: () => number = Date.now,
  onResult?: (provider: string, ok: boolean, latencyMs: number, err?: unknown) => void,
): Promise<BroadcastReport> {
  const txHash = meta.txHash.toLowerCase() as Hex;
  if (rawTxHash(raw) !== txHash) {
    // A signer bug, never a network problem: refuse loudly rather than report another tx's fate.
    throw new Error(
      `broadcast refused: the raw transaction hashes to ${rawTxHash(raw)}, not the txHash given (${meta.txHash}); ` +
        'the ledger record and its signedRaw disagree',
    );
  }
  if (targets.length === 0) {
    throw new Error(`broadcast of ${txHash} failed: no healthy provider to send it to (transient; retried)`);
  }
  const results = await Promise.all(
    targets.map(async ({ name, client }): Promise<ProviderBroadcastResult> => {
      const started = now();
      try {
        const answer: unknown = await client.request({ method: 'eth_sendRawTransaction', params: [raw] });
        const got = hash32('eth_sendRawTransaction', answer);
        const latencyMs = now() - started;
        if (got !== txHash) {
          const err = new GarbageAnswerError('eth_sendRawTransaction', answer, `the transaction hash ${txHash}`);
          onResult?.(name, false, latencyMs, err);
          return { provider: name, outcome: 'error', detail: err.message, latencyMs };
        }
        onResult?.(name, true, latencyMs);
        return { provider: name, outcome: 'accepted', latencyMs };
      } catch (err) {
        const latencyMs = now() - started;
        const kind = classifyBroadcastError(err);
        const detail = shortError(err);
        if (kind === 'already-known') {
          onResult?.(name, true, latencyMs);
          return { provider: name, outcome: 'already-known', detail, latencyMs };
        }
        if (kind === 'nonce-conflict') {
          // The node answered definitely (not a provider fault).
          onResult?.(name, true, latencyMs);
          const known = await knowsTransaction(client, txHash);
          if (known === undefined) {
            // It refused the nonce but cannot say whether the transaction is ours: not definite.
            return {
              provider: name,
              outcome: 'error',
              detail: `${detail}; and eth_getTransactionByHash could not tell whether it knows ${txHash}`,
              latencyMs,
            };
          }
          return { provider: name, outcome: known ? 'own-tx-known' : 'nonce-taken', detail, latencyMs };
        }
        onResult?.(name, false, latencyMs, err);
        return { provider: name, outcome: 'error', detail, latencyMs };
      }
    }),
  );
  const acceptedBy = results
    .filter((r) => r.outcome === 'accepted' || r.outcome === 'already-known' || r.outcome === 'own-tx-known')
    .map((r) => r.provider);
  const report: BroadcastReport = { txHash, acceptedBy, results };
  if (acceptedBy.length > 0) return report;

  const summary = results.map((r) => `${r.provider}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`).join('; ');
  const taken = results.filter((r) => r.outcome === 'nonce-taken');
  if (taken.length > 0) {
    // Before calling it taken, ask every provider whether it knows our hash: a node that mined it
    // answers "nonce too low" too, and one that lags may not have seen it yet.
    const known = await Promise.all(targets.map((t) => knowsTransaction(t.client, txHash)));
    if (known.some((k) => k === true)) {
      return { txHash, acceptedBy: targets.filter((_, i) => known[i] === true).map((t) => t.name), results };
    }
    // Which transaction holds it, when a provider that refused can tell (the quarantine names it).
    let heldByHash: string | undefined;
    for (const t of targets.filter((t) => taken.some((r) => r.provider === t.name))) {
      heldByHash = await findNonceHolder(t.client, meta.address, meta.nonce, txHash);
      if (heldByHash !== undefined) break;
    }
    throw new NonceTakenError(
      `nonce ${meta.nonce} of ${meta.address} is held by ${heldByHash ?? 'another transaction'}: ${taken.map((r) => r.provider).join(', ')} ` +
        `refused ${txHash} and no provider knows it (${summary})`,
      heldByHash === undefined ? { nonce: meta.nonce } : { nonce: meta.nonce, heldByHash },
    );
  }
  throw new Error(`broadcast of ${txHash} failed on every provider (transient; retried): ${summary}`);
}
