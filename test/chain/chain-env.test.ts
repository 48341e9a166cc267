import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startEvmNode, type EvmNode } from '../../lib/chain/devnet/evm-node';
import {
  CHAIN_FEE_DEFAULTS,
  CHAIN_HEALTH_DEFAULTS,
  CHAIN_SETTINGS_ENV,
  ChainSettingsError,
} from '../../lib/contract/chain-settings';
import {
  chainRuntimeFromEnv,
  ProviderSecretCache,
  SECRET_FAILURE_TTL_MS,
  SECRET_TTL_MS,
  urlFromSecret,
} from '../../lambda/shared/chain-env';
import { sharedMoto, type MotoServer } from '../helpers/moto';

/**
 * CHAIN_SETTINGS in a Lambda: secret-backed providers resolved with Secrets Manager (moto), cached
 * per container; an unresolvable secret makes that provider unhealthy with the reason, never the
 * function fail. The providers are a real node.
 */
const REGION = 'us-west-2';
const CHAIN_ID = 31337;
let moto: MotoServer;
let sm: SecretsManagerClient;
let node: EvmNode;
const created: string[] = [];
const unique = `chain-env-${process.pid}-${Date.now()}`;

async function secret(name: string, value: string): Promise<string> {
  const out = await sm.send(new CreateSecretCommand({ Name: `${unique}/${name}`, SecretString: value }));
  created.push(out.ARN!);
  return out.ARN!;
}

function settingsJson(providers: unknown[]): string {
  return JSON.stringify({
    chainId: CHAIN_ID,
    providers,
    health: CHAIN_HEALTH_DEFAULTS,
    confirmations: 1,
    receiptPollSeconds: 1,
    resubmitAfterSeconds: 30,
    stuckAfterSeconds: 300,
    fees: CHAIN_FEE_DEFAULTS,
  });
}

beforeAll(async () => {
  moto = await sharedMoto();
  sm = new SecretsManagerClient(moto.clientConfig(REGION));
  node = await startEvmNode({ chainId: CHAIN_ID });
});
afterAll(async () => {
  for (const arn of created)
    await sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
  sm?.destroy();
  await node?.stop();
});

describe('chain runtime from CHAIN_SETTINGS', () => {
  it('is absent when CHAIN_SETTINGS is not set (the default: nothing is broadcast)', () => {
    expect(chainRuntimeFromEnv({}, { secrets: new ProviderSecretCache(sm) })).toBeUndefined();
  });

  it('fails at start on invalid settings, naming the problem', () => {
    expect(() =>
      chainRuntimeFromEnv({ [CHAIN_SETTINGS_ENV]: '{"chainId":1}' }, { secrets: new ProviderSecretCache(sm) }),
    ).toThrow(ChainSettingsError);
  });

  it('resolves a secret-backed provider (plain URL or { url }) and reads through it; one read per container', async () => {
    const plain = await secret('plain', node.url);
    const json = await secret('json', JSON.stringify({ url: node.url }));
    const cache = new ProviderSecretCache(sm);
    const runtime = chainRuntimeFromEnv(
      {
        [CHAIN_SETTINGS_ENV]: settingsJson([
          { name: 'plain', secretArn: plain },
          { name: 'json', secretArn: json },
        ]),
      },
      { secrets: cache },
    )!;
    const pool = await runtime.pool();
    const health = await pool.refresh();
    expect(health.map((h) => [h.name, h.healthy])).toEqual([
      ['plain', true],
      ['json', true],
    ]);
    expect(await pool.pendingNonce('0x000000000000000000000000000000000000dEaD')).toBe(0);
    expect(await runtime.pool()).toBe(pool); // warm: same pool, no new read
    expect(cache.reads).toBe(2);
  });

  it('marks a provider whose secret does not exist unhealthy with the reason, and the others carry on', async () => {
    const missing = `arn:aws:secretsmanager:${REGION}:123456789012:secret:${unique}/missing-AbCdEf`;
    const runtime = chainRuntimeFromEnv(
      {
        [CHAIN_SETTINGS_ENV]: settingsJson([
          { name: 'gone', secretArn: missing },
          { name: 'local', url: node.url },
        ]),
      },
      { secrets: new ProviderSecretCache(sm) },
    )!;
    const pool = await runtime.pool();
    const [gone, local] = await pool.refresh();
    expect(gone.healthy).toBe(false);
    expect(gone.reason).toMatch(/^its URL secret could not be read \(ResourceNotFoundException: /);
    expect(local.healthy).toBe(true);
    await expect(pool.read('head', async (_c, name) => name)).resolves.toBe('local');
  });

  it('marks a provider whose secret holds no usable URL unhealthy, never showing the value', async () => {
    const bad = await secret('bad', 'http://rpc.example.com/v2/SECRETKEY');
    const runtime = chainRuntimeFromEnv(
      {
        [CHAIN_SETTINGS_ENV]: settingsJson([
          { name: 'bad', secretArn: bad },
          { name: 'local', url: node.url },
        ]),
      },
      { secrets: new ProviderSecretCache(sm) },
    )!;
    const [h] = (await runtime.pool()).health();
    expect(h.healthy).toBe(false);
    expect(h.reason).toBe(
      'its URL secret uses http on a non-loopback host; use https (http is only allowed for 127.0.0.1 / localhost) (value not shown: it holds the API key)',
    );
    expect(JSON.stringify((await runtime.pool()).health())).not.toContain('SECRETKEY');
  });

  it('retries a failed secret after the failure TTL and re-reads a good one after the URL TTL', async () => {
    let now = 1_000_000;
    const cache = new ProviderSecretCache(sm, () => now);
    const missingName = `${unique}/late`;
    const runtime = chainRuntimeFromEnv(
      {
        [CHAIN_SETTINGS_ENV]: settingsJson([
          { name: 'late', secretArn: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${missingName}` },
        ]),
      },
      { secrets: cache, now: () => now },
    )!;
    // moto accepts the name as SecretId; the ARN above is a partial ARN of a secret not yet made.
    expect((await runtime.pool()).health()[0].reason).toMatch(/could not be read/);
    expect(cache.reads).toBe(1);
    now += SECRET_FAILURE_TTL_MS - 1;
    await runtime.pool();
    expect(cache.reads).toBe(1);
    now += 1;
    await runtime.pool();
    expect(cache.reads).toBe(2);
    now += SECRET_TTL_MS;
    await runtime.pool();
    expect(cache.reads).toBe(3);
  });
});

describe('urlFromSecret', () => {
  it.each([
    [undefined, /is empty/],
    ['   ', /is empty/],
    ['{"uri":"https://x.example"}', /JSON without a string "url" field/],
    ['{not json', /starts with "\{" but is not JSON/],
    ['ftp://x.example/KEY', /uses the ftp scheme/],
  ])('refuses %p with a reason that never shows the value', (value, reason) => {
    const r = urlFromSecret(value);
    expect('reason' in r && r.reason).toMatch(reason);
    expect(JSON.stringify(r)).not.toContain('KEY');
  });

  it('accepts a URL and { url }', () => {
    expect(urlFromSecret(' https://x.example/v2/k ')).toEqual({ url: 'https://x.example/v2/k' });
    expect(urlFromSecret('{"url":"https://x.example/v2/k"}')).toEqual({ url: 'https://x.example/v2/k' });
  });
});
