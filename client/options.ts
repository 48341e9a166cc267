import { ClientRequest, ClientTransport } from './transport';

/** One region's own API name: `https://<region>.<api>.<zone>` (lib/contract/health.ts regionalApiDomain). */
export interface RegionEndpoint {
  /** The AWS region code, e.g. `us-east-2`; the region requests are SigV4-signed for. */
  readonly region: string;
  /** `https://host[:port]`, no path. */
  readonly baseUrl: string;
}

/** Everything the client reports, for logs and metrics. A hook that throws is ignored. */
export type ClientEvent =
  | {
      readonly type: 'attempt';
      readonly operation: 'submit' | 'get';
      readonly idempotencyKey?: string;
      readonly attempt: number;
      readonly region: string;
      readonly url: string;
      readonly outcome: 'success' | 'final' | 'paused' | 'retry';
      readonly status?: number;
      readonly detail?: string;
      readonly ms: number;
    }
  | {
      readonly type: 'retry';
      readonly operation: 'submit' | 'get';
      readonly idempotencyKey?: string;
      readonly attempt: number;
      readonly fromRegion: string;
      readonly toRegion: string;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: 'circuit'; readonly region: string; readonly state: 'open' | 'closed'; readonly failures: number }
  | { readonly type: 'probe'; readonly region: string; readonly ok: boolean; readonly detail: string }
  | {
      readonly type: 'give-up';
      readonly operation: 'submit' | 'get';
      readonly idempotencyKey?: string;
      readonly attempts: number;
      readonly reason: string;
    };

/** Time and randomness, injectable so tests and benchmarks can control them. */
export interface ClientClock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: ClientClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('aborted'));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface WalletClientOptions {
  /**
   * The regional API names, home region first: at least two distinct regions. New requests go to
   * the first region whose circuit is closed; a retry after a region's failure goes to the next.
   */
  readonly regions: readonly RegionEndpoint[];
  /**
   * The public failover name (`https://api.<zone>`), which Route 53 points at the active region.
   * Used only by requests sent with `via: { failoverName: ... }` (the transaction canary).
   * @default - no failover-name requests
   */
  readonly failoverUrl?: string;
  /** Signs each attempt for the region it goes to (SigV4 for IAM-authenticated routes). @default - unsigned */
  readonly sign?: (request: ClientRequest, region: string) => Promise<ClientRequest>;
  /** @default fetchTransport() */
  readonly transport?: ClientTransport;
  /** Attempts per logical request, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Each attempt is abandoned after this (connect, TLS, request and full body). @default 2000 */
  readonly attemptTimeoutMs?: number;
  /** A logical request, all attempts and waits included, gives up after this. @default 10000 */
  readonly deadlineMs?: number;
  /** Full-jitter backoff: the first retry waits up to this. @default 100 */
  readonly baseDelayMs?: number;
  /** Full-jitter backoff cap. @default 2000 */
  readonly maxDelayMs?: number;
  /** Consecutive failures that open a region's circuit (new requests start elsewhere). @default 2 */
  readonly failureThreshold?: number;
  /** While a circuit is open, its region's `/health` is probed at most this often. @default 5000 */
  readonly probeIntervalMs?: number;
  /** `User-Agent` sent with every request (Node's fetch sends it; browsers may not). @default 'wallet-client' */
  readonly userAgent?: string;
  /** @default crypto.randomUUID() */
  readonly newIdempotencyKey?: () => string;
  readonly onEvent?: (event: ClientEvent) => void;
  /** @default systemClock */
  readonly clock?: ClientClock;
  /** @default Math.random */
  readonly random?: () => number;
}

export const CLIENT_DEFAULTS = {
  maxAttempts: 4,
  attemptTimeoutMs: 2000,
  deadlineMs: 10000,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  failureThreshold: 2,
  probeIntervalMs: 5000,
  userAgent: 'wallet-client',
} as const;

export type ResolvedOptions = Required<
  Omit<WalletClientOptions, 'failoverUrl' | 'sign' | 'onEvent' | 'regions' | 'transport'>
> & {
  readonly regions: readonly RegionEndpoint[];
  readonly failoverUrl?: string;
  readonly sign?: WalletClientOptions['sign'];
  readonly onEvent?: WalletClientOptions['onEvent'];
  readonly transport?: ClientTransport;
};

/** Bad options: every problem at once, each with the value received and the fix. */
export class WalletClientConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(
      `WalletClient options have ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.join(' | ')}`,
    );
    this.name = 'WalletClientConfigError';
  }
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** An API base URL: https (http only on loopback, for tests), no path, query or credentials. */
export function baseUrlProblem(field: string, value: unknown): string | undefined {
  const fix = 'Fix: give "https://<host>[:port]" with no path, as the API is reached';
  if (typeof value !== 'string') return `${field} must be a URL string; received ${show(value)}. ${fix}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} is not a URL; received ${show(value)}. ${fix}`;
  }
  const httpsOrLoopback = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!httpsOrLoopback) {
    return `${field} must use https (plain http only on loopback, for tests); received ${show(value)}. ${fix}`;
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
    return `${field} must have no path, query, fragment or credentials; received ${show(value)}. ${fix}`;
  }
  return undefined;
}

export function resolveOptions(options: WalletClientOptions): ResolvedOptions {
  const problems: string[] = [];
  const regions = Array.isArray(options?.regions) ? options.regions : [];
  if (!Array.isArray(options?.regions) || regions.length < 2) {
    problems.push(
      `regions must list at least two regions (home first), each { region, baseUrl }; received ${show(options?.regions)}. ` +
        'Fix: give both regional API names, e.g. [{ region: "us-east-2", baseUrl: "https://us-east-2.api.example.com" }, ' +
        '{ region: "us-west-2", baseUrl: "https://us-west-2.api.example.com" }]: a client with one region cannot fail over',
    );
  }
  const seenRegions = new Set<string>();
  const seenUrls = new Set<string>();
  regions.forEach((r, i) => {
    const region = (r as Partial<RegionEndpoint> | undefined)?.region;
    if (typeof region !== 'string' || !REGION.test(region)) {
      problems.push(`regions[${i}].region must be a region code; received ${show(region)}. Fix: e.g. "us-east-2"`);
    } else if (seenRegions.has(region)) {
      problems.push(
        `regions[${i}].region repeats ${show(region)}. Fix: list each region once; the client needs two different regions`,
      );
    } else seenRegions.add(region);
    const urlProblem = baseUrlProblem(`regions[${i}].baseUrl`, (r as Partial<RegionEndpoint> | undefined)?.baseUrl);
    if (urlProblem !== undefined) problems.push(urlProblem);
    else {
      const origin = new URL(r.baseUrl).origin;
      if (seenUrls.has(origin)) {
        problems.push(
          `regions[${i}].baseUrl repeats ${show(r.baseUrl)}. Fix: give each region its own regional name (<region>.api.<zone>)`,
        );
      }
      seenUrls.add(origin);
    }
  });
  if (options?.failoverUrl !== undefined) {
    const p = baseUrlProblem('failoverUrl', options.failoverUrl);
    if (p !== undefined) problems.push(p);
  }
  const int = (name: keyof typeof CLIENT_DEFAULTS, min: number): number => {
    const v = (options as unknown as Record<string, unknown>)?.[name];
    if (v === undefined) return CLIENT_DEFAULTS[name] as number;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problems.push(
        `${name} must be a whole number of at least ${min}; received ${show(v)}. Fix: e.g. ${CLIENT_DEFAULTS[name]} (the default)`,
      );
      return CLIENT_DEFAULTS[name] as number;
    }
    return v;
  };
  const maxAttempts = int('maxAttempts', 1);
  const attemptTimeoutMs = int('attemptTimeoutMs', 1);
  const deadlineMs = int('deadlineMs', 1);
  const baseDelayMs = int('baseDelayMs', 0);
  const maxDelayMs = int('maxDelayMs', 0);
  const failureThreshold = int('failureThreshold', 1);
  const probeIntervalMs = int('probeIntervalMs', 1);
  if (baseDelayMs > maxDelayMs) {
    problems.push(
      `baseDelayMs (${baseDelayMs}) must not exceed maxDelayMs (${maxDelayMs}). Fix: raise maxDelayMs or lower baseDelayMs`,
    );
  }
  if (attemptTimeoutMs > deadlineMs) {
    problems.push(
      `attemptTimeoutMs (${attemptTimeoutMs}) must not exceed deadlineMs (${deadlineMs}): the first attempt alone could use the whole deadline and no retry could reach the other region. Fix: lower attemptTimeoutMs or raise deadlineMs`,
    );
  }
  if (problems.length > 0) throw new WalletClientConfigError(problems);
  return {
    regions: regions.map((r) => ({ region: r.region, baseUrl: new URL(r.baseUrl).origin })),
    ...(options.failoverUrl !== undefined ? { failoverUrl: new URL(options.failoverUrl).origin } : {}),
    ...(options.sign !== undefined ? { sign: options.sign } : {}),
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    ...(options.transport !== undefined ? { transport: options.transport } : {}),
    maxAttempts,
    attemptTimeoutMs,
    deadlineMs,
    baseDelayMs,
    maxDelayMs,
    failureThreshold,
    probeIntervalMs,
    userAgent: options.userAgent ?? CLIENT_DEFAULTS.userAgent,
    newIdempotencyKey: options.newIdempotencyKey ?? (() => globalThis.crypto.randomUUID()),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}

/**
 * The regional base URL for a region, from the public failover URL: the regional name is
 * `<region>.<api>.<zone>` and the public one `<api>.<zone>` (lib/contract/health.ts).
 */
export function regionalBaseUrl(failoverUrl: string, region: string): string {
  const url = new URL(failoverUrl);
  url.hostname = `${region}.${url.hostname}`;
  return url.origin;
}
