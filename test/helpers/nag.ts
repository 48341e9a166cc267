import { readFileSync } from 'node:fs';
import * as path from 'node:path';
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

/** A finding as a rule id and the construct it was raised on. */
export interface RawFinding {
  readonly id: string;
  readonly path: string;
}

interface ReportViolation {
  readonly ruleName: string;
  readonly violatingConstructs: Array<{ constructPath: string }>;
}

/** The parts of cdk.out/validation-report.json these tests read. */
export interface ValidationReport {
  readonly pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: ReportViolation[];
    /** Findings an acknowledgement suppressed (CDK lists them; cdk-nag packs filter their own). */
    suppressedViolations?: ReportViolation[];
  }>;
}

export function readValidationReport(assemblyDirectory: string): ValidationReport {
  return JSON.parse(readFileSync(path.join(assemblyDirectory, 'validation-report.json'), 'utf8')) as ValidationReport;
}

/**
 * Every finding of one plugin in a report, suppressed or not, as `<plugin>::<rule>` ids (the form
 * acknowledgements use for plugins other than cdk-nag).
 */
export function reportFindings(report: ValidationReport, pluginName: string): RawFinding[] {
  return report.pluginReports
    .filter((p) => p.pluginName === pluginName)
    .flatMap((p) => [...p.violations, ...(p.suppressedViolations ?? [])])
    .flatMap((v) => v.violatingConstructs.map((c) => ({ id: `${pluginName}::${v.ruleName}`, path: c.constructPath })));
}

/** An acknowledgement covers a finding of its id on its construct or below. */
const covers = (ack: { path: string; id: string }, f: RawFinding): boolean =>
  f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`));

/** Acknowledgements no raw finding needs: a silent hole that would hide the finding if it came back. */
export function staleAcknowledgements<A extends { path: string; id: string }>(
  acks: readonly A[],
  raw: readonly RawFinding[],
): A[] {
  return acks.filter((a) => !raw.some((f) => covers(a, f)));
}

/** Raw findings no acknowledgement covers (the synth fails on these). */
export function unacknowledgedFindings(
  acks: ReadonlyArray<{ path: string; id: string }>,
  raw: readonly RawFinding[],
): RawFinding[] {
  return raw.filter((f) => !acks.some((a) => covers(a, f)));
}
