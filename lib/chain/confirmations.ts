/**
 * Confirmation tracking, as pure rules (issue 16): from what the ledger holds about one transaction
 * and what the chain shows now, the ONE next step the chain watcher (lambda/chain-watcher) takes.
 * No I/O here: the watcher gathers the observations, applies the step with a fenced conditional
 * write (lambda/shared/ledger-chain.ts) and broadcasts or asks the signer for a bump.
 *
 * The steps, in the order they are checked (docs/chain.md, "Confirmations, reorgs and dropped
 * transactions"):
 * - a variant has a receipt in a CANONICAL block (its block hash is the block hash at its height
 *   now) and the transaction is not recorded mined there → `mined` (which variant, block number and
 *   hash); a receipt whose block is not canonical (a lagging provider, a reorg in flight) counts as
 *   no receipt;
 * - recorded mined and the recorded block is still canonical → `confirmed` once
 *   head - minedBlock + 1 >= N (the block holding it counts as the first confirmation), else nothing;
 * - recorded mined and the recorded block is no longer canonical, and no variant is mined anywhere
 *   canonical → `reorged`: back to broadcast, and the SAME signed raw of the mined variant is
 *   broadcast again, unchanged (same nonce, same signature: it can only be mined once);
 * - `signed` (stored, never marked broadcast) → `broadcast` the stored raw (the latest variant);
 * - no receipt, and the transaction's nonce is used on the chain at confirmation depth by a
 *   transaction that is none of its variants (`supersededBy`, looked up by the watcher only when the
 *   step would otherwise be `dropped` or `resubmit`) → `superseded`: none of its variants can ever be
 *   mined; quarantined, never broadcast or bumped again (a provider that swallows broadcasts can
 *   otherwise hide the others' "nonce too low" and keep it `broadcast` forever);
 * - no receipt and no provider knows any variant hash → `dropped`: broadcast the stored raw again;
 * - not mined within resubmitAfterSeconds of the latest variant (or of the last bump asked for that
 *   variant) → `resubmit`: a bump message to the signer (the watcher never signs);
 * - else nothing.
 */

/** One signed variant of a transaction (a replacement adds one; lib/chain/fees.ts, the signer). */
export interface TrackedVariant {
  readonly index: number;
  readonly txHash: string;
  readonly signedRaw: string;
  /** ISO time the variant was signed (or first broadcast). */
  readonly signedAt?: string;
}

/** Where a transaction was recorded mined. */
export interface MinedFacts {
  readonly txHash: string;
  readonly blockNumber: bigint;
  readonly blockHash: string;
}

/** What the ledger holds about a transaction the watcher tracks. */
export interface TrackedTransaction {
  readonly txId: string;
  readonly status: string;
  /** Every signed variant, oldest first; the last is the latest (what a bump replaces). */
  readonly variants: readonly TrackedVariant[];
  readonly mined?: MinedFacts;
  /** The latest variant for which the watcher already asked a bump, and when (ISO). */
  readonly bumpRequested?: { readonly fromTxHash: string; readonly at: string };
}

/** A receipt as the chain reports it. */
export interface ObservedReceipt {
  readonly blockNumber: bigint;
  readonly blockHash: string;
  /** `success` or `reverted` (a reverted transaction is mined: its nonce is used). */
  readonly status: 'success' | 'reverted';
}

/** What the chain shows now. */
export interface ChainObservation {
  /** The best head block number. */
  readonly head: bigint;
  /** Receipt per variant hash (lower-case); absent or undefined: no receipt. */
  readonly receipts: ReadonlyMap<string, ObservedReceipt | undefined>;
  /**
   * Canonical block hash per block number asked (the recorded mined block and every receipt's
   * block); undefined: no block at that height (the chain is shorter now).
   */
  readonly canonicalHashes: ReadonlyMap<bigint, string | undefined>;
  /** Whether any provider knows any variant hash (eth_getTransactionByHash answered a transaction). */
  readonly known: boolean;
  /**
   * The hash of a transaction that is NOT one of this transaction's variants and that a provider
   * reports mined from the same address at the same nonce, in a block at least `confirmations` deep.
   * Undefined: not looked up, or no such transaction (the nonce is free, or held by one of ours).
   */
  readonly supersededBy?: string;
}

export interface ConfirmationSettings {
  /** Blocks for `confirmed`, counting the block holding it (per chain; `chain.confirmations`). */
  readonly confirmations: number;
  /** Seconds a variant may stay unmined before a bump is asked (`chain.resubmitAfterSeconds`). */
  readonly resubmitAfterSeconds: number;
}

export type NextStep =
  | {
      readonly kind: 'mined';
      readonly variant: TrackedVariant;
      readonly blockNumber: bigint;
      readonly blockHash: string;
      readonly receiptStatus: 'success' | 'reverted';
      /** The variants not mined: marked replaced. */
      readonly replaced: readonly string[];
      /** The transaction was recorded mined in another block before (a reorg moved it). */
      readonly moved?: MinedFacts;
    }
  | { readonly kind: 'confirmed'; readonly confirmations: number; readonly mined: MinedFacts }
  | { readonly kind: 'reorged'; readonly was: MinedFacts; readonly rebroadcast: TrackedVariant }
  | { readonly kind: 'broadcast'; readonly rebroadcast: TrackedVariant }
  | { readonly kind: 'dropped'; readonly rebroadcast: TrackedVariant }
  | { readonly kind: 'superseded'; readonly by: string }
  | { readonly kind: 'resubmit'; readonly fromTxHash: string; readonly waitedSeconds: number }
  | { readonly kind: 'nothing'; readonly reason: string; readonly confirmations?: number };

/** The statuses the watcher tracks (c-fees' `stuck` may still be mined when the fees fall). */
export const TRACKED_STATUSES = ['signed', 'broadcast', 'mined', 'stuck'] as const;

/** Problems with the inputs, all at once (a bad ledger item must not be guessed at). */
export class ConfirmationInputError extends Error {
  constructor(
    readonly txId: string,
    readonly problems: readonly string[],
  ) {
    super(
      `transaction ${txId} cannot be tracked: ${problems.join('; ')}. Fix: repair the ledger item (docs/data-model.md) or quarantine it with wallet-ops`,
    );
    this.name = 'ConfirmationInputError';
  }
}

function check(tx: TrackedTransaction, settings: ConfirmationSettings): void {
  const problems: string[] = [];
  if (!(TRACKED_STATUSES as readonly string[]).includes(tx.status)) {
    problems.push(`status must be one of ${TRACKED_STATUSES.join(', ')}; received ${JSON.stringify(tx.status)}`);
  }
  if (tx.variants.length === 0) problems.push('it has no signed variant (no txHash and signedRaw)');
  tx.variants.forEach((v, i) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(v.txHash))
      problems.push(`variants[${i}].txHash is not a 32-byte hash: ${v.txHash}`);
    if (!/^0x[0-9a-fA-F]+$/.test(v.signedRaw)) problems.push(`variants[${i}].signedRaw is not hex`);
  });
  if (tx.status === 'mined' && tx.mined === undefined) problems.push('status is mined but no mined block is recorded');
  if (tx.mined !== undefined && !tx.variants.some((v) => same(v.txHash, tx.mined?.txHash))) {
    problems.push(`the mined hash ${tx.mined.txHash} is none of its variants`);
  }
  if (!Number.isInteger(settings.confirmations) || settings.confirmations < 1) {
    problems.push(`confirmations must be a whole number >= 1; received ${settings.confirmations}`);
  }
  if (!(settings.resubmitAfterSeconds > 0)) {
    problems.push(`resubmitAfterSeconds must be > 0; received ${settings.resubmitAfterSeconds}`);
  }
  if (problems.length > 0) throw new ConfirmationInputError(tx.txId, problems);
}

const same = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Confirmations of a transaction in `blockNumber` with the head at `head` (its own block counts). */
export function confirmationsAt(blockNumber: bigint, head: bigint): number {
  return head < blockNumber ? 0 : Number(head - blockNumber) + 1;
}

/** The one next step for `tx` given what the chain shows (`now` in ms since the epoch). */
export function nextStep(
  tx: TrackedTransaction,
  chain: ChainObservation,
  settings: ConfirmationSettings,
  now: number,
): NextStep {
  check(tx, settings);
  const latest = tx.variants[tx.variants.length - 1];
  const canonical = (blockNumber: bigint, blockHash: string) => same(chain.canonicalHashes.get(blockNumber), blockHash);

  // A variant mined in a canonical block. Two cannot be (one nonce); if a confused provider says
  // so, the lowest block wins and the next poll corrects it.
  const minedNow = tx.variants
    .map((v) => ({ v, r: chain.receipts.get(v.txHash.toLowerCase()) }))
    .filter(
      (x): x is { v: TrackedVariant; r: ObservedReceipt } =>
        x.r !== undefined && canonical(x.r.blockNumber, x.r.blockHash),
    )
    .sort((a, b) => (a.r.blockNumber < b.r.blockNumber ? -1 : a.r.blockNumber > b.r.blockNumber ? 1 : 0))[0];

  if (tx.mined !== undefined && tx.status === 'mined') {
    const recorded = tx.mined;
    const stillThere =
      canonical(recorded.blockNumber, recorded.blockHash) &&
      (minedNow === undefined ||
        (same(minedNow.v.txHash, recorded.txHash) && same(minedNow.r.blockHash, recorded.blockHash)));
    if (stillThere) {
      const confirmations = confirmationsAt(recorded.blockNumber, chain.head);
      return confirmations >= settings.confirmations
        ? { kind: 'confirmed', confirmations, mined: recorded }
        : { kind: 'nothing', reason: `${confirmations} of ${settings.confirmations} confirmations`, confirmations };
    }
    if (minedNow !== undefined) {
      return minedStep(tx, minedNow.v, minedNow.r, recorded);
    }
    const variant = tx.variants.find((v) => same(v.txHash, recorded.txHash)) ?? latest;
    return { kind: 'reorged', was: recorded, rebroadcast: variant };
  }

  if (minedNow !== undefined) return minedStep(tx, minedNow.v, minedNow.r);

  if (chain.supersededBy !== undefined) {
    // Never trust a holder that is one of ours (a lagging provider's missing receipt): only a
    // foreign hash at our nonce, confirmations deep, ends the transaction.
    if (!tx.variants.some((v) => same(v.txHash, chain.supersededBy))) {
      return { kind: 'superseded', by: chain.supersededBy.toLowerCase() };
    }
  }
  if (tx.status === 'signed') return { kind: 'broadcast', rebroadcast: latest };
  if (!chain.known) return { kind: 'dropped', rebroadcast: latest };
  if (tx.status === 'stuck')
    return { kind: 'nothing', reason: 'stuck at the fee cap; waiting for an operator or lower fees' };

  const since = [latest.signedAt, same(tx.bumpRequested?.fromTxHash, latest.txHash) ? tx.bumpRequested?.at : undefined]
    .map((t) => (t === undefined ? NaN : Date.parse(t)))
    .filter((t) => Number.isFinite(t));
  if (since.length === 0) return { kind: 'nothing', reason: 'pending; the latest variant has no signing time' };
  const waitedSeconds = (now - Math.max(...since)) / 1000;
  if (waitedSeconds >= settings.resubmitAfterSeconds) {
    return { kind: 'resubmit', fromTxHash: latest.txHash, waitedSeconds };
  }
  return { kind: 'nothing', reason: `pending for ${Math.floor(waitedSeconds)} s of ${settings.resubmitAfterSeconds}` };
}

function minedStep(tx: TrackedTransaction, v: TrackedVariant, r: ObservedReceipt, moved?: MinedFacts): NextStep {
  return {
    kind: 'mined',
    variant: v,
    blockNumber: r.blockNumber,
    blockHash: r.blockHash,
    receiptStatus: r.status,
    replaced: tx.variants.filter((o) => !same(o.txHash, v.txHash)).map((o) => o.txHash),
    ...(moved === undefined ? {} : { moved }),
  };
}
