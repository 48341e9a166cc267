import { Match } from 'aws-cdk-lib/assertions';
import { BREAK_GLASS_ONLY_ACTIONS } from '../../lib/constructs/key-policy';
import { exampleWallet, TestWallet } from '../helpers/app';
import { evaluateKeyPolicy, KeyRequest } from '../helpers/policy-eval';

const ACCOUNT = '111111111111';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BREAK_GLASS = role('WalletBreakGlass');
// status.operatorRoleArns of the example config: the roles that run the AWS drill and wallet-status
const OPERATOR = role('WalletOperator');
const PRIMARY_SIGNER = role('example-wallet-signer-us-east-2');
const STANDBY_SIGNER = role('example-wallet-signer-us-west-2');
const CFN_EXEC = role('cdk-hnb659fds-cfn-exec-role-111111111111-us-west-2');
const REMEDIATION = role('example-wallet-remediation-us-east-2');
const PRIMARY_HEALTH = role('example-wallet-health-us-east-2');
const STANDBY_HEALTH = role('example-wallet-health-us-west-2');
const STANDBY_REMEDIATION = role('example-wallet-remediation-us-west-2');
const PRIMARY_REMEDIATION = role('example-wallet-remediation-us-east-2');

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

type Policy = Parameters<typeof evaluateKeyPolicy>[0];
function keyPolicy(stackName: 'keys' | 'keysReplica', logicalIdPrefix: string): Policy {
  const template = wallet.template(stackName);
  const type = stackName === 'keys' ? 'AWS::KMS::Key' : 'AWS::KMS::ReplicaKey';
  const keys = template.findResources(type);
  const id = Object.keys(keys).find((k) => k.startsWith(logicalIdPrefix));
  if (id === undefined) throw new Error(`no ${type} starting with ${logicalIdPrefix} in ${Object.keys(keys)}`);
  return keys[id].Properties[stackName === 'keys' ? 'KeyPolicy' : 'KeyPolicy'] as Policy;
}

describe('signing key (primary region)', () => {
  test('is a multi-region secp256k1 SIGN_VERIFY key without rotation', () => {
    wallet.template('keys').hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_SECG_P256K1',
      KeyUsage: 'SIGN_VERIFY',
      MultiRegion: true,
      EnableKeyRotation: false,
    });
  });

  test('is retained with a 30-day deletion window', () => {
    wallet.template('keys').hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'ECC_SECG_P256K1', PendingWindowInDays: 30 }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has an alias in its region', () => {
    wallet.template('keys').hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/example-wallet-signing' });
  });

  test('policy uses no wildcard action', () => {
    const actions = keyPolicy('keys', 'SigningKey').Statement.flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test.each<[string, KeyRequest, string]>([
    ['the primary signer signs', { principalArn: PRIMARY_SIGNER, action: 'kms:Sign' }, 'allow'],
    ['the primary signer reads the public key', { principalArn: PRIMARY_SIGNER, action: 'kms:GetPublicKey' }, 'allow'],
    [
      'the standby signer cannot sign with the primary copy',
      { principalArn: STANDBY_SIGNER, action: 'kms:Sign' },
      'explicit-deny',
    ],
    ['remediation cannot sign', { principalArn: REMEDIATION, action: 'kms:Sign' }, 'explicit-deny'],
    [
      'the primary health role reads the public key (/health/deep)',
      { principalArn: PRIMARY_HEALTH, action: 'kms:GetPublicKey' },
      'allow',
    ],
    ['the primary health role cannot sign', { principalArn: PRIMARY_HEALTH, action: 'kms:Sign' }, 'explicit-deny'],
    [
      'the standby health role cannot read the primary copy',
      { principalArn: STANDBY_HEALTH, action: 'kms:GetPublicKey' },
      'implicit-deny',
    ],
    [
      'any other role cannot read the public key',
      { principalArn: role('example-wallet-api-role'), action: 'kms:GetPublicKey' },
      'implicit-deny',
    ],
    ['break-glass cannot sign', { principalArn: BREAK_GLASS, action: 'kms:Sign' }, 'explicit-deny'],
    [
      'break-glass reads the public key (promote-keys checks the address)',
      { principalArn: BREAK_GLASS, action: 'kms:GetPublicKey' },
      'allow',
    ],
    [
      'an operator role (status.operatorRoleArns) reads the public key (the drill derives the address)',
      { principalArn: OPERATOR, action: 'kms:GetPublicKey' },
      'allow',
    ],
    ['an operator role cannot sign', { principalArn: OPERATOR, action: 'kms:Sign' }, 'explicit-deny'],
    [
      'break-glass moves the primary region (promote-keys)',
      { principalArn: BREAK_GLASS, action: 'kms:UpdatePrimaryRegion' },
      'allow',
    ],
    ['an admin role cannot sign', { principalArn: role('Admin'), action: 'kms:Sign' }, 'explicit-deny'],
    ['nobody creates grants (no side door)', { principalArn: BREAK_GLASS, action: 'kms:CreateGrant' }, 'explicit-deny'],
    ['break-glass schedules deletion', { principalArn: BREAK_GLASS, action: 'kms:ScheduleKeyDeletion' }, 'allow'],
    [
      'CloudFormation cannot schedule deletion',
      { principalArn: CFN_EXEC, action: 'kms:ScheduleKeyDeletion' },
      'explicit-deny',
    ],
    ['an admin role cannot disable', { principalArn: role('Admin'), action: 'kms:DisableKey' }, 'explicit-deny'],
    [
      'an admin role cannot move the primary region',
      { principalArn: role('Admin'), action: 'kms:UpdatePrimaryRegion' },
      'explicit-deny',
    ],
    [
      'CloudFormation replicates into the standby region',
      { principalArn: CFN_EXEC, action: 'kms:ReplicateKey', context: { 'kms:ReplicaRegion': 'us-west-2' } },
      'allow',
    ],
    [
      'CloudFormation cannot replicate anywhere else',
      { principalArn: CFN_EXEC, action: 'kms:ReplicateKey', context: { 'kms:ReplicaRegion': 'eu-west-1' } },
      'explicit-deny',
    ],
    [
      'break-glass replicates anywhere',
      { principalArn: BREAK_GLASS, action: 'kms:ReplicateKey', context: { 'kms:ReplicaRegion': 'eu-west-1' } },
      'allow',
    ],
    [
      'another account gets nothing',
      { principalArn: 'arn:aws:iam::999999999999:role/X', action: 'kms:DescribeKey' },
      'implicit-deny',
    ],
  ])('key policy: %s', (_name, request, expected) => {
    expect(evaluateKeyPolicy(keyPolicy('keys', 'SigningKey'), request)).toBe(expected);
  });
});

describe('data key (primary region)', () => {
  test('is a multi-region symmetric key with yearly rotation, retained, 30-day window', () => {
    wallet.template('keys').hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        MultiRegion: true,
        EnableKeyRotation: true,
        PendingWindowInDays: 30,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test.each<[string, KeyRequest, string]>([
    ['account roles encrypt through IAM', { principalArn: role('Api'), action: 'kms:GenerateDataKey' }, 'allow'],
    ['break-glass alone deletes', { principalArn: role('Admin'), action: 'kms:ScheduleKeyDeletion' }, 'explicit-deny'],
    [
      'CloudWatch Logs in the region encrypts its log groups',
      {
        service: 'logs.us-east-2.amazonaws.com',
        action: 'kms:Encrypt',
        context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-2:111111111111:log-group:/x' },
      },
      'allow',
    ],
    [
      'CloudWatch Logs cannot use it for another account',
      {
        service: 'logs.us-east-2.amazonaws.com',
        action: 'kms:Encrypt',
        context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-2:999999999999:log-group:/x' },
      },
      'implicit-deny',
    ],
    [
      'grants not for an AWS resource are denied (Control Tower CT.KMS.PR.3)',
      { principalArn: role('Api'), action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'false' } },
      'explicit-deny',
    ],
    [
      'DynamoDB-style grants for AWS resources',
      { principalArn: role('Api'), action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'true' } },
      'allow',
    ],
    [
      "EventBridge writes this account's target dead-letter queues (the remediation rule's)",
      { service: 'events.amazonaws.com', action: 'kms:GenerateDataKey', context: { 'aws:SourceAccount': ACCOUNT } },
      'allow',
    ],
    [
      // SQS calls KMS on EventBridge's behalf for the encrypted DLQ; no aws:SourceAccount is documented
      // on that path, so the grant carries no condition (the DLQ's queue policy names the rule).
      'EventBridge writes the DLQ even when the request carries no aws:SourceAccount',
      { service: 'events.amazonaws.com', action: 'kms:GenerateDataKey' },
      'allow',
    ],
    [
      'EventBridge may not decrypt-and-re-encrypt or administer the key',
      { service: 'events.amazonaws.com', action: 'kms:ReEncryptFrom' },
      'implicit-deny',
    ],
  ])('key policy: %s', (_name, request, expected) => {
    expect(evaluateKeyPolicy(keyPolicy('keys', 'DataKey'), request)).toBe(expected);
  });
});

describe('replica keys (standby region)', () => {
  test('replicate the primary keys, looked up cross-region without helper Lambdas', () => {
    const template = wallet.template('keysReplica');
    // signing, data, backup and (security.coldKey in the example) the cold key
    template.resourceCountIs('AWS::KMS::ReplicaKey', 4);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::KMS::ReplicaKey', {
      PrimaryKeyArn: {
        'Fn::GetStackOutput': Match.objectLike({ StackName: 'example-wallet-keys', Region: 'us-east-2' }),
      },
      PendingWindowInDays: 30,
      Enabled: true,
    });
  });

  test('are retained', () => {
    const replicas = wallet.template('keysReplica').findResources('AWS::KMS::ReplicaKey');
    for (const replica of Object.values(replicas)) {
      expect(replica).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test.each<[string, KeyRequest, string]>([
    ['the standby signer signs with the replica', { principalArn: STANDBY_SIGNER, action: 'kms:Sign' }, 'allow'],
    [
      'the standby health role reads the replica public key',
      { principalArn: STANDBY_HEALTH, action: 'kms:GetPublicKey' },
      'allow',
    ],
    ['the standby health role cannot sign', { principalArn: STANDBY_HEALTH, action: 'kms:Sign' }, 'explicit-deny'],
    [
      'the standby remediation role reads the replica public key (to find the leases by address)',
      { principalArn: STANDBY_REMEDIATION, action: 'kms:GetPublicKey' },
      'allow',
    ],
    [
      'break-glass reads the replica public key (promote-keys checks the address)',
      { principalArn: BREAK_GLASS, action: 'kms:GetPublicKey' },
      'allow',
    ],
    [
      'an operator role reads the replica public key (the drill reads the standby copy)',
      { principalArn: OPERATOR, action: 'kms:GetPublicKey' },
      'allow',
    ],
    ['an operator role cannot sign with the replica', { principalArn: OPERATOR, action: 'kms:Sign' }, 'explicit-deny'],
    [
      'break-glass moves the primary region to the replica (promote-keys)',
      { principalArn: BREAK_GLASS, action: 'kms:UpdatePrimaryRegion' },
      'allow',
    ],
    [
      'the standby remediation role cannot sign',
      { principalArn: STANDBY_REMEDIATION, action: 'kms:Sign' },
      'explicit-deny',
    ],
    [
      'the primary signer cannot sign in the standby region',
      { principalArn: PRIMARY_SIGNER, action: 'kms:Sign' },
      'explicit-deny',
    ],
    [
      'an admin role cannot schedule deletion',
      { principalArn: role('Admin'), action: 'kms:ScheduleKeyDeletion' },
      'explicit-deny',
    ],
    ['break-glass can schedule deletion', { principalArn: BREAK_GLASS, action: 'kms:ScheduleKeyDeletion' }, 'allow'],
  ])('signing replica policy: %s', (_name, request, expected) => {
    expect(evaluateKeyPolicy(keyPolicy('keysReplica', 'SigningKey'), request)).toBe(expected);
  });

  test('the primary signing key gives the primary remediation role nothing (it never moves leases)', () => {
    for (const action of ['kms:GetPublicKey', 'kms:Sign']) {
      expect(
        evaluateKeyPolicy(keyPolicy('keys', 'SigningKey'), { principalArn: PRIMARY_REMEDIATION, action }),
      ).not.toBe('allow');
    }
  });

  test('the data replica lets EventBridge of this account write its dead-letter queues', () => {
    const request = {
      service: 'events.amazonaws.com',
      action: 'kms:GenerateDataKey',
      context: { 'aws:SourceAccount': ACCOUNT },
    };
    expect(evaluateKeyPolicy(keyPolicy('keysReplica', 'DataKey'), request)).toBe('allow');
  });

  test('the data replica lets CloudWatch Logs of the standby region, not the primary, encrypt', () => {
    const policy = keyPolicy('keysReplica', 'DataKey');
    const context = { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-west-2:111111111111:log-group:/x' };
    expect(evaluateKeyPolicy(policy, { service: 'logs.us-west-2.amazonaws.com', action: 'kms:Encrypt', context })).toBe(
      'allow',
    );
    expect(evaluateKeyPolicy(policy, { service: 'logs.us-east-2.amazonaws.com', action: 'kms:Encrypt', context })).toBe(
      'implicit-deny',
    );
  });

  test('have aliases in the standby region', () => {
    const template = wallet.template('keysReplica');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/example-wallet-signing' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/example-wallet-data' });
  });
});

test('every break-glass-only action is denied to a non-break-glass admin on every key copy', () => {
  for (const [stack, prefix] of [
    ['keys', 'SigningKey'],
    ['keys', 'DataKey'],
    ['keys', 'BackupKey'],
    ['keysReplica', 'SigningKey'],
    ['keysReplica', 'DataKey'],
    ['keysReplica', 'BackupKey'],
  ] as const) {
    for (const action of BREAK_GLASS_ONLY_ACTIONS) {
      expect([
        stack,
        prefix,
        action,
        evaluateKeyPolicy(keyPolicy(stack, prefix), { principalArn: role('Admin'), action }),
      ]).toEqual([stack, prefix, action, 'explicit-deny']);
    }
  }
});
