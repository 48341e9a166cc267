/**
 * Builds the client library's package (client/package.json "exports"): one ESM and one CommonJS
 * bundle with esbuild, and type declarations with tsc against the DOM library and no Node types
 * (client/tsconfig.json), so a browser or worker app can use it as well as Node.js 20+.
 *
 *   npm run build:client      # writes client/dist/ (not committed)
 *
 * test/client/bundle.test.ts bundles with the same options and checks what the bundle holds.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { build, BuildOptions } from 'esbuild';

const ROOT = path.join(__dirname, '..');
export const CLIENT_ENTRY = path.join(ROOT, 'client', 'index.ts');
export const CLIENT_DIST = path.join(ROOT, 'client', 'dist');

/**
 * `platform: 'neutral'`: esbuild assumes no Node built-ins, so an import of `node:*` (or of any
 * package, since nothing is external) fails the build instead of shipping.
 */
export const CLIENT_BUNDLE_OPTIONS = {
  entryPoints: [CLIENT_ENTRY],
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

async function main(): Promise<void> {
  await build({ ...CLIENT_BUNDLE_OPTIONS, format: 'esm', outfile: path.join(CLIENT_DIST, 'index.mjs') });
  await build({ ...CLIENT_BUNDLE_OPTIONS, format: 'cjs', outfile: path.join(CLIENT_DIST, 'index.cjs') });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'client/tsconfig.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error(`tsc -p client/tsconfig.json failed (${tsc.status})`);
  console.log(`client package built in ${path.relative(ROOT, CLIENT_DIST)}/`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
