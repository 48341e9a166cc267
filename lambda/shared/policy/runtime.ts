import { z } from 'zod';
import { type RuntimeSpendingPolicy, SPENDING_POLICY_ENV, windowSeconds } from '../../../lib/contract/policy';
import { ConfigurationError } from '../errors';

/**
 * Reads the runtime spending policy (lib/contract/policy.ts) from its environment variable, once at
 * start. The document was validated at synth (lib/config/spending.ts); this check is for a function
 * whose variable was edited by hand or never set: every problem in one error, and the function does
 * not start (fail closed: no policy, no withdrawal).
 */
const wei = z.string().regex(/^(0|[1-9][0-9]{0,77})$/);
const walletPolicy = z.object({
  outgoing: z.enum(['deposit-only', 'allowed', 'cold-only']),
  perTransactionWei: wei.optional(),
  velocity: z.array(
    z
      .object({ window: z.string(), windowSeconds: z.number().int().positive(), limitWei: wei })
      .refine((v) => windowSeconds(v.window) === v.windowSeconds, 'windowSeconds does not match window'),
  ),
  shareOfHotBalancePercent: z.number().gt(0).max(100).optional(),
  destinations: z.enum(['any', 'allowlist']),
  unlistedDestination: z.enum(['refuse', 'approval']),
});
const runtimeSchema = z.object({
  version: z.string().min(1),
  default: walletPolicy,
  wallets: z.record(z.string(), walletPolicy),
  allowlistTimeLockHours: z.number().int().positive(),
  approvals: z
    .object({ thresholdWei: wei, required: z.number().int().min(2), expiresAfterHours: z.number().int().positive() })
    .optional(),
  coldAddress: z
    .string()
    .regex(/^0x[0-9a-f]{40}$/)
    .optional(),
});

export function parseSpendingPolicy(text: string | undefined): RuntimeSpendingPolicy {
  const fix = `Fix: redeploy the stack (it sets ${SPENDING_POLICY_ENV} from the config's "spending" section, docs/spending-policy.md)`;
  if (text === undefined || text.trim() === '') {
    throw new ConfigurationError(`${SPENDING_POLICY_ENV} (the spending policy) is missing. ${fix}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigurationError(
      `${SPENDING_POLICY_ENV} is not JSON (${(err as Error).message}); received ${text.slice(0, 80)}. ${fix}.`,
    );
  }
  const parsed = runtimeSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigurationError(
      `${SPENDING_POLICY_ENV} has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}. ${fix}.`,
    );
  }
  return parsed.data as RuntimeSpendingPolicy;
}

export function loadSpendingPolicy(source: Readonly<Record<string, string | undefined>> = process.env) {
  return parseSpendingPolicy(source[SPENDING_POLICY_ENV]);
}
