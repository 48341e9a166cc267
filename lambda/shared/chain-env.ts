import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ProviderPool, type ProviderEndpoint, type UnusableProvider } from '../../lib/chain/pool';
import { shortError } from '../../lib/chain/rpc';
import {
  CHAIN_SETTINGS_ENV,
  parseChainSettings,
  providerUrlProblem,
  type ChainSettings,
} from '../../lib/contract/chain-settings';

/**
 * The chain side of a Lambda: reads `CHAIN_SETTINGS` (lib/contract/chain-settings.ts) once and
 * builds the region's provider pool, resolving each `{ name, secretArn }` provider with Secrets
 * Manager GetSecretValue. Values are cached per container (module scope, as AWS recommends for
 * Lambda: "cache secrets ... to reduce the number of calls to Secrets Manager"), so a warm
 * invocation makes no Secrets Manager call. A secret that cannot be read, or whose value is not a
 * provider URL, makes THAT provider unhealthy with the reason (health() shows it); it never fails
 * the function: the other providers carry on.
 *
 * The secret's value is the URL (`https://eth-sepolia.g.alchemy.com/v2/<key>`), or JSON
 * `{ "url": "..." }`. Neither the value nor the URL is ever logged or put in a reason.
 */

/** How long a resolved URL is reused before it is read again (picks up a rotated key). */
export const SECRET_TTL_MS = 15 * 60 * 1000;
/** How long a failed read is remembered before the next invocation tries again. */
export const SECRET_FAILURE_TTL_MS = 60 * 1000;
/** Probe the providers again when the last probe is older than this (per container). */
export const DEFAULT_REFRESH_INTERVAL_MS = 10 * 1000;

export function createSecretsManagerClient(region: string): SecretsManagerClient {
  // The pool copes with a provider whose secret cannot be read; the SDK's own 3 attempts are fine
  // here (a read per 15 minutes per container).
  return new SecretsManagerClient({ region });
}

type Resolved = { readonly url: string } | { readonly reason: string };

interface CacheEntry {
  readonly value: Resolved;
  readonly until: number;
}

/** One container's secrets cache (module scope in the handler; a fresh one per test). */
export class ProviderSecretCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<Resolved>>();
  /** GetSecretValue calls made (for tests and the cold-start log). */
  reads = 0;

  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(secretArn: string): Promise<Resolved> {
    const hit = this.entries.get(secretArn);
    if (hit !== undefined && hit.until > this.now()) return hit.value;
    let pending = this.inFlight.get(secretArn);
    if (pending === undefined) {
      pending = this.read(secretArn).finally(() => this.inFlight.delete(secretArn));
      this.inFlight.set(secretArn, pending);
    }
    return pending;
  }

  /** true when some entry is missing or past its time (a failure to retry, or a URL to read again). */
  hasExpired(arns: readonly string[]): boolean {
    return arns.some((arn) => {
      const e = this.entries.get(arn);
      return e === undefined || e.until <= this.now();
    });
  }

  private async read(secretArn: string): Promise<Resolved> {
    this.reads += 1;
    let value: Resolved;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      value = urlFromSecret(out.SecretString);
    } catch (err) {
      value = { reason: `its URL secret could not be read (${(err as Error).name}: ${shortError(err)})` };
    }
    this.entries.set(secretArn, {
      value,
      until: this.now() + ('url' in value ? SECRET_TTL_MS : SECRET_FAILURE_TTL_MS),
    });
    return value;
  }
}

/** The URL in a secret's value: the string itself, or `{ "url": ... }`. */
export function urlFromSecret(secretString: string | undefined): Resolved {
  if (secretString === undefined || secretString.trim() === '') {
    return { reason: 'its URL secret is empty (or binary); put the provider URL in it as the secret string' };
  }
  let url = secretString.trim();
  if (url.startsWith('{')) {
    try {
      const parsed = JSON.parse(url) as { url?: unknown };
      if (typeof parsed.url !== 'string') {
        return { reason: 'its URL secret is JSON without a string "url" field; store the URL or { "url": "..." }' };
      }
      url = parsed.url;
    } catch {
      return { reason: 'its URL secret starts with "{" but is not JSON; store the URL or { "url": "..." }' };
    }
  }
  const problem = providerUrlProblem(url);
  if (problem !== undefined) {
    // The value holds the API key: describe the problem, never the value.
    return { reason: `its URL secret ${problem} (value not shown: it holds the API key)` };
  }
  return { url };
}

export interface ChainRuntimeDeps {
  readonly secrets: ProviderSecretCache;
  readonly now?: () => number;
  readonly refreshIntervalMs?: number;
}

/** The settings and the pool of one container. */
export class ChainRuntime {
  private built: Promise<ProviderPool> | undefined;
  private ready: ProviderPool | undefined;

  constructor(
    readonly settings: ChainSettings,
    private readonly deps: ChainRuntimeDeps,
  ) {}

  private secretArns(): string[] {
    return this.settings.providers.flatMap((p) => ('secretArn' in p ? [p.secretArn] : []));
  }

  /** The pool (built on first use, kept for the container's life so health history carries over). */
  async pool(): Promise<ProviderPool> {
    // Rebuilt when a secret is due again: a failed read is retried after SECRET_FAILURE_TTL_MS, a
    // resolved URL read again after SECRET_TTL_MS (a rotated key). Otherwise the same pool serves
    // every invocation of the container, so its health and error history carry over.
    if (this.ready !== undefined && this.deps.secrets.hasExpired(this.secretArns())) {
      this.ready = undefined;
      this.built = undefined;
    }
    this.built ??= this.build().then((pool) => (this.ready = pool));
    return this.built;
  }

  private async build(): Promise<ProviderPool> {
    const providers: ProviderEndpoint[] = [];
    const unusable: UnusableProvider[] = [];
    await Promise.all(
      this.settings.providers.map(async (p) => {
        if ('url' in p) {
          providers.push({ name: p.name, url: p.url });
          return;
        }
        const resolved = await this.deps.secrets.resolve(p.secretArn);
        if ('url' in resolved) providers.push({ name: p.name, url: resolved.url });
        else unusable.push({ name: p.name, reason: resolved.reason });
      }),
    );
    const { health } = this.settings;
    return new ProviderPool({
      chainId: this.settings.chainId,
      providers,
      unusable,
      order: this.settings.providers.map((p) => p.name),
      limits: {
        maxLagBlocks: health.maxLagBlocks,
        maxLagSeconds: health.maxLagSeconds,
        maxErrorRate: health.maxErrorRate,
        requestTimeoutMs: health.requestTimeoutMs,
        refreshIntervalMs: this.deps.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS,
      },
      ...(this.deps.now === undefined ? {} : { now: this.deps.now }),
    });
  }
}

/**
 * The chain runtime from the environment, or undefined when `CHAIN_SETTINGS` is not set (no
 * providers configured: the blueprint's default, nothing is broadcast). A set but invalid value
 * throws ChainSettingsError at module load, naming every problem.
 */
export function chainRuntimeFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  deps: ChainRuntimeDeps,
): ChainRuntime | undefined {
  const raw = env[CHAIN_SETTINGS_ENV];
  if (raw === undefined) return undefined;
  return new ChainRuntime(parseChainSettings(raw), deps);
}
