import {
  type PolicyDecision,
  type RuntimeSpendingPolicy,
  velocityScope,
  walletPolicy,
} from '../../../lib/contract/policy';
import type { Ledger } from '../ledger';
import { getAllowlistEntry } from './allowlist';
import { type BudgetShare, evaluatePolicy, type PolicyContext, WHOLE_BUDGET } from './engine';
import { commitSpend, readVelocity } from './velocity';

/**
 * The spending policy where the API and the signer meet it (docs/spending-policy.md): reads what the
 * pure engine needs (the wallet's velocity counter, the destination's allowlist entry, the hot
 * balance), evaluates, and for the signer commits the spend. Both handlers hold one gate, built in
 * their index.ts from the policy document in their environment.
 */

/** The chain balance the share-of-balance rule needs; the lead wires it to the provider pool (lib/chain). */
export interface BalanceSource {
  getBalance(address: string): Promise<bigint>;
}

/**
 * p-approve's approval check (lambda/shared/approvals): true only when the approvals the policy
 * requires are recorded for exactly this request. Absent, a request that needs approval is never signed.
 */
export interface ApprovalCheck {
  approved(tx: { walletId: string; txId: string }, reasons: readonly string[]): Promise<boolean>;
}

export interface SpendingGateDeps {
  /** The policy in force: read at each evaluation, so a changed policy applies to the next decision. */
  readonly policy: () => RuntimeSpendingPolicy;
  readonly ledger: Ledger;
  readonly consistency: 'MRSC' | 'MREC';
  readonly region: string;
  /** @default - no balance source: a share-of-balance rule refuses (fail closed) */
  readonly balance?: BalanceSource;
  /** @default - none: approval-required is never signed */
  readonly approvals?: ApprovalCheck;
  readonly now: () => Date;
}

export interface SpendRequest {
  readonly walletId: string;
  /** The wallet's (hot) signing address. */
  readonly address: string;
  readonly txId?: string;
  readonly request: { readonly to: string; readonly value: string; readonly data?: string };
}

/** Under MREC each region signs with its own counter and half of every velocity limit (docs/spending-policy.md). */
export const MREC_BUDGET_SHARE: BudgetShare = { numerator: 1n, denominator: 2n };

/** The intake decision and the version of the policy that made it. */
export type IntakeVerdict = PolicyDecision & { readonly policyVersion: string };

export type SigningVerdict =
  { readonly sign: true } | { readonly sign: false; readonly reason: string; readonly decision: PolicyDecision };

export function createSpendingGate(deps: SpendingGateDeps) {
  const scope = velocityScope(deps.consistency, deps.region);
  const share = deps.consistency === 'MRSC' ? WHOLE_BUDGET : MREC_BUDGET_SHARE;

  async function context(r: SpendRequest, policy: RuntimeSpendingPolicy): Promise<Omit<PolicyContext, 'spends'>> {
    const p = walletPolicy(policy, r.walletId);
    const needsEntry = p.destinations === 'allowlist' || (r.request.data !== undefined && r.request.data !== '0x');
    const [destination, hotBalanceWei] = await Promise.all([
      needsEntry && p.outgoing !== 'deposit-only'
        ? getAllowlistEntry(deps.ledger, r.walletId, r.request.to)
        : undefined,
      p.shareOfHotBalancePercent !== undefined && p.outgoing !== 'deposit-only' && deps.balance !== undefined
        ? deps.balance.getBalance(r.address).catch(() => undefined)
        : undefined,
    ]);
    return {
      policy,
      walletId: r.walletId,
      ...(r.txId !== undefined ? { txId: r.txId } : {}),
      request: r.request,
      now: deps.now(),
      budgetShare: share,
      ...(destination !== undefined ? { destination } : {}),
      ...(hotBalanceWei !== undefined ? { hotBalanceWei } : {}),
    };
  }

  /** The API's check: an early refusal (the signer's commit is the accounting). */
  async function atIntake(r: SpendRequest): Promise<IntakeVerdict> {
    const policy = deps.policy();
    const depositOnly = walletPolicy(policy, r.walletId).outgoing === 'deposit-only';
    const [ctx, counter] = await Promise.all([
      context(r, policy),
      depositOnly ? { spends: [] } : readVelocity(deps.ledger, r.walletId, scope),
    ]);
    return { ...evaluatePolicy({ ...ctx, spends: counter.spends }), policyVersion: policy.version };
  }

  /**
   * The signer's decision right before it signs, with the policy in force now: refusals and missing
   * approvals are returned with the reason the transaction is quarantined with; an allowed spend is
   * committed to the velocity counter (compare-and-set, idempotent per txId) before `sign: true`.
   */
  async function beforeSigning(r: SpendRequest & { readonly txId: string }): Promise<SigningVerdict> {
    const policy = deps.policy();
    const ctx = await context(r, policy);
    const counter = await readVelocity(deps.ledger, r.walletId, scope);
    const decision = evaluatePolicy({ ...ctx, spends: counter.spends });
    const tag = `spending policy ${policy.version}`;
    if (decision.kind === 'refuse') {
      return {
        sign: false,
        decision,
        reason: `refused by the ${tag}, rule "${decision.rule}" (limit: ${decision.limit}): ${decision.message}; never signed (docs/spending-policy.md)`,
      };
    }
    if (decision.kind === 'approval-required' && !(await deps.approvals?.approved(r, decision.reasons))) {
      return {
        sign: false,
        decision,
        reason: `the ${tag} requires approval (${decision.reasons.join('; ')}) and the required approvals are not recorded for this request; never signed`,
      };
    }
    const longest = Math.max(0, ...walletPolicy(policy, r.walletId).velocity.map((v) => v.windowSeconds));
    const outcome = await commitSpend(deps.ledger, {
      walletId: r.walletId,
      scope,
      txId: r.txId,
      amountWei: r.request.value,
      now: ctx.now,
      longestWindowSeconds: longest,
      policyVersion: policy.version,
      check: (spends) => {
        const d = evaluatePolicy({ ...ctx, spends });
        return d.kind === 'refuse' ? d : undefined;
      },
    });
    if (!outcome.committed) {
      return {
        sign: false,
        decision: outcome.decision,
        reason: `refused by the ${tag}, rule "${outcome.decision.rule}" (limit: ${outcome.decision.limit}): ${outcome.decision.message}; never signed (docs/spending-policy.md)`,
      };
    }
    return { sign: true };
  }

  return { atIntake, beforeSigning };
}

export type SpendingGate = ReturnType<typeof createSpendingGate>;
