import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ColdKey, ColdKeyProps, ColdKeyReplica } from '../../lib/constructs/cold-key';
import { COLD_KEY_OUTPUTS, coldKeyAlias, coldSignerRoleName } from '../../lib/contract/cold-key';
import { BREAK_GLASS_ONLY_ACTIONS } from '../../lib/constructs/key-policy';
import { WalletChecks } from '../../lib/security/wallet-checks';
import { KeysReplicaStack } from '../../lib/stacks/keys-replica-stack';
import { buildTestWallet, newTestApp, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { nagFindings } from '../helpers/nag';
import { evaluateKeyPolicy, KeyRequest } from '../helpers/policy-eval';

/**
 * The cold key (issue 21, docs/cold-key.md): "its key policy allows Sign only to a role that requires
 * MFA and is never assumed by any function", tested request by request on both copies' key policies
 * and on the ColdSigner role's trust policy, with the config's session bound (1800 s here).
 */
const ACCOUNT = '111111111111';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const OFFICERS = role('TreasuryOfficers');
const ALICE = `arn:aws:iam::${ACCOUNT}:user/treasury/alice`;
const COLD_SIGNER = role('example-wallet-cold-signer');
const BREAK_GLASS = role('WalletBreakGlass');
const MAX_SESSION = 1800;
const mfa = (ageSeconds = 60) => ({
  'aws:MultiFactorAuthPresent': 'true',
  'aws:MultiFactorAuthAge': String(ageSeconds),
});

let wallet: TestWallet;
beforeAll(() => {
  wallet = buildTestWallet(
    testConfig({
      security: {
        breakGlassRoleArn: BREAK_GLASS,
        coldKey: { enabled: true, signerPrincipalArns: [OFFICERS, ALICE], maxSessionSeconds: MAX_SESSION },
      },
    }),
  );
  wallet.app.synth();
});

type Policy = Parameters<typeof evaluateKeyPolicy>[0];
type Stacks = 'keys' | 'keysReplica';
function coldResource(stack: Stacks, type: string): { Properties: Record<string, unknown> } & Record<string, unknown> {
  const found = Object.entries(wallet.template(stack).findResources(type)).filter(([id]) => id.startsWith('ColdKey'));
  if (found.length !== 1) throw new Error(`expected one cold ${type} in ${stack}, found ${found.map(([id]) => id)}`);
  return found[0][1] as { Properties: Record<string, unknown> };
}
const coldKeyPolicy = (stack: Stacks): Policy =>
  coldResource(stack, stack === 'keys' ? 'AWS::KMS::Key' : 'AWS::KMS::ReplicaKey').Properties.KeyPolicy as Policy;
const trustPolicy = (): Policy => coldResource('keys', 'AWS::IAM::Role').Properties.AssumeRolePolicyDocument as Policy;

describe('cold key copies', () => {
  test('primary: multi-region secp256k1 SIGN_VERIFY, no rotation, retained, 30-day window, tagged cold, aliased', () => {
    const template = wallet.template('keys');
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        KeySpec: 'ECC_SECG_P256K1',
        KeyUsage: 'SIGN_VERIFY',
        MultiRegion: true,
        EnableKeyRotation: false,
        PendingWindowInDays: 30,
        Tags: Match.arrayWith([{ Key: 'wallet:key-purpose', Value: 'cold' }]),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: coldKeyAlias('example') });
  });

  test('replica in the standby region: replicates the primary cold key, retained, 30-day window, same alias', () => {
    const template = wallet.template('keysReplica');
    template.hasResource('AWS::KMS::ReplicaKey', {
      Properties: Match.objectLike({
        PendingWindowInDays: 30,
        PrimaryKeyArn: {
          'Fn::GetStackOutput': Match.objectLike({ StackName: 'example-wallet-keys', Region: 'us-east-2' }),
        },
        Tags: Match.arrayWith([{ Key: 'wallet:key-purpose', Value: 'cold' }]),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: coldKeyAlias('example') });
  });

  test('outputs carry the contract names (for the promote-keys drill and the runbook)', () => {
    const keys = wallet.template('keys').toJSON().Outputs as Record<string, unknown>;
    const replica = wallet.template('keysReplica').toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(keys)).toEqual(expect.arrayContaining(Object.values(COLD_KEY_OUTPUTS)));
    expect(Object.keys(replica)).toEqual(expect.arrayContaining([COLD_KEY_OUTPUTS.keyArn, COLD_KEY_OUTPUTS.keyAlias]));
    expect(keys[COLD_KEY_OUTPUTS.keyAlias]).toMatchObject({ Value: 'alias/example-wallet-cold' });
  });

  test('policy uses no wildcard action, and the account administration through IAM never includes Sign', () => {
    const statements = coldKeyPolicy('keys').Statement;
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    const admin = statements.find((s) => s.Sid === 'KeyAdministrationThroughIam');
    expect(admin?.Action).not.toContain('kms:Sign');
    expect(admin?.Action).not.toContain('kms:CreateGrant');
  });

  describe.each<[Stacks]>([['keys'], ['keysReplica']])('%s copy: key policy request by request', (stack) => {
    const standbyRole = (name: string) => role(`example-wallet-${name}-us-west-2`);
    const primaryRole = (name: string) => role(`example-wallet-${name}-us-east-2`);
    test.each<[string, KeyRequest, string]>([
      [
        'the ColdSigner session with MFA signs',
        { principalArn: COLD_SIGNER, action: 'kms:Sign', context: mfa() },
        'allow',
      ],
      [
        'the ColdSigner session without MFA (key absent) is denied',
        { principalArn: COLD_SIGNER, action: 'kms:Sign' },
        'explicit-deny',
      ],
      [
        'the ColdSigner session with MFA false is denied',
        { principalArn: COLD_SIGNER, action: 'kms:Sign', context: { 'aws:MultiFactorAuthPresent': 'false' } },
        'explicit-deny',
      ],
      [
        `the ColdSigner session whose MFA is older than ${MAX_SESSION} s is denied`,
        { principalArn: COLD_SIGNER, action: 'kms:Sign', context: mfa(MAX_SESSION + 1) },
        'explicit-deny',
      ],
      [
        `the ColdSigner session at exactly ${MAX_SESSION} s still signs`,
        { principalArn: COLD_SIGNER, action: 'kms:Sign', context: mfa(MAX_SESSION) },
        'allow',
      ],
      [
        'the primary hot signer is denied',
        { principalArn: primaryRole('signer'), action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      [
        'the standby hot signer is denied',
        { principalArn: standbyRole('signer'), action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      [
        'the API role is denied',
        { principalArn: role('example-wallet-api-role'), action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      [
        'the remediation role is denied',
        { principalArn: standbyRole('remediation'), action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      [
        'the account root is denied',
        { principalArn: `arn:aws:iam::${ACCOUNT}:root`, action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      [
        'break-glass is denied Sign',
        { principalArn: BREAK_GLASS, action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      [
        'a treasury officer directly (not through the role) is denied',
        { principalArn: OFFICERS, action: 'kms:Sign', context: mfa() },
        'explicit-deny',
      ],
      ['the Lambda service is denied', { service: 'lambda.amazonaws.com', action: 'kms:Sign' }, 'explicit-deny'],
      [
        'the ColdSigner reads the public key',
        { principalArn: COLD_SIGNER, action: 'kms:GetPublicKey', context: mfa() },
        'allow',
      ],
      [
        'break-glass reads the public key (promote-keys checks the cold address before and after)',
        { principalArn: BREAK_GLASS, action: 'kms:GetPublicKey' },
        'allow',
      ],
      [
        'the hot signer cannot read the cold public key',
        { principalArn: primaryRole('signer'), action: 'kms:GetPublicKey' },
        'implicit-deny',
      ],
      [
        'the health role cannot read the cold public key',
        { principalArn: primaryRole('health'), action: 'kms:GetPublicKey' },
        'implicit-deny',
      ],
      [
        'the ColdSigner cannot create a grant (no side door)',
        { principalArn: COLD_SIGNER, action: 'kms:CreateGrant', context: mfa() },
        'explicit-deny',
      ],
      [
        'break-glass cannot create a grant',
        { principalArn: BREAK_GLASS, action: 'kms:CreateGrant', context: mfa() },
        'explicit-deny',
      ],
      [
        'an AWS service grant for an AWS resource is still denied',
        {
          service: 'dynamodb.amazonaws.com',
          action: 'kms:CreateGrant',
          context: { 'kms:GrantIsForAWSResource': 'true' },
        },
        'explicit-deny',
      ],
      ['break-glass schedules deletion', { principalArn: BREAK_GLASS, action: 'kms:ScheduleKeyDeletion' }, 'allow'],
      [
        'the ColdSigner cannot schedule deletion',
        { principalArn: COLD_SIGNER, action: 'kms:ScheduleKeyDeletion', context: mfa() },
        'explicit-deny',
      ],
      [
        'an admin cannot schedule deletion',
        { principalArn: role('Admin'), action: 'kms:ScheduleKeyDeletion' },
        'explicit-deny',
      ],
      [
        'break-glass promotes the replica (UpdatePrimaryRegion)',
        { principalArn: BREAK_GLASS, action: 'kms:UpdatePrimaryRegion' },
        'allow',
      ],
      [
        'an admin cannot move the primary region',
        { principalArn: role('Admin'), action: 'kms:UpdatePrimaryRegion' },
        'explicit-deny',
      ],
      [
        'CloudFormation replicates into the standby region',
        {
          principalArn: role('cdk-hnb659fds-cfn-exec-role'),
          action: 'kms:ReplicateKey',
          context: { 'kms:ReplicaRegion': 'us-west-2' },
        },
        'allow',
      ],
      [
        'nobody but break-glass replicates anywhere else',
        { principalArn: role('Admin'), action: 'kms:ReplicateKey', context: { 'kms:ReplicaRegion': 'eu-west-1' } },
        'explicit-deny',
      ],
      [
        'another account gets nothing',
        { principalArn: 'arn:aws:iam::999999999999:role/X', action: 'kms:DescribeKey' },
        'implicit-deny',
      ],
    ])('%s', (_name, request, expected) => {
      expect(evaluateKeyPolicy(coldKeyPolicy(stack), request)).toBe(expected);
    });

    test('every break-glass-only action is denied to a non-break-glass admin', () => {
      for (const action of BREAK_GLASS_ONLY_ACTIONS) {
        expect([action, evaluateKeyPolicy(coldKeyPolicy(stack), { principalArn: role('Admin'), action })]).toEqual([
          action,
          'explicit-deny',
        ]);
      }
    });
  });
});

describe('ColdSigner role', () => {
  test('has the contract name and a session no longer than IAM requires (3600 s, the role minimum)', () => {
    expect(coldResource('keys', 'AWS::IAM::Role').Properties).toMatchObject({
      RoleName: coldSignerRoleName('example'),
      MaxSessionDuration: 3600,
    });
  });

  test.each<[string, KeyRequest, string]>([
    [
      'a configured role with fresh MFA assumes it',
      { principalArn: OFFICERS, action: 'sts:AssumeRole', context: mfa(30) },
      'allow',
    ],
    [
      'a configured user with fresh MFA assumes it',
      { principalArn: ALICE, action: 'sts:AssumeRole', context: mfa(30) },
      'allow',
    ],
    [
      'a configured principal without MFA cannot',
      { principalArn: OFFICERS, action: 'sts:AssumeRole' },
      'implicit-deny',
    ],
    [
      'a configured principal with MFA false cannot',
      { principalArn: OFFICERS, action: 'sts:AssumeRole', context: { 'aws:MultiFactorAuthPresent': 'false' } },
      'implicit-deny',
    ],
    [
      `a configured principal whose MFA is ${MAX_SESSION} s old cannot`,
      { principalArn: OFFICERS, action: 'sts:AssumeRole', context: mfa(MAX_SESSION) },
      'implicit-deny',
    ],
    ['lambda.amazonaws.com cannot', { service: 'lambda.amazonaws.com', action: 'sts:AssumeRole' }, 'implicit-deny'],
    [
      'a wallet function role, even with MFA, cannot',
      { principalArn: role('example-wallet-signer-us-east-2'), action: 'sts:AssumeRole', context: mfa(1) },
      'implicit-deny',
    ],
    [
      'the account root cannot',
      { principalArn: `arn:aws:iam::${ACCOUNT}:root`, action: 'sts:AssumeRole', context: mfa(1) },
      'implicit-deny',
    ],
    [
      'a configured principal cannot use another assume action (web identity)',
      { principalArn: OFFICERS, action: 'sts:AssumeRoleWithWebIdentity', context: mfa(1) },
      'implicit-deny',
    ],
  ])('trust policy: %s', (_name, request, expected) => {
    expect(evaluateKeyPolicy(trustPolicy(), request)).toBe(expected);
  });

  test('trust names exactly the configured people: no service, federated, root or wildcard principal', () => {
    const principals = trustPolicy().Statement.map((s) => s.Principal);
    expect(principals).toEqual([{ AWS: [OFFICERS, ALICE] }]);
  });

  test('its only permissions: kms:Sign and kms:GetPublicKey on the two cold key copies, in one managed policy', () => {
    const all = Object.entries(wallet.stacks).flatMap(([name]) => {
      const resources = wallet.template(name as keyof typeof wallet.stacks).toJSON().Resources as Record<
        string,
        { Type: string; Properties?: Record<string, unknown> }
      >;
      return Object.entries(resources).map(([id, r]) => ({ stack: name, id, ...r }));
    });
    const roleId = Object.keys(wallet.template('keys').findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('ColdKeySignerRole'),
    );
    const attached = all.filter(
      (r) =>
        (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
        JSON.stringify(r.Properties?.Roles ?? []).includes(String(roleId)),
    );
    expect(attached.map((r) => [r.stack, r.Type])).toEqual([['keys', 'AWS::IAM::ManagedPolicy']]);
    expect(coldResource('keys', 'AWS::IAM::Role').Properties.Policies).toBeUndefined();
    expect(coldResource('keys', 'AWS::IAM::Role').Properties.ManagedPolicyArns).toBeUndefined();
    const keyId = Object.keys(wallet.template('keys').findResources('AWS::KMS::Key')).find((id) =>
      id.startsWith('ColdKey'),
    );
    expect(attached[0].Properties?.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SignWithColdKey',
          Effect: 'Allow',
          Action: ['kms:GetPublicKey', 'kms:Sign'],
          Resource: [
            { 'Fn::GetAtt': [keyId, 'Arn'] },
            { 'Fn::Join': ['', ['arn:aws:kms:us-west-2:111111111111:key/', { Ref: keyId }]] },
          ],
        },
      ],
    });
  });

  test('no Lambda function in any stack runs as it', () => {
    for (const name of Object.keys(wallet.stacks) as Array<keyof typeof wallet.stacks>) {
      for (const fn of Object.values(wallet.template(name).findResources('AWS::Lambda::Function'))) {
        expect(JSON.stringify(fn.Properties.Role)).not.toMatch(/ColdKeySignerRole|cold-signer/);
      }
    }
  });
});

describe('the app with the cold key', () => {
  test('passes every Wallet rule (ColdKeyOnlyMfaRole and OnlySignerCanSign included)', () => {
    expect(new WalletChecks(wallet.app).validateScope(wallet.app).violations).toEqual([]);
  });

  test('has no unacknowledged finding in any pack (so config/example.json could enable it)', () => {
    expect(nagFindings(wallet.app)).toEqual([]);
  });

  test('without security.coldKey there is no cold key, no replica and no ColdSigner role', () => {
    // The example config has a cold key; this one removes the section (undefined drops a key).
    const example = buildTestWallet(testConfig({ security: { coldKey: undefined } }));
    for (const stack of ['keys', 'keysReplica'] as const) {
      const resources = Object.keys(example.template(stack).toJSON().Resources as Record<string, unknown>);
      expect(resources.filter((id) => id.startsWith('ColdKey'))).toEqual([]);
    }
    expect(example.stacks.keys.coldKey).toBeUndefined();
    expect(example.stacks.keysReplica.coldKey).toBeUndefined();
  });
});

describe('prop checks', () => {
  const valid: ColdKeyProps = {
    alias: 'alias/example-wallet-cold',
    breakGlassRoleArn: BREAK_GLASS,
    maxSessionSeconds: 3600,
    signerRoleName: 'example-wallet-cold-signer',
    signerPrincipalArns: [OFFICERS],
    standbyRegion: 'us-west-2',
  };
  const stack = (app: App = newTestApp()) => new Stack(app, 'S', { env: { account: ACCOUNT, region: 'us-east-2' } });

  test('valid props build', () => {
    expect(() => new ColdKey(stack(), 'ColdKey', valid)).not.toThrow();
  });

  test('fails with every problem at once, each naming the prop, the value and the fix', () => {
    const build = () =>
      new ColdKey(stack(), 'ColdKey', {
        ...valid,
        alias: 'alias/aws/cold',
        maxSessionSeconds: 100,
        signerRoleName: 'TreasurySigner',
        signerPrincipalArns: [`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::222222222222:role/Treasury', BREAK_GLASS],
        standbyRegion: 'us-east-2',
      });
    expect(build).toThrow(/ColdKey S\/ColdKey: 7 invalid props/);
    expect(build).toThrow(/maxSessionSeconds: must be a whole number of seconds from 900 .* received 100\. Fix:/);
    expect(build).toThrow(
      /signerPrincipalArns\[0\]: is not an IAM user or role ARN .*received "arn:aws:iam::111111111111:root"/,
    );
    expect(build).toThrow(/signerPrincipalArns\[1\]: is in account 222222222222, not the key's account 111111111111/);
    expect(build).toThrow(/signerPrincipalArns\[2\]: is the break-glass role/);
    expect(build).toThrow(/signerRoleName: does not end in -wallet-cold-signer.*received "TreasurySigner"/);
    expect(build).toThrow(/alias: is not a customer alias name; received "alias\/aws\/cold"/);
    expect(build).toThrow(/standbyRegion: is the key's own region \(us-east-2\)/);
  });

  test('fails on an empty principal list', () => {
    expect(() => new ColdKey(stack(), 'ColdKey', { ...valid, signerPrincipalArns: [] })).toThrow(
      /signerPrincipalArns: is empty: nobody could assume the ColdSigner role.*Fix: name at least one treasury officer/,
    );
  });

  test('fails: the keys-replica stack with the cold key enabled but no primary cold key ARN', () => {
    const app = newTestApp();
    expect(
      () =>
        new KeysReplicaStack(app, 'R', {
          env: { account: ACCOUNT, region: 'us-west-2' },
          config: wallet.config,
          signingKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-1',
          dataKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-2',
          backupKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-3',
        }),
    ).toThrow(/security.coldKey.enabled is true but no coldKeyArn was passed; pass keys.coldKey.keyArn/);
  });

  test('fails (replica): a signer role that is not the cold signer, and a session out of range', () => {
    const app = newTestApp();
    const standby = new Stack(app, 'R', { env: { account: ACCOUNT, region: 'us-west-2' } });
    expect(
      () =>
        new ColdKeyReplica(standby, 'ColdKey', {
          alias: 'alias/example-wallet-cold',
          breakGlassRoleArn: BREAK_GLASS,
          maxSessionSeconds: 86400,
          primaryKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-1',
          signerRoleArn: role('example-wallet-signer-us-west-2'),
          allowedReplicaRegions: ['us-west-2'],
        }),
    ).toThrow(
      /2 invalid props[\s\S]*maxSessionSeconds[\s\S]*signerRoleArn: does not name a role ending in -wallet-cold-signer/,
    );
  });
});
