import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  DEFAULT_ALLOWLIST_TIME_LOCK_HOURS,
  DEPOSIT_ONLY,
  MAX_WINDOW_SECONDS,
  RuntimeSpendingPolicy,
  SPENDING_POLICY_MAX_BYTES,
  WalletPolicy,
  windowSeconds,
} from '../contract/policy';
import { coldProblems, coldSchema } from './spending-cold';

/**
 * The optional `spending` section (issue 21, docs/spending-policy.md): who may send what, checked by
 * the API at intake and by the signer right before it signs. Absent, every wallet is deposit-only.
 *
 * Shapes are checked by the schema; rules across fields by {@link spendingProblems} (every problem at
 * once, like the rest of the config). `runtimeSpendingPolicy` turns the validated section into the one
 * JSON document both Lambdas read (lib/contract/policy.ts).
 */

const wei = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, 'is not a whole number of wei written as a decimal string')
  .describe('write the amount in wei as a decimal string without separators, e.g. "500000000000000000" (0.5 ETH)');

const positiveWei = wei.refine((v) => v !== '0', 'must be more than 0 wei');

const velocityLimit = z
  .object({
    window: z
      .string()
      .refine((w) => windowSeconds(w) !== undefined, 'is not a window such as "15m", "1h" or "7d"')
      .refine(
        (w) => (windowSeconds(w) ?? 0) <= MAX_WINDOW_SECONDS,
        `must be at most ${MAX_WINDOW_SECONDS / 86400} days (the counter keeps every spend this long)`,
      )
      .describe('write the rolling window as a whole number and a unit: "30m", "1h", "24h", "7d"'),
    limitWei: positiveWei.describe('the most wei the wallet may send in any such window, e.g. "10000000000000000000"'),
  })
  .strict();

export const walletPolicySchema = z
  .object({
    outgoing: z
      .enum(['deposit-only', 'allowed', 'cold-only'])
      .describe(
        'use "deposit-only" (no withdrawal), "allowed" (withdrawals within the limits) or "cold-only" (only to spending.cold.coldAddress)',
      ),
    perTransactionWei: positiveWei
      .optional()
      .describe('the most wei one transaction may send, e.g. "1000000000000000000" (1 ETH)'),
    velocity: z
      .array(velocityLimit)
      .max(8, 'must hold at most 8 windows')
      .default([])
      .describe('list rolling limits, e.g. [{"window":"1h","limitWei":"..."},{"window":"24h","limitWei":"..."}]'),
    shareOfHotBalancePercent: z
      .number()
      .gt(0, 'must be more than 0')
      .max(100, 'must be at most 100')
      .optional()
      .describe('the largest share (percent) of the hot address balance one transaction may move, e.g. 25'),
    destinations: z
      .enum(['any', 'allowlist'])
      .default('any')
      .describe('use "allowlist" (only allowlisted destinations past their time lock) or "any"'),
    unlistedDestination: z
      .enum(['refuse', 'approval'])
      .default('refuse')
      .describe(
        'with destinations "allowlist": "refuse" a destination not (yet) usable, or ask for "approval" (spending.approvals)',
      ),
  })
  .strict();

export const approvalsSchema = z
  .object({
    thresholdWei: wei.describe('at or above this amount a request waits for approvals, e.g. "5000000000000000000"'),
    required: z
      .number()
      .int('must be a whole number')
      .min(2, 'must be at least 2 (two-person approval)')
      .max(5, 'must be at most 5')
      .default(2)
      .describe('the number of distinct approvers, neither the initiator (2 or more)'),
    expiresAfterHours: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(168, 'must be at most 168 (a week)')
      .default(24)
      .describe('how long a pending request waits for its approvals, in hours (default 24)'),
  })
  .strict();

export const spendingSchema = z
  .object({
    default: walletPolicySchema
      .prefault({ outgoing: 'deposit-only' })
      .describe('the policy of every wallet without an override; deposit-only when absent'),
    wallets: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a wallet id (1-64 letters, digits, "-" or "_")'),
        walletPolicySchema,
      )
      .default({})
      .describe('per-wallet overrides by walletId; an override replaces the default whole'),
    allowlistTimeLockHours: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(720, 'must be at most 720 (30 days)')
      .default(DEFAULT_ALLOWLIST_TIME_LOCK_HOURS)
      .describe(
        `hours before a newly allowlisted destination can be used (default ${DEFAULT_ALLOWLIST_TIME_LOCK_HOURS})`,
      ),
    approvals: approvalsSchema.optional().describe('two-person approval (docs/spending-policy.md)'),
    cold: coldSchema.optional(),
  })
  .strict()
  .prefault({})
  .describe('configure the spending policy (docs/spending-policy.md); absent, every wallet is deposit-only');

export type SpendingConfig = z.output<typeof spendingSchema>;
export type WalletPolicyConfig = z.output<typeof walletPolicySchema>;

function toWalletPolicy(p: WalletPolicyConfig): WalletPolicy {
  return {
    outgoing: p.outgoing,
    ...(p.perTransactionWei !== undefined ? { perTransactionWei: p.perTransactionWei } : {}),
    velocity: p.velocity.map((v) => ({
      window: v.window,
      windowSeconds: windowSeconds(v.window) as number,
      limitWei: v.limitWei,
    })),
    ...(p.shareOfHotBalancePercent !== undefined ? { shareOfHotBalancePercent: p.shareOfHotBalancePercent } : {}),
    destinations: p.destinations,
    unlistedDestination: p.unlistedDestination,
  };
}

/** The runtime document both Lambdas read (SPENDING_POLICY_ENV), with its version digest. */
export function runtimeSpendingPolicy(spending: SpendingConfig | undefined): RuntimeSpendingPolicy {
  const body: Omit<RuntimeSpendingPolicy, 'version'> = {
    default: spending === undefined ? DEPOSIT_ONLY : toWalletPolicy(spending.default),
    wallets: Object.fromEntries(Object.entries(spending?.wallets ?? {}).map(([id, p]) => [id, toWalletPolicy(p)])),
    allowlistTimeLockHours: spending?.allowlistTimeLockHours ?? DEFAULT_ALLOWLIST_TIME_LOCK_HOURS,
    ...(spending?.approvals !== undefined ? { approvals: spending.approvals } : {}),
    ...(spending?.cold?.coldAddress !== undefined ? { coldAddress: spending.cold.coldAddress.toLowerCase() } : {}),
  };
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
  return { version, ...body };
}

interface Problem {
  path: string;
  message: string;
  received: unknown;
  fix: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * Rules across fields of `spending` (raw input, read defensively so every problem is reported at once);
 * `chain` is the raw chain section (the hot/cold rules compare the minimum sweep with its fee cap).
 */
export function spendingProblems(section: unknown, chain?: unknown): Problem[] {
  if (!isObject(section)) return [];
  const problems: Problem[] = [...coldProblems(section, chain)];
  const policies: Array<[string, unknown]> = [['spending.default', section.default]];
  if (isObject(section.wallets)) {
    for (const [id, p] of Object.entries(section.wallets)) policies.push([`spending.wallets.${id}`, p]);
  }
  for (const [path, p] of policies) {
    if (!isObject(p)) continue;
    if (p.unlistedDestination === 'approval' && section.approvals === undefined) {
      problems.push({
        path: `${path}.unlistedDestination`,
        message: 'asks for approval of unlisted destinations, but spending.approvals is not configured',
        received: p.unlistedDestination,
        fix: 'add spending.approvals {"thresholdWei": "...", "required": 2, "expiresAfterHours": 24}, or use "refuse"',
      });
    }
    // "refuse" is the default: a config written back after loading (defaults filled in) still loads.
    if (p.unlistedDestination !== undefined && p.unlistedDestination !== 'refuse' && p.destinations !== 'allowlist') {
      problems.push({
        path: `${path}.unlistedDestination`,
        message: 'has no effect unless destinations is "allowlist"',
        received: p.unlistedDestination,
        fix: 'set "destinations": "allowlist", or remove unlistedDestination',
      });
    }
    if (p.outgoing === 'cold-only' && !(isObject(section.cold) && typeof section.cold.coldAddress === 'string')) {
      problems.push({
        path: `${path}.outgoing`,
        message: 'is "cold-only", but spending.cold.coldAddress is not set',
        received: p.outgoing,
        fix: 'set spending.cold.coldAddress to the cold address, or use "allowed" / "deposit-only"',
      });
    }
    if (p.outgoing === 'deposit-only') {
      // An empty velocity list (the default) sets no limit.
      const limits = ['perTransactionWei', 'velocity', 'shareOfHotBalancePercent'].filter(
        (k) => p[k] !== undefined && !(Array.isArray(p[k]) && p[k].length === 0),
      );
      if (limits.length > 0) {
        problems.push({
          path: `${path}.outgoing`,
          message: `is "deposit-only", so its limits (${limits.join(', ')}) would never apply`,
          received: p.outgoing,
          fix: 'set "outgoing": "allowed" to use the limits, or remove them',
        });
      }
    }
    if (
      p.outgoing === 'allowed' &&
      p.perTransactionWei === undefined &&
      !(Array.isArray(p.velocity) && p.velocity.length > 0)
    ) {
      problems.push({
        path: `${path}.perTransactionWei`,
        message: 'is missing: an "allowed" policy needs a per-transaction limit or at least one velocity window',
        received: undefined,
        fix: 'add "perTransactionWei": "..." and/or "velocity": [{"window": "24h", "limitWei": "..."}]',
      });
    }
    if (Array.isArray(p.velocity)) {
      const seen = new Map<number, string>();
      p.velocity.forEach((v, i) => {
        const w = isObject(v) && typeof v.window === 'string' ? windowSeconds(v.window) : undefined;
        if (w === undefined) return;
        const before = seen.get(w);
        if (before !== undefined) {
          problems.push({
            path: `${path}.velocity.${i}.window`,
            message: `repeats the window of ${before} (the same length)`,
            received: (v as Record<string, unknown>).window,
            fix: 'keep one limit per window length (the lower one is the one that binds)',
          });
        }
        seen.set(w, String((v as Record<string, unknown>).window));
      });
    }
  }
  return problems;
}

/** The runtime document must fit in the functions' environment (Lambda: 4 KB for all variables). */
export function spendingSizeProblems(spending: SpendingConfig): Problem[] {
  const bytes = Buffer.byteLength(JSON.stringify(runtimeSpendingPolicy(spending)), 'utf8');
  return bytes <= SPENDING_POLICY_MAX_BYTES
    ? []
    : [
        {
          path: 'spending.wallets',
          message: `makes a runtime policy of ${bytes} bytes, over the ${SPENDING_POLICY_MAX_BYTES} bytes it may use of Lambda's 4 KB environment`,
          received: Object.keys(spending.wallets).length,
          fix: 'give wallets with the same policy one override less (use the default for the commonest policy)',
        },
      ];
}
