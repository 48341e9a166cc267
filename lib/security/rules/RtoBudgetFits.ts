import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { namedRule, NOT_APPLICABLE, props, verdict } from './util';

/** Stack outputs the DNS stack emits for this rule and for the resilience report. */
export const RTO_OUTPUTS = { target: 'RtoTargetSeconds', dnsCache: 'DnsCacheSeconds' } as const;

function outputValue(stack: Stack, id: string): number | undefined {
  const out = stack.node.tryFindChild(id);
  if (!(out instanceof CfnOutput)) return undefined;
  const value = Number(stack.resolve(out.value));
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Each endpoint health check's detection time (request interval x failure threshold) plus the DNS
 * cache time fits the RTO target its stack declares (outputs RtoTargetSeconds, DnsCacheSeconds).
 * A stack with endpoint health checks but no declared target is non-compliant.
 */
export default namedRule('RtoBudgetFits', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::Route53::HealthCheck') return NOT_APPLICABLE;
  const config = props(node).HealthCheckConfig as
    { Type?: string; RequestInterval?: number; FailureThreshold?: number } | undefined;
  if (config?.Type === undefined || !config.Type.startsWith('HTTP')) return NOT_APPLICABLE;
  const stack = Stack.of(node);
  const target = outputValue(stack, RTO_OUTPUTS.target);
  const dnsCache = outputValue(stack, RTO_OUTPUTS.dnsCache);
  if (target === undefined || dnsCache === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const detection = (config.RequestInterval ?? 30) * (config.FailureThreshold ?? 3);
  return verdict(detection + dnsCache <= target);
});
