import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { buildTestWallet } from '../helpers/app';

/**
 * The one test that bundles the Lambda handlers for real with esbuild (every other test skips
 * bundling for speed): the primary stack's functions must produce real, small assets.
 */
test('the primary stack bundles every Lambda handler with esbuild into a small asset', () => {
  // Prepare: bundle only the primary stack's assets
  const wallet = buildTestWallet(undefined, { bundle: true });
  // Act
  const assembly = wallet.app.synth();
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
}, 180000);
