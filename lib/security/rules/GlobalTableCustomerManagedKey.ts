import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { list, namedRule, NOT_APPLICABLE, props, verdict } from './util';

/** A global table is KMS-encrypted with a customer-managed key named on every replica. */
export default namedRule('GlobalTableCustomerManagedKey', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::DynamoDB::GlobalTable') return NOT_APPLICABLE;
  const p = props(node);
  const sse = p.SSESpecification as { SSEEnabled?: boolean; SSEType?: string } | undefined;
  const replicas = list(p.Replicas as Array<{ SSESpecification?: { KMSMasterKeyId?: unknown } }> | undefined);
  return verdict(
    sse?.SSEEnabled === true &&
      sse.SSEType === 'KMS' &&
      replicas.length > 0 &&
      replicas.every((r) => r.SSESpecification?.KMSMasterKeyId !== undefined),
  );
});
