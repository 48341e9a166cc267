import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { RESILIENCE_OUTPUTS } from '../../contract/resilience';
import { computeRtoBudget } from '../../failover/rto-budget';
import { namedRule, NOT_APPLICABLE, props, verdict } from './util';

/** The output whose key (logical id) is `key`, wherever it sits in the stack's construct tree. */
function outputValue(stack: Stack, key: string): number | undefined {
  const out = stack.node
    .findAll()
    .find((c): c is CfnOutput => c instanceof CfnOutput && stack.resolve(c.logicalId) === key);
  if (out === undefined) return undefined;
  const value = Number(stack.resolve(out.value));
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Each endpoint health check's worst-case failover time fits the RTO target its stack declares
 * (outputs RtoTargetSeconds, DnsCacheSeconds), by the synth-time budget's own arithmetic
 * (lib/failover/rto-budget.ts): endpoint detection (request interval x failure threshold) + the
 * failover switch alarm's detection (lib/contract/failover-switch.ts) + the DNS cache time. A stack
 * with endpoint health checks but no declared target is non-compliant.
 */
export default namedRule('RtoBudgetFits', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::Route53::HealthCheck') return NOT_APPLICABLE;
  const config = props(node).HealthCheckConfig as
    { Type?: string; RequestInterval?: number; FailureThreshold?: number } | undefined;
  if (config?.Type === undefined || !config.Type.startsWith('HTTP')) return NOT_APPLICABLE;
  const stack = Stack.of(node);
  const target = outputValue(stack, RESILIENCE_OUTPUTS.rtoTarget);
  const dnsCache = outputValue(stack, RESILIENCE_OUTPUTS.dnsCache);
  if (target === undefined || dnsCache === undefined) return NagRuleCompliance.NON_COMPLIANT;
  // Route 53's defaults when the template leaves them out (AWS::Route53::HealthCheck HealthCheckConfig).
  const budget = computeRtoBudget({
    intervalSeconds: config.RequestInterval ?? 30,
    failureThreshold: config.FailureThreshold ?? 3,
    ttlSeconds: dnsCache,
    rtoTargetSeconds: target,
  });
  return verdict(budget.fits);
});
