import facts from './facts/cloudformation-handler-permissions.json';
import { evaluatePolicy, Statement } from '../policy-eval';

/** The four handlers CloudFormation invokes for a resource during a stack's life. */
export type Handler = 'create' | 'read' | 'update' | 'delete';

interface TypeFacts {
  readonly source: string;
  readonly policyProperty?: string;
  readonly policyFrom?: string;
  readonly resourcePolicyMustAllow?: boolean;
  readonly handlers: Partial<Record<Handler, readonly string[]>>;
  readonly onlyWhen?: Record<string, { property: string; equals: unknown }>;
  readonly beforeThePolicyExists?: readonly string[];
}

/** The dated facts: what each CloudFormation handler calls (lib/security/deployer/facts). */
export const HANDLER_FACTS = facts as unknown as { readOn: string; types: Record<string, TypeFacts> };

/** One refusal: the deploying role could not make this call, so the handler would fail. */
export interface LockOut {
  readonly handler: Handler;
  readonly action: string;
  /** The statement that denies (explicit deny), or undefined when nothing allows (implicit deny). */
  readonly statement?: string;
  readonly decision: 'explicit-deny' | 'implicit-deny';
}

/** Who deploys, as CloudFormation calls the handlers: the CDK bootstrap's execution role. */
export interface Deployer {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /** @default the default bootstrap's `cdk-hnb659fds-cfn-exec-role-<account>-<region>` */
  readonly roleArn?: string;
}

export const cdkDeployRoleArn = (d: Deployer): string =>
  d.roleArn ?? `arn:${d.partition}:iam::${d.account}:role/cdk-hnb659fds-cfn-exec-role-${d.account}-${d.region}`;

/**
 * Evaluates every handler action of a resource type against the resource policy it will carry,
 * for the deploying role, with the project's policy evaluator. KMS needs the key policy to ALLOW
 * (an IAM allow is useless where the key policy does not delegate); the other services only need
 * no explicit deny for a role of the same account. Delete is skipped for resources CloudFormation
 * never deletes (DeletionPolicy and UpdateReplacePolicy both Retain).
 */
export function deployerLockOuts(
  type: string,
  properties: Record<string, unknown>,
  policy: { Statement: Statement[] } | undefined,
  deployer: Deployer,
  options: { readonly retained?: boolean } = {},
): LockOut[] {
  const t = HANDLER_FACTS.types[type];
  if (t === undefined || policy === undefined) return [];
  const principalArn = cdkDeployRoleArn(deployer);
  const out: LockOut[] = [];
  for (const handler of ['create', 'read', 'update', 'delete'] as const) {
    if (handler === 'delete' && options.retained === true) continue;
    for (const action of t.handlers[handler] ?? []) {
      if (t.beforeThePolicyExists?.includes(action)) continue;
      const when = t.onlyWhen?.[action];
      if (when !== undefined && properties[when.property] !== when.equals) continue;
      const { decision, statement } = evaluatePolicy(policy, {
        principalArn,
        action,
        context: {
          'aws:SecureTransport': 'true',
          's3:TlsVersion': '1.2',
          'aws:PrincipalAccount': deployer.account,
          'kms:CallerAccount': deployer.account,
          'aws:PrincipalIsAWSService': 'false',
        },
      });
      const refused = decision === 'explicit-deny' || (t.resourcePolicyMustAllow === true && decision !== 'allow');
      if (refused) out.push({ handler, action, statement: statement?.Sid, decision: decision as LockOut['decision'] });
    }
  }
  return out;
}

/** `create kms:EnableKeyRotation (implicit deny: no statement allows it)` */
export function describeLockOut(l: LockOut): string {
  return `${l.handler} ${l.action} (${l.decision === 'explicit-deny' ? `denied by statement ${l.statement ?? '(no Sid)'}` : 'implicit deny: no statement allows it'})`;
}
