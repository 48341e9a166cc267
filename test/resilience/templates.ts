import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnResource, CfnTemplate, EnvironmentStacks, StackTemplate } from '../../lib/resilience/assembly';

/**
 * Hand-built minimal templates: the smallest environment the report accepts (an endpoint health
 * check, the switch and its alarm, the declared targets, a ledger table), plus whatever a test adds.
 * They let tests exercise resource types that no stack of this branch creates yet (backups,
 * canaries, WAF, replication-latency alarms).
 */

export interface MinimalOptions {
  readonly intervalSeconds?: number;
  readonly failureThreshold?: number;
  readonly ttlSeconds?: number;
  readonly rtoTargetSeconds?: number;
  readonly rpoTargetSeconds?: number;
  readonly backupRpoTargetSeconds?: number;
  readonly consistency?: 'STRONG' | 'EVENTUAL';
  /** Extra resources per stack role. */
  readonly primary?: Record<string, CfnResource>;
  readonly standby?: Record<string, CfnResource>;
  readonly dns?: Record<string, CfnResource>;
}

export const TABLE_NAME = 'test-wallet-ledger';

export function minimalStacks(o: MinimalOptions = {}): StackTemplate[] {
  const dns: CfnTemplate = {
    Resources: {
      Endpoint: {
        Type: 'AWS::Route53::HealthCheck',
        Properties: {
          HealthCheckConfig: {
            Type: 'HTTPS_STR_MATCH',
            FullyQualifiedDomainName: 'us-east-2.api.test.example.com',
            RequestInterval: o.intervalSeconds ?? 10,
            FailureThreshold: o.failureThreshold ?? 3,
            MeasureLatency: true,
            Regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
          },
        },
      },
      Switch: {
        Type: 'AWS::Route53::HealthCheck',
        Properties: {
          HealthCheckConfig: {
            Type: 'CLOUDWATCH_METRIC',
            AlarmIdentifier: { Name: 'test-wallet-failover-switch', Region: 'us-west-2' },
            InsufficientDataHealthStatus: 'LastKnownStatus',
          },
        },
      },
      ...o.dns,
    },
    Outputs: {
      RtoTargetSeconds: { Value: String(o.rtoTargetSeconds ?? 300) },
      RpoTargetSeconds: { Value: String(o.rpoTargetSeconds ?? 0) },
      DnsCacheSeconds: { Value: String(o.ttlSeconds ?? 60) },
      ...(o.backupRpoTargetSeconds === undefined
        ? {}
        : { BackupRpoTargetSeconds: { Value: String(o.backupRpoTargetSeconds) } }),
    },
  };
  const standby: CfnTemplate = {
    Resources: {
      SwitchAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'test-wallet-failover-switch',
          Namespace: 'Wallet/Failover',
          MetricName: 'FailoverSwitch',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
        },
      },
      ...o.standby,
    },
  };
  const primary: CfnTemplate = {
    Resources: {
      Ledger: {
        Type: 'AWS::DynamoDB::GlobalTable',
        Properties: {
          TableName: TABLE_NAME,
          BillingMode: 'PAY_PER_REQUEST',
          MultiRegionConsistency: o.consistency ?? 'STRONG',
          Replicas: [
            { Region: 'us-west-2', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
            { Region: 'us-east-2', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
          ],
          Tags: [{ Key: 'wallet:environment', Value: 'test' }],
        },
      },
      ...o.primary,
    },
  };
  const stack = (name: string, region: string, template: CfnTemplate): StackTemplate => ({
    name,
    region,
    account: '111111111111',
    templateFile: `${name}.template.json`,
    template,
  });
  return [
    stack('test-wallet-dns', 'us-east-1', dns),
    stack('test-wallet-primary', 'us-east-2', primary),
    stack('test-wallet-standby', 'us-west-2', standby),
  ];
}

export function minimalEnv(o: MinimalOptions = {}): EnvironmentStacks {
  return { envName: 'test', stacks: minimalStacks(o) };
}

const dirs: string[] = [];

/** Writes stacks as a cloud assembly (manifest.json + templates) in a temp dir removed after the file. */
export function writeAssembly(stacks: readonly StackTemplate[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wallet-resilience-'));
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, unknown> = {};
  for (const s of stacks) {
    writeFileSync(path.join(dir, s.templateFile), JSON.stringify(s.template));
    artifacts[s.name] = {
      type: 'aws:cloudformation:stack',
      environment: `aws://${s.account ?? 'unknown-account'}/${s.region ?? 'unknown-region'}`,
      properties: { templateFile: s.templateFile },
      displayName: s.name,
    };
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  return dir;
}

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A backup plan whose rules back up hourly (by default) and copy to the standby vault. */
export function backupPlan(
  rules: ReadonlyArray<{ schedule: string; startWindowMinutes?: number; copyTo?: string; deleteAfterDays?: number }>,
): CfnResource {
  return {
    Type: 'AWS::Backup::BackupPlan',
    Properties: {
      BackupPlan: {
        BackupPlanName: 'test-wallet-backups',
        BackupPlanRule: rules.map((r, i) => ({
          RuleName: `rule${i}`,
          ScheduleExpression: r.schedule,
          StartWindowMinutes: r.startWindowMinutes,
          TargetBackupVault: 'test-wallet-backups',
          Lifecycle: { DeleteAfterDays: r.deleteAfterDays ?? 7 },
          CopyActions:
            r.copyTo === undefined
              ? undefined
              : [
                  {
                    DestinationBackupVaultArn: `arn:aws:backup:${r.copyTo}:111111111111:backup-vault:test-wallet-backups`,
                    Lifecycle: { DeleteAfterDays: r.deleteAfterDays ?? 7 },
                  },
                ],
        })),
      },
    },
  };
}

export function backupSelection(selection: Record<string, unknown>, planLogicalId = 'Plan'): CfnResource {
  return {
    Type: 'AWS::Backup::BackupSelection',
    Properties: {
      BackupPlanId: { 'Fn::GetAtt': [planLogicalId, 'BackupPlanId'] },
      BackupSelection: { IamRoleArn: 'arn:aws:iam::111111111111:role/backup', SelectionName: 'ledger', ...selection },
    },
  };
}

export function canary(name: string, schedule: string): CfnResource {
  return { Type: 'AWS::Synthetics::Canary', Properties: { Name: name, Schedule: { Expression: schedule } } };
}
