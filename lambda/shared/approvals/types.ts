/**
 * Two-person approval records (issue 21; docs/runbooks/approvals.md). They live ON the transaction
 * item (`approvals`, a map keyed by the principal's lower-case ARN), so the signer reads them with
 * the same strongly consistent GetItem that reads the transaction, and no approval can exist without
 * the request it approves. Each decision also writes an audit item (putAudit).
 */

/** What the approver was shown and approved: the request's amount, destination and fee cap, and its hash. */
export interface ApprovalSaw {
  readonly to: string;
  /** Wei, decimal string. */
  readonly value: string;
  readonly gasLimit: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  /** gasLimit x maxFeePerGas, in wei. */
  readonly feeCapWei: string;
  readonly requestHash: string;
}

export interface ApprovalRecord {
  /** The approver's principal ARN as API Gateway verified it (`requestContext.identity.userArn`). */
  readonly principal: string;
  readonly at: string;
  /** Write token: a retry after a lost reply recognises its own write by it. */
  readonly token: string;
  readonly saw: ApprovalSaw;
  readonly reason?: string;
}

export interface RejectionRecord {
  readonly principal: string;
  readonly at: string;
  readonly token: string;
  readonly reason: string;
  readonly saw: ApprovalSaw;
}

/**
 * The approvals part of the spending policy (config `spending.approvals`, lib/contract/policy.ts
 * `ApprovalsPolicy`): a request the policy holds needs `required` approvals from distinct
 * principals other than the initiator, recorded within `expiresAfterHours` of the request.
 */
export interface ApprovalSettings {
  readonly thresholdWei: bigint;
  readonly required: number;
  readonly expiresAfterHours: number;
}
