import { createPublicClient, type Hex, http, recoverTransactionAddress, type Transaction } from 'viem';
import { serializeTransaction } from 'viem/utils';

/**
 * What the chain itself says about a rehearsal, read with viem and nothing of the wallet (not the
 * ledger): every transaction each address sent, block by block, its nonce, and the signer it
 * recovers to. Each request of a rehearsal carries a unique `value` (its marker), so "mined exactly
 * once" is a count of mined transactions per marker.
 */
export interface MinedTx {
  readonly hash: Hex;
  readonly from: string;
  readonly to: string;
  readonly nonce: number;
  readonly value: bigint;
  readonly blockNumber: bigint;
  /** The address viem recovers from the signed transaction (recoverTransactionAddress). */
  readonly recovered: string;
}

export interface ChainAudit {
  readonly mined: readonly MinedTx[];
  /** Per address: nonces missing below its highest mined nonce. */
  readonly nonceGaps: Readonly<Record<string, readonly number[]>>;
  /** Markers mined more than once. */
  readonly duplicates: readonly bigint[];
  /** Markers of accepted requests never mined. */
  readonly unmined: readonly bigint[];
  /** Mined transactions whose recovered signer is not their sender (must be none). */
  readonly badSignatures: readonly Hex[];
}

/** Reads every block of the node and audits the given addresses against the expected markers. */
export async function auditChain(
  url: string,
  addresses: readonly string[],
  expectedMarkers: readonly bigint[],
): Promise<ChainAudit> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  const wanted = new Set(addresses.map((a) => a.toLowerCase()));
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const mined: MinedTx[] = [];
  for (let n = 0n; n <= head; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions as Transaction[]) {
      if (!wanted.has(tx.from.toLowerCase())) continue;
      // Rebuilt from the fields the node reports, then the signer recovered from it: nothing of the
      // wallet's own serialization is trusted.
      const serialized = serializeTransaction(
        {
          type: 'eip1559',
          chainId: tx.chainId!,
          nonce: tx.nonce,
          to: tx.to ?? undefined,
          value: tx.value,
          gas: tx.gas,
          maxFeePerGas: tx.maxFeePerGas!,
          maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
          data: tx.input,
          accessList: tx.accessList ?? [],
        },
        { r: tx.r, s: tx.s, yParity: tx.yParity! },
      );
      const recovered = await recoverTransactionAddress({ serializedTransaction: serialized });
      mined.push({
        hash: tx.hash,
        from: tx.from.toLowerCase(),
        to: (tx.to ?? '').toLowerCase(),
        nonce: tx.nonce,
        value: tx.value,
        blockNumber: n,
        recovered: recovered.toLowerCase(),
      });
    }
  }
  return summarize(mined, addresses, expectedMarkers);
}

/** The pure part of the audit (also what its tests drive with made-up chains). */
export function summarize(
  mined: readonly MinedTx[],
  addresses: readonly string[],
  expectedMarkers: readonly bigint[],
): ChainAudit {
  const nonceGaps: Record<string, number[]> = {};
  for (const a of addresses.map((x) => x.toLowerCase())) {
    const nonces = new Set(mined.filter((t) => t.from === a).map((t) => t.nonce));
    const max = Math.max(-1, ...nonces);
    nonceGaps[a] = [];
    for (let i = 0; i <= max; i++) if (!nonces.has(i)) nonceGaps[a].push(i);
  }
  const counts = new Map<bigint, number>();
  for (const t of mined) counts.set(t.value, (counts.get(t.value) ?? 0) + 1);
  return {
    mined,
    nonceGaps,
    duplicates: expectedMarkers.filter((m) => (counts.get(m) ?? 0) > 1),
    unmined: expectedMarkers.filter((m) => (counts.get(m) ?? 0) === 0),
    badSignatures: mined.filter((t) => t.recovered !== t.from).map((t) => t.hash),
  };
}

/** Nearest-rank percentile of `values` (ms); undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
