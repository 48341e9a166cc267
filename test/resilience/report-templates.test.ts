import { loadPriceBook } from '../../lib/resilience/prices';
import { renderMarkdown } from '../../lib/resilience/render';
import { buildReport, ReportInputError, ResilienceReport } from '../../lib/resilience/report';
import { referenceMonteCarlo } from '../failover/reference-monte-carlo';
import { backupPlan, backupSelection, canary, minimalEnv, MinimalOptions, TABLE_NAME } from './templates';

/**
 * The report on hand-built minimal templates, for resource types no stack of this branch creates
 * yet (backups, canaries, WAF, replication-latency alarms) and for inputs a valid config cannot
 * synthesize (an RTO target the templates miss). One setting changes per comparison.
 */

const prices = loadPriceBook();
function report(o: MinimalOptions = {}): ResilienceReport {
  return buildReport(minimalEnv(o), {
    simulator: referenceMonteCarlo(),
    runs: 500,
    seed: 3,
    prices,
    pricesLabel: 'data/prices.json',
    // These tests are about backups, canaries, RPO, RTO and cost; the forecast has its own tests.
    forecastYears: 200,
  });
}
const item = (r: ResilienceReport, name: string) => r.cost.lineItems.find((i) => i.item === name);
const codes = (r: ResilienceReport) => r.findings.map((f) => `${f.level}:${f.code}`);

describe('backups', () => {
  const withPlan = (schedule: string, startWindowMinutes?: number, extra: Partial<MinimalOptions> = {}) =>
    report({
      primary: {
        Plan: backupPlan([{ schedule, startWindowMinutes, copyTo: 'us-west-2' }]),
        Selection: backupSelection({ Resources: [{ 'Fn::GetAtt': ['Ledger', 'Arn'] }] }),
      },
      ...extra,
    });

  test('hourly backups with a 60 min start window: newest backup at most 2 h old, copied to the standby region', () => {
    const r = withPlan('cron(0 * ? * * *)', 60);
    expect(r.backupCoverage).toEqual([
      expect.objectContaining({
        resource: TABLE_NAME,
        crossRegionCopy: true,
        copyRegions: ['us-west-2'],
        backupRpoSeconds: 3600 + 3600,
      }),
    ]);
    expect(codes(r)).not.toContain('warn:BACKUP_NO_CROSS_REGION_COPY');
  });

  test('schedule hourly -> every 4 hours: backup age grows by exactly 3 h; stored recovery points fall to a quarter', () => {
    const hourly = withPlan('cron(0 * ? * * *)', 60);
    const fourHourly = withPlan('cron(0 0/4 ? * * *)', 60);
    expect(
      (fourHourly.backupCoverage[0].backupRpoSeconds ?? 0) - (hourly.backupCoverage[0].backupRpoSeconds ?? 0),
    ).toBe(3 * 3600);
    const points = (r: ResilienceReport) => r.cost.lineItems.find((i) => i.item.endsWith('recovery points'));
    // 24 backups/day x 7 days x 10 GB = 1680 GB-month; every 4 h: 6 x 7 x 10 = 420.
    expect(points(hourly)?.quantity).toBe(1680);
    expect(points(fourHourly)?.quantity).toBe(420);
    expect(points(hourly)?.monthly).toBe(168);
  });

  test('a rule without StartWindowMinutes is assumed to use the AWS Backup default of 8 h', () => {
    const r = withPlan('cron(0 * ? * * *)');
    expect(r.backupCoverage[0].backupRpoSeconds).toBe(3600 + 8 * 3600);
    expect(r.backupCoverage[0].basis).toContain('default 8 h');
  });

  test('fails when the newest backup can be older than BackupRpoTargetSeconds, naming backup.frequentSchedule', () => {
    expect(codes(withPlan('cron(0 * ? * * *)', 60, { backupRpoTargetSeconds: 7200 }))).not.toContain(
      'fail:BACKUP_RPO_TARGET_MISSED',
    );
    const r = withPlan('cron(0 0/4 ? * * *)', 60, { backupRpoTargetSeconds: 7200 });
    const fail = r.findings.find((f) => f.code === 'BACKUP_RPO_TARGET_MISSED');
    expect(fail?.level).toBe('fail');
    expect(fail?.message).toContain('backup.frequentSchedule');
  });

  test.each([
    ['by logical id', true, { Resources: [{ 'Fn::GetAtt': ['Ledger', 'Arn'] }] }],
    ['by ARN pattern', true, { Resources: ['arn:aws:dynamodb:*:*:table/*'] }],
    [
      'by tag',
      true,
      { ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'wallet:environment', ConditionValue: 'test' }] },
    ],
    [
      'by another tag',
      false,
      { ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'wallet:environment', ConditionValue: 'prod' }] },
    ],
    ['of another table', false, { Resources: ['arn:aws:dynamodb:us-east-2:111111111111:table/other'] }],
  ])('a selection %s covers the ledger: %s', (_label, covered, selection) => {
    const r = report({
      primary: {
        Plan: backupPlan([{ schedule: 'cron(0 5 ? * * *)', copyTo: 'us-west-2' }]),
        Selection: backupSelection(selection),
      },
    });
    expect(r.backupCoverage[0].plans.length > 0).toBe(covered);
  });

  test('restore testing: each scheduled run restores every selected backed-up table at its full size', () => {
    const restorePlan = (schedule: string) => ({
      Plan: backupPlan([{ schedule: 'cron(0 * ? * * *)', startWindowMinutes: 60, copyTo: 'us-west-2' }]),
      Selection: backupSelection({ Resources: [{ 'Fn::GetAtt': ['Ledger', 'Arn'] }] }),
      RestorePlan: {
        Type: 'AWS::Backup::RestoreTestingPlan',
        Properties: { RestoreTestingPlanName: 'test_restore', ScheduleExpression: schedule },
      },
      RestoreSelection: {
        Type: 'AWS::Backup::RestoreTestingSelection',
        Properties: {
          RestoreTestingPlanName: 'test_restore',
          ProtectedResourceType: 'DynamoDB',
          ProtectedResourceArns: ['*'],
        },
      },
    });
    const daily = report({ primary: restorePlan('cron(0 6 ? * * *)') });
    const weekly = report({ primary: restorePlan('cron(0 6 ? * MON *)') });
    // 730 h / 24 = 30.42 restores x 1 table x 10 GB.
    expect(item(daily, 'restore tests test_restore (us-east-2)')?.quantity).toBeCloseTo((730 / 24) * 10, 2);
    expect(item(weekly, 'restore tests test_restore (us-east-2)')?.quantity).toBeCloseTo((730 / 24 / 7) * 10, 0);
  });

  test('a plan without copy actions covers the table but warns: no cross-region copy', () => {
    const r = report({
      primary: {
        Plan: backupPlan([{ schedule: 'cron(0 5 ? * * *)' }]),
        Selection: backupSelection({ Resources: [{ 'Fn::GetAtt': ['Ledger', 'Arn'] }] }),
      },
    });
    expect(r.backupCoverage[0]).toMatchObject({ crossRegionCopy: false, copyRegions: [] });
    expect(codes(r)).toContain('warn:BACKUP_NO_CROSS_REGION_COPY');
  });

  test('a bucket classified as holding no wallet state (canary run reports) needs no backup; an unclassified one does', () => {
    const bucket = (dataClass?: string) => ({
      Type: 'AWS::S3::Bucket',
      Properties: dataClass === undefined ? {} : { Tags: [{ Key: 'wallet:data-classification', Value: dataClass }] },
    });
    const covered = {
      Plan: backupPlan([{ schedule: 'cron(0 * ? * * *)', copyTo: 'us-west-2' }]),
      Selection: backupSelection({ Resources: [{ 'Fn::GetAtt': ['Ledger', 'Arn'] }] }),
    };
    const reports = report({ primary: { ...covered, Reports: bucket('canary-artifacts') } });
    const unknown = report({ primary: { ...covered, Data: bucket() } });
    expect(reports.backupCoverage.map((c) => c.resource)).toEqual([TABLE_NAME]);
    expect(codes(reports)).not.toContain('warn:BACKUP_NO_CROSS_REGION_COPY');
    expect(unknown.backupCoverage.map((c) => c.resource)).toEqual([TABLE_NAME, 'Data']);
    expect(codes(unknown)).toContain('warn:BACKUP_NO_CROSS_REGION_COPY');
  });
});

describe('canaries', () => {
  test('rate(1 minute) -> rate(5 minutes): runs and cost fall to a fifth (730-hour month)', () => {
    const every1 = report({ primary: { Canary: canary('test-primary', 'rate(1 minute)') } });
    const every5 = report({ primary: { Canary: canary('test-primary', 'rate(5 minutes)') } });
    expect(item(every1, 'canary test-primary (us-east-2)')).toMatchObject({ quantity: 43_800, monthly: 52.56 });
    expect(item(every5, 'canary test-primary (us-east-2)')).toMatchObject({ quantity: 8_760, monthly: 10.51 });
    expect([every1.rto.settings.canaryPeriodSeconds, every5.rto.settings.canaryPeriodSeconds]).toEqual([60, 300]);
    expect(renderMarkdown(every5, '`cdk.out`')).toContain('up to **5 min** later');
    expect(every1.canaryCoverage.regions.find((g) => g.region === 'us-east-2')?.canaries).toEqual([
      { name: 'test-primary', schedule: 'rate(1 minute)', runsPerMonth: 43_800, maxGapSeconds: 60 },
    ]);
  });

  test('a workload region without a canary is reported (warning)', () => {
    const r = report({ primary: { Canary: canary('test-primary', 'rate(1 minute)') } });
    expect(r.canaryCoverage.workloadRegions).toEqual(['us-east-2', 'us-west-2']);
    expect(r.canaryCoverage.uncovered).toEqual(['us-west-2']);
    expect(codes(r)).toContain('warn:REGION_WITHOUT_CANARY');
    const both = report({
      primary: { Canary: canary('test-primary', 'rate(1 minute)') },
      standby: { Canary: canary('test-standby', 'rate(1 minute)') },
    });
    expect(both.canaryCoverage.uncovered).toEqual([]);
  });
});

describe('the chain watcher (scheduled Lambda compute)', () => {
  /** The chain watcher as the construct synthesizes it: a rule invoking its live alias. */
  const watcher = (
    role: 'primary' | 'standby',
    schedule: unknown = 'rate(1 minute)',
    name = 'test-wallet-chain-watcher',
  ) => ({
    WatcherFn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: name,
        MemorySize: 512,
        Timeout: 55,
        Architectures: ['arm64'],
        Environment: { Variables: { WALLET_REGION_ROLE: role } },
      },
    },
    WatcherLive: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'WatcherFn' }, Name: 'live' } },
    WatcherSchedule: {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: schedule, Targets: [{ Arn: { Ref: 'WatcherLive' }, Id: 'Target0' }] },
    },
  });
  const both = () => report({ primary: watcher('primary'), standby: watcher('standby') });

  test('priced per region: the lease holder runs 42 s a minute, the standby 3 s (512 MB arm64, 730-hour month)', () => {
    const r = both();
    // 43,800 runs x 42 s x 0.5 GB = 919,800 GB-s x $0.0000133334; the standby 43,800 x 3 x 0.5 = 65,700 GB-s
    expect(item(r, 'chain watcher (us-east-2, primary): compute')).toMatchObject({
      quantity: 919_800,
      priceId: 'lambda.duration.arm',
      monthly: 12.26,
    });
    expect(item(r, 'chain watcher (us-west-2, standby): compute')).toMatchObject({ quantity: 65_700, monthly: 0.88 });
    expect(item(r, 'chain watcher (us-east-2, primary): requests')).toMatchObject({ quantity: 0.044, monthly: 0.01 });
    expect(item(r, 'chain watcher (us-east-2, primary): compute')?.assumption).toContain(
      '43800 runs x 42 s x 512 MB (arm64)',
    );
    expect(r.cost.notes.some((n) => n.includes("chain watcher's Lambda free tier"))).toBe(true);
  });

  test('every 5 minutes: a fifth of the runs', () => {
    const r = report({ primary: watcher('primary', 'rate(5 minutes)') });
    expect(item(r, 'chain watcher (us-east-2, primary): compute')?.quantity).toBe(183_960);
  });

  test('fails to price a watcher whose schedule is not literal, or another scheduled function: a note each, no line item', () => {
    const r = report({
      primary: watcher('primary', { 'Fn::Sub': 'rate(${M} minute)' }),
      standby: watcher('standby', 'rate(1 minute)', 'test-wallet-other'),
    });
    expect(r.cost.lineItems.filter((i) => i.service === 'Lambda')).toEqual([]);
    expect(r.cost.notes).toContain(
      'scheduled function test-wallet-other (rate(1 minute), us-west-2): its compute is not priced',
    );
    expect(r.cost.notes).toContain(
      'chain watcher test-wallet-chain-watcher (us-east-2): its schedule is not a literal; not priced',
    );
  });
});

describe('the sweeper (scheduled Lambda compute, issue 21)', () => {
  /** The sweeper as lib/constructs/sweeper.ts synthesizes it: 512 MB arm64, 50 s timeout, a rule on its live alias. */
  const sweeper = (schedule: unknown = 'rate(5 minutes)', timeout = 50) => ({
    SweeperFn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: 'test-wallet-sweeper',
        MemorySize: 512,
        Timeout: timeout,
        Architectures: ['arm64'],
        Environment: { Variables: {} },
      },
    },
    SweeperLive: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'SweeperFn' }, Name: 'live' } },
    SweeperSchedule: {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: schedule, Targets: [{ Arn: { Ref: 'SweeperLive' }, Id: 'Target0' }] },
    },
  });

  test('priced in each region where it runs, as the lease holder (2 s a run): checkEvery x duration x memory', () => {
    const r = report({ primary: sweeper(), standby: sweeper() });
    // rate(5 minutes) in a 730-hour month = 8,760 runs x 2 s x 0.5 GB = 8,760 GB-s x $0.0000133334
    for (const region of ['us-east-2', 'us-west-2']) {
      expect(item(r, `sweeper (${region}): compute`)).toMatchObject({
        quantity: 8_760,
        priceId: 'lambda.duration.arm',
        monthly: 0.12,
      });
      expect(item(r, `sweeper (${region}): requests`)).toMatchObject({ quantity: 0.009, priceId: 'lambda.requests' });
    }
    const assumption = item(r, 'sweeper (us-east-2): compute')?.assumption;
    expect(assumption).toContain('8760 runs x 2 s x 512 MB (arm64) = 8,760 GB-s');
    expect(assumption).toContain('either region may hold the lease');
    expect(r.cost.notes.some((n) => n.includes("sweeper's Lambda free tier"))).toBe(true);
    expect(r.cost.notes.some((n) => n.includes('test-wallet-sweeper') && n.includes('not priced'))).toBe(false);
  });

  test('follows checkEvery: every minute is five times the runs', () => {
    const r = report({ primary: sweeper('rate(1 minute)') });
    expect(item(r, 'sweeper (us-east-2): compute')?.quantity).toBe(43_800);
  });

  test('a run is never billed past its timeout', () => {
    const r = report({ primary: sweeper('rate(5 minutes)', 1) });
    expect(item(r, 'sweeper (us-east-2): compute')?.quantity).toBe(4_380);
  });

  test('fails to price a sweeper whose schedule is not literal: a note, no line item', () => {
    const r = report({ primary: sweeper({ 'Fn::Sub': 'rate(${M} minutes)' }) });
    expect(r.cost.lineItems.filter((i) => i.service === 'Lambda')).toEqual([]);
    expect(r.cost.notes).toContain(
      'sweeper test-wallet-sweeper (us-east-2): its schedule is not a literal; not priced',
    );
  });
});

describe('RPO under MREC', () => {
  const latencyAlarm = (thresholdMs: number) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: 'test-replication-latency',
      Namespace: 'AWS/DynamoDB',
      MetricName: 'ReplicationLatency',
      Dimensions: [
        { Name: 'TableName', Value: TABLE_NAME },
        { Name: 'ReceivingRegion', Value: 'us-west-2' },
      ],
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: thresholdMs,
    },
  });

  test('the ReplicationLatency alarm threshold bounds the RPO (ms -> s)', () => {
    const r = report({ consistency: 'EVENTUAL', rpoTargetSeconds: 60, primary: { Lag: latencyAlarm(30_000) } });
    expect(r.rpo.data[0]).toMatchObject({ mode: 'MREC', rpoSeconds: 30, meetsTarget: true });
    expect(r.rpo.data[0].basis).toContain('detected within 3 min');
  });

  test('fails when the alarm allows more lag than the target, naming the alarm threshold and targets.rpoSeconds', () => {
    const r = report({ consistency: 'EVENTUAL', rpoTargetSeconds: 10, primary: { Lag: latencyAlarm(30_000) } });
    const fail = r.findings.find((f) => f.code === 'RPO_TARGET_MISSED');
    expect(fail?.message).toContain(
      'lower the ReplicationLatency alarm threshold on test-wallet-ledger to 10000 ms or less',
    );
    expect(fail?.message).toContain('raise targets.rpoSeconds to 30 or more');
    expect(fail?.settings).toEqual(['data.consistency', 'targets.rpoSeconds']);
  });
});

describe('RTO', () => {
  test('fails when the worst case exceeds the declared target, showing the arithmetic and the settings to change', () => {
    const r = report({ rtoTargetSeconds: 100 });
    expect(r.rto.meetsTarget).toBe(false);
    const fail = r.findings.find((f) => f.code === 'RTO_TARGET_MISSED');
    expect(fail?.message).toContain(
      'health check 10 s x 3 = 30 s + switch alarm 60 s + DNS TTL 60 s = 150 s > targets.rtoSeconds 100 s',
    );
    // The TTL is not a setting (alias records): the fix names the target, never dns.recordTtlSeconds.
    expect(fail?.message).toContain('raise targets.rtoSeconds to 150 or more');
    expect(fail?.message).not.toContain('recordTtlSeconds');
  });

  test('a failover record with its own TTL sets the DNS cut-over (instead of the DnsCacheSeconds output)', () => {
    const r = report({
      dns: {
        Record: {
          Type: 'AWS::Route53::RecordSet',
          Properties: { Name: 'api.test.example.com.', Type: 'A', Failover: 'PRIMARY', TTL: '20' },
        },
      },
    });
    expect(r.rto.dnsCutoverSeconds).toBe(20);
    expect(r.rto.worstCaseSeconds).toBe(30 + 60 + 20);
  });

  test('with CNAME failover records the fix lowers dns.recordTtlSeconds by the overshoot; with aliases it names the record type', () => {
    const pair = (props: Record<string, unknown>) => ({
      dns: {
        P: {
          Type: 'AWS::Route53::RecordSet',
          Properties: { Name: 'api.test.example.com.', Failover: 'PRIMARY', ...props },
        },
        S: {
          Type: 'AWS::Route53::RecordSet',
          Properties: { Name: 'api.test.example.com.', Failover: 'SECONDARY', ...props },
        },
      },
    });
    const cname = report({ rtoTargetSeconds: 100, ...pair({ Type: 'CNAME', TTL: '60', ResourceRecords: ['d-x'] }) });
    // 30 s + 60 s + 60 s = 150 s, 50 s over 100 s: a TTL of 60 - 50 = 10 s fits.
    expect(cname.findings.find((f) => f.code === 'RTO_TARGET_MISSED')?.message).toContain(
      'lower dns.recordTtlSeconds from 60 to 10',
    );
    const alias = report({ rtoTargetSeconds: 100, ...pair({ Type: 'A', AliasTarget: { DNSName: 'd-x' } }) });
    expect(alias.findings.find((f) => f.code === 'RTO_TARGET_MISSED')?.message).toContain(
      'set dns.recordType to "CNAME" and a lower dns.recordTtlSeconds',
    );
  });

  test('a primary check on /health?lease=held makes the planned path the earlier of endpoint detection and the switch', () => {
    const before = report();
    expect(before.rto.settings.leaseFollowingCheck).toBe(false);
    expect(before.rto.paths.planned.worstCaseSeconds).toBe(60 + 60); // switch + TTL
    const after = report({
      dns: {
        Endpoint: {
          Type: 'AWS::Route53::HealthCheck',
          Properties: {
            HealthCheckConfig: {
              Type: 'HTTPS_STR_MATCH',
              FullyQualifiedDomainName: 'us-east-2.api.test.example.com',
              ResourcePath: '/health?lease=held',
              RequestInterval: 10,
              FailureThreshold: 3,
              Regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
            },
          },
        },
      },
    });
    expect(after.rto.settings.leaseFollowingCheck).toBe(true);
    expect(after.rto.sources.leaseFollowingCheck).toContain('ResourcePath /health?lease=held');
    expect(after.rto.paths.planned.worstCaseSeconds).toBe(30 + 60); // 10 s x 3 + TTL
    // The budget (a failure the endpoint check does not see) still adds both detections.
    expect(after.rto.worstCaseSeconds).toBe(before.rto.worstCaseSeconds);
    // The unconfigured comparison never follows the lease.
    expect(after.route53Defaults.paths.planned.worstCaseSeconds).toBe(60 + 60);
  });

  test('the false-failover probability sits beside the RTO, with the defaults for comparison', () => {
    const r = report({ failureThreshold: 1 });
    // 12 s blips (assumed) at threshold 1: every checker fails each one; 2 a month.
    expect(r.rto.falseFailover.perBlipProbability).toBeCloseTo(1, 12);
    expect(r.rto.falseFailover.perMonthProbability).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(r.route53Defaults.falseFailover.perMonthProbability).toBe(0);
    expect(renderMarkdown(r, 'test')).toContain('**False failover:** 86.47% chance a month');
  });

  test('fails when the switch alarm the health check watches is not in any stack of its region', () => {
    const env = minimalEnv();
    const standby = env.stacks.find((s) => s.name === 'test-wallet-standby');
    delete (standby?.template.Resources as Record<string, unknown>).SwitchAlarm;
    const r = buildReport(env, {
      simulator: referenceMonteCarlo(),
      runs: 100,
      seed: 1,
      prices,
      pricesLabel: 'x',
      forecastYears: 200,
    });
    expect(codes(r)).toContain('fail:SWITCH_ALARM_MISSING');
  });

  test('fails with a clear input error when the targets are not declared in the templates', () => {
    const env = minimalEnv();
    const dns = env.stacks.find((s) => s.name === 'test-wallet-dns');
    delete (dns?.template.Outputs as Record<string, unknown>).RtoTargetSeconds;
    expect(() =>
      buildReport(env, {
        simulator: referenceMonteCarlo(),
        runs: 100,
        seed: 1,
        prices,
        pricesLabel: 'x',
        forecastYears: 200,
      }),
    ).toThrow(
      new ReportInputError(
        'environment test: no stack output RtoTargetSeconds (targets.rtoSeconds) in test-wallet-dns, test-wallet-primary, test-wallet-standby. ' +
          'The DNS stack declares it: run `npm run synth` with this version of the app, and make sure every stack of the environment is synthesized.',
      ),
    );
  });
});

describe('cost of resources other branches add', () => {
  test('WAF: web ACL + one rule per rule (a managed group counts as one) + requests counted once', () => {
    const rules = [
      'AWSManagedRulesAmazonIpReputationList',
      'RateLimitPerIp',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ].map((name) =>
      name.startsWith('AWS')
        ? { Name: name, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } }
        : { Name: name, Statement: { RateBasedStatement: { Limit: 100 } } },
    );
    const r = report({
      primary: {
        Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Name: 'test-acl', Scope: 'REGIONAL', Rules: rules } },
      },
    });
    expect(item(r, 'web ACL test-acl (us-east-2)')?.monthly).toBe(5);
    expect(item(r, 'web ACL test-acl: rules')).toMatchObject({ quantity: 4, monthly: 4 });
    expect(item(r, 'requests inspected')).toMatchObject({ quantity: 10, monthly: 6 });
  });

  test('Route 53 queries: CNAME failover records are priced at the traffic figure, alias records are free', () => {
    const record = (props: Record<string, unknown>) => ({
      dns: {
        R: {
          Type: 'AWS::Route53::RecordSet',
          Properties: { Name: 'api.test.example.com.', Failover: 'PRIMARY', ...props },
        },
      },
    });
    const cname = report(record({ Type: 'CNAME', TTL: '15', ResourceRecords: ['d-x'] }));
    // 10,000,000 queries/month = 10 million x $0.40.
    expect(item(cname, 'standard queries (CNAME failover records)')).toMatchObject({
      quantity: 10,
      unitPrice: 0.4,
      monthly: 4,
    });
    const alias = report(record({ Type: 'A', AliasTarget: { DNSName: 'd-x', HostedZoneId: 'Z' } }));
    expect(item(alias, 'standard queries (CNAME failover records)')).toBeUndefined();
    expect(alias.cost.notes).toContain(
      'Route 53 queries to the alias failover records are free (alias records to AWS resources); not priced.',
    );
  });

  test('alarms are priced by kind: high-resolution, anomaly detection and composite', () => {
    const r = report({
      standby: {
        Fast: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Namespace: 'X', MetricName: 'Y', Period: 10, EvaluationPeriods: 1, Threshold: 1 },
        },
        Band: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            ThresholdMetricId: 'ad1',
            Metrics: [
              { Id: 'm1', MetricStat: { Metric: { Namespace: 'X', MetricName: 'Y' }, Period: 60, Stat: 'Average' } },
              { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)' },
            ],
          },
        },
        Both: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: 'ALARM(a) AND ALARM(b)' } },
      },
    });
    expect(item(r, 'high-resolution alarms')).toMatchObject({ quantity: 1, monthly: 0.3 });
    expect(item(r, 'anomaly-detection alarms')).toMatchObject({ quantity: 1, monthly: 0.3 });
    expect(item(r, 'composite alarms')).toMatchObject({ quantity: 1, monthly: 0.5 });
    expect(item(r, 'standard-resolution alarms')).toMatchObject({ quantity: 1 });
  });
});
