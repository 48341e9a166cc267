import { CANARY_DEFAULTS, CANARY_ENV } from '../../../lib/contract/canary';
import { CanaryFailure } from './failure';

/** Read once per canary run from the environment the CDK sets (lib/contract/canary.ts CANARY_ENV). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface CommonCanaryConfig {
  readonly envName: string;
  /** The region the canary runs in (Lambda's AWS_REGION). */
  readonly vantageRegion: string;
  /** `https://host[:port]`, no path. */
  readonly baseUrl: string;
  readonly expectedRegions: readonly string[];
  readonly maxLatencyMs: number;
  readonly requestTimeoutMs: number;
}

export interface DeepHealthConfig extends CommonCanaryConfig {
  readonly peer?: { readonly baseUrl: string; readonly region: string };
}

export interface TransactionConfig extends CommonCanaryConfig {
  readonly signBoundMs: number;
  readonly pollIntervalMs: number;
  readonly signingRegion?: string;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** Collects every problem, then throws once (what is wrong, the value received, how to fix it). */
class Problems {
  private readonly list: string[] = [];
  constructor(private readonly env: Env) {}

  add(name: string, problem: string, fix: string): void {
    this.list.push(`${name} ${problem} (received ${JSON.stringify(this.env[name])}); ${fix}`);
  }

  required(name: string, fix: string): string {
    const v = this.env[name];
    if (v === undefined || v.trim() === '') {
      this.add(name, 'is not set', fix);
      return '';
    }
    return v.trim();
  }

  region(name: string, required: boolean): string | undefined {
    const v = this.env[name];
    if (v === undefined || v === '') {
      if (required) this.add(name, 'is not set', 'set it to a region code such as "us-east-2"');
      return undefined;
    }
    if (!REGION.test(v)) this.add(name, 'is not a region code', 'use a region code such as "us-east-2"');
    return v;
  }

  regions(name: string): string[] {
    const raw = this.required(name, 'set it to a comma-separated list of region codes, e.g. "us-east-2,us-west-2"');
    const list = raw
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
    if (raw !== '' && (list.length === 0 || list.some((r) => !REGION.test(r)))) {
      this.add(name, 'is not a comma-separated list of region codes', 'use e.g. "us-east-2,us-west-2"');
    }
    return list;
  }

  baseUrl(name: string, required: boolean): string | undefined {
    const v = this.env[name];
    if (v === undefined || v === '') {
      if (required) this.add(name, 'is not set', 'set it to "https://<host>" (no path)');
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      this.add(name, 'is not a URL', 'set it to "https://<host>" (no path)');
      return undefined;
    }
    if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') {
      this.add(
        name,
        'must be an https URL without path or query',
        'set it to "https://<host>", as users reach the API',
      );
      return undefined;
    }
    return url.origin;
  }

  millis(name: string, fallback: number, min = 1): number {
    const v = this.env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      this.add(name, `must be a whole number of milliseconds, at least ${min}`, `e.g. "${fallback}"`);
      return fallback;
    }
    return n;
  }

  throwIfAny(canary: string): void {
    if (this.list.length > 0) {
      throw new CanaryFailure(
        'config',
        `the ${canary} canary's environment is invalid: ${this.list.join('; ')}. The CDK canary construct sets these (lib/contract/canary.ts CANARY_ENV).`,
      );
    }
  }
}

function common(p: Problems): CommonCanaryConfig {
  return {
    envName: p.required(CANARY_ENV.envName, 'set it to the environment name, e.g. "prod"'),
    vantageRegion: p.region('AWS_REGION', true) ?? '',
    baseUrl: p.baseUrl(CANARY_ENV.baseUrl, true) ?? '',
    expectedRegions: p.regions(CANARY_ENV.expectedRegions),
    maxLatencyMs: p.millis(CANARY_ENV.maxLatencyMs, CANARY_DEFAULTS.maxLatencyMs),
    requestTimeoutMs: p.millis(CANARY_ENV.requestTimeoutMs, CANARY_DEFAULTS.requestTimeoutMs),
  };
}

export function loadHealthConfig(env: Env, canary: 'public-name'): CommonCanaryConfig {
  const p = new Problems(env);
  const config = common(p);
  p.throwIfAny(canary);
  return config;
}

export function loadDeepHealthConfig(env: Env): DeepHealthConfig {
  const p = new Problems(env);
  const config = common(p);
  const peerBaseUrl = p.baseUrl(CANARY_ENV.peerBaseUrl, false);
  const peerRegion = p.region(CANARY_ENV.peerRegion, false);
  if ((peerBaseUrl === undefined) !== (peerRegion === undefined)) {
    p.add(
      peerBaseUrl === undefined ? CANARY_ENV.peerBaseUrl : CANARY_ENV.peerRegion,
      `must be set together with ${peerBaseUrl === undefined ? CANARY_ENV.peerRegion : CANARY_ENV.peerBaseUrl}`,
      'set both to probe the peer region, or neither',
    );
  }
  if (config.expectedRegions.length > 1) {
    p.add(
      CANARY_ENV.expectedRegions,
      'must name exactly one region for the deep-health canary',
      'set it to the region whose regional name the canary calls',
    );
  }
  p.throwIfAny('deep-health');
  return {
    ...config,
    ...(peerBaseUrl !== undefined && peerRegion !== undefined
      ? { peer: { baseUrl: peerBaseUrl, region: peerRegion } }
      : {}),
  };
}

export function loadTransactionConfig(env: Env): TransactionConfig {
  const p = new Problems(env);
  const config = common(p);
  const signBoundMs = p.millis(CANARY_ENV.signBoundMs, CANARY_DEFAULTS.signBoundMs);
  const pollIntervalMs = p.millis(CANARY_ENV.pollIntervalMs, CANARY_DEFAULTS.pollIntervalMs);
  if (pollIntervalMs >= signBoundMs) {
    p.add(
      CANARY_ENV.pollIntervalMs,
      `must be shorter than ${CANARY_ENV.signBoundMs} (${signBoundMs})`,
      'poll several times within the bound',
    );
  }
  const signingRegion = p.region(CANARY_ENV.signingRegion, false);
  if (config.expectedRegions.length === 1) {
    p.add(
      CANARY_ENV.expectedRegions,
      'must name both regions for the transaction canary (it calls the API through the wallet client, which needs both regional names)',
      'set it to "<primary>,<standby>", as the canary construct does',
    );
  }
  p.throwIfAny('transaction');
  return { ...config, signBoundMs, pollIntervalMs, ...(signingRegion !== undefined ? { signingRegion } : {}) };
}
