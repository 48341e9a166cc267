import { Duration, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { HEALTH_PATH, HEALTH_SEARCH_STRING } from '../contract/health';

/** Props of {@link EndpointHealthCheck}. */
export interface EndpointHealthCheckProps {
  /** Host name checked over HTTPS with SNI, e.g. `us-east-2.api.wallet.example.com`. */
  readonly fqdn: string;
  /** Seconds between checks from each checker: 10 (fast) or 30 (standard). */
  readonly intervalSeconds: number;
  /** Consecutive failures (1-10) before a checker sees the endpoint as unhealthy. */
  readonly failureThreshold: number;
  /** Route 53 checker regions; at least 3. */
  readonly regions: readonly string[];
  /**
   * The path (and query) Route 53 requests. The PRIMARY record's check asks
   * PRIMARY_HEALTH_RESOURCE_PATH (`/health?lease=held`) so that moving the lease fails it.
   * @default HEALTH_PATH (`/health`, liveness only)
   */
  readonly resourcePath?: string;
}

/**
 * An HTTPS, string-matching Route 53 health check on a region's `/health` (or `/health?lease=held`), with SNI and latency
 * measurement. Route 53 calls an endpoint healthy while more than 18% of checkers see it healthy.
 */
export class EndpointHealthCheck extends Construct {
  public readonly healthCheck: route53.IHealthCheck;

  constructor(scope: Construct, id: string, props: EndpointHealthCheckProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!Token.isUnresolved(props.intervalSeconds) && props.intervalSeconds !== 10 && props.intervalSeconds !== 30) {
      problems.push(`intervalSeconds must be 10 or 30; received ${props.intervalSeconds}`);
    }
    if (!Token.isUnresolved(props.failureThreshold) && (props.failureThreshold < 1 || props.failureThreshold > 10)) {
      problems.push(`failureThreshold must be 1-10; received ${props.failureThreshold}`);
    }
    const resourcePath = props.resourcePath ?? HEALTH_PATH;
    if (!Token.isUnresolved(resourcePath) && (!resourcePath.startsWith(HEALTH_PATH) || resourcePath.length > 255)) {
      problems.push(
        `resourcePath must be ${HEALTH_PATH} or start with it (at most 255 characters, Route 53's limit); received ${JSON.stringify(resourcePath)}`,
      );
    }
    if (props.regions.length < 3) {
      problems.push(`regions must list at least 3 checker regions; received ${JSON.stringify(props.regions)}`);
    }
    if (problems.length > 0) {
      throw new Error(`EndpointHealthCheck ${this.node.path}: ${problems.join('; ')}. Fix the dns.healthCheck config.`);
    }
    this.healthCheck = new route53.HealthCheck(this, 'Check', {
      type: route53.HealthCheckType.HTTPS_STR_MATCH,
      fqdn: props.fqdn,
      port: 443,
      resourcePath,
      searchString: HEALTH_SEARCH_STRING,
      enableSNI: true,
      measureLatency: true,
      requestInterval: Duration.seconds(props.intervalSeconds),
      failureThreshold: props.failureThreshold,
      regions: [...props.regions],
    });
  }
}
