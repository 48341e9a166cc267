/**
 * The `/health` contract between the regional API (which answers) and the Route 53 endpoint
 * health checks and canaries (which ask). Route 53 string matching reads the first 5,120 bytes of
 * the body, so the marker sits at the start of a small JSON body.
 */
export const HEALTH_PATH = '/health';
export const DEEP_HEALTH_PATH = '/health/deep';

/**
 * `/health?lease=held`: the same liveness, and also unhealthy (503) while the region's replica shows
 * the signer lease held by ANOTHER region. Only the PRIMARY record's endpoint check asks it, so moving
 * the lease fails the primary record within interval x threshold (the planned path's fast half; the
 * switch stays as the path that needs no healthy primary). The SECONDARY record's check asks plain
 * `/health`: a standby that does not (yet) hold the lease must stay a healthy place to fail over to,
 * or an unplanned failover would find both records unhealthy, and then "Route 53 responds to DNS
 * queries with the applicable value from the primary resource record set regardless of the health of
 * the primary resource record set" (Route 53 API Reference, ResourceRecordSet, Failover).
 *
 * Route 53 accepts a query string in the check's ResourcePath ("You can also include query string
 * parameters, for example, /welcome.html?language=jp&login=y", HealthCheckConfig, Route 53 API
 * Reference), and the REST API passes it to the proxy integration as queryStringParameters.
 */
export const LEASE_HELD_QUERY = { name: 'lease', value: 'held' } as const;
export const PRIMARY_HEALTH_RESOURCE_PATH = `${HEALTH_PATH}?${LEASE_HELD_QUERY.name}=${LEASE_HELD_QUERY.value}`;

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
