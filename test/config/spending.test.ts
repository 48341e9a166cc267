import { runtimeSpendingPolicy } from '../../lib/config/spending';
import { ConfigError, validateConfig } from '../../lib/config/validate';
import { SPENDING_POLICY_MAX_BYTES } from '../../lib/contract/policy';
import { parseSpendingPolicy } from '../../lambda/shared/policy/runtime';
import { rawConfig } from '../helpers/config';

function problemsOf(raw: unknown): ConfigError['problems'] {
  try {
    validateConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

const cold = {
  coldAddress: '0xC01DC01DC01DC01DC01DC01DC01DC01DC01DC01D',
  floatCeilingWei: '10000000000000000000',
  sweepWalletId: 'w-sweep',
  minimumSweepWei: '100000000000000000',
};

const payouts = {
  outgoing: 'allowed',
  perTransactionWei: '1000',
  velocity: [{ window: '1h', limitWei: '2500' }],
};

describe('config: spending', () => {
  test('absent, every wallet is deposit-only with a 48 h allowlist time lock', () => {
    const config = validateConfig(rawConfig({ spending: undefined }));
    const runtime = runtimeSpendingPolicy(config.spending);
    expect(runtime.default.outgoing).toBe('deposit-only');
    expect(runtime.wallets).toEqual({});
    expect(runtime.allowlistTimeLockHours).toBe(48);
    expect(runtime.approvals).toBeUndefined();
  });

  test('the example policy is valid and becomes a runtime document the Lambdas accept', () => {
    const config = validateConfig(rawConfig());
    const runtime = runtimeSpendingPolicy(config.spending);
    expect(runtime.wallets['w-payouts']).toMatchObject({
      outgoing: 'allowed',
      perTransactionWei: '2000000000000000000',
      shareOfHotBalancePercent: 25,
      destinations: 'allowlist',
      unlistedDestination: 'approval',
    });
    expect(runtime.wallets['w-payouts'].velocity.map((v) => v.windowSeconds)).toEqual([3600, 86400]);
    expect(runtime.approvals).toEqual({ thresholdWei: '1000000000000000000', required: 2, expiresAfterHours: 24 });
    expect(parseSpendingPolicy(JSON.stringify(runtime))).toEqual(runtime);
    expect(runtime.version).toMatch(/^[0-9a-f]{16}$/);
  });

  test('the version changes when the policy changes', () => {
    const a = runtimeSpendingPolicy(validateConfig(rawConfig({ spending: { wallets: { w1: payouts } } })).spending);
    const b = runtimeSpendingPolicy(
      validateConfig(rawConfig({ spending: { wallets: { w1: { ...payouts, perTransactionWei: '999' } } } })).spending,
    );
    expect(a.version).not.toBe(b.version);
  });

  test.each([
    [
      'amount not a decimal string',
      { perTransactionWei: '1e18' },
      'spending.wallets.w1.perTransactionWei',
      'not a whole number of wei',
      '"1e18"',
    ],
    [
      'amount as a JSON number',
      { perTransactionWei: 1000 },
      'spending.wallets.w1.perTransactionWei',
      'must be a string',
      '1000',
    ],
    [
      'zero per-transaction limit',
      { perTransactionWei: '0' },
      'spending.wallets.w1.perTransactionWei',
      'more than 0 wei',
      '"0"',
    ],
    [
      'window unit unknown',
      { velocity: [{ window: '1w', limitWei: '5' }] },
      'spending.wallets.w1.velocity.0.window',
      'is not a window',
      '"1w"',
    ],
    [
      'window too long',
      { velocity: [{ window: '32d', limitWei: '5' }] },
      'spending.wallets.w1.velocity.0.window',
      'at most 31 days',
      '"32d"',
    ],
    [
      'share above 100',
      { shareOfHotBalancePercent: 150 },
      'spending.wallets.w1.shareOfHotBalancePercent',
      'at most 100',
      '150',
    ],
    ['unknown outgoing', { outgoing: 'yes' }, 'spending.wallets.w1.outgoing', 'Invalid option', '"yes"'],
    [
      'same window twice',
      {
        velocity: [
          { window: '60m', limitWei: '5' },
          { window: '1h', limitWei: '6' },
        ],
      },
      'spending.wallets.w1.velocity.1.window',
      'repeats the window of 60m',
      '"1h"',
    ],
    [
      'approval without an approvals section',
      { destinations: 'allowlist', unlistedDestination: 'approval' },
      'spending.wallets.w1.unlistedDestination',
      'spending.approvals is not configured',
      '"approval"',
    ],
    [
      // ("refuse" is the default, accepted anywhere, so a config written back after loading still loads)
      'unlistedDestination without the allowlist',
      { unlistedDestination: 'approval' },
      'spending.wallets.w1.unlistedDestination',
      'no effect unless destinations is "allowlist"',
      '"approval"',
    ],
    [
      'cold-only without a cold address',
      { outgoing: 'cold-only' },
      'spending.wallets.w1.outgoing',
      'coldAddress is not set',
      '"cold-only"',
    ],
    [
      'deposit-only with limits',
      { outgoing: 'deposit-only' },
      'spending.wallets.w1.outgoing',
      'would never apply',
      '"deposit-only"',
    ],
  ])('fails when %s', (_name, patch, path, message, received) => {
    const problems = problemsOf(
      rawConfig({
        spending: {
          approvals: undefined,
          cold: undefined,
          wallets: { 'w-payouts': undefined, 'w-sweep': undefined, w1: { ...payouts, ...patch } },
        },
      }),
    );
    const p = problems.find((x) => x.path === path && x.message.includes(message));
    expect(p).toBeDefined();
    expect(p?.message).toContain(message);
    expect(JSON.stringify(p?.received)).toBe(received);
    expect(p?.fix.length).toBeGreaterThan(10);
  });

  test('fails an "allowed" policy without any limit', () => {
    const problems = problemsOf(rawConfig({ spending: { wallets: { w1: { outgoing: 'allowed' } } } }));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'spending.wallets.w1.perTransactionWei',
        message: expect.stringContaining('needs a per-transaction limit'),
      }),
    ]);
  });

  test('fails approvals with one approver, and a bad wallet id, and a bad time lock, all at once', () => {
    const problems = problemsOf(
      rawConfig({
        spending: {
          wallets: { 'bad id!': payouts },
          allowlistTimeLockHours: 0,
          approvals: { thresholdWei: '5', required: 1 },
        },
      }),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spending.wallets.bad id!',
        'spending.allowlistTimeLockHours',
        'spending.approvals.required',
      ]),
    );
    expect(problems.find((p) => p.path === 'spending.approvals.required')?.message).toContain('at least 2');
  });

  test('fails a policy too large for the Lambda environment', () => {
    const wallets = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`wallet-${i}`, payouts]));
    const problems = problemsOf(rawConfig({ spending: { wallets } }));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'spending.wallets',
        message: expect.stringContaining(`${SPENDING_POLICY_MAX_BYTES} bytes`),
      }),
    ]);
  });

  test('the cold sub-section carries the cold address (lower-cased) and the sweep settings, with the default check rate', () => {
    const config = validateConfig(rawConfig({ spending: { wallets: { 'w-sweep': { outgoing: 'cold-only' } }, cold } }));
    expect(runtimeSpendingPolicy(config.spending).coldAddress).toBe('0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d');
    expect(config.spending.cold).toEqual({ ...cold, checkEvery: 'rate(5 minutes)' });
  });

  test.each([
    ['a ceiling of 0', { floatCeilingWei: '0' }, 'spending.cold.floatCeilingWei', 'more than 0 wei', '"0"'],
    ['a negative ceiling', { floatCeilingWei: '-5' }, 'spending.cold.floatCeilingWei', 'not a whole number', '"-5"'],
    [
      'the zero address as cold address',
      { coldAddress: `0x${'0'.repeat(40)}` },
      'spending.cold.coldAddress',
      'zero address',
      `"0x${'0'.repeat(40)}"`,
    ],
    [
      'a check rate that is not a rate',
      { checkEvery: 'every 5 minutes' },
      'spending.cold.checkEvery',
      'not a rate',
      '"every 5 minutes"',
    ],
    [
      'a check rate below a minute',
      { checkEvery: 'rate(0 minutes)' },
      'spending.cold.checkEvery',
      'not a rate',
      '"rate(0 minutes)"',
    ],
    [
      'a sweep wallet without a policy',
      { sweepWalletId: 'w-none' },
      'spending.cold.sweepWalletId',
      'without a policy override',
      '"w-none"',
    ],
    [
      'a sweep wallet that is not cold-only',
      { sweepWalletId: 'w-payouts' },
      'spending.cold.sweepWalletId',
      'not "cold-only"',
      '"w-payouts"',
    ],
    [
      'a minimum above the ceiling',
      { minimumSweepWei: '20000000000000000000' },
      'spending.cold.minimumSweepWei',
      'above floatCeilingWei',
      '"20000000000000000000"',
    ],
    // 21000 gas x 100 gwei (the default fee cap) = 2100000000000000 wei
    [
      'a minimum not above the worst-case fee',
      { minimumSweepWei: '2100000000000000' },
      'spending.cold.minimumSweepWei',
      'worst-case fee of a sweep (21000 gas x chain.fees.maxFeePerGasGwei 100 gwei = 2100000000000000 wei)',
      '"2100000000000000"',
    ],
    // Two runs per float-alarm period and CloudWatch's 7-day evaluation limit: 84 hours at most.
    [
      'a check rate no float alarm can watch',
      { checkEvery: 'rate(85 hours)' },
      'spending.cold.checkEvery',
      'too long for the float-above-ceiling alarm',
      '"rate(85 hours)"',
    ],
    ['an unknown field', { ceiling: '1' }, 'spending.cold', 'ceiling', '{"ceiling":"1"}'],
  ])('fails spending.cold with %s', (_name, patch, path, message, received) => {
    const problems = problemsOf(
      rawConfig({ spending: { wallets: { 'w-sweep': { outgoing: 'cold-only' } }, cold: { ...cold, ...patch } } }),
    );
    const p = problems.find((x) => x.path === path && x.message.includes(message));
    expect(p).toBeDefined();
    if (path !== 'spending.cold') expect(JSON.stringify(p?.received)).toBe(received);
    expect(p?.fix.length).toBeGreaterThan(10);
  });

  test('a check rate of 84 hours (the longest the float alarm can watch) is accepted', () => {
    const config = validateConfig(
      rawConfig({
        spending: {
          wallets: { 'w-sweep': { outgoing: 'cold-only' } },
          cold: { ...cold, checkEvery: 'rate(84 hours)' },
        },
      }),
    );
    expect(config.spending.cold?.checkEvery).toBe('rate(84 hours)');
  });

  test('fails a check rate past 84 hours naming the value, the longest rate that works and the fix, with every other problem', () => {
    const problems = problemsOf(
      rawConfig({
        spending: {
          wallets: { 'w-sweep': { outgoing: 'cold-only' } },
          cold: { ...cold, checkEvery: 'rate(120 hours)', floatCeilingWei: '0' },
        },
      }),
    );
    const p = problems.find((x) => x.path === 'spending.cold.checkEvery');
    expect(p).toEqual({
      path: 'spending.cold.checkEvery',
      message: expect.stringMatching(
        /two sweeper runs \(240 hours here\).*7 days.*longest interval that works is rate\(84 hours\)/,
      ),
      received: 'rate(120 hours)',
      fix: 'set spending.cold.checkEvery to "rate(84 hours)" or shorter (the default is "rate(5 minutes)")',
    });
    expect(problems.map((x) => x.path)).toContain('spending.cold.floatCeilingWei');
  });

  test('fails spending.cold without chain providers, and reports every cold problem at once', () => {
    const problems = problemsOf(
      rawConfig({
        chain: { providers: undefined, rpcSecrets: undefined },
        spending: {
          wallets: { 'w-sweep': { outgoing: 'allowed', perTransactionWei: '1' } },
          cold: { ...cold, floatCeilingWei: '0', minimumSweepWei: '1' },
        },
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'spending.cold',
        'spending.cold.sweepWalletId',
        'spending.cold.floatCeilingWei',
        'spending.cold.minimumSweepWei',
      ]),
    );
    expect(problems.find((p) => p.path === 'spending.cold')?.message).toContain('chain.providers is not');
  });

  test('fails spending.cold missing its sweep fields', () => {
    const problems = problemsOf(
      rawConfig({
        spending: {
          wallets: { 'w-sweep': { outgoing: 'cold-only' } },
          cold: { floatCeilingWei: undefined, sweepWalletId: undefined, minimumSweepWei: undefined },
        },
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'spending.cold.floatCeilingWei',
        'spending.cold.sweepWalletId',
        'spending.cold.minimumSweepWei',
      ]),
    );
  });
});

describe('runtime policy (the Lambdas)', () => {
  test.each([
    ['missing', undefined, 'is missing'],
    ['not JSON', '{', 'is not JSON'],
    ['a wrong shape', JSON.stringify({ version: 'x', default: { outgoing: 'maybe' } }), 'problems: default.outgoing'],
  ])('fails when the variable is %s', (_n, text, message) => {
    expect(() => parseSpendingPolicy(text)).toThrow(message);
  });
});

test('a config written back after loading (defaults filled in) loads again: the defaults break no cross-field rule', () => {
  // the example's policy and a deposit-only default, as loaded (defaults filled in), then written out
  const loaded = validateConfig(rawConfig({}));
  const again = validateConfig(JSON.parse(JSON.stringify(loaded)));
  expect(again.spending).toEqual(loaded.spending);
});
