import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The CLI as a user runs it: the bin (its shebang), `npm run drill`, real exit codes, real SIGINT.
 * Slower than the in-process tests (each spawn starts tsx), so only the paths a user depends on.
 */
const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'drill.ts');
const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined } as NodeJS.ProcessEnv;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'drill-spawn-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the bin runs through its shebang: plan --target simulated exits 0', () => {
  const r = spawnSync(BIN, ['plan', '--target', 'simulated'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toContain('wallet-drill: unexpected error');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('Ready. Run it with: wallet-drill failover --execute');
});

test('npm run drill -- failover --execute --yes --target simulated --json: exit 0, the timeline and the measured RTO', () => {
  const r = spawnSync(
    'npm',
    [
      'run',
      '--silent',
      'drill',
      '--',
      'failover',
      '--execute',
      '--yes',
      '--target',
      'simulated',
      '--json',
      '--report-dir',
      dir,
    ],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
  );
  expect(r.status).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc.timeline.map((e: { id: string }) => e.id)).toEqual([
    'lease-moved',
    'switch-thrown',
    'route53-changed',
    'dns-changed',
    'canary-green',
  ]);
  expect(typeof doc.measurements.rtoSeconds).toBe('number');
  expect(doc.passed).toBe(true);
});

test('--execute from a script without --yes exits 2 and explains', () => {
  const r = spawnSync(BIN, ['failback', '--execute', '--target', 'simulated'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    input: '',
    timeout: 60_000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(
    'refusing to failback without confirmation: stdin is not a terminal and --yes was not given',
  );
});

// --speed 100: with the example's 5 s TTL a planned drill takes about 40 virtual seconds, so 100x leaves
// time (0.4 s real) to press Ctrl-C after the switch is thrown.
test('a real Ctrl-C (SIGINT to the process group) mid-drill restores and exits 3', async () => {
  const child = spawn(
    BIN,
    ['failover', '--execute', '--yes', '--target', 'simulated', '--speed', '100', '--report-dir', dir],
    {
      cwd: ROOT,
      env,
      detached: true, // its own process group, like a terminal job
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const thrown = new Promise<void>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('switch thrown')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await thrown;
  process.kill(-child.pid!, 'SIGINT');
  const code = await exited;
  expect(err).toContain('Ctrl-C: stopping and restoring');
  expect(out).toContain('ABORTED (restored)');
  expect(out).toContain('everything the drill changed was put back and verified (exit 3)');
  // The bin runs node directly (no wrapper process), so the exit code is the drill's own.
  expect(code).toBe(3);
}, 90_000);
