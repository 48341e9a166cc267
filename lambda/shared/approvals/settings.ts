import { ConfigurationError } from '../errors';
import type { ApprovalSettings } from './types';

/**
 * The approval settings from the runtime policy: the `approvals` object of the `SPENDING_POLICY`
 * JSON env var (lib/contract/policy.ts owns the variable; config `spending.approvals`):
 * `{ "thresholdWei": "<decimal>", "required": 2, "expiresAfterHours": 24 }`. Absent: no request
 * needs approval. Present but malformed: a ConfigurationError naming every problem (the function
 * fails at start rather than sign without the approvals it was configured to require).
 */
export function loadApprovalSettings(env: Readonly<Record<string, string | undefined>>): ApprovalSettings | undefined {
  const text = env.SPENDING_POLICY;
  if (text === undefined || text.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigurationError(`SPENDING_POLICY is not JSON (${(err as Error).message})`);
  }
  const approvals = (raw as { approvals?: unknown } | null)?.approvals;
  if (approvals === undefined) return undefined;
  const a = (approvals ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof a.thresholdWei !== 'string' || !/^(0|[1-9][0-9]*)$/.test(a.thresholdWei)) {
    problems.push(`approvals.thresholdWei must be a decimal string of wei; received ${JSON.stringify(a.thresholdWei)}`);
  }
  if (!Number.isInteger(a.required) || (a.required as number) < 1) {
    problems.push(`approvals.required must be a whole number of at least 1; received ${JSON.stringify(a.required)}`);
  }
  if (typeof a.expiresAfterHours !== 'number' || !(a.expiresAfterHours > 0)) {
    problems.push(
      `approvals.expiresAfterHours must be a number of hours above 0; received ${JSON.stringify(a.expiresAfterHours)}`,
    );
  }
  if (problems.length > 0) throw new ConfigurationError(`SPENDING_POLICY: ${problems.join('; ')}`);
  return {
    thresholdWei: BigInt(a.thresholdWei as string),
    required: a.required as number,
    expiresAfterHours: a.expiresAfterHours as number,
  };
}

/** The approval settings of the runtime spending policy (`RuntimeSpendingPolicy.approvals`, wei as a decimal string). */
export function approvalSettingsOf(
  approvals: { readonly thresholdWei: string; readonly required: number; readonly expiresAfterHours: number } | undefined,
): ApprovalSettings | undefined {
  return approvals === undefined
    ? undefined
    : {
        thresholdWei: BigInt(approvals.thresholdWei),
        required: approvals.required,
        expiresAfterHours: approvals.expiresAfterHours,
      };
}
