import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';

/** Where @cdklabs/cdk-validator-cfnguard ships the Control Tower guard rules. */
export const CONTROL_TOWER_RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

function guardFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? guardFiles(full) : full.endsWith('.guard') ? [full] : [];
  });
}

/**
 * The Control Tower rule files that can apply to templates with these resource types: every rule
 * file that names one of the types, plus any file that names no type at all. A rule about a type
 * the app does not have can never report a finding; skipping it cuts cfn-guard's run time, and a
 * new resource type brings its rules in automatically.
 */
export function applicableControlTowerRules(
  resourceTypes: ReadonlySet<string>,
  rulesDir = CONTROL_TOWER_RULES_DIR,
): string[] {
  return guardFiles(rulesDir)
    .filter((file) => {
      const types = new Set(readFileSync(file, 'utf8').match(/"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+"/g) ?? []);
      return types.size === 0 || [...types].some((t) => resourceTypes.has(t.slice(1, -1)));
    })
    .sort();
}

/**
 * cfn-guard with the Control Tower rules, selected at validation time from the resource types of
 * the synthesized templates (so resources added during synthesis count too). Reports under the
 * same plugin name as CfnGuardValidator, so acknowledgements (`cdk-validator-cfnguard::<rule>`)
 * are unchanged.
 */
export class ControlTowerGuard implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public readonly version?: string;

  constructor(private readonly rulesDir = CONTROL_TOWER_RULES_DIR) {
    const probe = new CfnGuardValidator({ controlTowerRulesEnabled: false });
    this.name = probe.name;
    this.version = probe.version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const types = new Set<string>();
    for (const file of context.templatePaths) {
      const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type: string }> };
      for (const r of Object.values(template.Resources ?? {})) types.add(r.Type);
    }
    const rules = applicableControlTowerRules(types, this.rulesDir);
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }).validate(context);
  }
}
