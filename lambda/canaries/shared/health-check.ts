import { HEALTH_SEARCH_STRING, HEALTH_SEARCH_WINDOW_BYTES, HealthBody } from '../../../lib/contract/health';
import { CanaryFailure, snippet } from './failure';
import { Clock, HttpResponse, Transport } from './transport';

export interface HealthCheckInput {
  /** Full URL, e.g. `https://us-east-2.api.example.com/health/deep`. */
  readonly url: string;
  /** Regions allowed to answer at this URL. */
  readonly expectedRegions: readonly string[];
  /** A correct answer slower than this fails as `slow`. */
  readonly maxLatencyMs: number;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

export interface HealthAnswer {
  /** The region that answered (from the body). */
  readonly region: string;
  readonly latencyMs: number;
  readonly body: HealthBody;
}

/** The User-Agent every canary request carries, so API access logs can tell canaries apart. */
export const userAgent = (kind: string, config: { envName: string; vantageRegion: string }): string =>
  `wallet-canary/${kind} (${config.envName}; ${config.vantageRegion})`;

export interface CheckDeps {
  readonly transport: Transport;
  readonly clock: Clock;
}

function failingChecks(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  const checks = (value as { checks?: unknown }).checks;
  if (checks === null || typeof checks !== 'object') return '';
  const failing = Object.entries(checks as Record<string, { ok?: unknown; detail?: unknown }>)
    .filter(([, c]) => c?.ok !== true)
    .map(([name, c]) => (typeof c?.detail === 'string' ? `${name} (${c.detail})` : name));
  return failing.length > 0 ? `; failing checks: ${failing.join(', ')}` : '';
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Validates one health answer against the contract in lib/contract/health.ts. Pure apart from the
 * transport and the clock; throws a {@link CanaryFailure} that says what was wrong.
 */
export function validateHealthResponse(
  input: Pick<HealthCheckInput, 'url' | 'expectedRegions' | 'maxLatencyMs'>,
  res: HttpResponse,
  latencyMs: number,
): HealthAnswer {
  const where = `GET ${input.url}`;
  const parsed = parseJson(res.body);
  if (res.status < 200 || res.status > 299) {
    throw new CanaryFailure(
      'http-status',
      `${where} answered HTTP ${res.status}, expected 2xx${failingChecks(parsed)}; body starts: ${snippet(res.body)}`,
    );
  }
  if (parsed === undefined || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CanaryFailure(
      'bad-body',
      `${where} answered ${res.status} but the body is not a JSON object: ${snippet(res.body)}`,
    );
  }
  const window = Buffer.from(res.body, 'utf8').subarray(0, HEALTH_SEARCH_WINDOW_BYTES).toString('utf8');
  if (!window.includes(HEALTH_SEARCH_STRING)) {
    throw new CanaryFailure(
      'bad-body',
      `${where} answered ${res.status} without ${HEALTH_SEARCH_STRING} in its first ${HEALTH_SEARCH_WINDOW_BYTES} bytes, so Route 53 would see it unhealthy${failingChecks(parsed)}; body starts: ${snippet(res.body)}`,
    );
  }
  const body = parsed as Partial<HealthBody>;
  if (body.healthy !== true) {
    throw new CanaryFailure(
      'bad-body',
      `${where}: "healthy" is ${JSON.stringify(body.healthy)}, expected true${failingChecks(parsed)}`,
    );
  }
  if (typeof body.region !== 'string' || body.region === '') {
    throw new CanaryFailure(
      'bad-body',
      `${where}: the body has no "region" (received ${JSON.stringify(body.region)}); the API must name the region that answered (lib/contract/health.ts HealthBody)`,
    );
  }
  if (!input.expectedRegions.includes(body.region)) {
    throw new CanaryFailure(
      'wrong-region',
      `${where} was answered by ${body.region}, expected ${input.expectedRegions.join(' or ')}; check the DNS records and API base-path mapping for this name`,
    );
  }
  if (latencyMs > input.maxLatencyMs) {
    throw new CanaryFailure(
      'slow',
      `${where} answered correctly from ${body.region} but took ${latencyMs} ms, over the ${input.maxLatencyMs} ms bound`,
    );
  }
  return { region: body.region, latencyMs, body: body as HealthBody };
}

/** GETs a health URL and validates the answer. */
export async function checkHealth(input: HealthCheckInput, deps: CheckDeps): Promise<HealthAnswer> {
  const started = deps.clock.now();
  const res = await deps.transport({
    method: 'GET',
    url: input.url,
    headers: { accept: 'application/json', 'user-agent': input.userAgent },
    timeoutMs: input.timeoutMs,
  });
  return validateHealthResponse(input, res, deps.clock.now() - started);
}
