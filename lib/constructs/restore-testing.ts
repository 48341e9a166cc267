import { Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CronError, scheduleGaps } from '../backup/schedule';
import { RESTORE_TEST_TABLE_PREFIX } from '../contract/names';
import { acknowledge } from '../security/nag';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** Props of {@link WalletRestoreTesting}. */
export interface WalletRestoreTestingProps {
  /** Letters, digits and underscores only (names.ts `restoreTestingPlanName`). */
  readonly planName: string;
  /** EventBridge cron, UTC; at least daily (the restore-test freshness alarm expects it). */
  readonly schedule: string;
  /** The vault whose latest recovery points are restored. */
  readonly vaultArn: string;
  /** That vault's key: the restore decrypts the recovery point through AWS Backup. */
  readonly vaultKey: kms.IKey;
  /** The region's data key: restored tables are encrypted with it, as a real restore would be. */
  readonly dataKey: kms.IKey;
  /** Name of the role AWS Backup assumes to restore (restore tests and manual restores). */
  readonly roleName: string;
  /**
   * Name prefix of tables restored by hand (docs/runbooks/restore.md). The restore role may create
   * and write only tables named with this prefix or restore testing's `awsbackup-restore-test-`, so
   * it can never write to the live ledger.
   */
  readonly manualRestoreTablePrefix: string;
}

/** Hours AWS Backup may wait to start a scheduled restore test (1-168). */
export const RESTORE_TEST_START_WINDOW_HOURS = 2;

/**
 * Hours a restored test table is kept before AWS Backup deletes it (1-168). Long enough for an
 * operator (or a future validation function calling PutRestoreValidationResult) to inspect it;
 * short enough that a daily test never accumulates tables.
 */
export const RESTORE_TEST_VALIDATION_WINDOW_HOURS = 1;

/** Data-plane actions a DynamoDB restore performs on the NEW table with the caller's permissions. */
export const RESTORED_TABLE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:RestoreTableFromAwsBackup',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;

/**
 * AWS Backup restore testing in one region: on the schedule, restore the newest snapshot recovery
 * point of every DynamoDB table in this region's vault into a throwaway `awsbackup-restore-test-*`
 * table encrypted with the data key, keep it for the validation window, then delete it. Each run is
 * a restore job, so the restore time is measured (`aws backup list-restore-jobs
 * --by-restore-testing-plan-arn ...`) and a failure raises the restore-job alarm.
 *
 * What is validated: the recovery point exists and is recent (selection window 1 day), it decrypts
 * with the vault key, DynamoDB accepts it as a new table encrypted with the data key, and the role
 * permissions a real restore needs work. NOT validated (no validation function yet): the restored
 * items themselves (item counts, the lease and nonce items); docs/backup.md says how to add it.
 */
export class WalletRestoreTesting extends Construct {
  public readonly plan: backup.CfnRestoreTestingPlan;
  public readonly selection: backup.CfnRestoreTestingSelection;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WalletRestoreTestingProps) {
    super(scope, id);
    throwIfProblems(this, 'WalletRestoreTesting', restoreTestingProblems(props));
    const stack = Stack.of(this);
    // Plain strings (the stacks have an explicit env), so the acknowledged finding ids below name
    // exactly these two patterns.
    const tableArn = (name: string) => `arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/${name}`;
    const restoreTargets = [tableArn(`${RESTORE_TEST_TABLE_PREFIX}*`), tableArn(`${props.manualRestoreTablePrefix}*`)];

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'AWS Backup: restore wallet tables into NEW tables (restore tests and manual restores)',
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    });
    const permissions = new iam.ManagedPolicy(this, 'Permissions', {
      description: 'AWS Backup: restore recovery points into new restore-test or restored-* tables only',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'RestoreOnlyIntoNewTables',
          actions: [...RESTORED_TABLE_ACTIONS],
          resources: restoreTargets,
        }),
        new iam.PolicyStatement({
          sid: 'DecryptRecoveryPointsThroughAwsBackup',
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [props.vaultKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'GrantsOnTheVaultKey',
          actions: ['kms:CreateGrant'],
          resources: [props.vaultKey.keyArn],
          conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
        new iam.PolicyStatement({
          // DynamoDB uses the caller's permissions to encrypt the new table with the data key.
          sid: 'EncryptRestoredTablesThroughDynamoDb',
          actions: [
            'kms:CreateGrant',
            'kms:Decrypt',
            'kms:DescribeKey',
            'kms:Encrypt',
            'kms:GenerateDataKey',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
          ],
          resources: [props.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
        }),
      ],
    });

    for (const target of restoreTargets) {
      acknowledge(
        permissions,
        `AwsSolutions-IAM5[Resource::${target}]`,
        'A restored table is a NEW table whose name is only known at restore time: restore tests get a generated ' +
          `"${RESTORE_TEST_TABLE_PREFIX}..." name (the only tables AWS Backup's restore-testing role deletes), manual ` +
          `restores use "${props.manualRestoreTablePrefix}..." (docs/runbooks/restore.md). The name prefix is the ` +
          'tightest bound possible, and it excludes the live ledger: this role can never write to it.',
      );
    }

    this.plan = new backup.CfnRestoreTestingPlan(this, 'Plan', {
      restoreTestingPlanName: props.planName,
      scheduleExpression: props.schedule,
      startWindowHours: RESTORE_TEST_START_WINDOW_HOURS,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.vaultArn],
        // Snapshots only: AWS Backup keeps no continuous (PITR) recovery points for DynamoDB.
        recoveryPointTypes: ['SNAPSHOT'],
        // Only a point from the last day counts: a stale vault means no test runs, which the
        // restore-test freshness alarm catches.
        selectionWindowDays: 1,
      },
    });
    this.selection = new backup.CfnRestoreTestingSelection(this, 'Selection', {
      restoreTestingPlanName: props.planName,
      restoreTestingSelectionName: 'dynamodb_tables',
      protectedResourceType: 'DynamoDB',
      // Every DynamoDB table with recovery points in the vault above (new tables are tested too).
      protectedResourceArns: ['*'],
      iamRoleArn: this.role.roleArn,
      restoreMetadataOverrides: { encryptionType: 'KMS', kmsMasterKeyArn: props.dataKey.keyArn },
      validationWindowHours: RESTORE_TEST_VALIDATION_WINDOW_HOURS,
    });
    this.selection.node.addDependency(this.plan);
  }
}

/** Every problem with the props, at once. */
export function restoreTestingProblems(props: WalletRestoreTestingProps): PropProblem[] {
  const problems: PropProblem[] = [];
  if (isResolved(props.planName) && !/^[A-Za-z0-9_]{1,50}$/.test(props.planName)) {
    problems.push({
      prop: 'planName',
      message: 'must be 1-50 letters, digits or underscores (AWS Backup restore testing names)',
      received: props.planName,
      fix: 'replace hyphens with underscores, e.g. "prod_wallet_restore_test"',
    });
  }
  if (isResolved(props.schedule)) {
    try {
      scheduleGaps(props.schedule);
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      problems.push({
        prop: 'schedule',
        message: `cannot be evaluated: ${err.message}`,
        received: props.schedule,
        fix: 'use an EventBridge cron such as "cron(0 6 ? * * *)"',
      });
    }
  }
  return problems;
}
