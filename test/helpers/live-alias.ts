import { Template } from 'aws-cdk-lib/assertions';
import { LIVE_ALIAS } from '../../lib/contract/deployment';

/**
 * The live-alias invariant, over synthesized templates: every Lambda function has a `live` alias,
 * and nothing that invokes a function (API Gateway integrations and their invoke permissions, SQS
 * event source mappings, EventBridge rule targets, EventBridge Scheduler schedules, asynchronous
 * invoke configs) names the unqualified function or `$LATEST`. The one exception is a CodeDeploy
 * lifecycle hook: CodeDeploy invokes it by the function name in an alias's update policy, so its
 * asynchronous config is on `$LATEST` (lib/constructs/wallet-function.ts `unqualifiedCaller`).
 */
type Json = unknown;
interface Res {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly UpdatePolicy?: Record<string, Json>;
}

/** Logical ids referenced by Ref / Fn::GetAtt anywhere in a value. */
function refs(value: Json, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, Json>)) {
      if (k === 'Ref' && typeof v === 'string') out.push(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') out.push(v[0]);
      else refs(v, out);
    }
  }
  return out;
}

const strings = (value: Json): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(strings)
      : value !== null && typeof value === 'object'
        ? Object.values(value as Record<string, Json>).flatMap(strings)
        : [];

/** Where each kind of resource names the function it invokes. */
function invocationTargets(r: Res): Json[] {
  const p = r.Properties ?? {};
  switch (r.Type) {
    case 'AWS::Lambda::EventSourceMapping':
    case 'AWS::Lambda::Permission':
      return [p.FunctionName];
    case 'AWS::ApiGateway::Method':
      return [(p.Integration as { Uri?: Json } | undefined)?.Uri];
    case 'AWS::Events::Rule':
      return ((p.Targets as Array<{ Arn: Json }> | undefined) ?? []).map((t) => t.Arn);
    case 'AWS::Scheduler::Schedule':
      return [(p.Target as { Arn?: Json } | undefined)?.Arn];
    default:
      return [];
  }
}

export interface LiveAliasReport {
  /** Functions without a `live` alias. */
  readonly withoutAlias: string[];
  /** Invocation sources naming an unqualified function or `$LATEST`. */
  readonly unqualified: string[];
  /** `live` aliases some caller invokes that CodeDeploy does not shift (no update policy). */
  readonly invokedWithoutDeploymentGroup: string[];
}

export function liveAliasReport(templates: Record<string, Template>): LiveAliasReport {
  const withoutAlias: string[] = [];
  const unqualified: string[] = [];
  const invokedWithoutDeploymentGroup = new Set<string>();
  for (const [stack, template] of Object.entries(templates)) {
    const resources = template.toJSON().Resources as Record<string, Res>;
    const typeOf = (id: string) => resources[id]?.Type;
    const hooks = new Set(
      Object.values(resources).flatMap((r) =>
        refs((r.UpdatePolicy?.CodeDeployLambdaAliasUpdate as Record<string, Json> | undefined)?.BeforeAllowTrafficHook),
      ),
    );
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::Lambda::Function') {
        const alias = Object.values(resources).some(
          (a) =>
            a.Type === 'AWS::Lambda::Alias' &&
            a.Properties?.Name === LIVE_ALIAS &&
            refs(a.Properties?.FunctionName).includes(id),
        );
        if (!alias) withoutAlias.push(`${stack}/${id}`);
      }
      if (r.Type === 'AWS::Lambda::EventInvokeConfig') {
        const fn = refs(r.Properties?.FunctionName)[0];
        if (r.Properties?.Qualifier === '$LATEST' && !hooks.has(fn)) {
          unqualified.push(
            `${stack}/${id}: asynchronous invoke config on $LATEST of ${fn}, which callers never invoke`,
          );
        }
      }
      for (const target of invocationTargets(r)) {
        const ids = refs(target);
        const lambdaIds = ids.filter((x) => (typeOf(x) ?? '').startsWith('AWS::Lambda::'));
        const text = strings(target).join('');
        const literalLambda = /:lambda:|:function:/.test(text);
        if (lambdaIds.length === 0 && !literalLambda) continue; // not a Lambda target (a bus, a topic)
        const direct = lambdaIds.filter((x) => typeOf(x) === 'AWS::Lambda::Function');
        const aliases = lambdaIds.filter(
          (x) => typeOf(x) === 'AWS::Lambda::Alias' && resources[x].Properties?.Name === LIVE_ALIAS,
        );
        if (text.includes('$LATEST')) unqualified.push(`${stack}/${id} (${r.Type}) names $LATEST`);
        else if (direct.length > 0)
          unqualified.push(`${stack}/${id} (${r.Type}) names the unqualified function ${direct.join(', ')}`);
        else if (aliases.length === 0)
          unqualified.push(`${stack}/${id} (${r.Type}) names no live alias: ${JSON.stringify(target)}`);
        for (const a of aliases) {
          if (resources[a].UpdatePolicy?.CodeDeployLambdaAliasUpdate === undefined)
            invokedWithoutDeploymentGroup.add(`${stack}/${a}`);
        }
      }
    }
  }
  return { withoutAlias, unqualified, invokedWithoutDeploymentGroup: [...invokedWithoutDeploymentGroup] };
}
