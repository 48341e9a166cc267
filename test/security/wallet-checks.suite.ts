import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { FailoverOutputs } from '../../lib/constructs/failover-outputs';
import { FAILOVER_SWITCH_ALARM } from '../../lib/contract/failover-switch';
import { computeRtoBudget } from '../../lib/failover/rto-budget';
import * as rules from '../../lib/security/rules';
import { onePass } from '../../lib/security/rules/one-pass';
import { allResources, props } from '../../lib/security/rules/util';
import { isDeprecatedSyntheticsRuntime } from '../../lib/security/rules/CanaryRuntimeCurrent';
import { WalletChecks } from '../../lib/security/wallet-checks';
import { exampleWallet, newTestApp } from '../helpers/app';

const ENV = { account: '111111111111', region: 'us-east-2' };
const DEPLOYABILITY_RULES = /^(DeployerNotLockedOut|AlarmMetricPublished|ServiceRefusesValues)(\[|$)/;

/**
 * The Wallet rules the subject violates. Backup coverage is a whole-app property tested on its own
 * (describe 'StatefulResourceBackedUp'); the other tests leave it out with `exceptBackup`.
 */
function findings(
  build: (app: App, stack: Stack) => void,
  options: { exceptBackup?: boolean } = { exceptBackup: true },
): string[] {
  const app = newTestApp();
  const stack = new Stack(app, 'Subject', { env: ENV });
  build(app, stack);
  app.synth();
  return (
    new WalletChecks(app)
      .validateScope(app)
      .violations.map((v) => v.ruleName.replace(/^Wallet-/, ''))
      .filter((r) => !(options.exceptBackup && r === 'StatefulResourceBackedUp'))
      // The deployability rules judge real key policies and alarms; their cases are in deployability.suite.ts.
      .filter((r) => !DEPLOYABILITY_RULES.test(r))
  );
}

function globalTable(
  stack: Stack,
  replicaOverrides: Record<string, unknown> = {},
  tableOverrides: Record<string, unknown> = {},
) {
  const replica = (region: string) => ({
    region,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtectionEnabled: true,
    sseSpecification: { kmsMasterKeyId: `arn:aws:kms:${region}:111111111111:key/mrk-1` },
    ...replicaOverrides,
  });
  const table = new dynamodb.CfnGlobalTable(stack, 'Table', {
    attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
    keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
    billingMode: 'PAY_PER_REQUEST',
    streamSpecification: { streamViewType: 'NEW_AND_OLD_IMAGES' },
    sseSpecification: { sseEnabled: true, sseType: 'KMS' },
    replicas: [replica('us-east-2'), replica('us-west-2')],
    ...tableOverrides,
  });
  table.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return table;
}

function signingKeys(stack: Stack, app: App, keyProps: Partial<kms.CfnKeyProps> = {}) {
  const policy = {
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/BreakGlass' } },
      },
    ],
  };
  const key = new kms.CfnKey(stack, 'Signing', {
    keySpec: 'ECC_SECG_P256K1',
    keyUsage: 'SIGN_VERIFY',
    multiRegion: true,
    pendingWindowInDays: 30,
    keyPolicy: policy,
    ...keyProps,
  });
  key.applyRemovalPolicy(RemovalPolicy.RETAIN);
  const standby = new Stack(app, 'StandbyKeys', { env: { ...ENV, region: 'us-west-2' } });
  const replica = new kms.CfnReplicaKey(standby, 'Replica', {
    primaryKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-1',
    keyPolicy: policy,
    tags: [{ key: 'wallet:key-purpose', value: 'signing' }],
  });
  replica.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return { key, replica };
}

describe('Wallet rule pack', () => {
  test('the whole example app passes every wallet rule', () => {
    const wallet = exampleWallet();
    wallet.app.synth();
    expect(new WalletChecks(wallet.app).validateScope(wallet.app).violations).toEqual([]);
  });

  describe('GlobalTableReplicaPitr / DeletionProtection / CustomerManagedKey / SigningKeyInEveryRegion', () => {
    test('compliant: PITR, deletion protection and a CMK on every replica, a signing key copy per region', () => {
      expect(
        findings((app, stack) => {
          globalTable(stack);
          signingKeys(stack, app);
        }),
      ).toEqual([]);
    });
    test('non-compliant: a replica without PITR', () => {
      expect(
        findings((app, s) => (globalTable(s, { pointInTimeRecoverySpecification: undefined }), signingKeys(s, app))),
      ).toEqual(['GlobalTableReplicaPitr']);
    });
    test('non-compliant: a replica without deletion protection', () => {
      expect(findings((app, s) => (globalTable(s, { deletionProtectionEnabled: false }), signingKeys(s, app)))).toEqual(
        ['GlobalTableReplicaDeletionProtection'],
      );
    });
    test('non-compliant: AWS-owned encryption', () => {
      expect(
        findings(
          (app, s) => (
            globalTable(s, { sseSpecification: undefined }, { sseSpecification: undefined }),
            signingKeys(s, app)
          ),
        ),
      ).toEqual(['GlobalTableCustomerManagedKey']);
    });
    test('non-compliant: a ledger replica region without a signing key copy', () => {
      expect(findings((_app, s) => globalTable(s))).toEqual(['SigningKeyInEveryRegion']);
    });
  });

  describe('StatefulResourceRetained', () => {
    test('compliant: a retained table', () => {
      expect(
        findings((_app, s) => {
          const t = new dynamodb.CfnTable(s, 'T', {
            keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
            attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
          });
          t.applyRemovalPolicy(RemovalPolicy.RETAIN);
        }),
      ).toEqual([]);
    });
    test('non-compliant: a table destroyed with the stack', () => {
      expect(
        findings((_app, s) => {
          const t = new dynamodb.CfnTable(s, 'T', {
            keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
            attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
          });
          t.applyRemovalPolicy(RemovalPolicy.DESTROY);
        }),
      ).toEqual(['StatefulResourceRetained']);
    });
  });

  describe('SigningKeySpec and KeyPolicyDeniesDeletion', () => {
    test('not applicable: a symmetric key is not a signing key (but must still deny deletion)', () => {
      expect(findings((_app, s) => new kms.Key(s, 'K', { removalPolicy: RemovalPolicy.RETAIN }))).toEqual([
        'KeyPolicyDeniesDeletion',
      ]);
    });
    test('non-compliant: a single-region signing key', () => {
      expect(findings((app, s) => signingKeys(s, app, { multiRegion: false }))).toEqual(['SigningKeySpec']);
    });
    test('non-compliant: a P-256 signing key', () => {
      expect(findings((app, s) => signingKeys(s, app, { keySpec: 'ECC_NIST_P256' }))).toEqual(['SigningKeySpec']);
    });
    test('non-compliant: a 7-day deletion window', () => {
      expect(findings((app, s) => signingKeys(s, app, { pendingWindowInDays: 7 }))).toEqual(['SigningKeySpec']);
    });
    test('non-compliant: a key policy without the break-glass deny', () => {
      expect(
        findings((app, s) =>
          signingKeys(s, app, {
            keyPolicy: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
                  Action: 'kms:*',
                  Resource: '*',
                },
              ],
            },
          }),
        ),
      ).toEqual(['KeyPolicyDeniesDeletion']);
    });
  });

  describe('OnlySignerCanSign', () => {
    const sign = new iam.PolicyStatement({
      actions: ['kms:Sign'],
      resources: ['arn:aws:kms:us-east-2:111111111111:key/mrk-1'],
    });
    test('compliant: the signer role signs', () => {
      expect(
        findings((_app, s) => {
          const role = new iam.Role(s, 'Signer', {
            roleName: 'prod-wallet-signer-us-east-2',
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          });
          role.addToPolicy(sign);
        }),
      ).toEqual([]);
    });
    test('non-compliant: the API role can sign', () => {
      expect(
        findings((_app, s) => {
          const role = new iam.Role(s, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
          role.addToPolicy(sign);
        }),
      ).toEqual(['OnlySignerCanSign']);
    });
    test('non-compliant: kms:* through an inline policy on a remediation role', () => {
      expect(
        findings((_app, s) => {
          new iam.Role(s, 'Remediation', {
            roleName: 'prod-wallet-remediation',
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
            inlinePolicies: {
              all: new iam.PolicyDocument({
                statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })],
              }),
            },
          });
        }),
      ).toEqual(['OnlySignerCanSign']);
    });
  });

  describe('FailoverRecordPairs', () => {
    const record = (s: Stack, id: string, failover: string, healthCheckId?: string) =>
      new route53.CfnRecordSet(s, id, {
        hostedZoneId: 'Z1',
        name: 'api.example.com.',
        type: 'A',
        failover,
        setIdentifier: id,
        healthCheckId,
        aliasTarget: { dnsName: 'd-1.execute-api.us-east-2.amazonaws.com', hostedZoneId: 'ZOJJZC49E0EPZ' },
      });
    test('compliant: a PRIMARY with a health check and a SECONDARY', () => {
      expect(findings((_a, s) => (record(s, 'P', 'PRIMARY', 'hc-1'), record(s, 'S', 'SECONDARY', 'hc-2')))).toEqual([]);
    });
    test('non-compliant: a PRIMARY without a SECONDARY', () => {
      expect(findings((_a, s) => record(s, 'P', 'PRIMARY', 'hc-1'))).toEqual(['FailoverRecordPairs']);
    });
    test('non-compliant: a PRIMARY without a health check', () => {
      // Both records of the broken pair are reported (one violation, grouped by rule).
      expect(findings((_a, s) => (record(s, 'P', 'PRIMARY'), record(s, 'S', 'SECONDARY', 'hc-2')))).toEqual([
        'FailoverRecordPairs',
      ]);
    });
  });

  describe('BackupVaultLocked', () => {
    test('compliant: a vault with a governance lock', () => {
      expect(
        findings((_a, s) => {
          const v = new backup.CfnBackupVault(s, 'V', {
            backupVaultName: 'v',
            lockConfiguration: { minRetentionDays: 7, maxRetentionDays: 365 },
          });
          v.applyRemovalPolicy(RemovalPolicy.RETAIN);
        }),
      ).toEqual([]);
    });
    test('non-compliant: a vault without a lock', () => {
      expect(
        findings((_a, s) => {
          const v = new backup.CfnBackupVault(s, 'V', { backupVaultName: 'v' });
          v.applyRemovalPolicy(RemovalPolicy.RETAIN);
        }),
      ).toEqual(['BackupVaultLocked']);
    });
  });

  describe('StatefulResourceBackedUp', () => {
    const table = (s: Stack) => {
      const t = new dynamodb.CfnTable(s, 'Ledger', {
        tableName: 'ledger',
        keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
        attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      });
      t.applyRemovalPolicy(RemovalPolicy.RETAIN);
      return t;
    };
    const plan = (s: Stack, t: dynamodb.CfnTable, copyRegion: string) => {
      const p = new backup.CfnBackupPlan(s, 'Plan', {
        backupPlan: {
          backupPlanName: 'p',
          backupPlanRule: [
            {
              ruleName: 'hourly',
              targetBackupVault: 'v',
              scheduleExpression: 'cron(0 * ? * * *)',
              copyActions: [{ destinationBackupVaultArn: `arn:aws:backup:${copyRegion}:111111111111:backup-vault:v` }],
            },
          ],
        },
      });
      new backup.CfnBackupSelection(s, 'Selection', {
        backupPlanId: p.attrBackupPlanId,
        backupSelection: { selectionName: 's', iamRoleArn: 'arn:aws:iam::111111111111:role/b', resources: [t.attrArn] },
      });
    };
    test('compliant: the table is selected by a plan that copies to another region', () => {
      expect(findings((_a, s) => plan(s, table(s), 'us-west-2'), { exceptBackup: false })).toEqual([]);
    });
    test('non-compliant: the table is in no backup selection', () => {
      expect(findings((_a, s) => table(s), { exceptBackup: false })).toEqual(['StatefulResourceBackedUp']);
    });
    test('non-compliant: the plan copies only within the same region', () => {
      expect(findings((_a, s) => plan(s, table(s), 'us-east-2'), { exceptBackup: false })).toEqual([
        'StatefulResourceBackedUp',
      ]);
    });
    // The rule renders every stack once per validation pass (lib/security/rules/one-pass.ts), not once
    // per table: these prove the sharing happens and never outlives the pass.
    const renders = () =>
      jest.spyOn(Stack.prototype as unknown as { _toCloudFormation(): unknown }, '_toCloudFormation');
    test('one pass renders each stack once, however many tables the rule looks at', () => {
      const app = newTestApp();
      const stacks = ['A', 'B'].map((id) => new Stack(app, id, { env: ENV }));
      for (const s of stacks) {
        table(s);
        new dynamodb.CfnTable(s, 'Second', {
          keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
          attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
        }).applyRemovalPolicy(RemovalPolicy.RETAIN);
      }
      app.synth();
      const spy = renders();
      try {
        const violations = new WalletChecks(app).validateScope(app).violations;
        // 4 tables, 2 stacks: without the per-pass memo each table renders both stacks (8 renders).
        expect(spy).toHaveBeenCalledTimes(2);
        expect(
          violations.find((v) => v.ruleName === 'Wallet-StatefulResourceBackedUp')?.violatingResources,
        ).toHaveLength(4);
      } finally {
        spy.mockRestore();
      }
    });
    test('resource properties are resolved once per pass and frozen; allResources gives each caller its own array', () => {
      const app = newTestApp();
      const s = new Stack(app, 'Subject', { env: ENV });
      const t = table(s);
      const inPass = onePass(() => {
        const [a, b] = [props(t), props(t)];
        const [x, y] = [allResources(s, 'AWS::DynamoDB::Table'), allResources(s, 'AWS::DynamoDB::Table')];
        return { a, b, x, y };
      });
      expect(inPass.a).toBe(inPass.b);
      expect(Object.isFrozen(inPass.a) && Object.isFrozen(inPass.a.KeySchema)).toBe(true);
      // A change is refused (strict-mode code throws; Reflect.set reports the refusal either way).
      expect(Reflect.set(inPass.a, 'TableName', 'changed')).toBe(false);
      expect(inPass.x).toEqual([t]);
      expect(inPass.x).not.toBe(inPass.y);
      // Outside a pass every call resolves afresh: a change to the tree between passes is seen.
      expect(props(t)).not.toBe(inPass.a);
      t.addPropertyOverride('TableName', 'renamed');
      expect(props(t).TableName).toBe('renamed');
    });
    test('fails when the memo outlives its pass: a backup plan added between two passes is seen by the second', () => {
      const app = newTestApp();
      const s = new Stack(app, 'Subject', { env: ENV });
      const t = table(s);
      const checks = new WalletChecks(app);
      const backedUp = () =>
        checks.validateScope(app).violations.filter((v) => v.ruleName === 'Wallet-StatefulResourceBackedUp');
      expect(backedUp()).toHaveLength(1);
      plan(s, t, 'us-west-2');
      expect(backedUp()).toEqual([]);
    });
  });

  describe('RtoBudgetFits', () => {
    const check = (s: Stack, interval: number, threshold: number) =>
      new route53.CfnHealthCheck(s, 'Check', {
        healthCheckConfig: {
          type: 'HTTPS_STR_MATCH',
          fullyQualifiedDomainName: 'x.example.com',
          searchString: 'ok',
          requestInterval: interval,
          failureThreshold: threshold,
        },
      });
    const outputs = (s: Stack, target: number, dns: number) => {
      new CfnOutput(s, 'RtoTargetSeconds', { value: String(target) });
      new CfnOutput(s, 'DnsCacheSeconds', { value: String(dns) });
    };
    // The switch term: the failover switch alarm's period x evaluation periods (the contract's).
    const SWITCH = FAILOVER_SWITCH_ALARM.periodSeconds * FAILOVER_SWITCH_ALARM.evaluationPeriods;
    test('compliant: 10 s x 3 + switch + 60 s <= the target', () => {
      expect(findings((_a, s) => (check(s, 10, 3), outputs(s, 30 + SWITCH + 60, 60)))).toEqual([]);
    });
    test('non-compliant: 30 s x 3 + switch + 60 s > the target', () => {
      expect(findings((_a, s) => (check(s, 30, 3), outputs(s, 30 + SWITCH + 60, 60)))).toEqual(['RtoBudgetFits']);
    });
    test('fails a template whose switch term breaks the budget (endpoint detection + DNS cache alone would fit)', () => {
      // 10 s x 3 + 60 s = 90 s fits 120 s; with the switch alarm's detection it does not.
      expect(SWITCH).toBeGreaterThan(120 - 90);
      expect(findings((_a, s) => (check(s, 10, 3), outputs(s, 120, 60)))).toEqual(['RtoBudgetFits']);
    });
    test('non-compliant: no declared target', () => {
      expect(findings((_a, s) => check(s, 10, 1))).toEqual(['RtoBudgetFits']);
    });
    test('reads the outputs by key wherever they sit (FailoverOutputs nests them), and still fails an over-budget check', () => {
      const nested = (s: Stack, interval: number) => {
        check(s, interval, 3);
        new FailoverOutputs(s, 'Outputs', {
          rtoBudget: computeRtoBudget({
            intervalSeconds: 10,
            failureThreshold: 3,
            ttlSeconds: 60,
            rtoTargetSeconds: 300,
          }),
          rtoTargetSeconds: 30 + SWITCH + 60,
          rpoTargetSeconds: 0,
          healthChecks: {
            primary: route53.HealthCheck.fromHealthCheckId(s, 'P', 'p'),
            secondary: route53.HealthCheck.fromHealthCheckId(s, 'S', 's'),
            failoverSwitch: route53.HealthCheck.fromHealthCheckId(s, 'W', 'w'),
          },
        });
      };
      expect(findings((_a, s) => nested(s, 10))).toEqual([]);
      expect(findings((_a, s) => nested(s, 30))).toEqual(['RtoBudgetFits']);
    });
    test('not applicable: a calculated health check', () => {
      expect(
        findings(
          (_a, s) =>
            new route53.CfnHealthCheck(s, 'Calc', {
              healthCheckConfig: { type: 'CALCULATED', childHealthChecks: [], healthThreshold: 1 },
            }),
        ),
      ).toEqual([]);
    });
  });

  describe('CanaryRuntimeCurrent and CanaryHasAlarm', () => {
    const canary = (s: Stack, id: string, runtimeVersion = 'syn-nodejs-3.1') =>
      new synthetics.CfnCanary(s, id, {
        name: `wallet-${id.toLowerCase()}`,
        runtimeVersion,
        artifactS3Location: 's3://artifacts/canary',
        executionRoleArn: 'arn:aws:iam::111111111111:role/canary',
        code: { handler: 'index.handler', script: 'exports.handler = async () => {};' },
        schedule: { expression: 'rate(1 minute)' },
      });
    const successAlarm = (s: Stack, id: string, canaryName: string) =>
      new cloudwatch.CfnAlarm(s, id, {
        namespace: 'CloudWatchSynthetics',
        metricName: 'SuccessPercent',
        dimensions: [{ name: 'CanaryName', value: canaryName }],
        statistic: 'Average',
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: 100,
        comparisonOperator: 'LessThanThreshold',
        alarmActions: ['arn:aws:sns:us-east-2:111111111111:alerts'],
      });
    test('compliant: a current runtime and a SuccessPercent alarm naming the canary', () => {
      expect(findings((_a, s) => (canary(s, 'Deep'), successAlarm(s, 'A', 'wallet-deep')))).toEqual([]);
    });
    test('compliant: the alarm names the canary by Ref', () => {
      expect(
        findings((_a, s) => {
          const c = canary(s, 'Deep');
          successAlarm(s, 'A', c.ref);
        }),
      ).toEqual([]);
    });
    test.each(['syn-nodejs-puppeteer-6.2', 'syn-python-selenium-1.0', 'syn-nodejs-2.2', 'syn-1.0'])(
      'non-compliant: the deprecated runtime %s',
      (runtime) => {
        expect(findings((_a, s) => (canary(s, 'Deep', runtime), successAlarm(s, 'A', 'wallet-deep')))).toEqual([
          'CanaryRuntimeCurrent',
        ]);
      },
    );
    test('the deprecated list covers every runtime aws-cdk-lib marks deprecated', () => {
      const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
      const source = readFileSync(path.join(cdkLib, 'aws-synthetics', 'lib', 'runtime.d.ts'), 'utf8');
      const deprecated = [...source.matchAll(/@deprecated[^*]*\*\/\s*static readonly (\w+): Runtime;/g)].map(
        (m) => (synthetics.Runtime as unknown as Record<string, synthetics.Runtime>)[m[1]].name,
      );
      expect(deprecated.length).toBeGreaterThan(5);
      expect(deprecated.filter((r) => !isDeprecatedSyntheticsRuntime(r))).toEqual([]);
    });
    test('non-compliant: a canary without any alarm', () => {
      expect(findings((_a, s) => canary(s, 'Deep'))).toEqual(['CanaryHasAlarm']);
    });
    test("non-compliant: an alarm on another canary's success", () => {
      expect(
        findings((_a, s) => (canary(s, 'Deep'), canary(s, 'Public'), successAlarm(s, 'A', 'wallet-public'))),
      ).toEqual(['CanaryHasAlarm']);
    });
    test('non-compliant: the only alarm lives in another region (CloudWatch has no cross-region alarms)', () => {
      expect(
        findings((app, s) => {
          canary(s, 'Deep');
          successAlarm(new Stack(app, 'Elsewhere', { env: { ...ENV, region: 'us-west-2' } }), 'A', 'wallet-deep');
        }),
      ).toEqual(['CanaryHasAlarm']);
    });
    test('non-compliant: an alarm on the canary, but not on SuccessPercent', () => {
      expect(
        findings((_a, s) => {
          canary(s, 'Deep');
          new cloudwatch.CfnAlarm(s, 'Duration', {
            namespace: 'CloudWatchSynthetics',
            metricName: 'Duration',
            dimensions: [{ name: 'CanaryName', value: 'wallet-deep' }],
            statistic: 'Average',
            period: 60,
            evaluationPeriods: 1,
            threshold: 5000,
            comparisonOperator: 'GreaterThanThreshold',
          });
        }),
      ).toEqual(['CanaryHasAlarm']);
    });
  });

  test('every rule of the pack has a compliant and a non-compliant test in this file', () => {
    const source =
      readFileSync(__filename, 'utf8') +
      readFileSync(path.join(__dirname, 'deployability.suite.ts'), 'utf8') +
      readFileSync(path.join(__dirname, 'cold-key-rule.suite.ts'), 'utf8');
    const ruleNames = Object.keys(rules);
    for (const name of ruleNames) {
      expect([name, source.includes(`'${name}'`)]).toEqual([name, true]);
    }
    expect(ruleNames.length).toBeGreaterThanOrEqual(9);
  });
});
