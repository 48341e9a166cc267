import type { ApprovalSettings } from './types';

/** The approval settings of the runtime spending policy (`RuntimeSpendingPolicy.approvals`, wei as a decimal string). */
export function approvalSettingsOf(
  approvals:
    { readonly thresholdWei: string; readonly required: number; readonly expiresAfterHours: number } | undefined,
): ApprovalSettings | undefined {
  return approvals === undefined
    ? undefined
    : {
        thresholdWei: BigInt(approvals.thresholdWei),
        required: approvals.required,
        expiresAfterHours: approvals.expiresAfterHours,
      };
}
