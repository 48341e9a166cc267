import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { list, namedRule, NOT_APPLICABLE, props, verdict } from './util';

/** Every replica of a DynamoDB global table has deletion protection enabled. */
export default namedRule('GlobalTableReplicaDeletionProtection', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::DynamoDB::GlobalTable') return NOT_APPLICABLE;
  const replicas = list(props(node).Replicas as Array<Record<string, unknown>> | undefined);
  return verdict(replicas.length > 0 && replicas.every((r) => r.DeletionProtectionEnabled === true));
});
