import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { exitCodeFor, parseArgs } from '../../bin/rehearsal/cli';

/**
 * `npm run chain-rehearsal -- --json` end to end: the CLI starts its own Hardhat node and
 * moto_server, runs a small rehearsal with every fault injected and both lease moves, prints the
 * JSON report and exits 0 only when every safety count is zero.
 */
const ROOT = path.resolve(__dirname, '..', '..');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/chain-rehearsal.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--json --requests 8: every field, all four faults active, zero safety counts, exit 0', async () => {
  // Act
  const { code, stdout, stderr } = await run(['--json', '--requests', '8']);
  // Assess
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(stdout) as Record<string, unknown> & {
    injections: Array<{ name: string; active: boolean }>;
    requestToMinedMs: { p50: number; p95: number };
    leaseMoves: Array<{ kind: string }>;
  };
  expect(report).toMatchObject({
    requests: 8,
    accepted: 8,
    mined: 8,
    confirmed: 8,
    duplicates: 0,
    nonceGaps: 0,
    unminedAccepted: 0,
    badSignatures: 0,
    ok: true,
  });
  for (const field of ['replacements', 'reorgRecoveries', 'providerFailovers', 'rebroadcasts']) {
    expect(typeof report[field]).toBe('number');
  }
  expect(report.providerFailovers).toBeGreaterThanOrEqual(1);
  // the fee spike after broadcast is replaced: at least one transaction with two variants, the
  // replacement mined and the first marked replaced (the chain audit above found each mined once)
  expect(report.replacements).toBeGreaterThanOrEqual(1);
  const replaced = report.replaced as Array<{
    minedTxHash?: string;
    variants: Array<{ index: number; transactionHash: string; replaced: boolean }>;
  }>;
  expect(replaced.length).toBeGreaterThanOrEqual(1);
  for (const t of replaced) {
    expect(t.variants.length).toBeGreaterThanOrEqual(2);
    expect(t.variants.filter((v) => !v.replaced).map((v) => v.transactionHash)).toEqual([t.minedTxHash]);
  }
  expect(replaced.reduce((n, t) => n + t.variants.length - 1, 0)).toBe(report.replacements);
  expect(report.reorgRecoveries).toBeGreaterThanOrEqual(1);
  expect(report.requestToMinedMs.p50).toBeGreaterThan(0);
  expect(report.requestToMinedMs.p95).toBeGreaterThanOrEqual(report.requestToMinedMs.p50);
  expect(report.leaseMoves.map((m) => m.kind)).toEqual(['planned', 'partitioned']);
  expect(report.injections.map((i) => [i.name, i.active])).toEqual([
    ['fee-spike', true],
    ['dropped-tx', true],
    ['reorg', true],
    ['provider-down', true],
  ]);
}, 120000);

test('exit code: non-zero when any safety count is not zero', () => {
  const clean = { duplicates: 0, nonceGaps: 0, unminedAccepted: 0, badSignatures: 0 };
  expect(exitCodeFor(clean)).toBe(0);
  for (const k of Object.keys(clean)) expect(exitCodeFor({ ...clean, [k]: 1 })).toBe(1);
});

test('bad arguments: every problem named, with the value received', () => {
  expect(parseArgs(['--requests', 'many', '--wallets', '0', '--bogus'])).toEqual({
    problems: [
      '--requests must be a whole number from 8 to 10000; received many',
      '--wallets must be a whole number from 1 to 20; received 0',
      'unknown argument "--bogus"; use --json, --requests N, --wallets N, --no-faults',
    ],
  });
});
