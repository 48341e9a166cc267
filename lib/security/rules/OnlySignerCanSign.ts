import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { COLD_SIGNER_ROLE_NAME } from '../../contract/cold-key';
import { signResourceKinds } from './ColdKeyOnlyMfaRole';
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
 * May a role of this name hold this policy's Sign grant? A hot signer role, if the grant names no
 * cold key; the cold signer role (issue 21, lib/contract/cold-key.ts), if the grant names cold keys
 * and nothing else (rule ColdKeyOnlyMfaRole checks the cold side in full).
 */
function maySign(node: CfnResource, name: string | undefined, document: unknown): boolean {
  if (name === undefined) return false;
  const kinds = signResourceKinds(node, document);
  if (SIGNER_ROLE_NAME.test(name)) return !kinds.has('cold');
  if (COLD_SIGNER_ROLE_NAME.test(name)) return kinds.size > 0 && [...kinds].every((k) => k === 'cold');
  return false;
}

/**
 * No IAM policy grants `kms:Sign` (directly or through a wildcard such as `kms:*`) to any role
 * other than a signer role; the hot signer roles never sign with the cold key, and the cold signer
 * role signs with nothing but the cold key. The key policies deny Sign to every other principal as
 * well; this rule keeps IAM honest so a reviewer never has to rely on one layer.
 */
export default namedRule('OnlySignerCanSign', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType === 'AWS::IAM::Policy' || node.cfnResourceType === 'AWS::IAM::ManagedPolicy') {
    const p = props(node);
    if (!grantsSign(p.PolicyDocument)) return NagRuleCompliance.COMPLIANT;
    const attached = [...list(p.Roles as unknown[] | undefined)].map((r) => roleName(node, r));
    const others = list(p.Users as unknown[] | undefined).length + list(p.Groups as unknown[] | undefined).length;
    return verdict(others === 0 && attached.length > 0 && attached.every((n) => maySign(node, n, p.PolicyDocument)));
  }
  if (node.cfnResourceType === 'AWS::IAM::Role') {
    const p = props(node);
    const inline = list(p.Policies as Array<{ PolicyDocument?: unknown }> | undefined);
    const signing = inline.filter((pol) => grantsSign(pol.PolicyDocument));
    if (signing.length === 0) return NagRuleCompliance.COMPLIANT;
    const name = typeof p.RoleName === 'string' ? p.RoleName : undefined;
    return verdict(signing.every((pol) => maySign(node, name, pol.PolicyDocument)));
  }
  return NOT_APPLICABLE;
});
