import { type Hex, keccak256, parseTransaction, serializeTransaction } from 'viem';
import { NonceTakenError } from '../../lambda/shared/chain';

/**
 * A chain that keeps what a node's mempool and blocks would: one transaction per (address, nonce),
 * a second payload at a used nonce only as a replacement with both fees at least 10% higher (geth's
 * default price bump), signatures checked (the signature must be one the simulated KMS key made over
 * this transaction's signing digest: the sender is the key's address; cheaper than recovering it),
 * and everything it accepted recorded. A nonce is confirmed when every lower nonce of the address is
 * filled (no gap stalls it). Blocks come every BLOCK_MS of virtual time (the head the providers
 * report, torture/sim/providers.ts); what is filled without a gap counts as mined.
 */
export interface Accepted {
  readonly raw: Hex;
  readonly hash: Hex;
  /** The sender (lower-case). */
  readonly from: string;
  readonly nonce: number;
  readonly to: string;
  readonly value: bigint;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly at: number;
}

export class ChainRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainRejectedError';
  }
}

const PRICE_BUMP_PERCENT = 10n;
/** One block every 2 s of virtual time (an L2's pace: a stuck head falls past the pool's lag limit within a fault window). */
export const BLOCK_MS = 2_000;
const GENESIS_TIMESTAMP = 1_767_225_600; // 2026-01-01T00:00:00Z, the harness's wall clock origin

export interface SimBlock {
  readonly number: number;
  /** unix seconds */
  readonly timestamp: number;
  readonly hash: Hex;
}

/** The block at virtual time `at` (ms). */
export function blockAt(at: number): SimBlock {
  const number = 1 + Math.floor(Math.max(0, at) / BLOCK_MS);
  return {
    number,
    timestamp: GENESIS_TIMESTAMP + (number * BLOCK_MS) / 1000,
    hash: `0x${number.toString(16).padStart(64, '0')}`,
  };
}

export class SimChain {
  /** The transaction in each slot, by address then nonce. */
  readonly slots = new Map<string, Map<number, Accepted>>();
  /** Every transaction ever accepted (replaced ones too). */
  readonly history: Accepted[] = [];
  broadcasts = 0;
  /** Every hash ever accepted (eth_getTransactionByHash: the network knows it). */
  private readonly hashes = new Set<string>();
  /** The sender of each raw payload already checked (several providers forward the same bytes). */
  private readonly senders = new Map<string, string>();
  constructor(
    private readonly clock: () => number,
    /** The key's address, and the r values of the signatures it made by digest. */
    private readonly key: { readonly address: string; signedR(digest: string): ReadonlySet<bigint> | undefined },
  ) {}

  private sender(tx: ReturnType<typeof parseTransaction>): string {
    const { r, s, yParity, v, ...unsigned } = tx;
    void s;
    void yParity;
    void v;
    const digest = keccak256(serializeTransaction(unsigned as Parameters<typeof serializeTransaction>[0]));
    if (r === undefined || !this.key.signedR(digest)?.has(BigInt(r))) {
      throw new ChainRejectedError(`invalid sender: the signature is not the signing key's over digest ${digest}`);
    }
    return this.key.address;
  }

  head(): SimBlock {
    return blockAt(this.clock());
  }

  knows(hash: string): boolean {
    return this.hashes.has(hash.toLowerCase());
  }

  async submit(raw: Hex, hash: string): Promise<void> {
    this.broadcasts += 1;
    const tx = parseTransaction(raw);
    const from = this.senders.get(raw) ?? this.sender(tx);
    this.senders.set(raw, from);
    const nonce = Number(tx.nonce);
    const slots = this.slots.get(from) ?? new Map<number, Accepted>();
    this.slots.set(from, slots);
    const current = slots.get(nonce);
    const entry: Accepted = {
      raw,
      hash: hash as Hex,
      from,
      nonce,
      to: String(tx.to).toLowerCase(),
      value: tx.value ?? 0n,
      maxFeePerGas: tx.maxFeePerGas ?? 0n,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? 0n,
      at: this.clock(),
    };
    if (current !== undefined) {
      if (current.raw === raw) return; // already known
      const bumped = (a: bigint, b: bigint) => a * 100n >= b * (100n + PRICE_BUMP_PERCENT);
      if (
        nonce < this.confirmedCount(from) ||
        !bumped(entry.maxFeePerGas, current.maxFeePerGas) ||
        !bumped(entry.maxPriorityFeePerGas, current.maxPriorityFeePerGas)
      ) {
        // geth's answers (core/txpool/errors.go ErrReplaceUnderpriced, core/error.go ErrNonceTooLow), as
        // the Broadcaster contract types them (lambda/shared/chain.ts NonceTakenError).
        const answer = nonce < this.confirmedCount(from) ? 'nonce too low' : 'replacement transaction underpriced';
        throw new NonceTakenError(`nonce ${nonce} of ${from} is taken by ${current.hash}: ${answer}`, {
          nonce,
          heldByHash: current.hash,
        });
      }
    }
    slots.set(nonce, entry);
    this.history.push(entry);
    this.hashes.add(entry.hash.toLowerCase());
  }

  /** Wei each address was funded with before the run (the sweeper's hot balance, torture/run.ts). */
  private readonly funded = new Map<string, bigint>();

  fund(address: string, wei: bigint): void {
    this.funded.set(address.toLowerCase(), (this.funded.get(address.toLowerCase()) ?? 0n) + wei);
  }

  /**
   * The balance of `address` at virtual time `at`: what it was funded with, less what every mined
   * transaction it sent took by then (value + 21000 x maxFeePerGas: every torture transaction is a
   * 21000-gas transfer, charged its fee cap, the most it can cost). A slot's occupant at `at` is the
   * last payload accepted there by then; a nonce is mined once every lower one is filled (as
   * `confirmedCount`), and a mined nonce is never replaced ("nonce too low").
   */
  balanceAt(address: string, at: number): bigint {
    let balance = this.funded.get(address.toLowerCase()) ?? 0n;
    for (const a of this.minedAt(address, at)) balance -= a.value + 21_000n * a.maxFeePerGas;
    return balance;
  }

  /** The transactions of `address` mined by virtual time `at`, by nonce. */
  minedAt(address: string, at: number): Accepted[] {
    const from = address.toLowerCase();
    const occupant = new Map<number, Accepted>();
    for (const a of this.history) if (a.from === from && a.at <= at) occupant.set(a.nonce, a);
    const mined: Accepted[] = [];
    for (let n = 0; occupant.has(n); n++) mined.push(occupant.get(n)!);
    return mined;
  }

  /** How many nonces of `address` are filled from 0 without a gap (they would all be mined). */
  confirmedCount(address: string): number {
    const slots = this.slots.get(address.toLowerCase());
    let n = 0;
    while (slots?.has(n)) n++;
    return n;
  }
}
