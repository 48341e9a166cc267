import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT, main } from '../../lib/resilience/cli';
import { referenceMonteCarlo } from '../failover/reference-monte-carlo';
import { minimalStacks, writeAssembly } from './templates';

const ROOT = path.join(__dirname, '..', '..');

function run(argv: string[], cwd = ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    argv,
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd },
    { simulator: referenceMonteCarlo() },
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const outDirs: string[] = [];
function tempOut(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wallet-resilience-out-'));
  outDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of outDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test('fails with exit 2 and says to synthesize when there is no cdk.out', () => {
  const r = run(['--cdk-out', path.join(tmpdir(), 'no-such-cdk-out')]);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toContain('no cloud assembly at');
  expect(r.stderr).toContain('run `npm run synth`');
});

test('fails with exit 2 when the DNS stack is missing, naming what is missing', () => {
  const dir = writeAssembly(minimalStacks().filter((s) => s.name !== 'test-wallet-dns'));
  const r = run(['--cdk-out', dir, '--out', tempOut()]);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toContain(
    'no stack output RtoTargetSeconds (targets.rtoSeconds) in test-wallet-primary, test-wallet-standby',
  );
});

test('fails with exit 2 on an unknown option or a bad value, printing the usage', () => {
  expect(run(['--frobnicate']).code).toBe(EXIT.usage);
  const r = run(['--runs', 'many']);
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toContain('--runs must be a whole number of 1 or more; received "many"');
  expect(r.stderr).toContain('Usage: npm run resilience-report');
});

test('exit 0 when every target is met; writes <env>.md and <env>.json; prints the summary table', () => {
  const out = tempOut();
  const r = run(['--cdk-out', writeAssembly(minimalStacks()), '--out', out, '--runs', '500']);
  expect(r.code).toBe(EXIT.ok);
  expect(r.stdout).toContain('RTO worst case  300 s     150 s         met');
  expect(existsSync(path.join(out, 'test.md'))).toBe(true);
  expect(JSON.parse(readFileSync(path.join(out, 'test.json'), 'utf8')).rto.worstCaseSeconds).toBe(150);
});

test('fails with exit 1 when a target is not met, naming the setting to change', () => {
  const dir = writeAssembly(minimalStacks({ rtoTargetSeconds: 120 }));
  const r = run(['--cdk-out', dir, '--out', tempOut(), '--runs', '500']);
  expect(r.code).toBe(EXIT.targetMissed);
  expect(r.stderr).toContain('1 target(s) not met');
  expect(r.stderr).toContain(
    'worst case health check 10 s x 3 = 30 s + switch alarm 60 s + DNS TTL 60 s = 150 s > targets.rtoSeconds 120 s',
  );
  expect(r.stderr).toContain('raise targets.rtoSeconds to 150 or more');
  expect(r.stderr).not.toContain('recordTtlSeconds');
  expect(r.stdout).toContain('NOT MET');
});

test('--json prints only the JSON report on stdout', () => {
  const r = run(['--cdk-out', writeAssembly(minimalStacks()), '--out', tempOut(), '--json', '--runs', '200']);
  expect(r.code).toBe(EXIT.ok);
  const report = JSON.parse(r.stdout);
  expect(report).toMatchObject({ schemaVersion: 1, environment: 'test', rto: { worstCaseSeconds: 150 } });
  expect(r.stderr).toContain('wrote');
});

test('--check exits 3 when the committed report is out of date, and 0 when it matches', () => {
  const dir = writeAssembly(minimalStacks());
  const docs = tempOut();
  expect(run(['--cdk-out', dir, '--out', docs, '--runs', '200']).code).toBe(EXIT.ok);
  expect(run(['--cdk-out', dir, '--check', docs, '--runs', '200']).code).toBe(EXIT.ok);
  writeFileSync(path.join(docs, 'test.md'), 'edited by hand\n');
  const stale = run(['--cdk-out', dir, '--check', docs, '--runs', '200']);
  expect(stale.code).toBe(EXIT.stale);
  expect(stale.stderr).toContain('out of date');
  expect(stale.stderr).toContain(`npm run resilience-report -- --out ${docs}`);
});

test('as a user runs it: the script exits 1 on a missed RPO target and names data.consistency', () => {
  // A config that synthesizes (MREC with an RPO target) but that the templates cannot meet.
  const dir = writeAssembly(minimalStacks({ consistency: 'EVENTUAL', rpoTargetSeconds: 60 }));
  const result = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(ROOT, 'bin', 'resilience-report.ts'),
      '--cdk-out',
      dir,
      '--out',
      tempOut(),
      '--json',
      '--runs',
      '200',
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(result.status).toBe(EXIT.targetMissed);
  expect(JSON.parse(result.stdout).rpo).toMatchObject({ meetsTarget: false, worstSeconds: null });
  expect(result.stderr).toContain('RPO target not met for test-wallet-ledger');
  expect(result.stderr).toContain('set data.consistency to "MRSC"');
});
