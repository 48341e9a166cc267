import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { STATEFUL_TYPES } from '../../contract/stateful';
import { namedRule, NOT_APPLICABLE, verdict } from './util';

/** Stateful resources are retained on stack deletion and on replacement. */
export default namedRule('StatefulResourceRetained', (node: CfnResource): NagRuleCompliance => {
  if (!STATEFUL_TYPES.includes(node.cfnResourceType)) return NOT_APPLICABLE;
  return verdict(
    node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN &&
      node.cfnOptions.updateReplacePolicy === CfnDeletionPolicy.RETAIN,
  );
});
