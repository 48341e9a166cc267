import * as z from 'zod/mini';
import { type RuntimeSpendingPolicy, SPENDING_POLICY_ENV, windowSeconds } from '../../../lib/contract/policy';
import { ConfigurationError } from '../errors';

/**
 * Reads the runtime spending policy (lib/contract/policy.ts) from its environment variable, once at
 * start. The document was validated at synth (lib/config/spending.ts); this check is for a function
 * whose variable was edited by hand or never set: every problem in one error, and the function does
 * not start (fail closed: no policy, no withdrawal).
 *
 * zod/mini (the same zod 4, functional API), as lambda/shared/tx-request.ts: the classic `zod`
 * build is about 445 KB minified in a Lambda bundle, mini a few KB.
 */
const wei = z.string().check(z.regex(/^(0|[1-9][0-9]{0,77})$/));
const positiveInt = z.number().check(z.int(), z.positive());
const walletPolicy = z.object({
  outgoing: z.enum(['deposit-only', 'allowed', 'cold-only']),
  perTransactionWei: z.optional(wei),
  velocity: z.array(
    z
      .object({ window: z.string(), windowSeconds: positiveInt, limitWei: wei })
      .check(z.refine((v) => windowSeconds(v.window) === v.windowSeconds, 'windowSeconds does not match window')),
  ),
  shareOfHotBalancePercent: z.optional(z.number().check(z.gt(0), z.lte(100))),
  destinations: z.enum(['any', 'allowlist']),
  unlistedDestination: z.enum(['refuse', 'approval']),
});
const runtimeSchema = z.object({
  version: z.string().check(z.minLength(1)),
  default: walletPolicy,
  wallets: z.record(z.string(), walletPolicy),
  allowlistTimeLockHours: positiveInt,
  approvals: z.optional(
    z.object({ thresholdWei: wei, required: z.number().check(z.int(), z.gte(2)), expiresAfterHours: positiveInt }),
  ),
  coldAddress: z.optional(z.string().check(z.regex(/^0x[0-9a-f]{40}$/))),
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
