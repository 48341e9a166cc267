/**
 * EIP-1559 fees: the first signature's fees from `eth_feeHistory`, and the fees of a replacement
 * (same nonce, same intent) when a transaction is not mined in time. Pure: the caller reads the
 * history through the provider pool and stores what this returns BEFORE it calls KMS (a
 * re-estimate after a lost reply would sign another payload at the nonce; docs/chain.md).
 *
 * The replacement rule is geth's txpool rule (core/txpool/legacypool/list.go, `list.Add`): a
 * transaction replaces the one at its nonce only if BOTH its fee cap and its tip are strictly
 * higher than the old ones and at least `old * (100 + priceBump) / 100` (integer division):
 *
 *     if old.GasFeeCapCmp(tx) >= 0 || old.GasTipCapCmp(tx) >= 0 { return false, nil }
 *     thresholdFeeCap := aFeeCap.Div(aFeeCap, b); thresholdTip := aTip.Div(aTip, b)
 *     if tx.GasFeeCapIntCmp(thresholdFeeCap) < 0 || tx.GasTipCapIntCmp(thresholdTip) < 0 { return false, nil }
 *
 * otherwise the node answers "replacement transaction underpriced". geth's default priceBump is 10;
 * the chain's `replacementBumpPercent` must be at least what its nodes enforce.
 */
import type { ChainFeeSettings } from '../contract/chain-settings';

export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** What `eth_feeHistory(blocks, "latest", [rewardPercentile])` answers, decoded. */
export interface FeeHistory {
  /**
   * Base fee per block, oldest first, with one extra entry at the end: the base fee of the NEXT
   * block (JSON-RPC: "includes the next block after the newest of the returned range").
   */
  readonly baseFeePerGas: readonly bigint[];
  /** Per block, the priority fee at the requested percentile (one entry per block). */
  readonly reward?: readonly (readonly bigint[])[];
}

/** The chain's fee market as the signer reads it: the policy in wei and eth_feeHistory through the pool. */
export interface ChainFees {
  readonly policy: FeePolicy;
  feeHistory(): Promise<FeeHistory>;
}

/** The chain's fee settings in wei. */
export interface FeePolicy {
  /** The per-chain priority fee: the tip never goes below it. */
  readonly priorityFeePerGas: bigint;
  /** The hard per-chain cap on maxFeePerGas: nothing is ever signed above it. */
  readonly capPerGas: bigint;
  /** Both fee cap and tip of a replacement rise by at least this percent (geth: 10). */
  readonly bumpPercent: number;
  /** maxFeePerGas = next base fee x this + tip (2 absorbs six full blocks of +12.5%). */
  readonly baseFeeMultiplier: number;
}

/** Limits the request itself sets: the client's ceiling, never exceeded. */
export interface RequestFeeLimits {
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
}

const GWEI = 10n ** 9n;

/** "1.5" gwei -> 1500000000n wei; at most 9 decimals (one wei). */
export function gweiToWei(gwei: string): bigint {
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,9}))?$/.exec(gwei);
  if (m === null)
    throw new Error(`fee in gwei must be a decimal string with at most 9 decimals; got ${JSON.stringify(gwei)}`);
  return BigInt(m[1]) * GWEI + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function feePolicy(settings: ChainFeeSettings): FeePolicy {
  return {
    priorityFeePerGas: gweiToWei(settings.priorityFeeGwei),
    capPerGas: gweiToWei(settings.maxFeePerGasGwei),
    bumpPercent: settings.replacementBumpPercent,
    baseFeeMultiplier: settings.baseFeeMultiplier,
  };
}

/** The cap in force for one request: the chain's cap, or the client's ceiling when lower. */
export function effectiveCap(policy: FeePolicy, limits: RequestFeeLimits = {}): bigint {
  return limits.maxFeePerGas !== undefined && limits.maxFeePerGas < policy.capPerGas
    ? limits.maxFeePerGas
    : policy.capPerGas;
}

/** Multiplies a bigint by a decimal factor (1 to 10, 2 decimals), rounding up. */
function times(value: bigint, factor: number): bigint {
  const hundredths = BigInt(Math.round(factor * 100));
  return (value * hundredths + 99n) / 100n;
}

function median(values: readonly bigint[]): bigint | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The market now: next block's base fee, and the tip (the chain's floor or the recent median). */
export function marketFees(
  history: FeeHistory,
  policy: FeePolicy,
): { nextBaseFee: bigint; tip: bigint; maxFeePerGas: bigint } {
  const nextBaseFee = history.baseFeePerGas[history.baseFeePerGas.length - 1];
  if (nextBaseFee === undefined) throw new Error('eth_feeHistory answered no baseFeePerGas; cannot estimate fees');
  const recentTip = median((history.reward ?? []).map((r) => r[0]).filter((v): v is bigint => v !== undefined));
  const tip = recentTip !== undefined && recentTip > policy.priorityFeePerGas ? recentTip : policy.priorityFeePerGas;
  return { nextBaseFee, tip, maxFeePerGas: times(nextBaseFee, policy.baseFeeMultiplier) + tip };
}

export type FirstFees = {
  readonly fees: Fees;
  /** true when the cap keeps maxFeePerGas below next block's base fee + tip: it waits for fees to fall. */
  readonly belowMarket: boolean;
  readonly cap: bigint;
};

/** The first signature's fees: the market estimate, held under the cap and the client's ceiling. */
export function firstFees(history: FeeHistory, policy: FeePolicy, limits: RequestFeeLimits = {}): FirstFees {
  const market = marketFees(history, policy);
  const cap = effectiveCap(policy, limits);
  let tip = market.tip;
  if (limits.maxPriorityFeePerGas !== undefined && limits.maxPriorityFeePerGas < tip) tip = limits.maxPriorityFeePerGas;
  const maxFeePerGas = market.maxFeePerGas > cap ? cap : market.maxFeePerGas;
  if (tip > maxFeePerGas) tip = maxFeePerGas;
  return {
    fees: { maxFeePerGas, maxPriorityFeePerGas: tip },
    belowMarket: maxFeePerGas < market.nextBaseFee + tip,
    cap,
  };
}

/** geth's threshold for one component: old * (100 + bump) / 100, and strictly above old. */
export function replacementMinimum(old: bigint, bumpPercent: number): bigint {
  const threshold = (old * BigInt(100 + bumpPercent)) / 100n;
  return threshold > old ? threshold : old + 1n;
}

export type ReplacementDecision =
  | { readonly kind: 'replace'; readonly fees: Fees; readonly cap: bigint }
  | {
      readonly kind: 'stuck';
      readonly reason: string;
      /** The smallest fees a node would accept as a replacement. */
      readonly needed: Fees;
      readonly cap: bigint;
    };

/**
 * The replacement of a transaction signed with `previous`: each component at least geth's
 * threshold over the previous one and at least the market now (whichever is higher), the fee cap
 * never above the cap in force. When even the minimum replacement would break the cap, no further
 * signature: `stuck`, with what would have been needed (the alarm and `wallet-ops stuck` show it).
 */
export function replacementFees(
  previous: Fees,
  history: FeeHistory,
  policy: FeePolicy,
  limits: RequestFeeLimits = {},
): ReplacementDecision {
  const market = marketFees(history, policy);
  const cap = effectiveCap(policy, limits);
  const minTip = replacementMinimum(previous.maxPriorityFeePerGas, policy.bumpPercent);
  const minFeeCap = replacementMinimum(previous.maxFeePerGas, policy.bumpPercent);
  const tip = market.tip > minTip ? market.tip : minTip;
  const wanted = times(market.nextBaseFee, policy.baseFeeMultiplier) + tip;
  let maxFeePerGas = wanted > minFeeCap ? wanted : minFeeCap;
  if (maxFeePerGas < tip) maxFeePerGas = tip;
  const needed = { maxFeePerGas: minFeeCap > minTip ? minFeeCap : minTip, maxPriorityFeePerGas: minTip };
  if (needed.maxFeePerGas > cap) {
    return {
      kind: 'stuck',
      reason:
        `a replacement needs maxFeePerGas >= ${needed.maxFeePerGas} wei (${policy.bumpPercent}% over ${previous.maxFeePerGas}), ` +
        `above the cap of ${cap} wei; not signing another variant`,
      needed,
      cap,
    };
  }
  if (maxFeePerGas > cap) maxFeePerGas = cap;
  return { kind: 'replace', fees: { maxFeePerGas, maxPriorityFeePerGas: tip }, cap };
}
