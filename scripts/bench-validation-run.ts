/**
 * One in-process synth of the example app, with or without the validation plugins (every cdk-nag
 * pack, the Wallet pack and cfn-guard), for `npm run bench -- validation`. Prints milliseconds.
 * Bundling is skipped in both modes so the difference is the validation alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildWalletApp } from '../lib/app';
import { loadConfigFile } from '../lib/config/load';

const ROOT = path.join(__dirname, '..');
const mode = process.argv[2];
if (mode !== 'on' && mode !== 'off') {
  console.error(`usage: tsx scripts/bench-validation-run.ts on|off; received ${JSON.stringify(mode)}`);
  process.exit(2);
}
const context = (JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;
const outdir = mkdtempSync(path.join(tmpdir(), 'wallet-bench-'));
const start = process.hrtime.bigint();
const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
buildWalletApp(app, loadConfigFile(path.join(ROOT, 'config', 'example.json')), { validation: mode === 'on' });
app.synth();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
rmSync(outdir, { recursive: true, force: true });
console.log(Math.round(ms));
