import { CfnDeletionPolicy, CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { deployerLockOuts, HANDLER_FACTS } from '../deployer/lock-out';
import { allResources, list, namedRule, NOT_APPLICABLE, props } from './util';
import type { Statement } from '../policy-eval';

/** Resource-policy resources whose policy applies to other resources (the queues, topics, bucket they name). */
const POLICY_TARGETS: Record<string, { readonly property: string; readonly targetType: string }> = {
  'AWS::SNS::TopicPolicy': { property: 'Topics', targetType: 'AWS::SNS::Topic' },
};

/**
 * No resource policy refuses CloudFormation a call its handler makes (create, read, update, delete;
 * lib/security/deployer/facts): the first real deploy fails on exactly that (a key policy without
 * kms:EnableKeyRotation while rotation is on). Each finding names the handler, the action and the
 * statement: `Wallet-DeployerNotLockedOut[create:kms:EnableKeyRotation:implicit-deny]`.
 */
export default namedRule('DeployerNotLockedOut', (node: CfnResource): NagRuleResult => {
  const facts = HANDLER_FACTS.types[node.cfnResourceType];
  if (facts === undefined) return NOT_APPLICABLE;
  const p = props(node);
  const stack = Stack.of(node);
  const retained =
    node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN &&
    node.cfnOptions.updateReplacePolicy === CfnDeletionPolicy.RETAIN;
  const policies: Array<{ Statement: Statement[] }> = [];
  if (facts.policyProperty !== undefined) {
    const doc = p[facts.policyProperty] as { Statement?: Statement[] } | undefined;
    if (doc?.Statement !== undefined) policies.push({ Statement: doc.Statement });
  } else if (facts.policyFrom !== undefined) {
    // The policy of a topic is another resource naming it (AWS::SNS::TopicPolicy Topics: [Ref]).
    const target = POLICY_TARGETS[facts.policyFrom];
    const myRef = stack.resolve(node.ref) as unknown;
    for (const r of allResources(node, facts.policyFrom)) {
      if (Stack.of(r) !== stack || target === undefined) continue;
      const rp = props(r);
      if (!list(rp[target.property] as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify(myRef))) continue;
      const doc = rp.PolicyDocument as { Statement?: Statement[] } | undefined;
      if (doc?.Statement !== undefined) policies.push({ Statement: doc.Statement });
    }
  }
  if (policies.length === 0) return NOT_APPLICABLE;
  const deployer = { partition: 'aws', account: String(stack.resolve(stack.account)), region: String(stack.region) };
  const findings = policies.flatMap((policy) =>
    deployerLockOuts(node.cfnResourceType, p, policy, deployer, { retained }).map(
      (l) => `${l.handler}:${l.action}:${l.statement ?? l.decision}`,
    ),
  );
  return findings.length > 0 ? [...new Set(findings)] : NagRuleCompliance.COMPLIANT;
});
