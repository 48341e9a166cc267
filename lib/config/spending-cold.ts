import { z } from 'zod';
import { CHAIN_FEE_DEFAULTS } from '../contract/chain-settings';
import { FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS, floatAlarmEvaluation } from '../contract/float-alarm';
import { SWEEP_GAS_LIMIT } from '../contract/sweep';
import { rateSeconds } from './rate';

/**
 * `spending.cold`: the hot/cold split (issue 21; docs/spending-policy.md "Hot/cold"). The hot key
 * holds a float up to `floatCeilingWei`; above it the sweeper (lambda/sweeper/) sends the excess,
 * through the API's intake code and the signer's policy check, from the cold-only wallet
 * `sweepWalletId` to `coldAddress` only. Nothing moves cold to hot automatically: a top-up is an
 * unsigned transaction `wallet-ops prepare-top-up` prepares for the cold signer
 * (docs/runbooks/cold-top-up.md).
 *
 * Shapes are checked here; rules across fields and sections by {@link coldProblems} (every problem
 * at once, each with the field, the value and the fix).
 */

const wei = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, 'is not a whole number of wei written as a decimal string')
  .refine((v) => v !== '0', 'must be more than 0 wei');

/** `rate(N minute[s] | N hour[s])`, the EventBridge Scheduler/Rules form; at least one minute. */
export const CHECK_EVERY_PATTERN = /^rate\((1 (minute|hour)|([2-9]|[1-9][0-9]{1,3}) (minutes|hours))\)$/;

export const DEFAULT_SWEEP_CHECK_EVERY = 'rate(5 minutes)';

export const coldSchema = z
  .object({
    coldAddress: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'is not a 20-byte hex address')
      .refine((v) => !/^0x0{40}$/.test(v), 'is the zero address (funds sent there are burned)')
      .describe('the cold address sweeps go to (0x followed by 40 hex digits), held by the cold signer'),
    floatCeilingWei: wei.describe(
      'the most wei the hot address keeps; above it the excess is swept, e.g. "10000000000000000000" (10 ETH)',
    ),
    sweepWalletId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a wallet id (1-64 letters, digits, "-" or "_")')
      .describe('the wallet the sweeps are requested on; its policy (spending.wallets.<id>) must be "cold-only"'),
    minimumSweepWei: wei.describe(
      'the smallest excess worth a sweep (above the worst-case fee of a transfer), e.g. "100000000000000000"',
    ),
    checkEvery: z
      .string()
      .regex(CHECK_EVERY_PATTERN, 'is not a rate such as "rate(5 minutes)" or "rate(1 hour)"')
      .default(DEFAULT_SWEEP_CHECK_EVERY)
      .describe(`how often the sweeper looks at the hot balance (default "${DEFAULT_SWEEP_CHECK_EVERY}")`),
  })
  .strict()
  .describe(
    'configure the hot/cold split: {"coldAddress": "0x...", "floatCeilingWei": "...", "sweepWalletId": "w-sweep", "minimumSweepWei": "..."} (docs/spending-policy.md)',
  );

export type ColdConfig = z.output<typeof coldSchema>;

interface Problem {
  path: string;
  message: string;
  received: unknown;
  fix: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
const WEI = /^(0|[1-9][0-9]{0,77})$/;
const GWEI = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,9}))?$/;

/** "1.5" gwei -> wei (the chain section's own shape problems are reported by its schema). */
function gweiToWei(gwei: string): bigint | undefined {
  const m = GWEI.exec(gwei);
  return m === null ? undefined : BigInt(m[1]) * 10n ** 9n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Rules across `spending.cold`, the wallets' policies and the chain section (raw input, read
 * defensively, so every problem is reported at once).
 */
export function coldProblems(spending: Record<string, unknown>, chain: unknown): Problem[] {
  const cold = spending.cold;
  if (!isObject(cold)) return [];
  const problems: Problem[] = [];
  const wallets = isObject(spending.wallets) ? spending.wallets : {};
  const id = cold.sweepWalletId;
  if (typeof id === 'string') {
    const policy = wallets[id];
    if (!isObject(policy)) {
      problems.push({
        path: 'spending.cold.sweepWalletId',
        message: 'names a wallet without a policy override: the sweep wallet must be "cold-only"',
        received: id,
        fix: `add spending.wallets.${id} = {"outgoing": "cold-only"}, or name the cold-only wallet`,
      });
    } else if (policy.outgoing !== 'cold-only') {
      problems.push({
        path: 'spending.cold.sweepWalletId',
        message: `names wallet ${id}, whose policy is "${String(policy.outgoing)}", not "cold-only": a sweep must be able to go to the cold address only`,
        received: id,
        fix: `set spending.wallets.${id}.outgoing to "cold-only", or name the cold-only wallet`,
      });
    }
  }
  const ceiling =
    typeof cold.floatCeilingWei === 'string' && WEI.test(cold.floatCeilingWei) ? cold.floatCeilingWei : undefined;
  const minimum =
    typeof cold.minimumSweepWei === 'string' && WEI.test(cold.minimumSweepWei) ? cold.minimumSweepWei : undefined;
  if (ceiling !== undefined && minimum !== undefined && BigInt(minimum) > BigInt(ceiling)) {
    problems.push({
      path: 'spending.cold.minimumSweepWei',
      message: `is above floatCeilingWei (${ceiling}): the hot float could grow past twice its ceiling before a sweep`,
      received: minimum,
      fix: 'set minimumSweepWei at or below floatCeilingWei (a small share of it, e.g. a tenth)',
    });
  }
  // A sweep pays at most gasLimit x the chain's fee cap; below that a sweep could cost more than it moves.
  const chainObj = isObject(chain) ? chain : undefined;
  const fees = chainObj !== undefined && isObject(chainObj.fees) ? chainObj.fees : {};
  const capGwei =
    typeof fees.maxFeePerGasGwei === 'string' ? fees.maxFeePerGasGwei : CHAIN_FEE_DEFAULTS.maxFeePerGasGwei;
  const capWei = gweiToWei(capGwei);
  if (minimum !== undefined && capWei !== undefined) {
    const worstFee = BigInt(SWEEP_GAS_LIMIT) * capWei;
    if (BigInt(minimum) <= worstFee) {
      problems.push({
        path: 'spending.cold.minimumSweepWei',
        message: `is not above the worst-case fee of a sweep (${SWEEP_GAS_LIMIT} gas x chain.fees.maxFeePerGasGwei ${capGwei} gwei = ${worstFee} wei): a sweep could cost more than it moves`,
        received: minimum,
        fix: `set minimumSweepWei above ${worstFee} (e.g. ${worstFee * 10n}), or lower chain.fees.maxFeePerGasGwei`,
      });
    }
  }
  // The float-above-ceiling alarm watches periods of two runs; past 84 hours between runs no period fits
  // CloudWatch's 7-day evaluation limit (lib/contract/float-alarm.ts), and synth would refuse the alarm.
  if (typeof cold.checkEvery === 'string' && CHECK_EVERY_PATTERN.test(cold.checkEvery)) {
    const seconds = rateSeconds(cold.checkEvery);
    if (floatAlarmEvaluation(seconds) === undefined) {
      const maxHours = FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS / 3600;
      problems.push({
        path: 'spending.cold.checkEvery',
        message: `is too long for the float-above-ceiling alarm: its period holds two sweeper runs (${(2 * seconds) / 3600} hours here), and CloudWatch evaluates an alarm over at most 7 days (period x evaluation periods <= 604800 s), so the longest interval that works is rate(${maxHours} hours)`,
        received: cold.checkEvery,
        fix: `set spending.cold.checkEvery to "rate(${maxHours} hours)" or shorter (the default is "${DEFAULT_SWEEP_CHECK_EVERY}")`,
      });
    }
  }
  if (chainObj === undefined || !Array.isArray(chainObj.providers) || chainObj.providers.length === 0) {
    problems.push({
      path: 'spending.cold',
      message: 'is set, but chain.providers is not: the sweeper reads the hot balance through the provider pool',
      received: chainObj?.providers,
      fix: 'configure chain.providers (docs/chain.md), or remove spending.cold',
    });
  }
  return problems;
}
