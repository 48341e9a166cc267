/**
 * A small, strict evaluator of resource-policy statements (key policies, queue, topic, bucket and
 * vault policies): it answers "would this policy allow, deny, or not mention this request?" for the
 * condition operators our policies use, and throws on anything else so a new operator cannot be
 * silently ignored. Used by the tests, the DeployerNotLockedOut rule and `npm run verify`.
 *
 * "allow" means the key policy allows the request; when the allowing statement names the account
 * root, IAM must also allow it, which is a separate question for the caller's role.
 */
export interface KeyRequest {
  /** IAM role ARN of the caller, or undefined for a service principal. */
  readonly principalArn?: string;
  /** Service principal of the caller, e.g. `logs.us-east-2.amazonaws.com`. */
  readonly service?: string;
  readonly action: string;
  /** Request context keys, e.g. `{ 'kms:ReplicaRegion': 'eu-west-1' }`. */
  readonly context?: Record<string, string>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: '*' | { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** True if an IAM action pattern (with `*` wildcards) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(action);
}

/** `*` wildcards, case-insensitive (the same matcher the wallet rules use for actions). */
const globMatch = (pattern: string, value: string): boolean => actionCovers(pattern, value);

function principalMatches(stmt: Statement, req: KeyRequest): boolean {
  if (stmt.Principal === '*') return true;
  for (const aws of list(stmt.Principal.AWS)) {
    if (aws === '*') return true;
    if (req.principalArn === undefined) continue;
    const rootAccount = /^arn:[^:]+:iam::(\d{12}):root$/.exec(aws)?.[1];
    if (rootAccount !== undefined && req.principalArn.split(':')[4] === rootAccount) return true;
    if (aws === req.principalArn) return true;
  }
  return list(stmt.Principal.Service).some((s) => s === req.service);
}

function contextValue(req: KeyRequest, key: string): string | undefined {
  if (key === 'aws:PrincipalArn') return req.principalArn;
  if (key === 'aws:PrincipalIsAWSService') return req.context?.[key] ?? String(req.service !== undefined);
  return req.context?.[key];
}

function conditionsMatch(stmt: Statement, req: KeyRequest): boolean {
  for (const [operator, entries] of Object.entries(stmt.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = contextValue(req, key);
      const values = list(expected as string | string[]).map(String);
      let ok: boolean;
      switch (operator) {
        case 'NumericLessThan':
          ok = actual !== undefined && values.some((v) => Number(actual) < Number(v));
          break;
        case 'NumericGreaterThan':
          ok = actual !== undefined && values.some((v) => Number(actual) > Number(v));
          break;
        case 'ArnEqualsIfExists':
        case 'StringEqualsIfExists':
          ok = actual === undefined || values.includes(actual);
          break;
        case 'StringNotEqualsIfExists':
        case 'ArnNotEqualsIfExists':
          ok = actual === undefined || !values.includes(actual);
          break;
        case 'ArnNotLike':
        case 'StringNotLike':
          ok = actual === undefined || !values.some((v) => globMatch(v, actual));
          break;
        case 'ArnEquals':
        case 'StringEquals':
          ok = actual !== undefined && values.includes(actual);
          break;
        case 'ArnNotEquals':
        case 'StringNotEquals':
          ok = actual === undefined || !values.includes(actual);
          break;
        case 'ArnLike':
        case 'StringLike':
          ok = actual !== undefined && values.some((v) => globMatch(v, actual));
          break;
        case 'Bool':
          ok = actual !== undefined && values.includes(actual);
          break;
        case 'BoolIfExists':
          ok = actual === undefined || values.includes(actual);
          break;
        default:
          throw new Error(`policy-eval: condition operator ${operator} is not modelled; extend the evaluator`);
      }
      if (!ok) return false;
    }
  }
  return true;
}

/** Evaluates a resolved key policy document (template JSON) for one request. */
export function evaluateKeyPolicy(policy: { Statement: Statement[] }, req: KeyRequest): Decision {
  return evaluatePolicy(policy, req).decision;
}

/** The decision and the statement that made it (the deny, or the first allow). */
export function evaluatePolicy(
  policy: { Statement: Statement[] },
  req: KeyRequest,
): { decision: Decision; statement?: Statement } {
  let allowedBy: Statement | undefined;
  for (const stmt of policy.Statement) {
    if (!list(stmt.Action).some((a) => globMatch(a, req.action))) continue;
    if (!principalMatches(stmt, req) || !conditionsMatch(stmt, req)) continue;
    if (stmt.Effect === 'Deny') return { decision: 'explicit-deny', statement: stmt };
    allowedBy ??= stmt;
  }
  return allowedBy !== undefined ? { decision: 'allow', statement: allowedBy } : { decision: 'implicit-deny' };
}
