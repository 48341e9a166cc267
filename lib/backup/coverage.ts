import { TAG_KEYS } from '../contract/names';
import { isDataStoreType } from '../contract/stateful';

/**
 * Which stateful resources of a synthesized app are NOT protected by a backup plan that copies to
 * another region? Works on template JSON, so tests (and a future rule pack rule) can run it on
 * every stack of the app at once.
 */

/**
 * Buckets tagged `wallet:data-classification` with one of these hold no wallet state (they can be
 * rebuilt or are copies of logs kept elsewhere) and need no backup. `canary-artifacts`: the
 * Synthetics canaries' run reports, regenerated every run and expired after a month
 * (lib/constructs/wallet-canaries.ts); their results are also CloudWatch metrics and logs.
 * `status-page`: the public status site and its model (lib/constructs/status-bucket.ts), written to a
 * versioned bucket in EACH wallet region by the updaters; it holds no funds or wallet records.
 * `fault-injection`: FIS fault configurations (expired after a day) and experiment reports
 * (lib/constructs/fault-experiments.ts); the chaos command keeps its own run records.
 */
export const NON_STATE_DATA_CLASSES = ['access-logs', 'canary-artifacts', 'status-page', 'fault-injection'] as const;

interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly region: string;
  readonly template: { Resources?: Record<string, CfnResourceJson> };
}

export interface UncoveredResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

type Tag = { Key?: unknown; Value?: unknown };

function tagsOf(resource: CfnResourceJson): Tag[] {
  const p = resource.Properties ?? {};
  const own = Array.isArray(p.Tags) ? (p.Tags as Tag[]) : [];
  const replicas = Array.isArray(p.Replicas)
    ? (p.Replicas as Array<{ Tags?: Tag[] }>).flatMap((r) => r.Tags ?? [])
    : [];
  return [...own, ...replicas];
}

/** False for buckets tagged with a non-state data class (e.g. canary artifacts, access logs). */
export function isWalletState(resource: CfnResourceJson): boolean {
  if (resource.Type !== 'AWS::S3::Bucket') return true;
  const dataClass = tagsOf(resource).find((t) => t.Key === TAG_KEYS.dataClass)?.Value;
  return !(NON_STATE_DATA_CLASSES as readonly unknown[]).includes(dataClass);
}

/** Does a selection's resource entry name this resource (by same-template reference or literal ARN)? */
function names(entry: unknown, logicalId: string, physicalName: unknown): boolean {
  const text = JSON.stringify(entry);
  if (text.includes(`"Fn::GetAtt":["${logicalId}","Arn"]`) || text.includes(`"Ref":"${logicalId}"`)) return true;
  if (typeof physicalName !== 'string') return false;
  const escaped = physicalName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(table/|:::)${escaped}(?![\\w.-])`).test(text);
}

function physicalNameOf(resource: CfnResourceJson): unknown {
  const p = resource.Properties ?? {};
  return resource.Type === 'AWS::S3::Bucket' ? p.BucketName : p.TableName;
}

/** The region named in a backup vault ARN, or undefined if it is not a literal ARN. */
function regionOfVaultArn(arn: unknown): string | undefined {
  return typeof arn === 'string' ? /^arn:[^:]+:backup:([^:]+):/.exec(arn)?.[1] : undefined;
}

/**
 * Every table or wallet-state bucket that no backup selection in its own stack names, or whose
 * covering plan has a rule without a copy to another region.
 */
export function uncoveredStatefulResources(stacks: readonly SynthesizedStack[]): UncoveredResource[] {
  const out: UncoveredResource[] = [];
  for (const stack of stacks) {
    const resources = stack.template.Resources ?? {};
    const selections = Object.values(resources).filter((r) => r.Type === 'AWS::Backup::BackupSelection');
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (!isDataStoreType(resource.Type) || !isWalletState(resource)) continue;
      const physicalName = physicalNameOf(resource);
      const covering = selections.filter((s) => {
        const selection = (s.Properties?.BackupSelection ?? {}) as { Resources?: unknown[] };
        return (selection.Resources ?? []).some((entry) => names(entry, logicalId, physicalName));
      });
      const where = { stackName: stack.stackName, logicalId, type: resource.Type };
      if (covering.length === 0) {
        out.push({ ...where, reason: 'in no backup selection of its stack' });
        continue;
      }
      const copiesElsewhere = covering.some((s) => {
        const planRef = JSON.stringify(s.Properties?.BackupPlanId);
        const planId = /"Fn::GetAtt":\["([^"]+)","BackupPlanId"\]|"Ref":"([^"]+)"/.exec(planRef);
        const plan = planId ? resources[planId[1] ?? planId[2]] : undefined;
        const rules = ((plan?.Properties?.BackupPlan as { BackupPlanRule?: unknown[] })?.BackupPlanRule ??
          []) as Array<{
          CopyActions?: Array<{ DestinationBackupVaultArn?: unknown }>;
        }>;
        return (
          rules.length > 0 &&
          rules.every((rule) =>
            (rule.CopyActions ?? []).some((c) => {
              const region = regionOfVaultArn(c.DestinationBackupVaultArn);
              return region !== undefined && region !== stack.region;
            }),
          )
        );
      });
      if (!copiesElsewhere) {
        out.push({ ...where, reason: 'its backup plan does not copy every rule to a vault in another region' });
      }
    }
  }
  return out;
}
