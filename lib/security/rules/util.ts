import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { perPass } from './one-pass';

/** Names a rule function after its file, the way cdk-nag's own rules are named. */
export function namedRule<T extends (node: CfnResource) => unknown>(name: string, fn: T): T {
  return Object.defineProperty(fn, 'name', { value: name });
}

/**
 * The resolved CloudFormation properties of an L1 resource. Rules ask for them again and again (of
 * their own resource and of others they compare it with), so within a validation pass each
 * resource is resolved once (one-pass.ts), and the result is frozen so that no rule can change what
 * the others read (in strict-mode code the attempt throws, which cdk-nag reports as a finding).
 */
export function props(node: CfnResource): Record<string, unknown> {
  return perPass('props', node, () => deepFreeze(resolvedProps(node)));
}

function resolvedProps(node: CfnResource): Record<string, unknown> {
  const cfn = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  const first = Object.values(cfn.Resources)[0];
  return first?.Properties ?? {};
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Every CloudFormation resource of a type in the whole app (a new array each call). */
export function allResources(scope: IConstruct, type: string): CfnResource[] {
  const byType = perPass('allResources', scope.node.root, (root) => {
    const index = new Map<string, CfnResource[]>();
    for (const c of root.node.findAll()) {
      if (!CfnResource.isCfnResource(c)) continue;
      const list = index.get(c.cfnResourceType);
      if (list === undefined) index.set(c.cfnResourceType, [c]);
      else list.push(c);
    }
    return index;
  });
  return [...(byType.get(type) ?? [])];
}

export const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const verdict = (ok: boolean): NagRuleCompliance =>
  ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;

export const { NOT_APPLICABLE } = NagRuleCompliance;

export { actionCovers } from '../policy-eval';
