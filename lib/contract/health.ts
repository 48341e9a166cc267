/**
 * The `/health` contract between the regional API (which answers) and the Route 53 endpoint
 * health checks and canaries (which ask). Route 53 string matching reads the first 5,120 bytes of
 * the body, so the marker sits at the start of a small JSON body.
 */
export const HEALTH_PATH = '/health';
export const DEEP_HEALTH_PATH = '/health/deep';

/** Present in a 2xx `/health` body only while the region can serve traffic. */
export const HEALTH_SEARCH_STRING = '"healthy":true';

/** The regional API's own host name: `<region>.<apiSubdomain>.<zone>`. */
export const regionalApiDomain = (region: string, apiSubdomain: string, zoneName: string): string =>
  `${region}.${apiSubdomain}.${zoneName}`;

/** The public failover name: `<apiSubdomain>.<zone>`. */
export const publicApiDomain = (apiSubdomain: string, zoneName: string): string => `${apiSubdomain}.${zoneName}`;
