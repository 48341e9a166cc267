import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { nagPacks } from '../../lib/security/nag';

export interface NagFinding {
  readonly pack: string;
  readonly rule: string;
  readonly path: string;
}

/**
 * Runs every registered rule pack over `scope` directly (cdk-nag 3 emits no Annotations, so an
 * Annotations-based test would pass vacuously) and returns the unacknowledged findings.
 */
export function nagFindings(scope: IConstruct): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const pack of nagPacks(scope)) {
    const report = pack.validateScope(scope);
    for (const violation of report.violations) {
      for (const where of violation.violatingResources) {
        findings.push({
          pack: pack.name,
          rule: violation.ruleName,
          path: (where as { constructPath?: string }).constructPath ?? where.resourceLogicalId ?? '(unknown)',
        });
      }
    }
  }
  return findings;
}

/** Every acknowledgement in the tree, as "<construct path> <rule id>: <reason>". */
export function acknowledgements(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}
