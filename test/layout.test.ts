import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The README's Layout section lists every folder a newcomer needs, and only folders that exist. */
const ROOT = path.join(__dirname, '..');

function layoutEntries(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme);
  if (section === null) throw new Error('README.md has no "## Layout" section with a code block');
  return section[1]
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(/\s+/)[0]);
}

/** Folders the tools write into a checkout (all gitignored), never part of the Layout. */
const GENERATED = new Set(['node_modules', 'cdk.out', 'coverage', 'drill-reports', 'bench-results']);
const dirs = (rel: string): string[] =>
  readdirSync(path.join(ROOT, rel))
    .filter((e) => !e.startsWith('.') && !GENERATED.has(e))
    .filter((e) => statSync(path.join(ROOT, rel, e)).isDirectory())
    .map((e) => (rel === '' ? `${e}/` : `${rel}/${e}/`));

/** What is wrong with a Layout: entries that are not folders, and folders it leaves out. */
function layoutProblems(entries: readonly string[]): string[] {
  const missing = entries.filter((entry) => {
    try {
      return !statSync(path.join(ROOT, entry)).isDirectory();
    } catch {
      return true;
    }
  });
  const listed = new Set(entries);
  const unlisted = [...dirs(''), ...dirs('lib')].filter((d) => !listed.has(d));
  return [
    ...missing.map((e) => `${e} is listed but is not a folder`),
    ...unlisted.map((d) => `${d} exists but is not listed`),
  ];
}

test('the Layout names every top-level folder and every folder of lib/, and only folders that exist', () => {
  expect(layoutProblems(layoutEntries())).toEqual([]);
});

test('fails a Layout that names a missing folder or leaves one out', () => {
  const wrong = [...layoutEntries().filter((e) => e !== 'lib/drill/'), 'lib/nowhere/'];
  expect(layoutProblems(wrong)).toEqual([
    'lib/nowhere/ is listed but is not a folder',
    'lib/drill/ exists but is not listed',
  ]);
});

test('the folders the Layout check skips are exactly ones git ignores (so nothing real hides behind the skip)', () => {
  const ignored = readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''));
  expect([...GENERATED].filter((name) => !ignored.includes(name))).toEqual([]);
});
