import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { allResources, namedRule, NOT_APPLICABLE, props, verdict } from './util';

const keyOf = (node: CfnResource): string => {
  const p = props(node);
  return JSON.stringify([Stack.of(node).resolve(p.HostedZoneId ?? p.HostedZoneName), p.Name, p.Type]);
};

/**
 * Failover records come in complete pairs: for each zone, name and type exactly one PRIMARY and
 * one SECONDARY record, and the PRIMARY has a health check (without one Route 53 never fails over).
 */
export default namedRule('FailoverRecordPairs', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::Route53::RecordSet') return NOT_APPLICABLE;
  const own = props(node);
  if (own.Failover === undefined) return NOT_APPLICABLE;
  const key = keyOf(node);
  const group = allResources(node, 'AWS::Route53::RecordSet').filter(
    (r) => props(r).Failover !== undefined && keyOf(r) === key,
  );
  const primaries = group.filter((r) => props(r).Failover === 'PRIMARY');
  const secondaries = group.filter((r) => props(r).Failover === 'SECONDARY');
  return verdict(primaries.length === 1 && secondaries.length === 1 && props(primaries[0]).HealthCheckId !== undefined);
});
