import { Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SynthesizedStack, uncoveredStatefulResources } from '../../lib/backup/coverage';
import { WalletBackupAlarms } from '../../lib/constructs/backup-alarms';
import { WalletBackupPlan, WalletBackupPlanProps } from '../../lib/constructs/backup-plan';
import { WalletBackupVault } from '../../lib/constructs/backup-vault';
import { WalletRestoreTesting } from '../../lib/constructs/restore-testing';
import { TAG_KEYS } from '../../lib/contract/names';
import { buildTestWallet, exampleWallet, newTestApp, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { evaluateKeyPolicy } from '../helpers/policy-eval';

const ACCOUNT = '111111111111';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const BREAK_GLASS = role('WalletBreakGlass');
const STANDBY_VAULT_ARN = 'arn:aws:backup:us-west-2:111111111111:backup-vault:example-wallet-backups';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resourcesOf = (template: Template, type: string) => template.findResources(type) as Resources;
const only = (template: Template, type: string) => {
  const found = Object.values(resourcesOf(template, type));
  expect(found).toHaveLength(1);
  return found[0].Properties;
};
const keyOutput = (stackName: string, region: string, logicalIdPrefix: string) => ({
  'Fn::GetStackOutput': { StackName: stackName, Region: region, OutputName: Match.stringLikeRegexp(logicalIdPrefix) },
});

describe.each([
  ['primary', 'example-wallet-keys', 'us-east-2'],
  ['standby', 'example-wallet-keys-replica', 'us-west-2'],
] as const)('%s region vault', (stackName, keysStack, region) => {
  test('is encrypted with the backup key of its region (never the data key), named from config, retained', () => {
    const template = wallet.template(stackName);
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({
        BackupVaultName: 'example-wallet-backups',
        EncryptionKeyArn: keyOutput(keysStack, region, 'BackupKey'),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(JSON.stringify(only(template, 'AWS::Backup::BackupVault').EncryptionKeyArn)).not.toContain('DataKey');
  });

  test('access policy: one deny of every destructive or tampering action to everyone but break-glass', () => {
    const policy = only(wallet.template(stackName), 'AWS::Backup::BackupVault').AccessPolicy as {
      Statement: Array<Record<string, unknown>>;
    };
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyDestroyingBackupsExceptBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [
          'backup:DeleteBackupVault',
          'backup:DeleteBackupVaultAccessPolicy',
          'backup:DeleteBackupVaultLockConfiguration',
          'backup:DeleteBackupVaultNotifications',
          'backup:DeleteRecoveryPoint',
          'backup:DisassociateRecoveryPoint',
          'backup:UpdateRecoveryPointLifecycle',
        ],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
      },
    ]);
  });

  test.each([
    ['an admin role deletes a recovery point', role('Admin'), 'backup:DeleteRecoveryPoint', 'explicit-deny'],
    [
      'CloudFormation shortens a lifecycle',
      role('cdk-cfn-exec'),
      'backup:UpdateRecoveryPointLifecycle',
      'explicit-deny',
    ],
    ['an admin removes a governance lock', role('Admin'), 'backup:DeleteBackupVaultLockConfiguration', 'explicit-deny'],
    ['break-glass may delete (IAM decides)', BREAK_GLASS, 'backup:DeleteRecoveryPoint', 'implicit-deny'],
    [
      'copies into the vault are not blocked',
      role('example-wallet-backup-us-east-2'),
      'backup:CopyIntoBackupVault',
      'implicit-deny',
    ],
  ])('access policy: %s', (_name, principalArn, action, expected) => {
    const policy = only(wallet.template(stackName), 'AWS::Backup::BackupVault').AccessPolicy as Parameters<
      typeof evaluateKeyPolicy
    >[0];
    expect(evaluateKeyPolicy(policy, { principalArn, action })).toBe(expected);
  });

  test('sends failed copies and changed recovery points to the region alerts topic, which lets AWS Backup publish', () => {
    const template = wallet.template(stackName);
    const topics = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'));
    expect(only(template, 'AWS::Backup::BackupVault').Notifications).toEqual({
      BackupVaultEvents: ['COPY_JOB_FAILED', 'RECOVERY_POINT_MODIFIED'],
      SNSTopicArn: { Ref: topics[0] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'backup.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ]),
      },
    });
  });

  test('restore testing: the latest snapshot of the last day from this vault, daily, into a throwaway table', () => {
    const template = wallet.template(stackName);
    const vaultId = Object.keys(resourcesOf(template, 'AWS::Backup::BackupVault'))[0];
    expect(only(template, 'AWS::Backup::RestoreTestingPlan')).toEqual({
      RestoreTestingPlanName: 'example_wallet_restore_test',
      ScheduleExpression: 'cron(0 6 ? * * *)',
      StartWindowHours: 2,
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [{ 'Fn::GetAtt': [vaultId, 'BackupVaultArn'] }],
        RecoveryPointTypes: ['SNAPSHOT'],
        SelectionWindowDays: 1,
      },
      Tags: expect.anything(),
    });
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    const restoreRole = Object.keys(roles).find(
      (id) => roles[id].Properties.RoleName === `example-wallet-restore-${region}`,
    );
    expect(only(template, 'AWS::Backup::RestoreTestingSelection')).toEqual({
      RestoreTestingPlanName: 'example_wallet_restore_test',
      RestoreTestingSelectionName: 'dynamodb_tables',
      ProtectedResourceType: 'DynamoDB',
      ProtectedResourceArns: ['*'],
      IamRoleArn: { 'Fn::GetAtt': [restoreRole, 'Arn'] },
      RestoreMetadataOverrides: {
        encryptionType: 'KMS',
        kmsMasterKeyArn: {
          'Fn::GetStackOutput': { StackName: keysStack, Region: region, OutputName: expect.stringMatching(/DataKey/) },
        },
      },
      ValidationWindowHours: 1,
    });
  });

  test('the restore role writes only to new restore-test or restored-* tables, never to the live ledger', () => {
    const template = wallet.template(stackName);
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).filter((p) =>
      String(p.Properties.Description).includes('restore'),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0].Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> })
      .Statement;
    const tables = statements.find((s) => s.Sid === 'RestoreOnlyIntoNewTables');
    expect(tables?.Resource).toEqual([
      `arn:aws:dynamodb:${region}:${ACCOUNT}:table/awsbackup-restore-test-*`,
      `arn:aws:dynamodb:${region}:${ACCOUNT}:table/example-wallet-restored-*`,
    ]);
    expect(JSON.stringify(statements)).not.toContain('table/example-wallet-ledger');
    const dataKey = statements.find((s) => s.Sid === 'EncryptRestoredTablesThroughDynamoDb');
    expect(dataKey?.Condition).toEqual({ StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } });
  });

  test('every backup alarm notifies the region topic on ALARM and OK', () => {
    const template = wallet.template(stackName);
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((a) =>
      String(a.Properties.AlarmName).startsWith('example-wallet-backup-'),
    );
    expect(alarms.length).toBe(stackName === 'primary' ? 5 : 2);
    const topic = { Ref: Object.keys(resourcesOf(template, 'AWS::SNS::Topic'))[0] };
    for (const alarm of alarms) {
      expect([alarm.Properties.AlarmName, alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([
        alarm.Properties.AlarmName,
        [topic],
        [topic],
      ]);
      expect(alarm.Properties.ActionsEnabled).toBe(true);
    }
  });

  test('restore alarms: a failed restore job (missing data = no failure) and no completed restore test in 48 h (missing = breaching)', () => {
    const template = wallet.template(stackName);
    const dims = [{ Name: 'BackupVaultName', Value: 'example-wallet-backups' }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-backup-restore-jobs-failed',
      Namespace: 'AWS/Backup',
      MetricName: 'NumberOfRestoreJobsFailed',
      Dimensions: dims,
      Statistic: 'Sum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-backup-restore-test-stale',
      MetricName: 'NumberOfRestoreJobsCompleted',
      Dimensions: dims,
      Period: 3600,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 48,
      DatapointsToAlarm: 48,
      TreatMissingData: 'breaching',
    });
  });
});

describe('backup plan (primary region only)', () => {
  test('exists only in the primary region', () => {
    wallet.template('primary').resourceCountIs('AWS::Backup::BackupPlan', 1);
    wallet.template('standby').resourceCountIs('AWS::Backup::BackupPlan', 0);
    wallet.template('standby').resourceCountIs('AWS::Backup::BackupSelection', 0);
  });

  test('frequent and daily rules: schedules, 60 min start window, lifecycles from config, copied to the standby vault', () => {
    const vaultId = Object.keys(resourcesOf(wallet.template('primary'), 'AWS::Backup::BackupVault'))[0];
    const vault = { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] };
    const plan = only(wallet.template('primary'), 'AWS::Backup::BackupPlan').BackupPlan;
    expect(plan).toEqual({
      BackupPlanName: 'example-wallet-backups',
      BackupPlanRule: [
        {
          RuleName: 'Frequent',
          TargetBackupVault: vault,
          ScheduleExpression: 'cron(0 * ? * * *)',
          StartWindowMinutes: 60,
          CompletionWindowMinutes: 180,
          Lifecycle: { DeleteAfterDays: 7 },
          CopyActions: [{ DestinationBackupVaultArn: STANDBY_VAULT_ARN, Lifecycle: { DeleteAfterDays: 7 } }],
        },
        {
          RuleName: 'Daily',
          TargetBackupVault: vault,
          ScheduleExpression: 'cron(0 5 ? * * *)',
          StartWindowMinutes: 60,
          CompletionWindowMinutes: 720,
          Lifecycle: { DeleteAfterDays: 35 },
          CopyActions: [{ DestinationBackupVaultArn: STANDBY_VAULT_ARN, Lifecycle: { DeleteAfterDays: 35 } }],
        },
      ],
    });
  });

  test('copies target the vault in the OTHER region (the standby), not a cross-region reference', () => {
    const plan = only(wallet.template('primary'), 'AWS::Backup::BackupPlan').BackupPlan as {
      BackupPlanRule: Array<{ CopyActions: Array<{ DestinationBackupVaultArn: string }> }>;
    };
    const regions = plan.BackupPlanRule.flatMap((r) =>
      r.CopyActions.map((c) => c.DestinationBackupVaultArn.split(':')[3]),
    );
    expect(regions).toEqual(['us-west-2', 'us-west-2']);
    expect(wallet.stacks.primary.region).toBe('us-east-2');
    // ...and the standby stack really holds a vault of that name
    expect(only(wallet.template('standby'), 'AWS::Backup::BackupVault').BackupVaultName).toBe(
      STANDBY_VAULT_ARN.split(':').pop(),
    );
  });

  test('no continuous-backup rule: AWS Backup does not support it for DynamoDB (DynamoDB PITR covers it)', () => {
    const plan = only(wallet.template('primary'), 'AWS::Backup::BackupPlan').BackupPlan as {
      BackupPlanRule: Array<Record<string, unknown>>;
    };
    expect(plan.BackupPlanRule.map((r) => r.EnableContinuousBackup)).toEqual([undefined, undefined]);
    wallet.template('primary').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: Match.arrayWith([
        Match.objectLike({ PointInTimeRecoverySpecification: Match.objectLike({ PointInTimeRecoveryEnabled: true }) }),
      ]),
    });
  });

  test('the selection names the ledger by ARN and uses the backup role', () => {
    const template = wallet.template('primary');
    const tableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::GlobalTable'))[0];
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    const backupRole = Object.keys(roles).find(
      (id) => roles[id].Properties.RoleName === 'example-wallet-backup-us-east-2',
    );
    expect(only(template, 'AWS::Backup::BackupSelection').BackupSelection).toEqual({
      SelectionName: 'example-wallet-backups-state',
      IamRoleArn: { 'Fn::GetAtt': [backupRole, 'Arn'] },
      Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }],
    });
  });

  test('the backup role: advanced DynamoDB backup of the ledger (and its replica) only, no CreateBackup, grants on named keys, copy into the standby vault', () => {
    const template = wallet.template('primary');
    const tableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::GlobalTable'))[0];
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).find((p) =>
      String(p.Properties.Description).includes('back up'),
    );
    const statements = (policy?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      [
        'BackUpProtectedTables',
        ['dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource', 'dynamodb:StartAwsBackupJob'],
      ],
      ['UseTableKeysThroughDynamoDB', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['GrantsOnResourceAndVaultKeys', 'kms:CreateGrant'],
      ['DescribeResourceAndVaultKeys', 'kms:DescribeKey'],
      ['CopyIntoTheOtherRegionsVault', 'backup:CopyIntoBackupVault'],
      ['DescribeBothVaults', 'backup:DescribeBackupVault'],
    ]);
    // Finding 7 (AWS's KMSDynamoDBPermissions): the table keys, only through DynamoDB, nothing else.
    expect(statements[1].Condition).toEqual({ StringLike: { 'kms:ViaService': 'dynamodb.*.amazonaws.com' } });
    // the two data-key copies that encrypt the table replicas (primary by stack output, standby by its mrk- ARN)
    expect(statements[1].Resource).toHaveLength(2);
    expect(JSON.stringify(statements[1].Resource)).toContain('DataKey');
    // the ledger, plus its standby replica for on-demand backups during a long primary outage
    expect(statements[0].Resource).toEqual([
      'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger',
      { 'Fn::GetAtt': [tableId, 'Arn'] },
    ]);
    expect(statements[2].Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    expect(statements[4].Resource).toBe(STANDBY_VAULT_ARN);
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|:\*"/);
  });

  test('backup alarms: failed/expired/aborted jobs, failed copies, and no completed backup within the 2 h RPO', () => {
    const template = wallet.template('primary');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-backup-jobs-failed',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(expired, 0) + FILL(aborted, 0)' }),
        ...['Failed', 'Expired', 'Aborted'].map((state) =>
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'AWS/Backup',
                MetricName: `NumberOfBackupJobs${state}`,
                Dimensions: [{ Name: 'BackupVaultName', Value: 'example-wallet-backups' }],
              },
              Stat: 'Sum',
            }),
          }),
        ),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-backup-copy-jobs-failed',
      MetricName: 'NumberOfCopyJobsFailed',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-backup-stale',
      MetricName: 'NumberOfBackupJobsCompleted',
      Period: 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });
});

describe('vault lock per mode (config backup.vaultLock)', () => {
  test('governance: min and max retention, no cooling-off (so the lock stays removable by break-glass)', () => {
    expect(only(wallet.template('primary'), 'AWS::Backup::BackupVault').LockConfiguration).toEqual({
      MinRetentionDays: 7,
      MaxRetentionDays: 365,
    });
  });

  test('compliance: the cooling-off (ChangeableForDays) is set in both regions', () => {
    const compliance = buildTestWallet(
      testConfig({ backup: { vaultLock: { mode: 'compliance', changeableForDays: 3 } } }),
    );
    for (const stack of ['primary', 'standby'] as const) {
      expect(only(compliance.template(stack), 'AWS::Backup::BackupVault').LockConfiguration).toEqual({
        MinRetentionDays: 7,
        MaxRetentionDays: 365,
        ChangeableForDays: 3,
      });
    }
  });
});

describe('invariant: every table or wallet-state bucket of the app is in a backup selection copied to another region', () => {
  const synthesized = (w: TestWallet): SynthesizedStack[] =>
    (Object.keys(w.stacks) as Array<keyof TestWallet['stacks']>).map((name) => ({
      stackName: w.stacks[name].stackName,
      region: w.stacks[name].region,
      template: w.template(name).toJSON(),
    }));

  test('the app: the ledger (and anything stateful added later) is covered', () => {
    const stacks = synthesized(wallet);
    const stateful = stacks.flatMap((s) =>
      Object.values(s.template.Resources ?? {}).filter((r) =>
        ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket'].includes(r.Type),
      ),
    );
    expect(stateful.length).toBeGreaterThan(0);
    expect(uncoveredStatefulResources(stacks)).toEqual([]);
  });

  test('fails (proves the check can fail): a new table and a bucket nobody added to the plan are reported', () => {
    // Prepare: the app plus a deliberately unprotected table (primary) and bucket (standby)
    const broken = buildTestWallet();
    new dynamodb.TableV2(broken.stacks.primary, 'Orphan', {
      tableName: 'example-wallet-orphan',
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    new s3.Bucket(broken.stacks.standby, 'Exports');
    // a bucket tagged as access logs holds no wallet state and is not reported
    Tags.of(new s3.Bucket(broken.stacks.standby, 'AccessLogs')).add(TAG_KEYS.dataClass, 'access-logs');
    // Act
    const uncovered = uncoveredStatefulResources(synthesized(broken));
    // Assess
    expect(uncovered.map((u) => [u.stackName, u.type, u.reason])).toEqual([
      ['example-wallet-primary', 'AWS::DynamoDB::GlobalTable', 'in no backup selection of its stack'],
      ['example-wallet-standby', 'AWS::S3::Bucket', 'in no backup selection of its stack'],
    ]);
  });

  test('fails: a selected resource whose plan keeps its copies in the same region', () => {
    const stacks = synthesized(wallet).map((s) =>
      s.stackName === 'example-wallet-primary'
        ? {
            ...s,
            template: JSON.parse(
              JSON.stringify(s.template)
                .split('us-west-2:111111111111:backup-vault')
                .join('us-east-2:111111111111:backup-vault'),
            ),
          }
        : s,
    );
    expect(uncoveredStatefulResources(stacks).map((u) => u.reason)).toEqual([
      'its backup plan does not copy every rule to a vault in another region',
    ]);
  });
});

describe('construct validation (every problem at once: what, received, how to fix)', () => {
  const scaffold = () => {
    const app = newTestApp();
    const stack = new Stack(app, 'T', { env: { account: ACCOUNT, region: 'us-east-2' } });
    const key = kms.Key.fromKeyArn(stack, 'K', `arn:aws:kms:us-east-2:${ACCOUNT}:key/mrk-1`);
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:us-east-2:${ACCOUNT}:alerts`);
    return { stack, key, topic };
  };
  const vault = (lock: Record<string, unknown>) => {
    const { stack, key, topic } = scaffold();
    return () =>
      new WalletBackupVault(stack, 'Vault', {
        vaultName: 'v',
        encryptionKey: key,
        breakGlassRoleArn: BREAK_GLASS,
        notificationTopic: topic,
        lock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 365, ...lock } as never,
      });
  };

  test('fails: vault lock in compliance mode with a cooling-off under 3 days', () => {
    expect(vault({ mode: 'compliance', changeableForDays: 2 })).toThrow(
      'lock.changeableForDays: is under the 3-day cooling-off minimum AWS Backup enforces for compliance mode; received 2. Fix: set it to 3 or more days.',
    );
  });

  test('fails: vault lock in compliance mode without a cooling-off', () => {
    expect(vault({ mode: 'compliance' })).toThrow('lock.changeableForDays: is required in compliance mode');
  });

  test('fails: vault lock retention min > max', () => {
    expect(vault({ minRetentionDays: 400 })).toThrow(
      'lock.minRetentionDays: is greater than lock.maxRetentionDays (365), so no retention satisfies the lock; received 400.',
    );
  });

  test('fails: a cooling-off with governance mode (it would silently mean compliance)', () => {
    expect(vault({ changeableForDays: 3 })).toThrow('lock.changeableForDays: turns the lock into compliance mode');
  });

  test('fails with all lock problems in one error', () => {
    expect(vault({ mode: 'compliance', minRetentionDays: 0, maxRetentionDays: 40000 })).toThrow(
      /WalletBackupVault T\/Vault: 3 invalid props\n {2}- lock\.minRetentionDays: .*\n {2}- lock\.maxRetentionDays: .*\n {2}- lock\.changeableForDays: is required/,
    );
  });

  const planProps = (overrides: Partial<WalletBackupPlanProps>): WalletBackupPlanProps => ({
    planName: 'p',
    vaultName: 'v',
    vaultArn: 'arn:aws:backup:us-east-2:111111111111:backup-vault:v',
    vaultKeyArn: `arn:aws:kms:us-east-2:${ACCOUNT}:key/mrk-1`,
    copyTo: { region: 'us-west-2', vaultArn: STANDBY_VAULT_ARN, keyArn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/mrk-1` },
    frequent: { schedule: 'cron(0 * ? * * *)', retentionDays: 7 },
    daily: { schedule: 'cron(0 5 ? * * *)', retentionDays: 35 },
    resources: [
      {
        arn: `arn:aws:dynamodb:us-east-2:${ACCOUNT}:table/t`,
        resourceType: 'DynamoDB',
        encryptionKeyArn: `arn:aws:kms:us-east-2:${ACCOUNT}:key/mrk-2`,
      },
    ],
    roleName: 'r',
    lockBounds: { minRetentionDays: 7, maxRetentionDays: 365 },
    ...overrides,
  });

  test.each<[string, Partial<WalletBackupPlanProps>, string]>([
    [
      'backup retention shorter than the vault lock allows',
      { frequent: { schedule: 'cron(0 * ? * * *)', retentionDays: 3 } },
      "frequent.retentionDays: is outside the vault lock's 7-365 days, so AWS Backup would reject every job of this rule; received 3.",
    ],
    [
      'backups more often than hourly',
      { frequent: { schedule: 'cron(0/30 * ? * * *)', retentionDays: 7 } },
      'frequent.schedule: runs 30 min apart; AWS Backup rejects rules that run more often than hourly',
    ],
    [
      'a schedule the evaluator cannot model',
      { daily: { schedule: 'cron(0 5 L * ? *)', retentionDays: 35 } },
      'daily.schedule: cannot be evaluated: day-of-month "L" uses L, W or #',
    ],
    ['nothing to back up', { resources: [] }, 'resources: is empty, so the plan would back up nothing'],
    [
      'backups too far apart for the RPO target',
      { frequent: { schedule: 'cron(0 */4 ? * * *)', retentionDays: 7 }, rpoTargetSeconds: 7200 },
      'frequent.schedule: lets the newest backup be 5 h old (largest gap between backups 4 h + start window 1 h = 5 h), more than the RPO target 7200 s',
    ],
    [
      'backup retention shorter than the RPO target allows',
      {
        frequent: { schedule: 'cron(0 0 */2 * ? *)', retentionDays: 1 },
        daily: { schedule: 'cron(0 5 1 * ? *)', retentionDays: 1 },
        lockBounds: { minRetentionDays: 1, maxRetentionDays: 365 },
        rpoTargetSeconds: 3 * 86400,
      },
      'frequent.retentionDays, daily.retentionDays: is shorter than the RPO target allows: recovery points expire before the next one exists',
    ],
  ])('fails: %s', (_name, overrides, message) => {
    const { stack } = scaffold();
    expect(() => new WalletBackupPlan(stack, 'Plan', planProps(overrides))).toThrow(message);
  });

  test('fails: a restore testing plan name with hyphens', () => {
    const { stack, key } = scaffold();
    expect(
      () =>
        new WalletRestoreTesting(stack, 'RestoreTesting', {
          planName: 'example-wallet',
          schedule: 'cron(0 6 ? * * *)',
          vaultArn: 'arn:aws:backup:us-east-2:111111111111:backup-vault:v',
          vaultKey: key,
          dataKey: key,
          roleName: 'r',
          manualRestoreTablePrefix: 'example-wallet-restored-',
        }),
    ).toThrow('planName: must be 1-50 letters, digits or underscores');
  });

  test('fails: a freshness window CloudWatch cannot evaluate (over 7 days)', () => {
    const { stack, topic } = scaffold();
    expect(
      () =>
        new WalletBackupAlarms(stack, 'Alarms', {
          alarmNamePrefix: 'x',
          vaultName: 'v',
          topic,
          backupFreshnessSeconds: 8 * 86400,
          restoreFreshnessSeconds: 86400,
        }),
    ).toThrow('backupFreshnessSeconds: must be from 3600 (one hourly bucket) to 604800');
  });
});
