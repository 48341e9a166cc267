import { chainSettingsFor } from '../../lib/config/chain';
import { ConfigError, validateConfig } from '../../lib/config/validate';
import { CHAIN_FEE_DEFAULTS, CHAIN_HEALTH_DEFAULTS, parseChainSettings } from '../../lib/contract/chain-settings';
import { exampleInput, rawConfig } from '../helpers/config';

/** The `chain` section: providers, secrets, health limits, timings and fees (issue 16). */
function problemsOf(raw: unknown): ConfigError['problems'] {
  try {
    validateConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

/** The example's chain section with `chain` replacing it whole (no deep merge of the provider list). */
function withChain(chain: Record<string, unknown>): unknown {
  const raw = exampleInput() as unknown as Record<string, unknown>;
  // Without the example's spending section: its hot/cold split needs chain.providers (lib/config/spending-cold.ts).
  return { ...Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'spending')), chain };
}

const base = { chainId: 11155111, rpcSecrets: ['wallet/example/rpc/alchemy'] };

describe('chain config', () => {
  test('the example config has a secret-backed and a public provider, with the limits it states', () => {
    const { chain } = validateConfig(rawConfig());
    expect(chain.providers).toEqual([
      { name: 'alchemy', urlSecret: 'wallet/example/rpc/alchemy' },
      { name: 'publicnode', url: 'https://ethereum-sepolia-rpc.publicnode.com' },
    ]);
    expect(chain.rpcSecrets).toEqual(['wallet/example/rpc/alchemy']);
    expect(chain.health).toEqual(CHAIN_HEALTH_DEFAULTS);
    expect(chain.fees).toEqual(CHAIN_FEE_DEFAULTS);
  });

  test('without providers, the chain section is what it was (chain id only) and gets the defaults', () => {
    const { chain } = validateConfig(withChain({ chainId: 1 }));
    expect(chain.providers).toBeUndefined();
    expect(chain.rpcSecrets).toEqual([]);
    expect(chain).toMatchObject({ chainId: 1, confirmations: 3, receiptPollSeconds: 4, resubmitAfterSeconds: 60 });
    expect(chainSettingsFor(chain, () => 'unused')).toBeUndefined();
  });

  test('loopback http is allowed (a local node)', () => {
    const { chain } = validateConfig(
      withChain({ chainId: 1, providers: [{ name: 'local', url: 'http://127.0.0.1:8545' }] }),
    );
    expect(chain.providers).toEqual([{ name: 'local', url: 'http://127.0.0.1:8545' }]);
  });

  test.each([
    [
      'malformed URL',
      [{ name: 'a', url: 'not a url' }],
      'chain.providers.0.url',
      'is not a valid URL',
      '"not a url"',
      'https URL',
    ],
    [
      'http on a public host',
      [{ name: 'a', url: 'http://rpc.example.com' }],
      'chain.providers.0.url',
      'uses http on a non-loopback host',
      '"http://rpc.example.com"',
      'https',
    ],
    [
      'another scheme',
      [{ name: 'a', url: 'wss://rpc.example.com' }],
      'chain.providers.0.url',
      'uses the wss scheme',
      '"wss://rpc.example.com"',
      'https',
    ],
    [
      'a key in the URL user info',
      [{ name: 'a', url: 'https://user:key@rpc.example.com' }],
      'chain.providers.0.url',
      'user name or password',
      '"https://user:key@rpc.example.com"',
      'urlSecret',
    ],
    [
      'unknown provider secret',
      [{ name: 'a', urlSecret: 'wallet/example/rpc/infura' }],
      'chain.providers.0.urlSecret',
      'unknown provider secret',
      '"wallet/example/rpc/infura"',
      'add it to chain.rpcSecrets (listed: "wallet/example/rpc/alchemy")',
    ],
    [
      'both url and urlSecret',
      [{ name: 'a', url: 'https://rpc.example.com', urlSecret: 'wallet/example/rpc/alchemy' }],
      'chain.providers.0',
      'has both "url" and "urlSecret"',
      'urlSecret',
      'set exactly one',
    ],
    [
      'neither url nor urlSecret',
      [{ name: 'a' }],
      'chain.providers.0',
      'has neither "url" nor "urlSecret"',
      '"a"',
      'set exactly one',
    ],
    [
      'duplicate names',
      [
        { name: 'a', url: 'https://one.example.com' },
        { name: 'a', url: 'https://two.example.com' },
      ],
      'chain.providers.1.name',
      'repeats the name of chain.providers.0',
      '"a"',
      'its own name',
    ],
    [
      'a bad name',
      [{ name: 'has space', url: 'https://one.example.com' }],
      'chain.providers.0.name',
      'letters, digits',
      '"has space"',
      'metrics',
    ],
    ['an empty list', [], 'chain.providers', 'at least one provider', '[]', 'RPC providers'],
    [
      'an unknown field',
      [{ name: 'a', url: 'https://one.example.com', key: 'x' }],
      'chain.providers.0',
      'unknown field "key"',
      'key',
      'remove',
    ],
  ])('fails with %s', (_case, providers, path, message, received, fix) => {
    const problems = problemsOf(withChain({ ...base, providers }));
    const p = problems.find((x) => x.path === path && x.message.includes(message));
    expect(p).toBeDefined();
    expect(JSON.stringify(p!.received)).toContain(received.replace(/^"|"$/g, ''));
    expect(p!.fix).toContain(fix);
  });

  test('fails with an unknown provider secret when rpcSecrets is absent, saying what to add', () => {
    const problems = problemsOf(withChain({ chainId: 1, providers: [{ name: 'a', urlSecret: 'rpc/key' }] }));
    expect(problems).toEqual([
      {
        path: 'chain.providers.0.urlSecret',
        message: 'is an unknown provider secret: it is not listed in chain.rpcSecrets',
        received: 'rpc/key',
        fix: 'add "rpcSecrets": ["rpc/key"] to chain, or check the name',
      },
    ]);
  });

  test.each([
    ['a repeated secret', ['rpc/a', 'rpc/a'], 'chain.rpcSecrets.1', 'repeats a secret'],
    ['a secret named like an ARN suffix', ['rpc/alchemy-AbC123'], 'chain.rpcSecrets.0', 'ARN suffix'],
    ['a secret name with a space', ['rpc/my key'], 'chain.rpcSecrets.0', 'not a Secrets Manager secret name'],
  ])('fails with %s in rpcSecrets', (_case, rpcSecrets, path, message) => {
    const problems = problemsOf(withChain({ chainId: 1, rpcSecrets }));
    expect(problems).toEqual([expect.objectContaining({ path })]);
    expect(problems[0].message).toContain(message);
  });

  test.each([
    ['maxLagBlocks negative', { health: { maxLagBlocks: -1 } }, 'chain.health.maxLagBlocks', 'at least 0', -1],
    ['maxErrorRate above 1', { health: { maxErrorRate: 1.5 } }, 'chain.health.maxErrorRate', 'at most 1', 1.5],
    ['requestTimeoutMs tiny', { health: { requestTimeoutMs: 5 } }, 'chain.health.requestTimeoutMs', 'at least 100', 5],
    ['confirmations fractional', { confirmations: 2.5 }, 'chain.confirmations', 'whole number', 2.5],
    ['receiptPollSeconds zero', { receiptPollSeconds: 0 }, 'chain.receiptPollSeconds', 'at least 1', 0],
    [
      'bump below the node minimum',
      { fees: { replacementBumpPercent: 5 } },
      'chain.fees.replacementBumpPercent',
      'at least 10',
      5,
    ],
    [
      'fee cap not gwei',
      { fees: { maxFeePerGasGwei: '100 gwei' } },
      'chain.fees.maxFeePerGasGwei',
      'not a decimal gwei',
      '100 gwei',
    ],
    [
      'fee cap as a number',
      { fees: { maxFeePerGasGwei: 100 } },
      'chain.fees.maxFeePerGasGwei',
      'must be a string',
      100,
    ],
    [
      'priority above the cap',
      { fees: { priorityFeeGwei: '200', maxFeePerGasGwei: '100' } },
      'chain.fees.priorityFeeGwei',
      'above chain.fees.maxFeePerGasGwei',
      '200',
    ],
    [
      'stuck before resubmit',
      { resubmitAfterSeconds: 600, stuckAfterSeconds: 300 },
      'chain.stuckAfterSeconds',
      'below chain.resubmitAfterSeconds (600)',
      300,
    ],
  ])('fails with %s', (_case, patch, path, message, received) => {
    const problems = problemsOf(
      withChain({ ...base, providers: [{ name: 'p', url: 'https://rpc.example.com' }], ...patch }),
    );
    expect(problems).toEqual([expect.objectContaining({ path, received })]);
    expect(problems[0].message).toContain(message);
    expect(problems[0].fix.length).toBeGreaterThan(10);
  });

  test('reports every problem at once', () => {
    const problems = problemsOf(
      withChain({
        chainId: 1,
        providers: [{ name: 'a', url: 'ftp://x' }, { name: 'a', urlSecret: 'nope' }, { name: 'c' }],
        health: { maxErrorRate: 2 },
      }),
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      'chain.health.maxErrorRate',
      'chain.providers.0.url',
      'chain.providers.1.name',
      'chain.providers.1.urlSecret',
      'chain.providers.2',
    ]);
  });

  test("chainSettingsFor maps secrets to the region's ARN and the result parses as CHAIN_SETTINGS", () => {
    const { chain } = validateConfig(rawConfig());
    const arn = (name: string) => `arn:aws:secretsmanager:us-west-2:111111111111:secret:${name}`;
    const settings = chainSettingsFor(chain, arn)!;
    expect(settings.providers).toEqual([
      { name: 'alchemy', secretArn: 'arn:aws:secretsmanager:us-west-2:111111111111:secret:wallet/example/rpc/alchemy' },
      { name: 'publicnode', url: 'https://ethereum-sepolia-rpc.publicnode.com' },
    ]);
    expect(parseChainSettings(JSON.stringify(settings))).toEqual(settings);
  });
});
