/**
 * Walks synthesized templates for IAM statements: every AWS::IAM::Policy and AWS::IAM::ManagedPolicy
 * document, and every inline policy of a role, user or group.
 */

export interface IamStatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export interface FoundStatement {
  /** `<stack>/<logical id>` of the policy (or of the role holding an inline policy). */
  readonly where: string;
  /** Logical ids of the roles the policy is attached to (its own id for an inline policy). */
  readonly roles: string[];
  readonly statement: IamStatementJson;
}

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function iamStatements(templates: Record<string, Template>): FoundStatement[] {
  const out: FoundStatement[] = [];
  for (const [stack, template] of Object.entries(templates)) {
    for (const [id, r] of Object.entries(template.Resources ?? {})) {
      const p = r.Properties ?? {};
      const docs: Array<{ roles: string[]; doc: unknown }> = [];
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
        const roles = list(p.Roles as unknown[]).map((x) => (x as { Ref?: string }).Ref ?? String(x));
        docs.push({ roles, doc: p.PolicyDocument });
      }
      if (r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User' || r.Type === 'AWS::IAM::Group') {
        for (const inline of list(p.Policies as Array<{ PolicyDocument: unknown }>)) {
          docs.push({ roles: [id], doc: inline.PolicyDocument });
        }
      }
      for (const { roles, doc } of docs) {
        for (const statement of list((doc as { Statement?: IamStatementJson[] }).Statement)) {
          out.push({ where: `${stack}/${id}`, roles, statement });
        }
      }
    }
  }
  return out;
}

/** True if an IAM action pattern (`*` and `?` wildcards) covers `action`. */
export function actionCovers(pattern: string, action: string): boolean {
  const re = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`, 'i').test(action);
}

/** Services whose permissions touch the signing keys and the ledger table. */
const GUARDED = /^(kms|dynamodb):/i;

/** A wildcard action that could cover a KMS or DynamoDB action (`kms:*`, `dynamodb:Get*`, `*`, `*:*`, `k*:Sign`). */
function coversGuardedService(action: string): boolean {
  const service = action.includes(':') ? action.slice(0, action.indexOf(':')) : action;
  return /[*?]/.test(service) || /^(kms|dynamodb)$/i.test(service);
}

/**
 * A resource as a glob pattern: literal strings as they are, Fn::Join parts joined with every
 * intrinsic (Ref, GetAtt, ...) standing for "anything" (`*`), since it is not known at synth.
 */
export function resourcePattern(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join !== undefined) return join[1].map((part) => (typeof part === 'string' ? part : '*')).join(join[0]);
  return '*';
}

/** The literal text of a resource (a string, or the string parts of an Fn::Join). */
function literalText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  return join === undefined ? '' : join[1].filter((part): part is string => typeof part === 'string').join('');
}

/**
 * The invariant: no Allow statement anywhere grants a wildcard KMS or DynamoDB action, uses
 * NotAction/NotResource, or grants a KMS or DynamoDB action on a resource pattern that could match
 * a protected ARN (the ledger table and its indexes, the signing keys). A pattern that cannot match
 * them, such as the restore-test table prefix, is not a violation. Only literal text can carry a
 * wildcard: a resource built from intrinsics alone names one resource.
 */
export function wildcardViolations(statements: readonly FoundStatement[], protectedArns: readonly string[]): string[] {
  const problems: string[] = [];
  for (const { where, statement: s } of statements) {
    if (s.Effect !== 'Allow') continue;
    const label = `${where}${s.Sid ? ` (${s.Sid})` : ''}`;
    if (s.NotAction !== undefined) problems.push(`${label}: Allow with NotAction`);
    if (s.NotResource !== undefined) problems.push(`${label}: Allow with NotResource`);
    const actions = list(s.Action);
    const wildcardActions = actions.filter((a) => /[*?]/.test(a) && coversGuardedService(a));
    for (const a of wildcardActions) problems.push(`${label}: wildcard action ${a}`);
    const guarded = actions.some((a) => GUARDED.test(a)) || wildcardActions.length > 0;
    if (!guarded) continue;
    for (const r of list(s.Resource as unknown)) {
      // Only literal text can hold a wildcard; an intrinsic (Ref, GetAtt, Fn::GetStackOutput) names one value.
      if (!/[*?]/.test(literalText(r))) continue;
      const pattern = resourcePattern(r);
      const reached = protectedArns.filter((arn) => actionCovers(pattern, arn));
      if (reached.length > 0) {
        problems.push(`${label}: ${actions.join(',')} on ${JSON.stringify(r)}, which matches ${reached.join(', ')}`);
      }
    }
  }
  return problems;
}
