/**
 * The `/health` contract between the regional API (which answers) and the Route 53 endpoint
 * health checks and canaries (which ask). Route 53 string matching reads the first 5,120 bytes of
 * the body, so the marker sits at the start of a small JSON body.
 */
export const HEALTH_PATH = '/health';
export const DEEP_HEALTH_PATH = '/health/deep';

/** Present in a 2xx `/health` body only while the region can serve traffic. */
export const HEALTH_SEARCH_STRING = '"healthy":true';

/** Route 53 string matching (and the canaries, to see what Route 53 sees) read this many bytes. */
export const HEALTH_SEARCH_WINDOW_BYTES = 5120;

/**
 * The JSON body of `/health` and `/health/deep`. The API serializes `healthy` FIRST, so the body
 * starts with `{"healthy":true` and {@link HEALTH_SEARCH_STRING} sits well inside the first
 * {@link HEALTH_SEARCH_WINDOW_BYTES} bytes. `region` names the region that answered: the canary on
 * the public failover name records it, and the canary on a regional name checks it is its own.
 */
export interface HealthBody {
  readonly healthy: boolean;
  /** The AWS region whose API answered, e.g. `us-east-2`. */
  readonly region: string;
  /** `/health/deep` only: one entry per dependency checked (ledger, signing key, queue, ...). */
  readonly checks?: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

/** The regional API's own host name: `<region>.<apiSubdomain>.<zone>`. */
export const regionalApiDomain = (region: string, apiSubdomain: string, zoneName: string): string =>
  `${region}.${apiSubdomain}.${zoneName}`;

/** The public failover name: `<apiSubdomain>.<zone>`. */
export const publicApiDomain = (apiSubdomain: string, zoneName: string): string => `${apiSubdomain}.${zoneName}`;
