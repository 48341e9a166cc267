import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { COLD_KEY_PURPOSE, COLD_SIGNER_ROLE_NAME } from '../../contract/cold-key';
import { TAG_KEYS } from '../../contract/names';
import { evaluatePolicy, KeyRequest, Statement } from '../policy-eval';
import { actionCovers, allResources, list, namedRule, NOT_APPLICABLE, props } from './util';

/**
 * The cold key (issue 21, docs/cold-key.md) signs only for the MFA-only ColdSigner role, and no
 * function can ever be that role. Checked on three kinds of resource; each finding names what broke:
 *
 * - a cold key copy (`AWS::KMS::Key` / `AWS::KMS::ReplicaKey` tagged `wallet:key-purpose=cold`), its
 *   policy evaluated request by request (lib/security/policy-eval.ts): every principal the policy
 *   lets sign is a cold signer role (`...-wallet-cold-signer`); that role is denied Sign without MFA
 *   and with MFA absent; a function-like role, the account root and a service principal are denied
 *   Sign even with MFA; nobody creates grants (`key-policy:<probe>:<action>:<decision>`);
 * - the ColdSigner role (`AWS::IAM::Role` named `...-wallet-cold-signer`): its trust policy allows
 *   only `sts:AssumeRole`, only to named IAM users or roles (no service, federated, root or `*`
 *   principal, and no role of the app that a service assumes), each with `aws:MultiFactorAuthPresent`
 *   true and an `aws:MultiFactorAuthAge` bound;
 *   and no Lambda function in the app runs as it (`trust:...`, `lambda:<function>`);
 * - any IAM policy whose `kms:Sign` reaches the cold key (names a cold key of its stack, or `*`):
 *   attached to cold signer roles only (`sign-by:<role>`).
 */
export default namedRule('ColdKeyOnlyMfaRole', (node: CfnResource): NagRuleResult => {
  switch (node.cfnResourceType) {
    case 'AWS::KMS::Key':
    case 'AWS::KMS::ReplicaKey':
      return isColdKey(node) ? result(keyPolicyFindings(node)) : NOT_APPLICABLE;
    case 'AWS::IAM::Role': {
      const name = props(node).RoleName;
      const isColdSigner = typeof name === 'string' && COLD_SIGNER_ROLE_NAME.test(name);
      const findings = isColdSigner ? coldRoleFindings(node, name) : [];
      const inline = list(props(node).Policies as Array<{ PolicyDocument?: unknown }> | undefined);
      if (!isColdSigner && inline.some((p) => signReachesColdKey(node, p.PolicyDocument))) {
        findings.push(`sign-by:${typeof name === 'string' ? name : String(Stack.of(node).resolve(node.logicalId))}`);
      }
      return !isColdSigner && findings.length === 0 ? NOT_APPLICABLE : result(findings);
    }
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy': {
      const p = props(node);
      if (!signReachesColdKey(node, p.PolicyDocument)) return NOT_APPLICABLE;
      const users = [...list(p.Users as unknown[] | undefined), ...list(p.Groups as unknown[] | undefined)];
      const roles = list(p.Roles as unknown[] | undefined).map((r) => ({ ref: r, name: roleName(node, r) }));
      return result([
        ...users.map((u) => `sign-by:${JSON.stringify(u)}`),
        ...roles
          .filter((r) => r.name === undefined || !COLD_SIGNER_ROLE_NAME.test(r.name))
          .map((r) => `sign-by:${r.name ?? JSON.stringify(r.ref)}`),
      ]);
    }
    default:
      return NOT_APPLICABLE;
  }
});

const result = (findings: readonly string[]): NagRuleResult =>
  findings.length === 0 ? NagRuleCompliance.COMPLIANT : [...new Set(findings)];

type Tag = { Key?: string; Value?: string };

/** A key or replica tagged as the cold key. */
export function isColdKey(node: CfnResource): boolean {
  const tags = list(props(node).Tags as Tag[] | undefined);
  return tags.some((t) => t.Key === TAG_KEYS.keyPurpose && t.Value === COLD_KEY_PURPOSE);
}

/** Logical ids of the cold keys in the stack of `scope`. */
function coldKeyIds(scope: CfnResource): Set<string> {
  const stack = Stack.of(scope);
  const ids = new Set<string>();
  for (const type of ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']) {
    for (const key of allResources(scope, type)) {
      if (Stack.of(key) === stack && isColdKey(key)) ids.add(String(stack.resolve(key.logicalId)));
    }
  }
  return ids;
}

/** Every logical id a template value refers to with Ref or Fn::GetAtt. */
function referencedIds(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') out.add(v[0]);
      else referencedIds(v, out);
    }
  }
  return out;
}

/**
 * A resource with a wildcard in its key part covers every key, the cold one included: `*`,
 * `arn:aws:kms:*:*:*`, `.../key/*`, also when built with Fn::Join (intrinsics count as unknown, not as `*`).
 */
function wildcard(resource: unknown): boolean {
  let text: string | undefined;
  if (typeof resource === 'string') text = resource;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join !== undefined) text = join[1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  return text !== undefined && (text === '*' || /(^|:)\*$|key\/\*$/.test(text));
}

interface IamStatement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Which of a Sign grant's resources reach a cold key: `cold` (names one), `wildcard`, or none. */
export function signResourceKinds(scope: CfnResource, document: unknown): Set<'cold' | 'wildcard' | 'other'> {
  const kinds = new Set<'cold' | 'wildcard' | 'other'>();
  const cold = coldKeyIds(scope);
  for (const s of list((document as { Statement?: IamStatement[] } | undefined)?.Statement)) {
    if (s.Effect !== 'Allow' || !list(s.Action).some((a) => actionCovers(a, 'kms:Sign'))) continue;
    for (const resource of list(s.Resource as unknown[] | unknown)) {
      if (wildcard(resource)) kinds.add('wildcard');
      else if ([...referencedIds(resource)].some((id) => cold.has(id))) kinds.add('cold');
      else kinds.add('other');
    }
  }
  return kinds;
}

/** True if a policy's Sign grant reaches a cold key: names one, or is a wildcard in an app that has one. */
function signReachesColdKey(scope: CfnResource, document: unknown): boolean {
  const kinds = signResourceKinds(scope, document);
  if (kinds.has('cold')) return true;
  const appHasColdKey = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'].some((t) => allResources(scope, t).some(isColdKey));
  return kinds.has('wildcard') && appHasColdKey;
}

/** The role name behind a `Roles` entry ({ Ref } to a role of the stack, or a name). */
export function roleName(scope: CfnResource, ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  const logicalId = (ref as { Ref?: string } | undefined)?.Ref;
  const stack = Stack.of(scope);
  const role = allResources(scope, 'AWS::IAM::Role').find(
    (r) => Stack.of(r) === stack && stack.resolve(r.logicalId) === logicalId,
  );
  const name = role === undefined ? undefined : props(role).RoleName;
  return typeof name === 'string' ? name : undefined;
}

/** Requests a cold key policy must refuse (explicit deny), and the one it must let through. */
function keyPolicyFindings(node: CfnResource): string[] {
  const policy = props(node).KeyPolicy as { Statement?: Statement[] } | undefined;
  const statements = list(policy?.Statement);
  const doc = { Statement: statements };
  const account = String(Stack.of(node).resolve(Stack.of(node).account));
  const partition = 'aws';
  const findings: string[] = [];
  // Who does the policy let sign? Every ARN an Allow of kms:Sign names must be a cold signer role.
  const signers = new Set<string>();
  for (const s of statements) {
    if (s.Effect !== 'Allow' || !list(s.Action).some((a) => actionCovers(a, 'kms:Sign'))) continue;
    const named = [
      ...list(s.Condition?.ArnEquals?.['aws:PrincipalArn'] as string | string[] | undefined),
      ...list(s.Condition?.StringEquals?.['aws:PrincipalArn'] as string | string[] | undefined),
    ];
    if (named.length === 0) findings.push(`key-policy:${s.Sid ?? 'statement'}:allows-sign-to-any-principal`);
    for (const arn of named) {
      if (!COLD_SIGNER_ROLE_NAME.test(String(arn))) findings.push(`key-policy:allows-sign-to:${String(arn)}`);
      else signers.add(String(arn));
    }
  }
  const mfa = (age: number): Record<string, string> => ({
    'aws:MultiFactorAuthPresent': 'true',
    'aws:MultiFactorAuthAge': String(age),
  });
  const role = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;
  const mustDeny: Array<[string, KeyRequest]> = [
    [
      'function-role-with-mfa',
      { principalArn: role('probe-wallet-signer-us-east-2'), action: 'kms:Sign', context: mfa(0) },
    ],
    ['admin-role-with-mfa', { principalArn: role('Admin'), action: 'kms:Sign', context: mfa(0) }],
    [
      'account-root-with-mfa',
      { principalArn: `arn:${partition}:iam::${account}:root`, action: 'kms:Sign', context: mfa(0) },
    ],
    ['lambda-service', { service: 'lambda.amazonaws.com', action: 'kms:Sign' }],
    ['grant', { principalArn: role('Admin'), action: 'kms:CreateGrant', context: mfa(0) }],
  ];
  for (const signer of signers) {
    mustDeny.push(
      ['cold-signer-without-mfa-key', { principalArn: signer, action: 'kms:Sign' }],
      [
        'cold-signer-mfa-false',
        { principalArn: signer, action: 'kms:Sign', context: { 'aws:MultiFactorAuthPresent': 'false' } },
      ],
      ['cold-signer-grant', { principalArn: signer, action: 'kms:CreateGrant', context: mfa(0) }],
    );
  }
  for (const [probe, request] of mustDeny) {
    const { decision } = evaluatePolicy(doc, request);
    if (decision !== 'explicit-deny') findings.push(`key-policy:${probe}:${request.action}:${decision}`);
  }
  return findings;
}

interface TrustStatement {
  Effect?: string;
  Action?: string | string[];
  Principal?: '*' | { AWS?: unknown; Service?: unknown; Federated?: unknown };
  Condition?: Record<string, Record<string, unknown>>;
}

const PERSON_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/;

/** The ColdSigner role: MFA-only trust of named people, and no Lambda function runs as it. */
function coldRoleFindings(node: CfnResource, name: string): string[] {
  const findings: string[] = [];
  const trust = list((props(node).AssumeRolePolicyDocument as { Statement?: TrustStatement[] } | undefined)?.Statement);
  const allows = trust.filter((s) => s.Effect === 'Allow');
  if (allows.length === 0) findings.push('trust:no-principal');
  // Roles of the app that a service (Lambda, ...) assumes: naming one would let that service's code,
  // through its own role, try to assume the ColdSigner role.
  const serviceRoles = new Set(
    allResources(node, 'AWS::IAM::Role')
      .map((r) => props(r))
      .filter((rp) => JSON.stringify(rp.AssumeRolePolicyDocument ?? {}).includes('"Service"'))
      .map((rp) => rp.RoleName)
      .filter((n): n is string => typeof n === 'string'),
  );
  for (const [i, s] of allows.entries()) {
    const actions = list(s.Action);
    if (actions.some((a) => a !== 'sts:AssumeRole')) findings.push(`trust:${i}:action:${actions.join(',')}`);
    if (s.Principal === '*' || typeof s.Principal !== 'object') {
      findings.push(`trust:${i}:principal:*`);
      continue;
    }
    if (s.Principal.Service !== undefined)
      findings.push(`trust:${i}:service:${list(s.Principal.Service as string[]).join(',')}`);
    if (s.Principal.Federated !== undefined) findings.push(`trust:${i}:federated`);
    for (const p of list(s.Principal.AWS as unknown[] | undefined)) {
      if (typeof p !== 'string' || !PERSON_ARN.test(p)) findings.push(`trust:${i}:principal:${JSON.stringify(p)}`);
      else if (serviceRoles.has(p.slice(p.lastIndexOf('/') + 1))) findings.push(`trust:${i}:service-role:${p}`);
    }
    if (String(s.Condition?.Bool?.['aws:MultiFactorAuthPresent']) !== 'true') findings.push(`trust:${i}:no-mfa`);
    if (s.Condition?.NumericLessThan?.['aws:MultiFactorAuthAge'] === undefined) findings.push(`trust:${i}:no-mfa-age`);
  }
  // Request by request, for good measure: Lambda cannot assume it, nor anyone without MFA.
  const doc = { Statement: trust.map((s) => ({ ...s, Principal: s.Principal ?? {} })) as Statement[] };
  for (const request of [
    { service: 'lambda.amazonaws.com', action: 'sts:AssumeRole' },
    ...allows.flatMap((s) =>
      typeof s.Principal === 'object'
        ? list(s.Principal.AWS as string[] | undefined).map((p) => ({
            principalArn: String(p),
            action: 'sts:AssumeRole',
          }))
        : [],
    ),
  ] as KeyRequest[]) {
    if (evaluatePolicy(doc, request).decision === 'allow') {
      findings.push(`trust:assumable-without-mfa-by:${request.service ?? request.principalArn}`);
    }
  }
  // No function runs as it: a Lambda function whose Role is this role (by GetAtt/Ref or by name).
  const stack = Stack.of(node);
  const myId = String(stack.resolve(node.logicalId));
  for (const fn of allResources(node, 'AWS::Lambda::Function')) {
    const r = props(fn).Role;
    const sameStack = Stack.of(fn) === stack && referencedIds(r).has(myId);
    const byName = typeof r === 'string' && r.endsWith(`:role/${name}`);
    if (sameStack || byName) findings.push(`lambda:${fn.node.path}`);
  }
  return findings;
}
