import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { actionCovers, allResources, list, namedRule, NOT_APPLICABLE, props, verdict } from './util';

interface Statement {
  Effect?: string;
  Action?: string | string[];
}

/** Role names allowed to hold kms:Sign: the signer roles of lib/contract/names.ts signerRoleName. */
export const SIGNER_ROLE_NAME = /-wallet-signer-[a-z0-9-]+$/;

const grantsSign = (document: unknown): boolean =>
  list((document as { Statement?: Statement[] } | undefined)?.Statement).some(
    (s) => s.Effect === 'Allow' && list(s.Action).some((a) => actionCovers(a, 'kms:Sign')),
  );

function roleName(scope: CfnResource, ref: unknown): string | undefined {
  // Roles are attached by { Ref: <logical id> } or by name.
  if (typeof ref === 'string') return ref;
  const logicalId = (ref as { Ref?: string } | undefined)?.Ref;
  const stack = Stack.of(scope);
  const role = allResources(scope, 'AWS::IAM::Role').find(
    (r) => Stack.of(r) === stack && stack.resolve(r.logicalId) === logicalId,
  );
  if (role === undefined) return undefined;
  const name = props(role).RoleName;
  return typeof name === 'string' ? name : undefined;
}

/**
 * No IAM policy grants `kms:Sign` (directly or through a wildcard such as `kms:*`) to any role
 * other than a signer role. The key policies deny Sign to every other principal as well; this
 * rule keeps IAM honest so a reviewer never has to rely on one layer.
 */
export default namedRule('OnlySignerCanSign', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType === 'AWS::IAM::Policy' || node.cfnResourceType === 'AWS::IAM::ManagedPolicy') {
    const p = props(node);
    if (!grantsSign(p.PolicyDocument)) return NagRuleCompliance.COMPLIANT;
    const attached = [...list(p.Roles as unknown[] | undefined)].map((r) => roleName(node, r));
    const others = list(p.Users as unknown[] | undefined).length + list(p.Groups as unknown[] | undefined).length;
    return verdict(
      others === 0 && attached.length > 0 && attached.every((n) => n !== undefined && SIGNER_ROLE_NAME.test(n)),
    );
  }
  if (node.cfnResourceType === 'AWS::IAM::Role') {
    const p = props(node);
    const inline = list(p.Policies as Array<{ PolicyDocument?: unknown }> | undefined);
    if (!inline.some((pol) => grantsSign(pol.PolicyDocument))) return NagRuleCompliance.COMPLIANT;
    return verdict(typeof p.RoleName === 'string' && SIGNER_ROLE_NAME.test(p.RoleName));
  }
  return NOT_APPLICABLE;
});
