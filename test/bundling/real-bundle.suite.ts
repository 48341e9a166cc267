import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CANARY_SCRIPT_PATH } from '../../lib/constructs/canary-code';
import { SYNTHETICS_MODULE } from '../../lib/contract/canary';
import { buildTestWallet } from '../helpers/app';

/**
 * The one test that bundles the Lambda handlers for real with esbuild (every other test skips
 * bundling for speed): the primary stack's functions must produce real, small assets.
 */
let assembly: CloudAssembly;
beforeAll(() => {
  // Prepare + Act: bundle for real (this file only), the primary stack only: the standby stack
  // bundles the same entries with the same options (the asset hashes are equal).
  assembly = buildTestWallet(undefined, { bundle: ['example-wallet-primary'] }).app.synth();
}, 180000);

test('the primary stack bundles every Lambda handler with esbuild into a small asset', () => {
  // Assess
  const template = JSON.parse(
    readFileSync(path.join(assembly.directory, 'example-wallet-primary.template.json'), 'utf8'),
  ) as {
    Resources: Record<
      string,
      { Type: string; Properties: { Code?: { S3Key?: string }; Handler?: string }; Metadata?: Record<string, string> }
    >;
  };
  const functions = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path'],
  );
  expect(functions.length).toBeGreaterThanOrEqual(3);
  for (const fn of functions) {
    const dir = path.join(assembly.directory, fn.Metadata!['aws:asset:path']);
    const bundle = path.join(dir, 'index.js');
    expect([fn.Metadata!['aws:cdk:path'], existsSync(bundle)]).toEqual([fn.Metadata!['aws:cdk:path'], true]);
    const kb = statSync(bundle).size / 1024;
    // Handlers stay far below the 500 KB target (the SDK v3 is provided by the Lambda runtime).
    expect(kb).toBeLessThan(500);
    expect(readdirSync(dir).some((f) => f.startsWith('index.js'))).toBe(true);
  }
});

test('each canary is one CommonJS bundle at nodejs/node_modules/index.js that needs only the Synthetics library', () => {
  // Assess: the canary code assets named by the primary template's canaries
  const template = JSON.parse(
    readFileSync(path.join(assembly.directory, 'example-wallet-primary.template.json'), 'utf8'),
  ) as { Resources: Record<string, { Type: string; Properties: { Name?: string; Code?: { S3Key?: string } } }> };
  const canaries = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Synthetics::Canary');
  expect(canaries.map((c) => c.Properties.Name).sort()).toEqual([
    'example-wallet-deep-health',
    'example-wallet-public-name',
    'example-wallet-transaction',
  ]);
  for (const canary of canaries) {
    const hash = canary.Properties.Code!.S3Key!.replace(/\.zip$/, '');
    const script = path.join(assembly.directory, `asset.${hash}`, CANARY_SCRIPT_PATH);
    expect([canary.Properties.Name, existsSync(script)]).toEqual([canary.Properties.Name, true]);
    const text = readFileSync(script, 'utf8');
    // Every require() left is a node built-in or the runtime's Synthetics library (the lookbehind
    // skips SDK error messages that quote `[require("...")]`).
    const required = [...text.matchAll(/(?<![[\w.])require\(["']([^"']+)["']\)/g)]
      .map((m) => m[1])
      .filter((p) => !p.startsWith('node:') && !builtinModules.includes(p));
    expect([canary.Properties.Name, [...new Set(required)]]).toEqual([canary.Properties.Name, [SYNTHETICS_MODULE]]);
    expect(text).toMatch(/module\.exports = __toCommonJS/);
  }
});
