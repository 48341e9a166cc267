/**
 * The chain settings a Lambda receives, as ONE JSON environment variable (`CHAIN_SETTINGS`).
 * The CDK side (lib/stacks, from the validated config) writes it; lambda/shared/chain-env.ts reads
 * it with `parseChainSettings` and builds the provider pool. Each provider is either a plain URL
 * (`{ name, url }`) or the ARN of the region's replica of a Secrets Manager secret holding the URL
 * with its API key (`{ name, secretArn }`): the Lambda resolves it at run time, so the key is never
 * in the template or the environment.
 */
export const CHAIN_SETTINGS_ENV = 'CHAIN_SETTINGS';

export type ChainProviderSetting =
  { readonly name: string; readonly url: string } | { readonly name: string; readonly secretArn: string };

export interface ChainHealthSettings {
  /** A provider more than this many blocks behind the best head is unhealthy. */
  readonly maxLagBlocks: number;
  /** A provider whose head block is more than this many seconds older than the best head's is unhealthy. */
  readonly maxLagSeconds: number;
  /** A provider failing more than this share (0..1) of its recent requests is unhealthy. */
  readonly maxErrorRate: number;
  /** Each JSON-RPC request gives up after this long (ms). */
  readonly requestTimeoutMs: number;
  /** The standby alarms when fewer providers than this are healthy there. */
  readonly minHealthyStandby: number;
}

export interface ChainFeeSettings {
  /** Decimal gwei strings (exact: no float rounding of wei). */
  readonly priorityFeeGwei: string;
  readonly maxFeePerGasGwei: string;
  readonly replacementBumpPercent: number;
  readonly feeHistoryBlocks: number;
  readonly rewardPercentile: number;
  readonly baseFeeMultiplier: number;
}

export interface ChainSettings {
  readonly chainId: number;
  readonly providers: readonly ChainProviderSetting[];
  readonly health: ChainHealthSettings;
  /** Blocks for `confirmed`, counting the block that holds the transaction (lib/chain/confirmations.ts: head - mined + 1 >= N). */
  readonly confirmations: number;
  readonly receiptPollSeconds: number;
  /** A broadcast transaction not mined after this long is replaced with higher fees. */
  readonly resubmitAfterSeconds: number;
  /** A transaction not mined after this long is reported stuck. */
  readonly stuckAfterSeconds: number;
  readonly fees: ChainFeeSettings;
}

/** Defaults shared by the config schema and tests (docs/chain.md explains each). */
export const CHAIN_HEALTH_DEFAULTS: ChainHealthSettings = {
  maxLagBlocks: 5,
  maxLagSeconds: 60,
  maxErrorRate: 0.5,
  requestTimeoutMs: 3000,
  minHealthyStandby: 2,
};

export const CHAIN_FEE_DEFAULTS: ChainFeeSettings = {
  priorityFeeGwei: '1.5',
  maxFeePerGasGwei: '100',
  replacementBumpPercent: 10,
  feeHistoryBlocks: 10,
  rewardPercentile: 50,
  baseFeeMultiplier: 2,
};

export const CHAIN_TIMING_DEFAULTS = {
  confirmations: 3,
  receiptPollSeconds: 4,
  resubmitAfterSeconds: 60,
  stuckAfterSeconds: 900,
} as const;

/** A provider name: it becomes a metric dimension value and a log field. */
export const PROVIDER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Decimal gwei with at most 9 decimals (1 gwei = 10^9 wei, so the value is a whole number of wei). */
export const GWEI_PATTERN = /^(0|[1-9][0-9]{0,9})(\.[0-9]{1,9})?$/;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Why `url` is not acceptable as a provider URL, or undefined when it is: it must parse, be
 * https (http only on a loopback host: a local node or the test fault proxy), and carry no
 * user:password (put the key in a secret).
 */
export function providerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL; write it as https://host/path';
  }
  const host = parsed.hostname.toLowerCase();
  const loopback = LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (parsed.protocol === 'http:' && !loopback) {
    return 'uses http on a non-loopback host; use https (http is only allowed for 127.0.0.1 / localhost)';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `uses the ${parsed.protocol.replace(/:$/, '')} scheme; use https`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'carries a user name or password; keep credentials in a provider secret (urlSecret)';
  }
  return undefined;
}

export class ChainSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`${CHAIN_SETTINGS_ENV} is not valid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ChainSettingsError';
  }
}

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface NumberRule {
  readonly int?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** strictly greater than min */
  readonly minExclusive?: boolean;
}

function readNumber(o: Obj, key: string, where: string, rule: NumberRule, problems: string[]): number {
  const v = o[key];
  const field = `${where}.${key}`;
  const bounds = [
    rule.min === undefined ? '' : `${rule.minExclusive ? 'greater than' : 'at least'} ${rule.min}`,
    rule.max === undefined ? '' : `at most ${rule.max}`,
  ]
    .filter((s) => s !== '')
    .join(' and ');
  const want = `${rule.int ? 'a whole number' : 'a number'}${bounds === '' ? '' : ` ${bounds}`}`;
  const bad =
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    (rule.int === true && !Number.isSafeInteger(v)) ||
    (rule.min !== undefined && (rule.minExclusive ? v <= rule.min : v < rule.min)) ||
    (rule.max !== undefined && v > rule.max);
  if (bad) {
    problems.push(`${field}: got ${show(v)}; set ${want}`);
    return 0;
  }
  return v;
}

function unknownKeys(o: Obj, allowed: readonly string[], where: string, problems: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) problems.push(`${where}.${k}: unknown field; remove it (allowed: ${allowed.join(', ')})`);
  }
}

/**
 * Parses and checks the `CHAIN_SETTINGS` JSON. Every problem is gathered and thrown at once as a
 * ChainSettingsError naming the field, the value received and the fix.
 */
export function parseChainSettings(json: string | undefined): ChainSettings {
  if (json === undefined || json.trim() === '') {
    throw new ChainSettingsError([`${CHAIN_SETTINGS_ENV}: got nothing; set it to the chain settings JSON`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ChainSettingsError([`${CHAIN_SETTINGS_ENV}: is not JSON (${(err as Error).message}); got ${show(json)}`]);
  }
  return checkChainSettings(raw);
}

/** The same checks on an already-parsed value (the CDK side uses it before writing the env). */
export function checkChainSettings(raw: unknown): ChainSettings {
  const problems: string[] = [];
  if (!isObj(raw)) throw new ChainSettingsError([`settings: got ${show(raw)}; set a JSON object`]);
  const top = [
    'chainId',
    'providers',
    'health',
    'confirmations',
    'receiptPollSeconds',
    'resubmitAfterSeconds',
    'stuckAfterSeconds',
    'fees',
  ];
  unknownKeys(raw, top, 'settings', problems);
  const chainId = readNumber(raw, 'chainId', 'settings', { int: true, min: 1 }, problems);

  const providers: ChainProviderSetting[] = [];
  if (!Array.isArray(raw.providers) || raw.providers.length === 0) {
    problems.push(`settings.providers: got ${show(raw.providers)}; set a non-empty list of { name, url | secretArn }`);
  } else {
    const seen = new Set<string>();
    raw.providers.forEach((p: unknown, i: number) => {
      const where = `settings.providers[${i}]`;
      if (!isObj(p)) {
        problems.push(`${where}: got ${show(p)}; set { "name": ..., "url": ... } or { "name": ..., "secretArn": ... }`);
        return;
      }
      unknownKeys(p, ['name', 'url', 'secretArn'], where, problems);
      const name = p.name;
      if (typeof name !== 'string' || !PROVIDER_NAME_PATTERN.test(name)) {
        problems.push(`${where}.name: got ${show(name)}; set 1-64 letters, digits, '.', '_' or '-'`);
      } else if (seen.has(name)) {
        problems.push(`${where}.name: got ${show(name)} twice; give every provider its own name`);
      } else {
        seen.add(name);
      }
      const hasUrl = p.url !== undefined;
      const hasArn = p.secretArn !== undefined;
      if (hasUrl === hasArn) {
        problems.push(
          `${where}: got ${hasUrl ? 'both url and secretArn' : 'neither url nor secretArn'}; set exactly one`,
        );
        return;
      }
      if (hasUrl) {
        const problem = typeof p.url === 'string' ? providerUrlProblem(p.url) : 'is not a string';
        if (problem !== undefined) problems.push(`${where}.url: got ${show(p.url)}; it ${problem}`);
        else providers.push({ name: String(name), url: p.url as string });
      } else {
        if (
          typeof p.secretArn !== 'string' ||
          !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(p.secretArn)
        ) {
          problems.push(
            `${where}.secretArn: got ${show(p.secretArn)}; set a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
          );
        } else providers.push({ name: String(name), secretArn: p.secretArn });
      }
    });
  }

  let health: ChainHealthSettings = CHAIN_HEALTH_DEFAULTS;
  if (!isObj(raw.health)) {
    problems.push(
      `settings.health: got ${show(raw.health)}; set { maxLagBlocks, maxLagSeconds, maxErrorRate, requestTimeoutMs, minHealthyStandby }`,
    );
  } else {
    const h = raw.health;
    unknownKeys(h, Object.keys(CHAIN_HEALTH_DEFAULTS), 'settings.health', problems);
    health = {
      maxLagBlocks: readNumber(h, 'maxLagBlocks', 'settings.health', { int: true, min: 0 }, problems),
      maxLagSeconds: readNumber(h, 'maxLagSeconds', 'settings.health', { min: 0 }, problems),
      maxErrorRate: readNumber(h, 'maxErrorRate', 'settings.health', { min: 0, max: 1 }, problems),
      requestTimeoutMs: readNumber(
        h,
        'requestTimeoutMs',
        'settings.health',
        { int: true, min: 1, max: 60000 },
        problems,
      ),
      minHealthyStandby: readNumber(h, 'minHealthyStandby', 'settings.health', { int: true, min: 0 }, problems),
    };
  }

  let fees: ChainFeeSettings = CHAIN_FEE_DEFAULTS;
  if (!isObj(raw.fees)) {
    problems.push(`settings.fees: got ${show(raw.fees)}; set the fee settings object`);
  } else {
    const f = raw.fees;
    unknownKeys(f, Object.keys(CHAIN_FEE_DEFAULTS), 'settings.fees', problems);
    for (const k of ['priorityFeeGwei', 'maxFeePerGasGwei'] as const) {
      if (typeof f[k] !== 'string' || !GWEI_PATTERN.test(f[k] as string)) {
        problems.push(
          `settings.fees.${k}: got ${show(f[k])}; set a decimal gwei string such as "1.5" (at most 9 decimals)`,
        );
      }
    }
    fees = {
      priorityFeeGwei: String(f.priorityFeeGwei),
      maxFeePerGasGwei: String(f.maxFeePerGasGwei),
      replacementBumpPercent: readNumber(
        f,
        'replacementBumpPercent',
        'settings.fees',
        { int: true, min: 10, max: 1000 },
        problems,
      ),
      feeHistoryBlocks: readNumber(f, 'feeHistoryBlocks', 'settings.fees', { int: true, min: 1, max: 1024 }, problems),
      rewardPercentile: readNumber(f, 'rewardPercentile', 'settings.fees', { min: 0, max: 100 }, problems),
      baseFeeMultiplier: readNumber(f, 'baseFeeMultiplier', 'settings.fees', { min: 1, max: 10 }, problems),
    };
  }

  const settings: ChainSettings = {
    chainId,
    providers,
    health,
    confirmations: readNumber(raw, 'confirmations', 'settings', { int: true, min: 0, max: 1000 }, problems),
    receiptPollSeconds: readNumber(raw, 'receiptPollSeconds', 'settings', { int: true, min: 1 }, problems),
    resubmitAfterSeconds: readNumber(raw, 'resubmitAfterSeconds', 'settings', { int: true, min: 1 }, problems),
    stuckAfterSeconds: readNumber(raw, 'stuckAfterSeconds', 'settings', { int: true, min: 1 }, problems),
    fees,
  };
  if (problems.length === 0 && settings.stuckAfterSeconds < settings.resubmitAfterSeconds) {
    problems.push(
      `settings.stuckAfterSeconds: got ${settings.stuckAfterSeconds}, below resubmitAfterSeconds ${settings.resubmitAfterSeconds}; ` +
        'set it to at least resubmitAfterSeconds',
    );
  }
  if (problems.length > 0) throw new ChainSettingsError(problems);
  return settings;
}
