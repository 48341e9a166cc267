import { keccak256, type Hex, type PublicClient } from 'viem';
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
 *  - nonce-taken: the same answers for a hash no node knows: another transaction holds the nonce;
 *  - error: anything else (down, timeout, garbage, a rate limit): transient.
 * The broadcast succeeds when at least one provider accepted or knew it. With none, a nonce-taken
 * answer (after looking the hash up on every reachable provider) throws NonceTakenError; else the
 * error is transient and the caller retries.
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
          return { provider: name, outcome: known === true ? 'own-tx-known' : 'nonce-taken', detail, latencyMs };
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
    throw new NonceTakenError(
      `nonce ${meta.nonce} of ${meta.address} is held by another transaction: ${taken.map((r) => r.provider).join(', ')} ` +
        `refused ${txHash} and no provider knows it (${summary})`,
      { nonce: meta.nonce },
    );
  }
  throw new Error(`broadcast of ${txHash} failed on every provider (transient; retried): ${summary}`);
}
