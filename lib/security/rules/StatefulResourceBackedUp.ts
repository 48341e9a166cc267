import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { SynthesizedStack, uncoveredStatefulResources } from '../../backup/coverage';
import { isDataStoreType } from '../../contract/stateful';
import { namedRule, NOT_APPLICABLE } from './util';

function stacksOf(node: CfnResource): SynthesizedStack[] {
  return node.node.root.node
    .findAll()
    .filter((c): c is Stack => Stack.isStack(c))
    .map((s) => ({
      stackName: s.stackName,
      region: s.region,
      template: s.resolve(
        (s as unknown as { _toCloudFormation(): unknown })._toCloudFormation(),
      ) as SynthesizedStack['template'],
    }));
}

/**
 * Every table or bucket holding wallet state is in an AWS Backup selection whose plan copies every
 * rule's recovery points to a vault in another region (lib/backup/coverage.ts).
 */
export default namedRule('StatefulResourceBackedUp', (node: CfnResource): NagRuleCompliance => {
  if (!isDataStoreType(node.cfnResourceType)) return NOT_APPLICABLE;
  const stack = Stack.of(node);
  const logicalId = stack.resolve(node.logicalId) as string;
  const uncovered = uncoveredStatefulResources(stacksOf(node)).some(
    (u) => u.stackName === stack.stackName && u.logicalId === logicalId,
  );
  return uncovered ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
});
