import {
  type AllowlistEntry,
  APPROVAL_REASONS,
  type PolicyDecision,
  type RuntimeSpendingPolicy,
  walletPolicy,
} from '../../../lib/contract/policy';

/**
 * The spending-policy engine: pure, no I/O (docs/spending-policy.md). The API calls it at intake
 * (an early refusal), the signer right before it signs with the policy in force then (the decision
 * that counts). Everything it needs is read by the caller and handed in.
 *
 * Order: the refusals first (deposit-only, cold-only, per-transaction, share of balance, velocity,
 * allowlist when unlisted destinations are refused), then what needs approval (unlisted or
 * time-locked destination, at or above the threshold). A refusal wins over an approval.
 */

/** One committed spend on a wallet's velocity counter. */
export interface Spend {
  readonly txId: string;
  readonly amountWei: string;
  /** Epoch milliseconds of the signer's clock when it committed the spend. */
  readonly at: number;
}

/** A fraction of each velocity limit (under MREC each region gets its share; docs/spending-policy.md). */
export interface BudgetShare {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export const WHOLE_BUDGET: BudgetShare = { numerator: 1n, denominator: 1n };

export interface PolicyContext {
  readonly policy: RuntimeSpendingPolicy;
  readonly walletId: string;
  /** This request's id: a spend already on the counter with it is this request's own (a redelivery). */
  readonly txId?: string;
  readonly request: { readonly to: string; readonly value: string; readonly data?: string };
  readonly now: Date;
  /** The spends on the counter (any age; the engine keeps those inside each window). */
  readonly spends: readonly Spend[];
  /** @default WHOLE_BUDGET */
  readonly budgetShare?: BudgetShare;
  /** The hot address balance; undefined when it could not be read (a share-of-balance rule then refuses). */
  readonly hotBalanceWei?: bigint;
  /** The destination's allowlist entry for this wallet, if any. */
  readonly destination?: AllowlistEntry;
}

const refuse = (rule: Extract<PolicyDecision, { kind: 'refuse' }>['rule'], limit: string, message: string) =>
  ({ kind: 'refuse', rule, limit, message }) as const;

/** Wei spent inside the window ending at `nowMs`, other than `txId`'s own spend. */
export function spentInWindow(spends: readonly Spend[], nowMs: number, windowSeconds: number, txId?: string): bigint {
  const from = nowMs - windowSeconds * 1000;
  return spends.filter((s) => s.at > from && s.txId !== txId).reduce((sum, s) => sum + BigInt(s.amountWei), 0n);
}

export function evaluatePolicy(ctx: PolicyContext): PolicyDecision {
  const p = walletPolicy(ctx.policy, ctx.walletId);
  const value = BigInt(ctx.request.value);
  const to = ctx.request.to.toLowerCase();
  const nowMs = ctx.now.getTime();
  const wallet = `wallet ${ctx.walletId}`;

  if (p.outgoing === 'deposit-only') {
    return refuse(
      'deposit-only',
      'no outgoing transfers',
      `${wallet} is deposit-only: its policy allows no withdrawal`,
    );
  }
  if (p.outgoing === 'cold-only' && to !== ctx.policy.coldAddress) {
    return refuse(
      'cold-only',
      `only to ${ctx.policy.coldAddress ?? '(no cold address configured)'}`,
      `${wallet} may send only to its cold address, not to ${to}`,
    );
  }
  if (p.perTransactionWei !== undefined && value > BigInt(p.perTransactionWei)) {
    return refuse(
      'per-transaction',
      `${p.perTransactionWei} wei per transaction`,
      `${value} wei is above ${wallet}'s per-transaction limit of ${p.perTransactionWei} wei`,
    );
  }
  if (p.shareOfHotBalancePercent !== undefined) {
    const limit = `${p.shareOfHotBalancePercent}% of the hot balance`;
    if (ctx.hotBalanceWei === undefined) {
      return refuse(
        'share-of-balance',
        limit,
        `the hot balance of ${wallet} could not be read, so its share cannot be checked`,
      );
    }
    // Basis points keep a fractional percentage exact in bigint arithmetic.
    const allowed = (ctx.hotBalanceWei * BigInt(Math.round(p.shareOfHotBalancePercent * 100))) / 10_000n;
    if (value > allowed) {
      return refuse(
        'share-of-balance',
        limit,
        `${value} wei is above ${p.shareOfHotBalancePercent}% of the hot balance (${ctx.hotBalanceWei} wei): at most ${allowed} wei`,
      );
    }
  }
  const share = ctx.budgetShare ?? WHOLE_BUDGET;
  const alreadyCommitted = ctx.txId !== undefined && ctx.spends.some((s) => s.txId === ctx.txId);
  if (!alreadyCommitted) {
    for (const v of p.velocity) {
      const budget = (BigInt(v.limitWei) * share.numerator) / share.denominator;
      const used = spentInWindow(ctx.spends, nowMs, v.windowSeconds);
      if (used + value > budget) {
        const shareText = share.numerator === share.denominator ? '' : ` (this region's share: ${budget} wei)`;
        return refuse(
          'velocity',
          `${v.limitWei} wei per ${v.window}`,
          `${wallet} has sent ${used} wei in the last ${v.window}; ${value} wei more would exceed ${v.limitWei} wei${shareText}`,
        );
      }
    }
  }
  const reasons: string[] = [];
  const destinationUsable = ctx.destination !== undefined && Date.parse(ctx.destination.usableAt) <= nowMs;
  if (p.destinations === 'allowlist' && !destinationUsable) {
    const why =
      ctx.destination === undefined
        ? APPROVAL_REASONS.destinationNotAllowlisted(to)
        : APPROVAL_REASONS.destinationTimeLocked(to, ctx.destination.usableAt);
    if (p.unlistedDestination === 'refuse' || ctx.policy.approvals === undefined) {
      return refuse('allowlist', 'allowlisted destinations past their time lock', `${wallet}: ${why}`);
    }
    reasons.push(why);
  }
  if (ctx.request.data !== undefined && ctx.request.data !== '0x' && !destinationUsable) {
    // The limits count native value only; a contract call (e.g. an ERC-20 transfer) can move more.
    return refuse(
      'allowlist',
      'contract calls only to allowlisted destinations past their time lock',
      `${wallet}: the request carries call data to ${to}, which is not a usable allowlisted destination; the policy cannot bound what a contract call moves`,
    );
  }
  // A cold-only wallet's transfer to its cold address (the sweep) is the safe direction: no approval.
  const sweep = p.outgoing === 'cold-only' && to === ctx.policy.coldAddress;
  if (!sweep && ctx.policy.approvals !== undefined && value >= BigInt(ctx.policy.approvals.thresholdWei)) {
    reasons.push(APPROVAL_REASONS.aboveThreshold(ctx.policy.approvals.thresholdWei));
  }
  return reasons.length > 0 ? { kind: 'approval-required', reasons } : { kind: 'allow' };
}
