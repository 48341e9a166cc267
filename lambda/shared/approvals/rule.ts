import type { TransactionRecord } from '../ledger';
import type { ApprovalRecord, ApprovalSaw } from './types';

/**
 * The approval rule, pure: whether the approvals recorded on a transaction satisfy it. The approval
 * routes, the signer's gate and the policy engine's approval check all call these, so they cannot
 * disagree. Whether a request needs approval at all is the policy engine's decision
 * (lambda/shared/policy/engine.ts, `approval-required`).
 */

/** Principals compare by their ARN, lower-case (IAM names are unique case-insensitively): stricter, never looser. */
export const principalKey = (arn: string): string => arn.trim().toLowerCase();

/** What an approver sees of a request (and what their approval records). */
export function approvalSaw(tx: Pick<TransactionRecord, 'request' | 'requestHash'>): ApprovalSaw {
  const { request } = tx;
  return {
    to: request.to.toLowerCase(),
    value: request.value,
    gasLimit: request.gasLimit,
    maxFeePerGas: request.maxFeePerGas,
    maxPriorityFeePerGas: request.maxPriorityFeePerGas,
    feeCapWei: (BigInt(request.gasLimit) * BigInt(request.maxFeePerGas)).toString(),
    requestHash: tx.requestHash,
  };
}

export interface ApprovalCount {
  /** Approvals that count: distinct principals, not the initiator, for this request hash, before expiry. */
  readonly valid: readonly ApprovalRecord[];
  /** Why each other recorded approval does not count. */
  readonly ignored: readonly string[];
  readonly required: number;
  readonly satisfied: boolean;
}

/**
 * Counts the approvals recorded on `tx` by the rule: each from a distinct principal (the map key is
 * the principal, and the record's principal must match its key), none the initiator, each for
 * exactly this request hash, each recorded after the request and before it expired. Expiry is about
 * when the approval was given, not when the signer runs: a request approved in time and delayed by
 * a failover is still approved.
 */
export function countApprovals(
  tx: Pick<TransactionRecord, 'requestHash' | 'initiator' | 'createdAt' | 'approvalExpiresAt' | 'approvals'>,
  required: number,
): ApprovalCount {
  const valid: ApprovalRecord[] = [];
  const ignored: string[] = [];
  const initiator = tx.initiator === undefined ? undefined : principalKey(tx.initiator);
  const seen = new Set<string>();
  for (const [key, record] of Object.entries(tx.approvals ?? {})) {
    const who = principalKey(record.principal ?? '');
    if (who !== key) ignored.push(`approval under ${key} names ${record.principal}`);
    else if (who === initiator) ignored.push(`${record.principal} is the initiator`);
    else if (seen.has(who)) ignored.push(`${record.principal} approved twice`);
    else if (record.saw?.requestHash !== tx.requestHash)
      ignored.push(`${record.principal} approved request ${record.saw?.requestHash}, not ${tx.requestHash}`);
    else if (tx.approvalExpiresAt === undefined || !(record.at < tx.approvalExpiresAt))
      ignored.push(
        `${record.principal} approved at ${record.at}, after the request expired at ${tx.approvalExpiresAt}`,
      );
    else if (record.at < tx.createdAt) ignored.push(`${record.principal} approved at ${record.at}, before the request`);
    else {
      seen.add(who);
      valid.push(record);
    }
  }
  return { valid, ignored, required, satisfied: required > 0 && valid.length >= required };
}

/**
 * The signer's gate, right before it takes a nonce and signs: the reason to refuse `tx`, or
 * undefined. A transaction intake held for approval (`approvalRequired`) is signed only with that
 * many approvals that satisfy {@link countApprovals}, and a known initiator, whatever status it is
 * in now (a path that queued it without its approvals is refused here). What the policy in force
 * NOW requires is the policy engine's decision (lambda/shared/policy/gate.ts), which asks
 * store.ts `approvalCheck`.
 */
export function approvalGate(tx: TransactionRecord): string | undefined {
  const required = tx.approvalRequired ?? 0;
  if (required === 0) return undefined;
  const why = (tx.approvalReasons ?? []).join('; ');
  if (tx.initiator === undefined) {
    return `two-person approval required (${why}) but the transaction records no initiator; not signing`;
  }
  const count = countApprovals(tx, required);
  if (count.satisfied) return undefined;
  return (
    `two-person approval required (${why}): ${count.valid.length} of ${required} valid approvals recorded` +
    `${count.ignored.length > 0 ? ` (not counted: ${count.ignored.join('; ')})` : ''}; not signing ` +
    '(docs/runbooks/approvals.md)'
  );
}
