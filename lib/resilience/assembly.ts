import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TAG_KEYS } from '../contract/names';

/**
 * Reads a cloud assembly (`cdk.out`): the manifest's CloudFormation stack artifacts and their
 * templates, grouped into environments. Nothing here knows our construct names: stacks are grouped
 * by the `wallet:environment` tag their resources carry, falling back to the `<env>-wallet-` stack
 * name prefix.
 */

/** A CloudFormation template as JSON (only the parts the report reads). */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Description?: string }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

/** One synthesized stack. */
export interface StackTemplate {
  /** The CloudFormation stack name. */
  readonly name: string;
  /** The stack's region, or undefined when the stack is environment-agnostic. */
  readonly region?: string;
  readonly account?: string;
  /** Path of the template file, relative to the assembly directory. */
  readonly templateFile: string;
  readonly template: CfnTemplate;
}

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly envName: string;
  readonly stacks: readonly StackTemplate[];
}

/** The input is missing or unreadable: the message says what and how to fix it. */
export class AssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyError';
  }
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string };
}

const SYNTH_HINT = 'run `npm run synth` (or `npx cdk synth`) first';

/** Reads every CloudFormation stack of the assembly in `dir`. */
export function readAssembly(dir: string): StackTemplate[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AssemblyError(`no cloud assembly at ${dir}: ${SYNTH_HINT}, or pass --cdk-out <dir>`);
  }
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new AssemblyError(`${manifestFile} is missing, so ${dir} is not a complete cloud assembly: ${SYNTH_HINT}`);
  }
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(manifestFile);
  const stacks: StackTemplate[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (templateFile === undefined) {
      throw new AssemblyError(`${manifestFile}: stack ${id} names no templateFile: ${SYNTH_HINT}`);
    }
    const file = path.join(dir, templateFile);
    if (!existsSync(file)) {
      throw new AssemblyError(`${file} (stack ${id}) is missing: ${SYNTH_HINT}`);
    }
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    const known = (v: string | undefined) => (v === undefined || v.startsWith('unknown-') ? undefined : v);
    stacks.push({
      name: artifact.properties?.stackName ?? artifact.displayName ?? id,
      account: known(env?.[1]),
      region: known(env?.[2]),
      templateFile,
      template: readJson<CfnTemplate>(file),
    });
  }
  if (stacks.length === 0) {
    throw new AssemblyError(`${manifestFile} lists no CloudFormation stacks: ${SYNTH_HINT}`);
  }
  return stacks;
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new AssemblyError(`${file} is not valid JSON (${(err as Error).message}): ${SYNTH_HINT} again`);
  }
}

/** The environment a stack belongs to: the most common `wallet:environment` tag, else the name prefix. */
export function environmentOf(stack: StackTemplate): string {
  const counts = new Map<string, number>();
  for (const resource of Object.values(stack.template.Resources ?? {})) {
    for (const tag of tagsOf(resource)) {
      if (tag.key === TAG_KEYS.environment) counts.set(tag.value, (counts.get(tag.value) ?? 0) + 1);
    }
  }
  const tagged = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (tagged !== undefined) return tagged;
  const prefix = /^(.+?)-wallet-/.exec(stack.name)?.[1];
  return prefix ?? stack.name;
}

/** Groups stacks by environment, in name order. */
export function groupByEnvironment(stacks: readonly StackTemplate[]): EnvironmentStacks[] {
  const groups = new Map<string, StackTemplate[]>();
  for (const stack of stacks) {
    const env = environmentOf(stack);
    groups.set(env, [...(groups.get(env) ?? []), stack]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([envName, list]) => ({ envName, stacks: list.sort((a, b) => a.name.localeCompare(b.name)) }));
}

/** Tags of a resource, in any of the shapes CloudFormation uses (lists of Key/Value, maps). */
export function tagsOf(resource: CfnResource): Array<{ key: string; value: string }> {
  const p = resource.Properties ?? {};
  const out: Array<{ key: string; value: string }> = [];
  const add = (raw: unknown) => {
    if (Array.isArray(raw)) {
      for (const t of raw) {
        const tag = t as { Key?: unknown; Value?: unknown };
        if (typeof tag.Key === 'string' && typeof tag.Value === 'string') out.push({ key: tag.Key, value: tag.Value });
      }
    } else if (raw !== null && typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out.push({ key: k, value: v });
    }
  };
  add(p.Tags);
  add(p.HealthCheckTags);
  if (Array.isArray(p.Replicas)) for (const r of p.Replicas) add((r as { Tags?: unknown }).Tags);
  return out;
}

/**
 * The literal value of a template expression when it can be known offline: strings and numbers,
 * `Fn::Join` of literals, and the pseudo parameters whose value the stack fixes. Anything else
 * (a `Ref` to a resource, `Fn::GetAtt`, `Fn::GetStackOutput`) is undefined.
 */
export function literal(value: unknown, stack?: StackTemplate): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) {
    if (obj.Ref === 'AWS::Region') return stack?.region;
    if (obj.Ref === 'AWS::AccountId') return stack?.account;
    if (obj.Ref === 'AWS::Partition') return 'aws';
    if (obj.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    return undefined;
  }
  const join = obj['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((p) => literal(p, stack));
    return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** A number from a template value (CloudFormation often renders numbers as strings). */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** The logical id a `Ref` / `Fn::GetAtt` points at, if the value is one. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.Ref === 'string') return obj.Ref;
  const att = obj['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** Every `[logicalId, resource]` of the given type in a stack. */
export function resourcesOfType(stack: StackTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(stack.template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/** The region an ARN string names, if it is a literal ARN with a region. */
export function arnRegion(arn: string | undefined): string | undefined {
  const parts = arn?.split(':');
  if (parts === undefined || parts.length < 6 || parts[0] !== 'arn') return undefined;
  return parts[3] === '' ? undefined : parts[3];
}
