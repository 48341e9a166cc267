import { z } from 'zod';
import {
  CHAIN_FEE_DEFAULTS,
  CHAIN_HEALTH_DEFAULTS,
  CHAIN_TIMING_DEFAULTS,
  GWEI_PATTERN,
  PROVIDER_NAME_PATTERN,
  providerUrlProblem,
  type ChainProviderSetting,
  type ChainSettings,
} from '../contract/chain-settings';

/**
 * The `chain` section of the config (issue 16, docs/chain.md): the chain id the signer signs for
 * and, optionally, the RPC providers the wallet reaches the chain through. Without `providers`,
 * nothing is broadcast and no watcher runs (the blueprint signs and stores, as before); the other
 * fields still get their defaults so the type is the same either way.
 *
 * A provider is `{ name, url }` (a public endpoint, no key) or `{ name, urlSecret }`: the name of a
 * Secrets Manager secret, listed in `rpcSecrets`, whose value is the URL with its API key. The
 * blueprint creates the `rpcSecrets` (primary region, replicated to the standby); the team puts the
 * URL in after deploy, so no key is ever in the config, the template or the environment.
 */

/** Secrets Manager secret names: 1-512 of letters, digits and /_+=.@- ("CreateSecret" Name). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

const secretName = z
  .string()
  .regex(SECRET_NAME, 'is not a Secrets Manager secret name')
  .describe('use a secret name such as "wallet/example/rpc/alchemy" (letters, digits and /_+=.@-)');

const providerSchema = z
  .object({
    name: z
      .string()
      .regex(PROVIDER_NAME_PATTERN, "must be 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit")
      .describe('name the provider as it should appear in metrics and logs, e.g. "alchemy"'),
    url: z
      .string()
      .optional()
      .describe('use the provider\'s https URL without a key, e.g. "https://ethereum-sepolia-rpc.publicnode.com"'),
    urlSecret: secretName
      .optional()
      .describe('name a secret listed in chain.rpcSecrets whose value is the URL with its API key'),
  })
  .strict();

const int = (min: number, max: number, hint: string) =>
  z
    .number()
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .describe(hint);

const healthSchema = z
  .object({
    maxLagBlocks: int(0, 10000, 'set how many blocks a provider may lag behind the best head (default 5)').default(
      CHAIN_HEALTH_DEFAULTS.maxLagBlocks,
    ),
    maxLagSeconds: int(
      0,
      86400,
      "set how many seconds older than the best head a provider's head may be (default 60)",
    ).default(CHAIN_HEALTH_DEFAULTS.maxLagSeconds),
    maxErrorRate: z
      .number()
      .min(0, 'must be at least 0')
      .max(1, 'must be at most 1')
      .default(CHAIN_HEALTH_DEFAULTS.maxErrorRate)
      .describe('set the share of recent requests (0..1) a provider may fail and stay healthy (default 0.5)'),
    requestTimeoutMs: int(100, 60000, 'set the timeout of one JSON-RPC request in ms (default 3000)').default(
      CHAIN_HEALTH_DEFAULTS.requestTimeoutMs,
    ),
    minHealthyStandby: int(
      0,
      100,
      'set how many healthy providers the standby must have before the alarm fires (default 2)',
    ).default(CHAIN_HEALTH_DEFAULTS.minHealthyStandby),
  })
  .strict();

const gwei = (hint: string) => z.string().regex(GWEI_PATTERN, 'is not a decimal gwei amount').describe(hint);

const feesSchema = z
  .object({
    priorityFeeGwei: gwei('write the priority fee as a decimal gwei string, e.g. "1.5" (at most 9 decimals)').default(
      CHAIN_FEE_DEFAULTS.priorityFeeGwei,
    ),
    maxFeePerGasGwei: gwei(
      'write the hard fee cap as a decimal gwei string, e.g. "100"; no transaction is signed above it',
    ).default(CHAIN_FEE_DEFAULTS.maxFeePerGasGwei),
    replacementBumpPercent: int(
      10,
      1000,
      "set the fee raise of a replacement in percent; nodes refuse less than 10 (geth's default price bump)",
    ).default(CHAIN_FEE_DEFAULTS.replacementBumpPercent),
    feeHistoryBlocks: int(1, 1024, 'set how many blocks eth_feeHistory looks back (default 10)').default(
      CHAIN_FEE_DEFAULTS.feeHistoryBlocks,
    ),
    rewardPercentile: z
      .number()
      .min(0, 'must be at least 0')
      .max(100, 'must be at most 100')
      .default(CHAIN_FEE_DEFAULTS.rewardPercentile)
      .describe('set the eth_feeHistory reward percentile (0..100, default 50)'),
    baseFeeMultiplier: z
      .number()
      .min(1, 'must be at least 1')
      .max(10, 'must be at most 10')
      .default(CHAIN_FEE_DEFAULTS.baseFeeMultiplier)
      .describe('set how many times the latest base fee the max fee allows (1..10, default 2)'),
  })
  .strict();

export const chainSchema = z
  .object({
    chainId: z
      .number()
      // zod's int() also rejects integers beyond 2^53 - 1, which JSON cannot carry exactly.
      .int(`must be a whole number of at most ${Number.MAX_SAFE_INTEGER}`)
      .positive('must be greater than 0')
      .describe(
        'set the EIP-155 chain id the signer signs for, e.g. 1 (Ethereum mainnet) or 11155111 (Sepolia); ' +
          'there is no default because a wrong chain id signs transactions that are valid on another network',
      ),
    rpcSecrets: z
      .array(secretName)
      .default([])
      .describe('list the secrets the blueprint creates for provider URLs, e.g. ["wallet/example/rpc/alchemy"]'),
    providers: z
      .array(providerSchema)
      .min(1, 'must list at least one provider (or leave "providers" out to broadcast nothing)')
      .optional()
      .describe(
        'list the RPC providers, each { "name", "url" } or { "name", "urlSecret" }; leave it out to sign and store only',
      ),
    health: healthSchema.prefault({}).describe('set the provider health limits; every field has a default'),
    confirmations: int(
      0,
      1000,
      'set the blocks for "confirmed", counting the block that holds the transaction (default 3)',
    ).default(CHAIN_TIMING_DEFAULTS.confirmations),
    receiptPollSeconds: int(1, 3600, 'set how often the watcher polls receipts, in seconds (default 4)').default(
      CHAIN_TIMING_DEFAULTS.receiptPollSeconds,
    ),
    resubmitAfterSeconds: int(
      1,
      86400,
      'set how long a broadcast transaction may stay unmined before it is replaced, in seconds (default 60)',
    ).default(CHAIN_TIMING_DEFAULTS.resubmitAfterSeconds),
    stuckAfterSeconds: int(
      1,
      604800,
      'set how long a transaction may stay unmined before it is reported stuck, in seconds (default 900)',
    ).default(CHAIN_TIMING_DEFAULTS.stuckAfterSeconds),
    fees: feesSchema.prefault({}).describe('set the fee rules; every field has a default'),
  })
  .strict()
  .describe('add "chain": { "chainId": <EIP-155 chain id> }; it has no default');

export type ChainConfig = z.output<typeof chainSchema>;
export type ChainProviderConfig = NonNullable<ChainConfig['providers']>[number];

/** A problem in the chain section, in lib/config/validate.ts's ConfigProblem shape. */
export interface ChainConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly received: unknown;
  readonly fix: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The rules zod cannot say field by field: a provider URL's scheme and form, exactly one of
 * url/urlSecret, a urlSecret that is one of rpcSecrets, unique names and secrets, and timings that
 * fit together. Reads the raw section defensively, so it runs beside the schema's own problems.
 */
export function chainProblems(chain: unknown): ChainConfigProblem[] {
  const problems: ChainConfigProblem[] = [];
  if (!isObj(chain)) return problems;
  const secrets = Array.isArray(chain.rpcSecrets) ? chain.rpcSecrets.filter((s) => typeof s === 'string') : [];
  const seenSecrets = new Set<string>();
  secrets.forEach((s, i) => {
    // CreateSecret's Name: "Do not end your secret name with a hyphen followed by six characters.
    // If you do so, you risk confusion and unexpected results when searching for a secret by partial
    // ARN." The Lambdas get each secret by partial ARN (the standby's replica suffix is unknown at synth).
    if (/-[A-Za-z0-9]{6}$/.test(s)) {
      problems.push({
        path: `chain.rpcSecrets.${i}`,
        message: 'ends with a hyphen and six characters, which Secrets Manager mistakes for its ARN suffix',
        received: s,
        fix: 'rename it so it does not end in -XXXXXX, e.g. "wallet/example/rpc/alchemy-url" -> "wallet/example/rpc/alchemy"',
      });
    }
    if (seenSecrets.has(s)) {
      problems.push({
        path: `chain.rpcSecrets.${i}`,
        message: 'repeats a secret',
        received: s,
        fix: 'list each secret once',
      });
    }
    seenSecrets.add(s);
  });
  const providers = Array.isArray(chain.providers) ? chain.providers : [];
  const names = new Map<string, number>();
  providers.forEach((p: unknown, i: number) => {
    if (!isObj(p)) return; // the schema reports it
    const where = `chain.providers.${i}`;
    if (typeof p.name === 'string') {
      const first = names.get(p.name);
      if (first !== undefined) {
        problems.push({
          path: `${where}.name`,
          message: `repeats the name of chain.providers.${first}`,
          received: p.name,
          fix: 'give every provider its own name (it is the metric dimension and log field)',
        });
      } else names.set(p.name, i);
    }
    const hasUrl = p.url !== undefined;
    const hasSecret = p.urlSecret !== undefined;
    if (hasUrl === hasSecret) {
      problems.push({
        path: where,
        message: hasUrl ? 'has both "url" and "urlSecret"' : 'has neither "url" nor "urlSecret"',
        received: p,
        fix: 'set exactly one: "url" for a keyless public endpoint, "urlSecret" for a URL with an API key',
      });
    }
    if (typeof p.url === 'string') {
      const problem = providerUrlProblem(p.url);
      if (problem !== undefined) {
        problems.push({
          path: `${where}.url`,
          message: problem,
          received: p.url,
          fix: 'write the https URL, e.g. "https://ethereum-sepolia-rpc.publicnode.com"; a URL with a key goes in a secret (urlSecret)',
        });
      }
    }
    if (typeof p.urlSecret === 'string' && SECRET_NAME.test(p.urlSecret) && !secrets.includes(p.urlSecret)) {
      problems.push({
        path: `${where}.urlSecret`,
        message: 'is an unknown provider secret: it is not listed in chain.rpcSecrets',
        received: p.urlSecret,
        fix:
          secrets.length === 0
            ? `add "rpcSecrets": [${JSON.stringify(p.urlSecret)}] to chain, or check the name`
            : `add it to chain.rpcSecrets (listed: ${secrets.map((s) => JSON.stringify(s)).join(', ')}) or check the name`,
      });
    }
  });
  const resubmit = chain.resubmitAfterSeconds ?? CHAIN_TIMING_DEFAULTS.resubmitAfterSeconds;
  const stuck = chain.stuckAfterSeconds ?? CHAIN_TIMING_DEFAULTS.stuckAfterSeconds;
  if (typeof resubmit === 'number' && typeof stuck === 'number' && stuck < resubmit) {
    problems.push({
      path: 'chain.stuckAfterSeconds',
      message: `is below chain.resubmitAfterSeconds (${resubmit}): a transaction would be reported stuck before its first replacement`,
      received: stuck,
      fix: `set chain.stuckAfterSeconds to at least ${resubmit}, or lower chain.resubmitAfterSeconds`,
    });
  }
  const fees = isObj(chain.fees) ? chain.fees : {};
  const priority = fees.priorityFeeGwei ?? CHAIN_FEE_DEFAULTS.priorityFeeGwei;
  const cap = fees.maxFeePerGasGwei ?? CHAIN_FEE_DEFAULTS.maxFeePerGasGwei;
  if (
    typeof priority === 'string' &&
    typeof cap === 'string' &&
    GWEI_PATTERN.test(priority) &&
    GWEI_PATTERN.test(cap) &&
    gweiToWei(priority) > gweiToWei(cap)
  ) {
    problems.push({
      path: 'chain.fees.priorityFeeGwei',
      message: `is above chain.fees.maxFeePerGasGwei (${cap}): no transaction could pay it`,
      received: priority,
      fix: 'lower the priority fee or raise the cap',
    });
  }
  return problems;
}

/** "1.5" gwei as wei (exact). Only for strings matching GWEI_PATTERN. */
export function gweiToWei(gwei: string): bigint {
  const [whole, frac = ''] = gwei.split('.');
  return BigInt(whole) * 10n ** 9n + BigInt(frac.padEnd(9, '0'));
}

/**
 * The CHAIN_SETTINGS a region's Lambdas get, from the validated chain section and the ARN of that
 * region's copy of each provider secret (the stacks know it; lib/contract/chain-settings.ts is the
 * runtime side). undefined when the config has no providers (nothing to reach).
 */
export function chainSettingsFor(
  chain: ChainConfig,
  secretArnOf: (secretName: string) => string,
): ChainSettings | undefined {
  if (chain.providers === undefined) return undefined;
  // Not re-checked with checkChainSettings: at synth time the ARNs may be CDK tokens. The config
  // was validated already, and the Lambda parses the resolved JSON strictly at start.
  return {
    chainId: chain.chainId,
    providers: chain.providers.map((p): ChainProviderSetting =>
      p.urlSecret !== undefined
        ? { name: p.name, secretArn: secretArnOf(p.urlSecret) }
        : { name: p.name, url: p.url ?? '' },
    ),
    health: chain.health,
    confirmations: chain.confirmations,
    receiptPollSeconds: chain.receiptPollSeconds,
    resubmitAfterSeconds: chain.resubmitAfterSeconds,
    stuckAfterSeconds: chain.stuckAfterSeconds,
    fees: chain.fees,
  };
}
