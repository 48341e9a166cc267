import { Template } from 'aws-cdk-lib/assertions';
import { CHAIN_SETTINGS_ENV } from '../../lib/constructs/chain-watcher';
import { buildTestWallet, exampleWallet, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { REGIONS, resourceNamed, resources, roleStatements } from '../helpers/workload';

/** Issue 16: the config's chain section mapped to the chain constructs in each region (lib/stacks/regional-chain.ts). */

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

type Json = Record<string, unknown>;

const envOf = (template: Template, fnPrefix: string): Record<string, unknown> =>
  (resourceNamed(template, 'AWS::Lambda::Function', fnPrefix).resource.Properties.Environment as { Variables: Json })
    .Variables;

/** CHAIN_SETTINGS with its tokens rendered as `<LogicalId>`. */
function settingsOf(template: Template, fnPrefix: string): { providers: Array<Record<string, string>> } & Json {
  const value = envOf(template, fnPrefix)[CHAIN_SETTINGS_ENV];
  const text =
    typeof value === 'string'
      ? value
      : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((p) => {
            if (typeof p === 'string') return p;
            const ref = (p as { Ref?: string }).Ref;
            return ref !== undefined ? `<${ref}>` : '<token>';
          })
          .join('');
  return JSON.parse(text) as { providers: Array<Record<string, string>> } & Json;
}

test('the primary creates the rpcSecrets (replicated to the standby); the standby creates none', () => {
  const primary = wallet.template('primary');
  primary.resourceCountIs('AWS::SecretsManager::Secret', 1);
  const secret = resourceNamed(primary, 'AWS::SecretsManager::Secret', 'ChainRpcSecretsSecret0').resource;
  expect(secret.Properties.Name).toBe('wallet/example/rpc/alchemy');
  const replicas = secret.Properties.ReplicaRegions as Array<{ Region: string; KmsKeyId: unknown }>;
  expect(replicas.map((r) => r.Region)).toEqual(['us-west-2']);
  // The data key's replica in the standby (same mrk- id), never aws/secretsmanager.
  expect(JSON.stringify(replicas[0].KmsKeyId)).toContain(':kms:us-west-2:');
  expect(secret.DeletionPolicy).toBe('Retain');
  wallet.template('standby').resourceCountIs('AWS::SecretsManager::Secret', 0);
});

describe.each(REGIONS)('the $stack chain side ($region)', (c) => {
  test("with spending.cold: the sweeper runs on checkEvery with the API's spending policy and chain settings, and no signing-key permission", () => {
    const template = wallet.template(c.stack);
    const rules = Object.values(resources(template)).filter(
      (r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Description).startsWith('Runs the sweeper'),
    );
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(5 minutes)']);
    const sweeper = envOf(template, 'ChainSweeperFunction');
    const api = envOf(template, 'WalletApiFunction');
    expect(sweeper.WALLET_SPENDING_POLICY).toEqual(api.WALLET_SPENDING_POLICY);
    expect(settingsOf(template, 'ChainSweeperFunction')).toEqual(settingsOf(template, 'WalletApiFunction'));
    expect(JSON.parse(String(sweeper.WALLET_SWEEP_SETTINGS))).toEqual({
      coldAddress: '0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d',
      floatCeilingWei: '10000000000000000000',
      minimumSweepWei: '100000000000000000',
      sweepWalletId: 'w-sweep',
    });
    const statements = roleStatements(template, 'ChainSweeperFunctionRole');
    expect(JSON.stringify(statements)).not.toMatch(/kms:Sign|kms:GetPublicKey|kms:\*/);
  });

  test('a chain watcher runs every minute', () => {
    const template = wallet.template(c.stack);
    const rules = Object.values(resources(template)).filter(
      (r) => r.Type === 'AWS::Events::Rule' && r.Properties.Description === 'Runs the chain watcher',
    );
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(1 minute)']);
  });

  test("watcher, signer and API (the policy's balance read) get the same CHAIN_SETTINGS: the plain URL as is, the secret as this region's copy", () => {
    const template = wallet.template(c.stack);
    for (const fn of ['ChainWatcherFunction', 'WalletSignerFunction', 'WalletApiFunction']) {
      const settings = settingsOf(template, fn);
      expect(settings.chainId).toBe(11155111);
      expect(settings.providers[1]).toEqual({ name: 'publicnode', url: 'https://ethereum-sepolia-rpc.publicnode.com' });
      expect(settings.providers[0].name).toBe('alchemy');
      if (c.stack === 'primary') {
        // The secret's own (full) ARN: a Ref to the secret in this stack.
        expect(settings.providers[0].secretArn).toMatch(/^<ChainRpcSecretsSecret0/);
      } else {
        expect(settings.providers[0].secretArn).toMatch(
          /:secretsmanager:us-west-2:.*:secret:wallet\/example\/rpc\/alchemy$/,
        );
      }
    }
  });

  test('watcher, signer and API read exactly that secret in this region, never "*"', () => {
    const template = wallet.template(c.stack);
    for (const role of ['ChainWatcherFunctionRole', 'WalletSignerFunctionRole', 'WalletApiFunctionRole']) {
      const statement = roleStatements(template, role).find((s) => s.Sid === 'ReadRpcSecrets');
      expect(statement?.Action).toBe('secretsmanager:GetSecretValue');
      const resource = JSON.stringify(statement?.Resource);
      if (c.stack === 'primary') expect(resource).toMatch(/^\{"Ref":"ChainRpcSecretsSecret0/);
      else expect(resource).toContain(':secretsmanager:us-west-2:');
      if (c.stack === 'standby') expect(resource).toContain('wallet/example/rpc/alchemy-??????');
      expect(resource).not.toMatch(/secret:\*|"\*"/);
    }
  });
});

test('without chain.providers: no watcher, no secret, no CHAIN_SETTINGS, no chain alarms (today behaviour)', () => {
  const plain = buildTestWallet(
    testConfig({
      chain: { providers: undefined, rpcSecrets: undefined },
      // The example's hot/cold split needs chain.providers (lib/config/spending-cold.ts).
      spending: { cold: undefined, wallets: { 'w-sweep': undefined } },
    }),
  );
  for (const c of REGIONS) {
    const template = plain.template(c.stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('chain-watcher');
    expect(JSON.stringify(template.toJSON())).not.toContain('wallet-sweeper');
    expect(JSON.stringify(template.toJSON())).not.toContain(CHAIN_SETTINGS_ENV);
    // The remediation still names the alarm (it reads it as MISSING); none is created.
    const alarms = Object.values(resources(template)).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => String(a.Properties.AlarmName)).filter((n) => n.includes('-chain-'))).toEqual([]);
  }
});

describe.each(REGIONS)('the $keysStack signing key and the chain watcher', (c) => {
  test('the watcher role (named) may read the public key of its region copy; the key policy names it', () => {
    const keys = wallet.template(c.keysStack);
    const readers = Object.values(resources(keys))
      .filter((r) => r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::KMS::ReplicaKey')
      .flatMap((r) => (r.Properties.KeyPolicy as { Statement: Json[] }).Statement)
      .filter((s) => s.Sid === 'ReadPublicKeyByNamedRoles');
    expect(JSON.stringify(readers)).toContain(`:role/example-wallet-chain-watcher-${c.region}`);
    const role = resourceNamed(wallet.template(c.stack), 'AWS::IAM::Role', 'ChainWatcherFunctionRole').resource;
    expect(role.Properties.RoleName).toBe(`example-wallet-chain-watcher-${c.region}`);
    const statement = roleStatements(wallet.template(c.stack), 'ChainWatcherFunctionRole').find(
      (s) => s.Sid === 'ReadSigningPublicKey',
    );
    expect(statement?.Action).toBe('kms:GetPublicKey');
  });
});
