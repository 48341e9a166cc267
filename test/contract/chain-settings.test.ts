import {
  CHAIN_FEE_DEFAULTS,
  CHAIN_HEALTH_DEFAULTS,
  ChainSettingsError,
  parseChainSettings,
  providerUrlProblem,
} from '../../lib/contract/chain-settings';

/** CHAIN_SETTINGS, the chain settings JSON a Lambda reads: strict, every problem at once. */
const good = {
  chainId: 11155111,
  providers: [
    {
      name: 'alchemy',
      secretArn: 'arn:aws:secretsmanager:us-west-2:111111111111:secret:wallet/example/rpc/alchemy-AbCdEf',
    },
    { name: 'publicnode', url: 'https://ethereum-sepolia-rpc.publicnode.com' },
  ],
  health: CHAIN_HEALTH_DEFAULTS,
  confirmations: 3,
  receiptPollSeconds: 4,
  resubmitAfterSeconds: 60,
  stuckAfterSeconds: 900,
  fees: CHAIN_FEE_DEFAULTS,
};

function problems(value: unknown, raw?: string): readonly string[] {
  try {
    parseChainSettings(raw ?? JSON.stringify(value));
  } catch (err) {
    if (err instanceof ChainSettingsError) return err.problems;
    throw err;
  }
  throw new Error('expected CHAIN_SETTINGS to be rejected');
}

describe('parseChainSettings', () => {
  it('accepts well-formed settings unchanged', () => {
    expect(parseChainSettings(JSON.stringify(good))).toEqual(good);
  });

  it('fails when the variable is missing or not JSON', () => {
    expect(problems(undefined, '')).toEqual(['CHAIN_SETTINGS: got nothing; set it to the chain settings JSON']);
    expect(problems(undefined, '{oops')[0]).toMatch(/^CHAIN_SETTINGS: is not JSON \(.*\); got "\{oops"$/);
  });

  it.each([
    ['no providers', { providers: [] }, 'settings.providers: got []; set a non-empty list'],
    [
      'a bad URL',
      { providers: [{ name: 'a', url: 'http://rpc.example.com' }] },
      'settings.providers[0].url: got "http://rpc.example.com"; it uses http on a non-loopback host',
    ],
    [
      'both url and secretArn',
      {
        providers: [
          { name: 'a', url: 'https://x.example', secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:x' },
        ],
      },
      'settings.providers[0]: got both url and secretArn; set exactly one',
    ],
    [
      'a bad ARN',
      { providers: [{ name: 'a', secretArn: 'wallet/rpc' }] },
      'settings.providers[0].secretArn: got "wallet/rpc"; set a Secrets Manager secret ARN',
    ],
    [
      'duplicate names',
      {
        providers: [
          { name: 'a', url: 'https://x.example' },
          { name: 'a', url: 'https://y.example' },
        ],
      },
      'settings.providers[1].name: got "a" twice',
    ],
    [
      'an error rate above 1',
      { health: { ...CHAIN_HEALTH_DEFAULTS, maxErrorRate: 2 } },
      'settings.health.maxErrorRate: got 2; set a number at least 0 and at most 1',
    ],
    [
      'a missing health limit',
      { health: { ...CHAIN_HEALTH_DEFAULTS, maxLagBlocks: undefined } },
      'settings.health.maxLagBlocks: got nothing; set a whole number at least 0',
    ],
    [
      'a fee as a number',
      { fees: { ...CHAIN_FEE_DEFAULTS, maxFeePerGasGwei: 100 } },
      'settings.fees.maxFeePerGasGwei: got 100; set a decimal gwei string',
    ],
    ['a chain id as a string', { chainId: '1' }, 'settings.chainId: got "1"; set a whole number at least 1'],
    ['an unknown field', { extra: true }, 'settings.extra: unknown field; remove it'],
    [
      'stuck before resubmit',
      { stuckAfterSeconds: 10 },
      'settings.stuckAfterSeconds: got 10, below resubmitAfterSeconds 60',
    ],
  ])('fails with %s, naming the field and the value', (_case, patch, expected) => {
    const got = problems({ ...good, ...patch });
    expect(got).toHaveLength(1);
    expect(got[0]).toContain(expected);
  });

  it('reports every problem at once', () => {
    const got = problems({ ...good, chainId: 0, confirmations: -1, providers: [{ name: 'a' }] });
    expect(got).toEqual([
      'settings.chainId: got 0; set a whole number at least 1',
      'settings.providers[0]: got neither url nor secretArn; set exactly one',
      'settings.confirmations: got -1; set a whole number at least 0 and at most 1000',
    ]);
  });
});

describe('providerUrlProblem', () => {
  it.each([
    ['https://rpc.example.com/v2', undefined],
    ['http://127.0.0.1:8545', undefined],
    ['http://localhost:8545', undefined],
    ['http://[::1]:8545', undefined],
    [
      'http://10.0.0.1:8545',
      'uses http on a non-loopback host; use https (http is only allowed for 127.0.0.1 / localhost)',
    ],
    ['rpc.example.com', 'is not a valid URL; write it as https://host/path'],
    ['ws://127.0.0.1:8545', 'uses the ws scheme; use https'],
  ])('%s -> %s', (url, problem) => {
    expect(providerUrlProblem(url)).toBe(problem);
  });
});
