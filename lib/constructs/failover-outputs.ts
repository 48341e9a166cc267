import { CfnOutput } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { RESILIENCE_OUTPUTS } from '../contract/resilience';
import { RtoBudget } from '../failover/rto-budget';

export interface FailoverOutputsProps {
  /** The worst-case DNS failover time (lib/failover/rto-budget.ts), compared with its target. */
  readonly rtoBudget: RtoBudget;
  /** The declared RTO target, in seconds (config targets.rtoSeconds). */
  readonly rtoTargetSeconds: number;
  /** The declared RPO target, in seconds (config targets.rpoSeconds). */
  readonly rpoTargetSeconds: number;
  /** The failover pair's health checks, whose ids operators and the drill look up. */
  readonly healthChecks: {
    readonly primary: route53.IHealthCheck;
    readonly secondary: route53.IHealthCheck;
    readonly failoverSwitch: route53.IHealthCheck;
  };
}

/**
 * The DNS stack's outputs: the RTO budget and targets that `npm run resilience-report` reads
 * (keys from lib/contract/resilience.ts), and the health-check ids.
 *
 * Output keys are a contract, not a construct path: each output's logical id is pinned to its key,
 * so they stay the same wherever this construct sits (a changed key would break the report's reads
 * of deployed stacks).
 */
export class FailoverOutputs extends Construct {
  constructor(scope: Construct, id: string, props: FailoverOutputsProps) {
    super(scope, id);
    const { rtoBudget } = props;
    const output = (key: string, value: string, description?: string) =>
      new CfnOutput(this, key, { value, description }).overrideLogicalId(key);

    output(
      RESILIENCE_OUTPUTS.rtoBudget,
      String(rtoBudget.worstCaseSeconds),
      `Worst-case DNS failover time: ${rtoBudget.arithmetic} (target ${rtoBudget.targetSeconds} s)`,
    );
    output(RESILIENCE_OUTPUTS.rtoTarget, String(props.rtoTargetSeconds), 'Declared RTO target');
    output(
      RESILIENCE_OUTPUTS.rpoTarget,
      String(props.rpoTargetSeconds),
      'Declared RPO target (targets.rpoSeconds), read by npm run resilience-report',
    );
    output(
      RESILIENCE_OUTPUTS.dnsCache,
      String(rtoBudget.dnsCacheSeconds),
      'DNS cache bound assumed by the RTO budget (dns.recordTtlSeconds)',
    );
    output('PrimaryHealthCheckId', props.healthChecks.primary.healthCheckId);
    output('SecondaryHealthCheckId', props.healthChecks.secondary.healthCheckId);
    output('FailoverSwitchHealthCheckId', props.healthChecks.failoverSwitch.healthCheckId);
  }
}
