import { isCanaryTransaction } from '../../../lib/contract/canary';
import type { TransactionRecord } from '../ledger';
import type { TxRequest } from '../signing';
import type { ApprovalRecord, ApprovalSaw, ApprovalSettings } from './types';

/**
 * The approval rule, pure: whether a request needs two-person approval, and whether the approvals
 * recorded on a transaction satisfy it. The intake (lambda/api), the approval routes and the
 * signer's gate right before KMS Sign all call these, so they cannot disagree.
 */

/** Principals compare by their ARN, lower-case (IAM names are unique case-insensitively): stricter, never looser. */
export const principalKey = (arn: string): string => arn.trim().toLowerCase();

export type ApprovalRequirement =
  | { readonly required: false }
  | { readonly required: true; readonly count: number; readonly expiresAfterHours: number; readonly reasons: string[] };

/**
 * Whether `request` needs approval. THE ONE PLACE the policy decides it: until the policy engine
 * (lambda/shared/policy, `PolicyDecision` kind `approval-required`) is merged, a minimal rule of its
 * own: amount >= `thresholdWei`. The canary wallet never needs approval (its transactions are signed
 * at a nonce no chain accepts and never broadcast; lib/contract/canary.ts).
 */
export function approvalRequirement(
  walletId: string,
  request: TxRequest,
  settings: ApprovalSettings | undefined,
): ApprovalRequirement {
  if (settings === undefined || isCanaryTransaction({ walletId, canary: request.canary })) return { required: false };
  const value = BigInt(request.value);
  if (value < settings.thresholdWei) return { required: false };
  return {
    required: true,
    count: settings.required,
    expiresAfterHours: settings.expiresAfterHours,
    reasons: [`amount ${value} wei is at or above the approval threshold of ${settings.thresholdWei} wei`],
  };
}

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
 * The signer's gate, right before KMS Sign: the reason to refuse `tx`, or undefined to sign it. A
 * request needs approvals if intake recorded that it does (`approvalRequired`) or if the policy in
 * force now says so (it may have changed since intake); it then needs the larger count, from
 * approvals that satisfy {@link countApprovals}, and a known initiator.
 */
export function approvalGate(tx: TransactionRecord, settings: ApprovalSettings | undefined): string | undefined {
  const now = approvalRequirement(tx.walletId, tx.request, settings);
  const required = Math.max(tx.approvalRequired ?? 0, now.required ? now.count : 0);
  if (required === 0) return undefined;
  const why = now.required ? now.reasons.join('; ') : (tx.approvalReasons ?? []).join('; ');
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
