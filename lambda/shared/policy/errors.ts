import { POLICY_REFUSED_CODE, type PolicyDecision } from '../../../lib/contract/policy';
import { WalletError } from '../errors';

/**
 * The API's answer to a request the spending policy refuses: 403 `policy-refused`, naming the rule
 * and the limit (docs/api.md). Nothing was created: a retry with the same body is refused the same
 * way until the policy or the wallet's recent spending changes.
 */
export class PolicyRefusedError extends WalletError {
  readonly statusCode = 403;
  readonly code = POLICY_REFUSED_CODE;
  override readonly details: { rule: string; limit: string; policyVersion: string };

  constructor(decision: Extract<PolicyDecision, { kind: 'refuse' }>, policyVersion: string) {
    super(
      `refused by the spending policy, rule "${decision.rule}" (limit: ${decision.limit}): ${decision.message}. ` +
        'Fix: stay within the limit, wait for the velocity window to pass, or ask the wallet owner to change the policy (docs/spending-policy.md)',
    );
    this.name = 'PolicyRefusedError';
    this.details = { rule: decision.rule, limit: decision.limit, policyVersion };
  }
}

/**
 * The refusal of a request that needs approval where no approval workflow is wired (the API's
 * `holdForApproval` hook, p-approve): fail closed, naming what would have needed approval.
 */
export function approvalUnavailable(reasons: readonly string[]): Extract<PolicyDecision, { kind: 'refuse' }> {
  const destination = reasons.some((r) => r.startsWith('destination '));
  return {
    kind: 'refuse',
    rule: destination ? 'allowlist' : 'per-transaction',
    limit: destination ? 'allowlisted destinations past their time lock' : 'below the approval threshold',
    message: `the request needs approval (${reasons.join('; ')}), and this deployment has no approval workflow to hold it`,
  };
}
