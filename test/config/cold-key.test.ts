import { ConfigError, validateConfig } from '../../lib/config/validate';
import { rawConfig } from '../helpers/config';

/** The `security.coldKey` section (issue 21, docs/cold-key.md). */
function problemsOf(raw: unknown): ConfigError['problems'] {
  try {
    validateConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

const OFFICERS = 'arn:aws:iam::111111111111:role/TreasuryOfficers';
// The example config has a cold key: each case replaces the section whole (undefined removes a key
// in rawConfig's merge), so no field of the example's leaks into it.
const withColdKey = (coldKey: unknown) => {
  const raw = rawConfig({ security: { coldKey: undefined } }) as { security: Record<string, unknown> };
  raw.security.coldKey = coldKey;
  return raw;
};

describe('security.coldKey config', () => {
  test('absent: no cold key (an external cold signer)', () => {
    const config = validateConfig(rawConfig({ security: { coldKey: undefined } }));
    expect(config.security.coldKey).toBeUndefined();
  });

  test('the example config has the cold key on (so the synth, the snapshots and the security review show it)', () => {
    expect(validateConfig(rawConfig()).security.coldKey).toEqual({
      enabled: true,
      signerPrincipalArns: [OFFICERS],
      maxSessionSeconds: 3600,
    });
  });

  test('enabled with a role and a user: accepted, with the default session age of one hour', () => {
    const config = validateConfig(
      withColdKey({ enabled: true, signerPrincipalArns: [OFFICERS, 'arn:aws:iam::111111111111:user/ops/alice'] }),
    );
    expect(config.security.coldKey).toEqual({
      enabled: true,
      signerPrincipalArns: [OFFICERS, 'arn:aws:iam::111111111111:user/ops/alice'],
      maxSessionSeconds: 3600,
    });
  });

  test('disabled: no principals needed', () => {
    expect(validateConfig(withColdKey({ enabled: false })).security.coldKey).toMatchObject({ enabled: false });
  });

  test('fails with every problem at once, each naming the field, the value and the fix', () => {
    const problems = problemsOf(
      withColdKey({
        enabled: true,
        signerPrincipalArns: [
          'arn:aws:iam::222222222222:role/TreasuryOfficers',
          'arn:aws:iam::111111111111:root',
          'arn:aws:iam::111111111111:group/Treasury',
          'arn:aws:sts::111111111111:assumed-role/TreasuryOfficers/alice',
          'arn:aws:iam::111111111111:role/*',
          'arn:aws:iam::111111111111:role/example-wallet-signer-us-east-2',
          'arn:aws:iam::111111111111:role/WalletBreakGlass',
          OFFICERS,
          OFFICERS,
        ],
        maxSessionSeconds: 60,
      }),
    );
    const at = (i: number) => problems.filter((p) => p.path === `security.coldKey.signerPrincipalArns.${i}`);
    expect(at(0)).toEqual([
      expect.objectContaining({
        message: 'is in account 222222222222, not the wallet account 111111111111',
        received: 'arn:aws:iam::222222222222:role/TreasuryOfficers',
      }),
    ]);
    expect(at(1)[0].message).toMatch(/names a whole account/);
    expect(at(1)[0].fix).toMatch(/IAM users or role/);
    expect(at(2)[0]).toMatchObject({ message: expect.stringMatching(/not an IAM user or role ARN/) });
    expect(at(3)[0]).toMatchObject({ message: expect.stringMatching(/role session/) });
    expect(at(4)[0]).toMatchObject({ message: expect.stringMatching(/not an IAM user or role ARN/) });
    expect(at(5)[0]).toMatchObject({
      message: expect.stringMatching(/this wallet's own roles/),
      received: 'arn:aws:iam::111111111111:role/example-wallet-signer-us-east-2',
    });
    expect(at(6)[0]).toMatchObject({ message: expect.stringMatching(/break-glass/) });
    expect(at(7)).toEqual([]);
    expect(at(8)[0]).toMatchObject({ message: 'repeats security.coldKey.signerPrincipalArns.7', received: OFFICERS });
    expect(problems.find((p) => p.path === 'security.coldKey.maxSessionSeconds')).toMatchObject({
      message: "must be at least 900 (AssumeRole's shortest session)",
      received: 60,
    });
    for (const p of problems) expect(p.fix.length).toBeGreaterThan(10);
  });

  test('fails when enabled with nobody to assume the role', () => {
    for (const coldKey of [{ enabled: true }, { enabled: true, signerPrincipalArns: [] }]) {
      expect(problemsOf(withColdKey(coldKey))).toEqual([
        expect.objectContaining({
          path: 'security.coldKey.signerPrincipalArns',
          message: expect.stringMatching(/is empty/),
          fix: expect.stringMatching(/enabled to false/),
        }),
      ]);
    }
  });

  test('fails on a session longer than IAM allows and on unknown fields', () => {
    const problems = problemsOf(
      withColdKey({ enabled: true, signerPrincipalArns: [OFFICERS], maxSessionSeconds: 86400, mfa: 'yes' }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual(
      expect.arrayContaining([
        ['security.coldKey.maxSessionSeconds', "must be at most 43200 (IAM's longest role session)"],
        ['security.coldKey', 'has unknown field "mfa"'],
      ]),
    );
  });
});
