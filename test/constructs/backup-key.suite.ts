import { Match } from 'aws-cdk-lib/assertions';
import { walletKeyPolicy } from '../../lib/constructs/key-policy';
import { exampleWallet, TestWallet } from '../helpers/app';
import { evaluateKeyPolicy, KeyRequest } from '../helpers/policy-eval';

const ACCOUNT = '111111111111';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BREAK_GLASS = role('WalletBreakGlass');
const BACKUP_ROLE = role('example-wallet-backup-us-east-2');
const viaBackup = (region: string, account = ACCOUNT) => ({
  'kms:ViaService': `backup.${region}.amazonaws.com`,
  'kms:CallerAccount': account,
});

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

type Policy = Parameters<typeof evaluateKeyPolicy>[0];
function policyOf(stack: 'keys' | 'keysReplica' | 'dns', logicalIdPrefix: string): Policy {
  const type = stack === 'keysReplica' ? 'AWS::KMS::ReplicaKey' : 'AWS::KMS::Key';
  const keys = wallet.template(stack).findResources(type);
  const id = Object.keys(keys).find((k) => k.startsWith(logicalIdPrefix));
  if (id === undefined) throw new Error(`no ${type} starting with ${logicalIdPrefix} in ${Object.keys(keys)}`);
  return keys[id].Properties.KeyPolicy as Policy;
}

describe('backup key (dedicated to the backup vaults)', () => {
  test('primary: multi-region symmetric key with rotation, retained, 30-day deletion window, tagged "backup"', () => {
    wallet.template('keys').hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        Description: Match.stringLikeRegexp('backup key'),
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        MultiRegion: true,
        EnableKeyRotation: true,
        PendingWindowInDays: 30,
        Tags: Match.arrayWith([{ Key: 'wallet:key-purpose', Value: 'backup' }]),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    wallet.template('keys').hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/example-wallet-backup' });
  });

  test('replica in the standby region: replicates the primary backup key, retained, 30-day window, same alias', () => {
    const template = wallet.template('keysReplica');
    template.hasResource('AWS::KMS::ReplicaKey', {
      Properties: Match.objectLike({
        Description: Match.stringLikeRegexp('backup key'),
        PendingWindowInDays: 30,
        PrimaryKeyArn: {
          'Fn::GetStackOutput': Match.objectLike({
            StackName: 'example-wallet-keys',
            OutputName: Match.stringLikeRegexp('BackupKey'),
          }),
        },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/example-wallet-backup' });
  });

  describe.each([
    ['keys', 'primary'],
    ['keysReplica', 'standby replica'],
  ] as const)('%s key policy (%s)', (stack, _copy) => {
    test.each<[string, KeyRequest, string]>([
      [
        'AWS Backup in the primary region uses it for this account',
        { principalArn: BACKUP_ROLE, action: 'kms:GenerateDataKey', context: viaBackup('us-east-2') },
        'allow',
      ],
      [
        'AWS Backup in the standby region uses it (copies land there)',
        { principalArn: BACKUP_ROLE, action: 'kms:Decrypt', context: viaBackup('us-west-2') },
        'allow',
      ],
      [
        'AWS Backup creates grants for AWS resources',
        {
          principalArn: BACKUP_ROLE,
          action: 'kms:CreateGrant',
          context: { ...viaBackup('us-east-2'), 'kms:GrantIsForAWSResource': 'true' },
        },
        'allow',
      ],
      [
        'no role decrypts directly, whatever its IAM policy says',
        { principalArn: role('Api'), action: 'kms:Decrypt' },
        'implicit-deny',
      ],
      [
        'even break-glass does not decrypt directly',
        { principalArn: BREAK_GLASS, action: 'kms:Decrypt' },
        'implicit-deny',
      ],
      [
        'not through another service (DynamoDB)',
        {
          principalArn: role('Api'),
          action: 'kms:Decrypt',
          context: { 'kms:ViaService': 'dynamodb.us-east-2.amazonaws.com', 'kms:CallerAccount': ACCOUNT },
        },
        'implicit-deny',
      ],
      [
        'not through AWS Backup of a third region',
        { principalArn: BACKUP_ROLE, action: 'kms:Decrypt', context: viaBackup('eu-west-1') },
        'implicit-deny',
      ],
      [
        'grants not for an AWS resource are denied',
        {
          principalArn: BACKUP_ROLE,
          action: 'kms:CreateGrant',
          context: { ...viaBackup('us-east-2'), 'kms:GrantIsForAWSResource': 'false' },
        },
        'explicit-deny',
      ],
      [
        'an admin cannot schedule its deletion',
        { principalArn: role('Admin'), action: 'kms:ScheduleKeyDeletion' },
        'explicit-deny',
      ],
      [
        'break-glass can schedule its deletion',
        { principalArn: BREAK_GLASS, action: 'kms:ScheduleKeyDeletion' },
        'allow',
      ],
      ['an admin cannot disable it', { principalArn: role('Admin'), action: 'kms:DisableKey' }, 'explicit-deny'],
    ])('%s', (_name, request, expected) => {
      expect(evaluateKeyPolicy(policyOf(stack, 'BackupKey'), request)).toBe(expected);
    });
  });

  test('policy uses no wildcard action', () => {
    const actions = policyOf('keys', 'BackupKey').Statement.flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('fails: a backup key policy without the services that may use it', () => {
    expect(() =>
      walletKeyPolicy({
        purpose: 'backup',
        partition: 'aws',
        account: ACCOUNT,
        region: 'us-east-2',
        breakGlassRoleArn: BREAK_GLASS,
        allowedReplicaRegions: ['us-west-2'],
      }),
    ).toThrow('a backup key needs keyUseViaServices');
  });
});

describe('data keys let AWS Backup publish vault notifications to the encrypted alerts topic', () => {
  const publish: KeyRequest = {
    service: 'backup.amazonaws.com',
    action: 'kms:GenerateDataKey',
    context: { 'aws:SourceAccount': ACCOUNT },
  };

  test.each(['keys', 'keysReplica'] as const)('%s data key: this account only', (stack) => {
    expect(evaluateKeyPolicy(policyOf(stack, 'DataKey'), publish)).toBe('allow');
    expect(
      evaluateKeyPolicy(policyOf(stack, 'DataKey'), { ...publish, context: { 'aws:SourceAccount': '999999999999' } }),
    ).toBe('implicit-deny');
  });

  test('the DNS alerts key does not (no backup vault in us-east-1)', () => {
    expect(evaluateKeyPolicy(policyOf('dns', 'AlertsKey'), publish)).toBe('implicit-deny');
  });
});
