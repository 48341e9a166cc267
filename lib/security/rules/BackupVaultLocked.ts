import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { namedRule, NOT_APPLICABLE, props, verdict } from './util';

/** Every AWS Backup vault has a vault lock with a minimum retention (governance or compliance). */
export default namedRule('BackupVaultLocked', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::Backup::BackupVault') return NOT_APPLICABLE;
  const lock = props(node).LockConfiguration as { MinRetentionDays?: unknown } | undefined;
  return verdict(typeof lock?.MinRetentionDays === 'number' && lock.MinRetentionDays > 0);
});
