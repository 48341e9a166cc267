import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { SynthesizedStack, UncoveredResource, uncoveredStatefulResources } from '../../backup/coverage';
import { isDataStoreType } from '../../contract/stateful';
import { perPass } from './one-pass';
import { namedRule, NOT_APPLICABLE } from './util';

function stacksOf(root: IConstruct): SynthesizedStack[] {
  return root.node
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
  // Every stack's template, rendered once per validation pass (not once per table or bucket: that
  // was most of a whole-app WalletChecks run).
  const all = perPass<UncoveredResource[]>('StatefulResourceBackedUp', node.node.root, (root) =>
    uncoveredStatefulResources(stacksOf(root)),
  );
  const uncovered = all.some((u) => u.stackName === stack.stackName && u.logicalId === logicalId);
  return uncovered ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
});
