import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { namedRule, NOT_APPLICABLE, verdict } from './util';

/** Resource types that hold wallet state or protect it. */
export const STATEFUL_TYPES = [
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::KMS::ReplicaKey',
  'AWS::Backup::BackupVault',
  'AWS::S3::Bucket',
];

/** Stateful resources are retained on stack deletion and on replacement. */
export default namedRule('StatefulResourceRetained', (node: CfnResource): NagRuleCompliance => {
  if (!STATEFUL_TYPES.includes(node.cfnResourceType)) return NOT_APPLICABLE;
  return verdict(
    node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN &&
      node.cfnOptions.updateReplacePolicy === CfnDeletionPolicy.RETAIN,
  );
});
