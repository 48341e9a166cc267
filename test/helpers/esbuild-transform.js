const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

/**
 * Jest transform for the project's TypeScript: esbuild's transformSync, one file at a time, in
 * place of ts-jest. Type checking is not its job: `npm run typecheck` (tsc --noEmit) runs in CI.
 *
 * Why: on a cold cache (a fresh clone, as in CI) ts-jest's transpileModule took about 21 s of CPU
 * for the project's 572 .ts files on this machine type; esbuild takes about 1.2 s (see
 * docs/benchmarks.md, "The 60 s test-suite target").
 *
 * What keeps the output equivalent to ts-jest with this tsconfig (isolatedModules: ts-jest already
 * compiled each file alone, without types):
 * - the compiler options that change emitted code are read from tsconfig.json (target ES2022, so
 *   class fields keep define semantics as tsc emits them; esModuleInterop);
 * - CommonJS output, as tsconfig's `module: commonjs`;
 * - `import()` becomes `Promise.resolve().then(() => require(...))`, as tsc emits it for CommonJS:
 *   jest runs tests in vm contexts where a native dynamic import needs --experimental-vm-modules;
 * - no test relies on babel-jest's hoisting of `jest.mock` (the project has no jest.mock calls:
 *   test/helpers/esbuild-transform.test.ts keeps it that way, since esbuild would not hoist one).
 * Source maps go back to jest, so stack traces and coverage name the .ts lines.
 */
const ROOT = path.join(__dirname, '..', '..');
const SELF = readFileSync(__filename);

function compilerOptions(tsconfigPath) {
  const parsed = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  const o = parsed.compilerOptions ?? {};
  // Only the options esbuild reads that change the emitted code.
  return {
    target: o.target,
    useDefineForClassFields: o.useDefineForClassFields,
    esModuleInterop: o.esModuleInterop,
    experimentalDecorators: o.experimentalDecorators,
    verbatimModuleSyntax: o.verbatimModuleSyntax,
    preserveValueImports: o.preserveValueImports,
    importsNotUsedAsValues: o.importsNotUsedAsValues,
    jsx: o.jsx,
  };
}

function esbuildTarget(tsTarget) {
  const t = String(tsTarget ?? 'es2022').toLowerCase();
  return t === 'esnext' ? 'esnext' : t;
}

function createTransformer(options = {}) {
  const tsconfigPath = path.resolve(ROOT, options.tsconfig ?? 'tsconfig.json');
  const tsconfigText = readFileSync(tsconfigPath, 'utf8');
  const raw = { compilerOptions: compilerOptions(tsconfigPath) };
  const target = esbuildTarget(raw.compilerOptions.target);
  const configKey = createHash('sha256')
    .update(SELF)
    .update(tsconfigText)
    .update(esbuild.version)
    .update(JSON.stringify(options))
    .digest('hex');
  return {
    canInstrument: false,
    getCacheKey(src, filename) {
      return createHash('sha256').update(configKey).update(filename).update('\0').update(src).digest('hex');
    },
    process(src, filename) {
      const result = esbuild.transformSync(src, {
        loader: filename.endsWith('.tsx') ? 'tsx' : filename.endsWith('.js') ? 'js' : 'ts',
        format: 'cjs',
        platform: 'node',
        target,
        supported: { 'dynamic-import': false },
        tsconfigRaw: raw,
        sourcemap: 'external',
        sourcefile: filename,
        sourcesContent: true,
        logLevel: 'silent',
      });
      return { code: result.code, map: result.map };
    },
  };
}

module.exports = { createTransformer };
