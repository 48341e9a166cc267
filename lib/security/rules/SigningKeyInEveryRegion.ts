import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { TAG_KEYS } from '../../contract/names';
import { isColdKey } from './ColdKeyOnlyMfaRole';
import { allResources, list, namedRule, NOT_APPLICABLE, props, verdict } from './util';

function signingKeyRegions(scope: CfnResource): Set<string> {
  const regions = new Set<string>();
  for (const key of allResources(scope, 'AWS::KMS::Key')) {
    // The cold key (issue 21) is SIGN_VERIFY too, but it is not the hot signing key a region signs with.
    if (props(key).KeyUsage === 'SIGN_VERIFY' && !isColdKey(key)) regions.add(Stack.of(key).region);
  }
  for (const replica of allResources(scope, 'AWS::KMS::ReplicaKey')) {
    const tags = list(props(replica).Tags as Array<{ Key: string; Value: string }> | undefined);
    if (tags.some((t) => t.Key === TAG_KEYS.keyPurpose && t.Value === 'signing')) regions.add(Stack.of(replica).region);
  }
  return regions;
}

/**
 * Every region that holds a replica of the wallet ledger (a global table replica) also holds a
 * copy of the signing key (the primary or a replica tagged `wallet:key-purpose=signing`), so the
 * region can sign for the same address after a failover.
 */
export default namedRule('SigningKeyInEveryRegion', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::DynamoDB::GlobalTable') return NOT_APPLICABLE;
  const replicaRegions = list(props(node).Replicas as Array<{ Region?: unknown }> | undefined)
    .map((r) => r.Region)
    .filter((r): r is string => typeof r === 'string' && !Token.isUnresolved(r));
  if (replicaRegions.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  const keyRegions = signingKeyRegions(node);
  return verdict(replicaRegions.every((r) => keyRegions.has(r)));
});
