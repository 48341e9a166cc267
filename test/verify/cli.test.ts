import * as path from 'node:path';
import { verifyMain, VERIFY_EXIT } from '../../lib/verify/cli';
import { VERIFY_FAULTS } from '../../lib/verify/sim/world';
import { VERIFY_CHECKS } from '../../lib/verify/checks';
import { handshake } from '../../lib/verify/tls';
import { startSimulatedTls } from '../../lib/verify/sim/tls-servers';

const ROOT = path.resolve(__dirname, '../..');

async function verify(argv: string[], credentials?: () => Promise<unknown>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await verifyMain({ argv, cwd: ROOT, out: (s) => out.push(s), err: (s) => err.push(s), credentials });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('every check names the doc it follows', () => {
  for (const c of VERIFY_CHECKS)
    expect([c.id, c.doc]).toEqual([c.id, expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//)]);
});

test('the healthy simulated environment passes every check (exit 0)', async () => {
  const r = await verify(['--target', 'simulated']);
  expect(r.code).toBe(VERIFY_EXIT.ok);
  expect(r.stdout).toContain('all checks passed');
  for (const c of VERIFY_CHECKS) expect(r.stdout).toContain(`PASS  ${c.id}:`);
});

const EXPECTED_FAILURE: Record<(typeof VERIFY_FAULTS)[number], string> = {
  'rotation-off': 'key-rotation',
  'second-signer': 'signing-key-policy',
  'tls10-accepted': 'tls',
  'copy-failed': 'backups',
  'stale-switch': 'switch-recency',
  'cold-extra-signer': 'cold-key-policy',
  'cold-no-mfa': 'cold-key-policy',
  'cold-grant': 'cold-key-policy',
  'cold-no-replica': 'cold-key-policy',
};

test.each(Object.entries(EXPECTED_FAILURE))(
  'fails exactly its check under the fault %s (%s), --json prints one document',
  async (fault, check) => {
    const r = await verify(['--target', 'simulated', '--fault', fault, '--json']);
    expect(r.code).toBe(VERIFY_EXIT.checkFailed);
    const report = JSON.parse(r.stdout) as { ok: boolean; failed: string[] };
    expect(report.ok).toBe(false);
    expect(report.failed).toEqual([check]);
  },
);

test('fails naming the second principal that can sign', async () => {
  const r = await verify(['--target', 'simulated', '--fault', 'second-signer']);
  expect(r.stdout).toMatch(/FAIL .*example-wallet-health-us-east-2: kms:Sign allow .*expected explicit-deny/);
});

// The example config enables security.coldKey: the healthy run above passed cold-key-policy; each
// cold fault names what broke.
test.each([
  [
    'cold-extra-signer',
    /FAIL us-east-2 kms:Sign by arn:aws:iam::111111111111:role\/example-wallet-signer-us-east-2 with MFA: allow \(SignOnlyByColdSignerWithMfa\), expected explicit-deny/,
  ],
  [
    'cold-no-mfa',
    /FAIL us-east-2 kms:Sign by ColdSigner without MFA \(long-term credentials\): allow \(SignOnlyByColdSignerWithMfa\), expected explicit-deny/,
  ],
  [
    'cold-grant',
    /FAIL us-east-2 grants: sim-grant-1 to arn:aws:iam::111111111111:role\/example-wallet-signer-us-east-2 \(Sign\), expected none/,
  ],
  [
    'cold-no-replica',
    /FAIL us-east-2 alias\/example-wallet-cold: multi-region PRIMARY, copies in us-east-2, expected copies in us-east-2 and us-west-2\n.*FAIL us-west-2 alias\/example-wallet-cold: not found/,
  ],
])('fails cold-key-policy under %s, naming what broke', async (fault, line) => {
  const r = await verify(['--target', 'simulated', '--fault', fault]);
  expect(r.code).toBe(VERIFY_EXIT.checkFailed);
  expect(r.stdout).toMatch(line);
});

test('bad input exits 2 with what to pass, never a stack trace', async () => {
  const unknownEnv = await verify(['-c', 'no-such-env', '--target', 'simulated']);
  expect(unknownEnv.code).toBe(VERIFY_EXIT.usage);
  expect(unknownEnv.stderr).toContain('config/no-such-env.json');
  expect(unknownEnv.stderr).toContain('pass -c <name>');
  const badTarget = await verify(['--target', 'moon']);
  expect(badTarget.code).toBe(VERIFY_EXIT.usage);
  expect(badTarget.stderr).toContain('--target must be "aws" or "simulated"; received "moon"');
  const badFault = await verify(['--target', 'simulated', '--fault', 'meteor']);
  expect(badFault.stderr).toContain('--fault must be one of');
  for (const r of [unknownEnv, badTarget, badFault]) expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('no credentials: exit 2 naming what is needed', async () => {
  const r = await verify([], () => Promise.reject(new Error('Could not load credentials from any providers')));
  expect(r.code).toBe(VERIFY_EXIT.usage);
  expect(r.stderr).toContain('no AWS credentials for account 111111111111');
  expect(r.stderr).toContain('AWS_PROFILE');
  expect(r.stderr).toContain('kms:GetKeyRotationStatus');
  expect(r.stderr).toContain('kms:ListGrants');
});

test('the TLS probe does a real handshake per version against loopback servers', async () => {
  const sim = await startSimulatedTls(['strict.test', 'legacy.test'], ['legacy.test']);
  try {
    expect(await handshake(sim.endpoint('strict.test'), 'TLSv1')).toBe(false);
    expect(await handshake(sim.endpoint('strict.test'), 'TLSv1.2')).toBe(true);
    expect(await handshake(sim.endpoint('strict.test'), 'TLSv1.3')).toBe(true);
    expect(await handshake(sim.endpoint('legacy.test'), 'TLSv1')).toBe(true);
  } finally {
    await sim.close();
  }
});
