import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Names a rule function after its file, the way cdk-nag's own rules are named. */
export function namedRule<T extends (node: CfnResource) => unknown>(name: string, fn: T): T {
  return Object.defineProperty(fn, 'name', { value: name });
}

/** The resolved CloudFormation properties of an L1 resource. */
export function props(node: CfnResource): Record<string, unknown> {
  const cfn = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  const first = Object.values(cfn.Resources)[0];
  return first?.Properties ?? {};
}

/** Every CloudFormation resource of a type in the whole app. */
export function allResources(scope: IConstruct, type: string): CfnResource[] {
  return scope.node.root.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === type);
}

export const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const verdict = (ok: boolean): NagRuleCompliance =>
  ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;

export const { NOT_APPLICABLE } = NagRuleCompliance;

export { actionCovers } from '../policy-eval';
