import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { actionCovers, list, namedRule, NOT_APPLICABLE, props, verdict } from './util';

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const isEveryone = (p: unknown): boolean =>
  p === '*' || (typeof p === 'object' && p !== null && (p as { AWS?: unknown }).AWS === '*');

/**
 * Every KMS key and replica key policy explicitly denies `kms:ScheduleKeyDeletion` and
 * `kms:DisableKey` to every principal except one named (break-glass) principal.
 */
export default namedRule('KeyPolicyDeniesDeletion', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::KMS::Key' && node.cfnResourceType !== 'AWS::KMS::ReplicaKey')
    return NOT_APPLICABLE;
  const statements = list((props(node).KeyPolicy as { Statement?: Statement[] } | undefined)?.Statement);
  const denies = (action: string) =>
    statements.some(
      (s) =>
        s.Effect === 'Deny' &&
        isEveryone(s.Principal) &&
        list(s.Action).some((a) => actionCovers(a, action)) &&
        Object.keys(s.Condition ?? {}).every((op) => op === 'ArnNotEquals') &&
        s.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined,
    );
  return verdict(denies('kms:ScheduleKeyDeletion') && denies('kms:DisableKey'));
});
