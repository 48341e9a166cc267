import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, IPolicyValidationPluginBeta1, Stack, Validations } from 'aws-cdk-lib';
import { NagPack, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { COLD_SIGNER_ROLE_NAME } from '../contract/cold-key';
import { ACK_OWNER_METADATA } from './nag';

/** Per-rule results of one pack over the whole app. */
export interface RuleTally {
  readonly rule: string;
  compliant: number;
  nonCompliant: number;
  notApplicable: number;
  acknowledged: number;
}

export interface PackResult {
  readonly pack: string;
  readonly rules: RuleTally[];
  readonly unacknowledged: Array<{ rule: string; path: string }>;
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
  readonly owner: string;
}

export interface SecurityReview {
  readonly generatedFrom: string;
  readonly packs: PackResult[];
  readonly acknowledgements: Acknowledgement[];
  /** The key policies of the keys that sign (hot and cold), as synthesized. @default - none listed */
  readonly keyPolicies?: KeyPolicySummary[];
}

/** One statement of a key policy, as the reviewer reads it. */
export interface KeyPolicyStatement {
  readonly sid: string;
  readonly effect: string;
  readonly actions: string;
  readonly principal: string;
  readonly condition: string;
}

/** The key policy of one copy of a key that signs (wallet:key-purpose signing or cold), or the ColdSigner role's trust. */
export interface KeyPolicySummary {
  readonly stack: string;
  readonly logicalId: string;
  readonly purpose: string;
  readonly type: string;
  readonly statements: KeyPolicyStatement[];
}

/** Purposes (tag `wallet:key-purpose`) whose key policies the review prints in full. */
export const REVIEWED_KEY_PURPOSES = ['signing', 'cold'] as const;

const compact = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

const rows = (policy: { Statement?: Array<Record<string, unknown>> }): KeyPolicyStatement[] =>
  (policy.Statement ?? []).map((st) => ({
    sid: compact(st.Sid),
    effect: compact(st.Effect),
    actions: [st.Action ?? []].flat().map(String).join(', '),
    principal: compact(st.Principal),
    condition: compact(st.Condition),
  }));

/**
 * The key policies of every signing key copy (hot and cold) in the synthesized templates, so a
 * reviewer reads who may sign, under which conditions, without opening a template.
 */
export function keyPolicySummaries(templates: ReadonlyArray<{ stack: string; template: unknown }>): KeyPolicySummary[] {
  const out: KeyPolicySummary[] = [];
  for (const { stack, template } of templates) {
    const resources = ((template as { Resources?: Record<string, unknown> }).Resources ?? {}) as Record<
      string,
      { Type?: string; Properties?: Record<string, unknown> }
    >;
    for (const [logicalId, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string') {
        // Who may become the cold signer: the ColdSigner role's trust policy (the key policy names the role).
        if (!COLD_SIGNER_ROLE_NAME.test(r.Properties.RoleName)) continue;
        const trust = (r.Properties.AssumeRolePolicyDocument ?? {}) as { Statement?: Array<Record<string, unknown>> };
        out.push({ stack, logicalId, purpose: 'cold', type: 'AWS::IAM::Role trust policy', statements: rows(trust) });
        continue;
      }
      if (r.Type !== 'AWS::KMS::Key' && r.Type !== 'AWS::KMS::ReplicaKey') continue;
      const tags = (r.Properties?.Tags ?? []) as Array<{ Key: string; Value: unknown }>;
      const purpose = tags.find((t) => t.Key === 'wallet:key-purpose')?.Value;
      if (typeof purpose !== 'string' || !(REVIEWED_KEY_PURPOSES as readonly string[]).includes(purpose)) continue;
      const policy = (r.Properties?.KeyPolicy ?? {}) as { Statement?: Array<Record<string, unknown>> };
      out.push({ stack, logicalId, purpose, type: r.Type, statements: rows(policy) });
    }
  }
  return out.sort((a, b) => a.purpose.localeCompare(b.purpose) || a.stack.localeCompare(b.stack));
}

/** Every acknowledgement in the tree, with its reason and owner. */
export function collectAcknowledgements(scope: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const construct of scope.node.findAll()) {
    const owners: Record<string, string> = {};
    for (const entry of construct.node.metadata) {
      if (entry.type === ACK_OWNER_METADATA) Object.assign(owners, entry.data as Record<string, string>);
    }
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rawId, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = rawId.replace(/^annotation::/i, '');
        out.push({ path: construct.node.path, id, reason, owner: owners[id] ?? 'unassigned' });
      }
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.id.localeCompare(b.id));
}

/**
 * Runs a cdk-nag pack over the app, counting every rule's verdict on every resource. The pack's
 * own evaluation (with acknowledgements) decides what is unacknowledged; the tally re-evaluates
 * each rule to count compliant / not-applicable results, which packs do not report.
 */
export function evaluatePack(pack: NagPack, app: IConstruct): PackResult {
  const tallies = new Map<string, RuleTally>();
  const packName = (pack as unknown as { packName: string }).packName;
  const original = (pack as unknown as { applyRule: (p: ApplyParams) => void }).applyRule.bind(pack);
  (pack as unknown as { applyRule: (p: ApplyParams) => void }).applyRule = (params: ApplyParams) => {
    const id = `${packName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    const tally = tallies.get(id) ?? { rule: id, compliant: 0, nonCompliant: 0, notApplicable: 0, acknowledged: 0 };
    tallies.set(id, tally);
    let result: unknown;
    try {
      result = params.rule(params.node);
    } catch {
      result = NagRuleCompliance.NON_COMPLIANT;
    }
    if (result === NagRuleCompliance.COMPLIANT) tally.compliant++;
    else if (result === NagRuleCompliance.NOT_APPLICABLE) tally.notApplicable++;
    else tally.nonCompliant++;
    original(params);
  };
  const report = pack.validateScope(app);
  const unacknowledged = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: (r as { constructPath?: string }).constructPath ?? '?',
    })),
  );
  for (const tally of tallies.values()) {
    const open = unacknowledged.filter((u) => u.rule === tally.rule || u.rule.startsWith(`${tally.rule}[`)).length;
    tally.acknowledged = Math.max(0, tally.nonCompliant - open);
  }
  return { pack: pack.name, rules: [...tallies.values()].sort((a, b) => a.rule.localeCompare(b.rule)), unacknowledged };
}

interface ApplyParams {
  ruleSuffixOverride?: string;
  rule: ((node: CfnResource) => unknown) & { name: string };
  node: CfnResource;
}

/**
 * Runs a CDK policy-validation plugin (cfn-guard) over the synthesized templates and applies the
 * app's acknowledgements the way CDK does at synth (`<plugin>::<rule>` on the resource or a parent).
 */
export function evaluatePlugin(plugin: IPolicyValidationPluginBeta1, app: App, assemblyDir: string): PackResult {
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const templatePaths = stacks.map((s) => path.join(assemblyDir, s.templateFile));
  const report = plugin.validate({ templatePaths, appConstruct: app } as Parameters<
    IPolicyValidationPluginBeta1['validate']
  >[0]);
  const pathOf = new Map<string, string>();
  for (const file of templatePaths) {
    const template = JSON.parse(readFileSync(file, 'utf8')) as {
      Resources: Record<string, { Metadata?: Record<string, string> }>;
    };
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      const cdkPath = r.Metadata?.['aws:cdk:path'];
      if (cdkPath !== undefined) pathOf.set(`${file}#${logicalId}`, cdkPath.replace(/\/(Resource|Default)$/, ''));
    }
  }
  const acks = collectAcknowledgements(app);
  const tallies = new Map<string, RuleTally>();
  const unacknowledged: Array<{ rule: string; path: string }> = [];
  for (const violation of report.violations) {
    const id = `${plugin.name}::${violation.ruleName}`;
    const tally = tallies.get(id) ?? { rule: id, compliant: 0, nonCompliant: 0, notApplicable: 0, acknowledged: 0 };
    tallies.set(id, tally);
    for (const r of violation.violatingResources) {
      tally.nonCompliant++;
      const where = pathOf.get(`${r.templatePath}#${r.resourceLogicalId}`) ?? r.resourceLogicalId;
      const acked = acks.some((a) => a.id === id && (where === a.path || where.startsWith(`${a.path}/`)));
      if (acked) tally.acknowledged++;
      else unacknowledged.push({ rule: id, path: where });
    }
  }
  for (const ruleId of plugin.ruleIds ?? []) {
    const id = `${plugin.name}::${ruleId}`;
    if (!tallies.has(id))
      tallies.set(id, { rule: id, compliant: 0, nonCompliant: 0, notApplicable: 0, acknowledged: 0 });
  }
  return {
    pack: plugin.name,
    rules: [...tallies.values()].sort((a, b) => a.rule.localeCompare(b.rule)),
    unacknowledged,
  };
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Renders the one page a reviewer reads. */
export function renderReview(review: SecurityReview): string {
  const lines: string[] = [];
  lines.push('# Security review', '');
  lines.push(
    `Generated by \`npm run security-report\` from ${review.generatedFrom}. Do not edit by hand; CI fails when it is out of date.`,
    '',
  );
  const totalOpen = review.packs.reduce((n, p) => n + p.unacknowledged.length, 0);
  lines.push(
    totalOpen === 0
      ? '**Result: no unacknowledged finding.** Every finding below was reviewed and acknowledged with a reason.'
      : `**Result: ${totalOpen} unacknowledged finding(s): synth fails until they are fixed or acknowledged.**`,
    '',
  );
  lines.push('## Packs', '');
  lines.push('| Pack | Rules | Checks run | Compliant | Not applicable | Findings | Acknowledged | Open |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of review.packs) {
    const sum = (k: 'compliant' | 'nonCompliant' | 'notApplicable' | 'acknowledged') =>
      p.rules.reduce((n, r) => n + r[k], 0);
    const checks = sum('compliant') + sum('nonCompliant') + sum('notApplicable');
    lines.push(
      `| ${p.pack} | ${p.rules.length} | ${checks} | ${sum('compliant')} | ${sum('notApplicable')} | ${sum('nonCompliant')} | ${sum('acknowledged')} | ${p.unacknowledged.length} |`,
    );
  }
  lines.push(
    '',
    'cfn-guard (Control Tower rules) reports only failing resources, so its compliant and not-applicable counts are 0.',
    '',
  );
  if ((review.keyPolicies ?? []).length > 0) {
    lines.push('## Key policies of the keys that sign', '');
    lines.push(
      'Each copy of the hot signing key and of the cold key (`security.coldKey`), and the trust policy of the one role the cold key lets sign (`ColdSigner`), statement by statement, as synthesized. The request-by-request tests are test/constructs/keys.suite.ts and test/constructs/cold-key.suite.ts.',
      '',
    );
    for (const k of review.keyPolicies ?? []) {
      lines.push(`### ${k.purpose}: \`${k.stack}/${k.logicalId}\` (${k.type})`, '');
      lines.push('| Sid | Effect | Actions | Principal | Condition |', '| --- | --- | --- | --- | --- |');
      for (const st of k.statements) {
        lines.push(
          `| ${esc(st.sid)} | ${st.effect} | ${esc(st.actions)} | \`${esc(st.principal)}\` | ${st.condition === '' ? '' : `\`${esc(st.condition)}\``} |`,
        );
      }
      lines.push('');
    }
  }
  lines.push(`## Acknowledged findings (${review.acknowledgements.length})`, '');
  lines.push('| Resource | Rule | Reason | Owner |');
  lines.push('| --- | --- | --- | --- |');
  for (const a of review.acknowledgements) {
    lines.push(`| \`${esc(a.path)}\` | \`${esc(a.id)}\` | ${esc(a.reason)} | ${esc(a.owner)} |`);
  }
  if (totalOpen > 0) {
    lines.push('', '## Open findings', '', '| Pack | Rule | Resource |', '| --- | --- | --- |');
    for (const p of review.packs)
      for (const u of p.unacknowledged) lines.push(`| ${p.pack} | \`${u.rule}\` | \`${u.path}\` |`);
  }
  lines.push('', '## Rules evaluated', '');
  for (const p of review.packs) {
    lines.push(`<details><summary>${p.pack}: ${p.rules.length} rules</summary>`, '');
    lines.push(
      '| Rule | Compliant | Not applicable | Findings | Acknowledged |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const r of p.rules)
      lines.push(`| \`${r.rule}\` | ${r.compliant} | ${r.notApplicable} | ${r.nonCompliant} | ${r.acknowledged} |`);
    lines.push('', '</details>', '');
  }
  return lines.join('\n');
}
