import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { CANARY_KINDS, SYNTHETICS_MODULE } from '../../lib/contract/canary';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Each canary bundles into one CommonJS file for the syn-nodejs-5.4 runtime (Node 22), with only
 * the runtime-provided Synthetics library left external. This is the bundle the CDK canary
 * construct should ship as `nodejs/node_modules/index.js` (handler `index.handler`).
 */
test.each(CANARY_KINDS)(
  'the %s canary bundles with only the Synthetics library and node built-ins external',
  async (kind) => {
    // Act
    const result = await build({
      entryPoints: [path.join(ROOT, 'lambda', 'canaries', kind, 'index.ts')],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: [SYNTHETICS_MODULE],
      write: false,
      logLevel: 'silent',
    });

    // Assess: every require() left in the bundle is a node built-in or the Synthetics library
    // (the lookbehind skips SDK error messages that quote `[require("...")]`).
    const text = result.outputFiles[0].text;
    const required = [...text.matchAll(/(?<![[\w.])require\(["']([^"']+)["']\)/g)]
      .map((m) => m[1])
      .filter((p) => !p.startsWith('node:') && !builtinModules.includes(p));
    expect([...new Set(required)]).toEqual([SYNTHETICS_MODULE]);
    expect(text).toMatch(/module\.exports = __toCommonJS/);
    expect(result.warnings).toEqual([]);
  },
);
