/**
 * Writes the security review a reviewer reads instead of JSON: every pack and rule evaluated,
 * the counts, and every acknowledged finding with its resource, rule, reason and owner.
 *
 *   npm run security-report                       # example config -> docs/security-review.md
 *   npm run security-report -- -c config/prod.json --out cdk.out/security-review.md
 *   npm run security-report -- --check            # exit 1 if docs/security-review.md is stale
 *
 * Exits 1 when any finding is unacknowledged (the same condition that fails `cdk synth`).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App } from 'aws-cdk-lib';
import { buildWalletApp } from '../lib/app';
import { loadConfigFile, resolveConfigPath } from '../lib/config/load';
import { nagPacks } from '../lib/security/nag';
import {
  collectAcknowledgements,
  evaluatePack,
  evaluatePlugin,
  keyPolicySummaries,
  renderReview,
} from '../lib/security/review';

const ROOT = path.join(__dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): number {
  const configPath = resolveConfigPath(arg('-c') ?? arg('--config'), ROOT);
  const out = path.resolve(ROOT, arg('--out') ?? 'docs/security-review.md');
  const outdir = mkdtempSync(path.join(tmpdir(), 'wallet-security-'));
  try {
    const context = (
      JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
    ).context;
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { ...context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    });
    buildWalletApp(app, loadConfigFile(configPath), { validation: false });
    const assembly = app.synth();
    const packs = [
      ...nagPacks(app).map((p) => evaluatePack(p, app)),
      evaluatePlugin(new CfnGuardValidator(), app, assembly.directory),
    ];
    const markdown =
      renderReview({
        generatedFrom: `\`${path.relative(ROOT, configPath)}\``,
        packs,
        acknowledgements: collectAcknowledgements(app),
        keyPolicies: keyPolicySummaries(
          assembly.stacks.map((st) => ({ stack: st.stackName, template: st.template as unknown })),
        ),
      }) + '\n';
    const open = packs.reduce((n, p) => n + p.unacknowledged.length, 0);
    if (process.argv.includes('--check')) {
      const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
      if (current !== markdown) {
        console.error(
          `security-report: ${path.relative(ROOT, out)} is out of date; run 'npm run security-report' and commit it.`,
        );
        return 1;
      }
      console.log(`security-report: ${path.relative(ROOT, out)} is up to date (${open} open findings).`);
    } else {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, markdown);
      console.log(`security-report: wrote ${path.relative(ROOT, out)} (${packs.length} packs, ${open} open findings).`);
    }
    return open > 0 ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

process.exitCode = main();
