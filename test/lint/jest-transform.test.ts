import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The jest transform is esbuild (test/helpers/esbuild-transform.js), not ts-jest. These tests pin
 * what that swap must keep: nothing relies on hoisting, dynamic import and class fields behave as
 * tsc emits them, and stack traces name the .ts lines.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createTransformer } = require('../helpers/esbuild-transform') as {
  createTransformer(o?: { tsconfig?: string }): {
    process(src: string, filename: string): { code: string; map: string };
    getCacheKey(src: string, filename: string): string;
  };
};

const ROOT = path.join(__dirname, '..', '..');
const transformer = createTransformer({ tsconfig: 'tsconfig.json' });

/** Calls babel-jest would hoist above the imports; esbuild leaves them where they are. */
const HOISTED = /\bjest\s*\.\s*(mock|unmock|enableAutomock|disableAutomock|deepUnmock)\s*\(/;

function hoistedCalls(files: { file: string; text: string }[]): string[] {
  return files.filter((f) => HOISTED.test(f.text)).map((f) => f.file);
}

function sources(dir: string): { file: string; text: string }[] {
  return (readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({
      file: `${dir}/${f.split(path.sep).join('/')}`,
      text: readFileSync(path.join(ROOT, dir, f), 'utf8'),
    }));
}

test('no test or source file calls jest.mock or another call babel-jest would hoist (esbuild does not hoist)', () => {
  const files = ['test', 'lib', 'lambda'].flatMap(sources).filter((f) => f.file !== 'test/lint/jest-transform.test.ts');
  expect(files.length).toBeGreaterThan(100);
  expect(hoistedCalls(files)).toEqual([]);
});

test('fails: the hoisting check finds a jest.mock call', () => {
  const fixture = [
    { file: 'a.test.ts', text: "import { x } from './x';\njest.mock('./x');" },
    { file: 'b.test.ts', text: 'jest.requireActual("./x"); jest.spyOn(o, "m");' },
    { file: 'c.test.ts', text: 'jest . unmock("./y")' },
  ];
  expect(hoistedCalls(fixture)).toEqual(['a.test.ts', 'c.test.ts']);
});

/** Runs transformed code as a CommonJS module and returns its exports. */
function run(src: string): Record<string, unknown> {
  const { code } = transformer.process(src, path.join(ROOT, 'test', 'fixture.ts'));
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

test('class fields keep define semantics (tsconfig target ES2022, as tsc emits them)', () => {
  const out = run(`
    class Base { set v(x: number) { (this as any).setterRan = true; } }
    export class Child extends Base { v = 1; constructor(readonly id: string) { super(); } }
  `);
  const child = new (out.Child as new (id: string) => Record<string, unknown>)('a');
  // Define semantics: the field shadows the setter instead of calling it.
  expect(child).toEqual({ v: 1, id: 'a' });
  expect(child.setterRan).toBeUndefined();
});

test('import() becomes a require, as tsc emits it for CommonJS (a native import needs vm modules)', async () => {
  const out = run(`export const load = () => import('node:path');`);
  expect(transformer.process(`export const load = () => import('node:path');`, 'x.ts').code).not.toMatch(
    /[^.\w]import\(/,
  );
  const loaded = (await (out.load as () => Promise<{ join: unknown; default: unknown }>)()) as {
    join: unknown;
    default: { join: unknown };
  };
  expect(loaded.join).toBe(path.join);
  // esModuleInterop: the default import of a CommonJS module is its module.exports.
  expect(loaded.default.join).toBe(path.join);
});

test('type-only imports are dropped (isolatedModules), so a module that exists only as types is never required', () => {
  expect(() => run(`import { Thing } from './does-not-exist'; export const f = (t: Thing) => t;`)).not.toThrow();
});

test('stack traces name the TypeScript line (source maps reach jest)', () => {
  const line = Number(/jest-transform\.test\.ts:(\d+)/.exec(new Error('here').stack ?? '')?.[1]);
  // The transformed code starts with esbuild's helpers, so without the map the line would be later.
  const source = readFileSync(__filename, 'utf8').split('\n');
  expect(line).toBe(source.findIndex((l) => l.includes("new Error('here')")) + 1);
  expect(line).toBeGreaterThan(1);
});

test('the cache key changes with the source and with the file name', () => {
  const a = transformer.getCacheKey('const a = 1;', '/x/a.ts');
  expect(transformer.getCacheKey('const a = 1;', '/x/a.ts')).toBe(a);
  expect(transformer.getCacheKey('const a = 2;', '/x/a.ts')).not.toBe(a);
  expect(transformer.getCacheKey('const a = 1;', '/x/b.ts')).not.toBe(a);
});
