import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { regionalApiDomain } from '../contract/health';
import { EndpointHealthCheck } from '../constructs/endpoint-health-check';

export interface DnsStackProps extends StackProps {
  readonly config: WalletConfig;
}

/**
 * us-east-1, deployed last: Route 53 health checks and failover records. Route 53 is global, but
 * its health-check metrics exist only in us-east-1, so the alarms on them live here too.
 */
export class DnsStack extends Stack {
  public readonly primaryHealthCheck: EndpointHealthCheck;
  public readonly standbyHealthCheck: EndpointHealthCheck;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const common = {
      intervalSeconds: config.dns.healthCheck.intervalSeconds,
      failureThreshold: config.dns.healthCheck.failureThreshold,
      regions: config.dns.healthCheck.regions,
    };
    this.primaryHealthCheck = new EndpointHealthCheck(this, 'PrimaryEndpointHealth', {
      ...common,
      fqdn: regionalApiDomain(config.regions.primary, config.dns.apiSubdomain, config.dns.zoneName),
    });
    this.standbyHealthCheck = new EndpointHealthCheck(this, 'StandbyEndpointHealth', {
      ...common,
      fqdn: regionalApiDomain(config.regions.standby, config.dns.apiSubdomain, config.dns.zoneName),
    });
    new CfnOutput(this, 'PrimaryEndpointHealthCheckId', { value: this.primaryHealthCheck.healthCheck.healthCheckId });
    new CfnOutput(this, 'StandbyEndpointHealthCheckId', { value: this.standbyHealthCheck.healthCheck.healthCheckId });
  }
}
