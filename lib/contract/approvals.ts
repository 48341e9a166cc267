/**
 * Two-person approval on the wire (issue 21; docs/runbooks/approvals.md): the API routes the
 * approval handler serves and `wallet-approve` calls, and the JSON shapes both sides read. The
 * routes are IAM-authorized (SigV4), so API Gateway, not the caller, names the approver: the
 * handler takes the principal from `requestContext.identity.userArn`, never from the body.
 *
 * Types and constants only (the CDK construct, the handler and the CLI import this module).
 */

/** API Gateway resources, as the construct creates them and the handler routes them. */
export const APPROVAL_PATHS = {
  /** `GET`: the wallet's requests waiting for approval. */
  approvals: '/v1/wallets/{walletId}/approvals',
  /** `GET`: one request as an approver must see it; `POST`: approve or reject it. */
  approval: '/v1/wallets/{walletId}/approvals/{txId}',
} as const;

/** The two decisions an approver can post. */
export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/**
 * `POST /v1/wallets/{walletId}/approvals/{txId}` body. `requestHash` is the hash the approver was
 * shown (`GET` of the same path): the decision applies to exactly that request, never to another
 * body stored under the same id.
 */
export interface ApprovalDecisionBody {
  readonly decision: ApprovalDecision;
  readonly requestHash: string;
  /** Required for `reject` (it is audited); optional for `approve`. */
  readonly reason?: string;
}

/** One recorded approval, as the API shows it. */
export interface ApprovalEntry {
  readonly principal: string;
  readonly at: string;
}

/** What an approver must see before deciding (`GET .../approvals/{txId}`, and the list's items). */
export interface ApprovalView {
  readonly walletId: string;
  readonly txId: string;
  readonly status: string;
  readonly from: string;
  /** Destination, lower-case. */
  readonly to: string;
  /** Amount in wei (decimal string). */
  readonly value: string;
  readonly data?: string;
  readonly chainId: number;
  readonly gasLimit: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  /** gasLimit x maxFeePerGas: the most the network fee can cost, in wei. */
  readonly feeCapWei: string;
  /** What an approval or rejection must name. */
  readonly requestHash: string;
  /** The principal ARN that submitted the request (it may not approve it). */
  readonly initiator: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Approvals the request needs in total, from distinct principals other than the initiator. */
  readonly required: number;
  /** Why the policy asked for approval. */
  readonly reasons: readonly string[];
  readonly approvals: readonly ApprovalEntry[];
  readonly rejection?: { readonly principal: string; readonly at: string; readonly reason: string };
}

/** The `200` answer of a decision. */
export interface ApprovalDecisionAnswer {
  readonly decision: ApprovalDecision;
  /** The transaction's status after the decision (`queued` once the last approval is in). */
  readonly status: string;
  readonly approvals: number;
  readonly required: number;
  readonly view: ApprovalView;
}
