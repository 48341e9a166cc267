import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deployAlarmName } from '../../lib/contract/deployment';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  chainAlarmKinds,
  isChainAlarmKind,
  isSweepAlarmKind,
  parseAlarmName,
  regionalAlarmName,
  REGIONAL_ALARMS,
  RegionalAlarmKind,
  SWEEP_ALARM_KINDS,
} from '../../lib/contract/alarms';
import { chaosGuardAlarmName } from '../../lib/contract/chaos';
import { METRIC_PUBLISHERS } from '../../lib/contract/metric-publishers';
import { DEGRADING_ALARMS } from '../../lib/contract/remediation';
import { floatAlarmEvaluation, FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS } from '../../lib/contract/float-alarm';
import { WalletChecks } from '../../lib/security/wallet-checks';
import { BURN_RATE_ALERTS, SLO_NAMES, sloAlertAlarmName, sloWindowAlarmName } from '../../lib/slo/definitions';
import { buildTestWallet, exampleWallet, newTestApp, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { CfnResourceJson, REGIONS, resourceNamed, resources } from '../helpers/workload';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

type Props = Record<string, unknown>;

/**
 * The regional alarm kinds a region of the example app has: every kind but the chain and sweep ones,
 * the chain ones of its role (the example config lists chain.providers), and the sweep ones where the
 * sweeper runs (the example config has spending.cold).
 */
const kindsIn = (role: 'primary' | 'standby', sweeper = true): RegionalAlarmKind[] =>
  (Object.keys(REGIONAL_ALARMS) as RegionalAlarmKind[]).filter(
    (k) => (!isChainAlarmKind(k) || chainAlarmKinds(role).includes(k)) && (!isSweepAlarmKind(k) || sweeper),
  );

/** The alarm (metric or composite) with this contract name, in a template. */
function alarmNamed(template: Template, name: string): { id: string; props: Props } {
  const found = Object.entries(resources(template)).filter(
    ([, r]) =>
      (r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === name) ||
      (r.Type === 'AWS::CloudWatch::CompositeAlarm' && r.Properties.AlarmName === name),
  );
  if (found.length !== 1) throw new Error(`expected one alarm named ${name}, found ${found.length}`);
  return { id: found[0][0], props: found[0][1].Properties };
}

/** The evaluation settings of a metric alarm, whatever its metric shape. */
function evaluation(p: Props) {
  const metrics = (p.Metrics as Array<{ MetricStat?: { Period: number }; Period?: number }> | undefined) ?? [];
  return {
    period: (p.Period as number | undefined) ?? metrics.find((m) => m.MetricStat)?.MetricStat?.Period,
    threshold: p.Threshold,
    comparison: p.ComparisonOperator,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm,
    missing: p.TreatMissingData,
  };
}

describe.each(REGIONS)('the $stack alarms ($region)', (c) => {
  let template: Template;
  let topic: unknown;
  beforeAll(() => {
    template = wallet.template(c.stack);
    topic = { Ref: resourceNamed(template, 'AWS::SNS::Topic', 'NotificationsTopic').id };
  });
  const name = (kind: RegionalAlarmKind) => regionalAlarmName('example', c.region, kind);

  test('every regional alarm of the contract exists here, under its contract name', () => {
    for (const kind of kindsIn(c.stack)) {
      expect(() => alarmNamed(template, name(kind))).not.toThrow();
    }
  });

  test('every alarm notifies the region topic on ALARM and on OK, with actions enabled', () => {
    const alarms = Object.values(resources(template)).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm',
    );
    // The regional alarms of lib/contract/alarms.ts (the experiments' guard alarm is tested in
    // fault-experiments; the deploy alarms, which share the prefix, in test/deploy/safe-deployment.suite.ts).
    const regional = alarms.filter(
      (r) =>
        parseAlarmName('example', String(r.Properties.AlarmName))?.scope === 'regional' &&
        !String(r.Properties.AlarmName).startsWith(`example-wallet-${c.region}-deploy-`),
    );
    expect(regional).toHaveLength(kindsIn(c.stack).length);
    for (const a of regional) {
      expect([
        a.Properties.AlarmName,
        a.Properties.AlarmActions,
        a.Properties.OKActions,
        a.Properties.ActionsEnabled,
      ]).toEqual([a.Properties.AlarmName, [topic], [topic], true]);
    }
  });

  // Thresholds, periods, M of N and missing data: docs/runbooks/alarms.md, "Proposed default thresholds".
  test.each([
    [
      'deepHealthCanary',
      {
        period: 60,
        threshold: 100,
        comparison: 'LessThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        missing: 'breaching',
      },
    ],
    [
      'publicNameCanary',
      {
        period: 60,
        threshold: 100,
        comparison: 'LessThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        missing: 'breaching',
      },
    ],
    [
      'transactionCanary',
      {
        period: 60,
        threshold: 100,
        comparison: 'LessThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        missing: 'breaching',
      },
    ],
    [
      'peerDeepHealth',
      {
        period: 60,
        threshold: 1,
        comparison: 'LessThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        missing: 'missing',
      },
    ],
    [
      'api5xxRate',
      {
        period: 300,
        threshold: 5,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        missing: 'notBreaching',
      },
    ],
    [
      'apiLatencyP99',
      {
        period: 60,
        threshold: 2000,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        missing: 'notBreaching',
      },
    ],
    [
      'apiLatencyAnomaly',
      {
        period: 60,
        threshold: undefined,
        comparison: 'GreaterThanUpperThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        missing: 'notBreaching',
      },
    ],
    [
      'apiRequestCountAnomaly',
      {
        period: 60,
        threshold: undefined,
        comparison: 'LessThanLowerOrGreaterThanUpperThreshold',
        evaluationPeriods: 10,
        datapointsToAlarm: 5,
        missing: 'notBreaching',
      },
    ],
    [
      'signerErrors',
      {
        period: 300,
        threshold: 3,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        missing: 'notBreaching',
      },
    ],
    [
      'signerDlqDepth',
      {
        period: 60,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        missing: 'notBreaching',
      },
    ],
    [
      'signingQueueOldestAge',
      {
        period: 60,
        threshold: 120,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        missing: 'notBreaching',
      },
    ],
    [
      'signerThrottles',
      {
        period: 300,
        threshold: 10,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        missing: 'notBreaching',
      },
    ],
    [
      'kmsThrottling',
      {
        period: 300,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        missing: 'notBreaching',
      },
    ],
    [
      'replicationLatency',
      {
        period: 60,
        threshold: 10000,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        missing: 'notBreaching',
      },
    ],
    [
      'replicationErrors',
      {
        period: 300,
        threshold: 0,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        missing: 'notBreaching',
      },
    ],
    [
      'remediationFailures',
      {
        period: 60,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        missing: 'notBreaching',
      },
    ],
  ] as Array<[RegionalAlarmKind, ReturnType<typeof evaluation>]>)(
    '%s: evaluation and missing data',
    (kind, expected) => {
      expect(evaluation(alarmNamed(template, name(kind)).props)).toEqual(expected);
    },
  );

  // Issue 16: the chain alarms (lib/constructs/wallet-alarms.ts chainAlarms, CHAIN_ALARM_DEFAULTS).
  test.each([
    [
      'chainNoHealthyProvider',
      {
        period: 60,
        threshold: 1,
        comparison: 'LessThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        missing: 'breaching',
      },
    ],
    [
      'chainHeadStale',
      {
        period: 60,
        threshold: 120,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        missing: 'notBreaching',
      },
    ],
    [
      'chainTransactionsStuck',
      {
        period: 60,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        missing: 'notBreaching',
      },
    ],
  ] as Array<[RegionalAlarmKind, ReturnType<typeof evaluation>]>)(
    '%s: evaluation and missing data',
    (kind, expected) => {
      expect(evaluation(alarmNamed(template, name(kind)).props)).toEqual(expected);
    },
  );

  test('chain-no-healthy-provider watches HealthyProviders (Minimum) of this region', () => {
    expect(alarmNamed(template, name('chainNoHealthyProvider')).props).toMatchObject({
      Namespace: 'Wallet/Chain/example',
      MetricName: 'HealthyProviders',
      Dimensions: [{ Name: 'Region', Value: c.region }],
      Statistic: 'Minimum',
    });
  });

  test('chain-transactions-stuck: stuck >= 1 or the oldest unmined past chain.stuckAfterSeconds (900)', () => {
    const metrics = alarmNamed(template, name('chainTransactionsStuck')).props.Metrics as Array<
      Record<string, unknown>
    >;
    expect(metrics.find((m) => m.Expression !== undefined)?.Expression).toBe(
      'IF(FILL(stuck, 0) >= 1 OR FILL(oldest, 0) > 900, 1, 0)',
    );
    expect(JSON.stringify(metrics)).toContain('StuckTransactions');
    expect(JSON.stringify(metrics)).toContain('OldestPendingSeconds');
  });

  test('the standby (only) alarms below chain.health.minHealthyStandby healthy providers, missing data breaching', () => {
    if (c.stack === 'primary') {
      expect(() => alarmNamed(template, name('chainStandbyProvidersLow'))).toThrow(/found 0/);
      return;
    }
    const a = alarmNamed(template, name('chainStandbyProvidersLow')).props;
    expect(evaluation(a)).toEqual({
      period: 60,
      threshold: 2,
      comparison: 'LessThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      missing: 'breaching',
    });
    expect(a).toMatchObject({ MetricName: 'HealthyProviders', Statistic: 'Minimum' });
  });

  // Issue 21: the sweep alarms (lib/constructs/wallet-alarms.ts sweepAlarms, SWEEP_ALARM_DEFAULTS);
  // the example's spending.cold.checkEvery is rate(5 minutes): periods of two runs, 10 minutes.
  test.each([
    [
      'sweepFailed',
      {
        period: 300,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        missing: 'notBreaching',
      },
    ],
    [
      'floatAboveCeiling',
      {
        period: 600,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 6,
        datapointsToAlarm: 6,
        missing: 'notBreaching',
      },
    ],
  ] as Array<[RegionalAlarmKind, ReturnType<typeof evaluation>]>)(
    '%s: evaluation and missing data',
    (kind, expected) => {
      expect(evaluation(alarmNamed(template, name(kind)).props)).toEqual(expected);
    },
  );

  test("sweep-failed watches SweepsFailed (Sum over 5 min) of this region's sweeper", () => {
    const p = alarmNamed(template, name('sweepFailed')).props;
    expect([p.Namespace, p.MetricName, p.Dimensions, p.Statistic, p.Period]).toEqual([
      'Wallet/Sweep/example',
      'SweepsFailed',
      [{ Name: 'Region', Value: c.region }],
      'Sum',
      300,
    ]);
  });

  test("float-above-ceiling: FloatAboveCeiling Maximum >= 1 or BalanceUnreadable >= 1 in each 10-min period, this region's sweeper", () => {
    const p = alarmNamed(template, name('floatAboveCeiling')).props;
    const stat = (id: string, metricName: string) => ({
      Id: id,
      ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: 'Wallet/Sweep/example',
          MetricName: metricName,
          Dimensions: [{ Name: 'Region', Value: c.region }],
        },
        Period: 600,
        Stat: 'Maximum',
      },
    });
    expect(p.Metrics).toEqual([
      {
        Id: 'expr_1',
        Expression: 'IF(FILL(above, 0) >= 1 OR FILL(unreadable, 0) >= 1, 1, 0)',
        Label: '1 when a sweeper run saw the float above its ceiling or could not read the balance',
        ReturnData: true,
      },
      stat('above', 'FloatAboveCeiling'),
      stat('unreadable', 'BalanceUnreadable'),
    ]);
    expect(p.MetricName).toBeUndefined();
  });

  test.each(SWEEP_ALARM_KINDS)(
    '%s notifies the region topic on ALARM and OK, and says what to do and where',
    (kind) => {
      const p = alarmNamed(template, name(kind)).props;
      expect([p.AlarmActions, p.OKActions, p.ActionsEnabled]).toEqual([[topic], [topic], true]);
      expect(p.AlarmDescription).toMatch(new RegExp(`Runbook: docs/runbooks/alarms\\.md#${REGIONAL_ALARMS[kind]}$`));
      expect(p.AlarmDescription).toContain(kind === 'sweepFailed' ? 'names the reason' : 'Check sweep-failed');
    },
  );

  test("every regional alarm's runbook link names a heading of docs/runbooks/alarms.md (GitHub's anchor)", () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'runbooks', 'alarms.md'), 'utf8');
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-');
    const anchors = new Set([...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) => slug(m[1])));
    const links = kindsIn(c.stack).map((kind) => {
      // A description naming a canary is an Fn::Join; its runbook link is in its last literal part.
      const description = JSON.stringify(alarmNamed(template, name(kind)).props.AlarmDescription);
      return [kind, /Runbook: docs\/runbooks\/alarms\.md#([a-z0-9-]+)"/.exec(description)?.[1]];
    });
    expect(links.filter(([, a]) => a === undefined || !anchors.has(a))).toEqual([]);
    expect(anchors.has('sweep-failed') && anchors.has('float-above-ceiling')).toBe(true);
  });

  test('the float alarm says how long the float has been above its ceiling (6 periods of 10 min)', () => {
    expect(alarmNamed(template, name('floatAboveCeiling')).props.AlarmDescription).toContain(
      'in 6 consecutive periods of 10 min',
    );
  });

  test('the sweep alarms pass AlarmMetricPublished; fails: the rule refuses them without their publisher line', () => {
    // The two alarms as synthesized here, alone in a stack of this region, under the Wallet rules.
    const check = () => {
      const app: App = newTestApp();
      const stack = new Stack(app, 'Subject', { env: { account: '111111111111', region: c.region } });
      for (const kind of SWEEP_ALARM_KINDS) {
        // Without the actions (they reference this template's topic).
        const props = { ...alarmNamed(template, name(kind)).props, AlarmActions: [], OKActions: [] };
        new CfnResource(stack, kind, { type: 'AWS::CloudWatch::Alarm', properties: props });
      }
      app.synth();
      return new WalletChecks(app)
        .validateScope(app)
        .violations.map((v) => v.ruleName.replace(/^Wallet-/, ''))
        .filter((r) => r.startsWith('AlarmMetricPublished'))
        .sort();
    };
    expect(check()).toEqual([]);
    const publishers = METRIC_PUBLISHERS as Array<(typeof METRIC_PUBLISHERS)[number]>;
    const at = publishers.findIndex((p) => p.namespace === 'Wallet/Sweep/');
    const [line] = publishers.splice(at, 1);
    try {
      expect(check()).toEqual([
        'AlarmMetricPublished[Wallet/Sweep/example:BalanceUnreadable]',
        'AlarmMetricPublished[Wallet/Sweep/example:FloatAboveCeiling]',
        'AlarmMetricPublished[Wallet/Sweep/example:SweepsFailed]',
      ]);
    } finally {
      publishers.splice(at, 0, line);
    }
  });

  test.each([
    ['deepHealthCanary', 'example-wallet-deep-health'],
    ['publicNameCanary', 'example-wallet-public-name'],
    ['transactionCanary', 'example-wallet-transaction'],
  ] as Array<[RegionalAlarmKind, string]>)('%s watches SuccessPercent (Average) of the canary %s', (kind, canary) => {
    const canaryId = Object.entries(resources(template)).find(
      ([, r]) => r.Type === 'AWS::Synthetics::Canary' && r.Properties.Name === canary,
    )?.[0];
    expect(alarmNamed(template, name(kind)).props).toMatchObject({
      Namespace: 'CloudWatchSynthetics',
      MetricName: 'SuccessPercent',
      Dimensions: [{ Name: 'CanaryName', Value: { Ref: canaryId } }],
      Statistic: 'Average',
    });
  });

  test('peer-deep-health watches the canary metric from this vantage towards the peer (Minimum)', () => {
    expect(alarmNamed(template, name('peerDeepHealth')).props).toMatchObject({
      Namespace: 'Wallet/Canary',
      MetricName: 'PeerDeepHealth',
      Dimensions: [
        { Name: 'Environment', Value: 'example' },
        { Name: 'Target', Value: c.peer },
        { Name: 'Vantage', Value: c.region },
      ],
      Statistic: 'Minimum',
    });
  });

  test('api-5xx-rate: the 5xx share of this stage, only in periods with at least 20 requests', () => {
    const metrics = alarmNamed(template, name('api5xxRate')).props.Metrics as Array<Record<string, unknown>>;
    const expression = metrics.find((m) => m.Expression !== undefined);
    expect(expression).toMatchObject({
      Expression: 'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)',
      ReturnData: true,
    });
    const stats = metrics.filter((m) => m.MetricStat !== undefined).map((m) => [m.Id, (m.MetricStat as Props).Metric]);
    expect(stats).toEqual([
      ['errors', expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError' })],
      ['requests', expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' })],
    ]);
    expect(JSON.stringify(stats)).toContain('"Name":"Stage","Value"');
  });

  test('api-latency-p99 watches p99 of the stage latency', () => {
    expect(alarmNamed(template, name('apiLatencyP99')).props).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
    });
  });

  test('the anomaly alarms use a band of 3 standard deviations', () => {
    for (const kind of ['apiLatencyAnomaly', 'apiRequestCountAnomaly'] as const) {
      const props = alarmNamed(template, name(kind)).props;
      const band = (props.Metrics as Array<Record<string, unknown>>).find((m) =>
        String(m.Expression).startsWith('ANOMALY_DETECTION_BAND'),
      );
      expect(band?.Expression).toMatch(/^ANOMALY_DETECTION_BAND\(m0, 3\)$/);
      expect(props.ThresholdMetricId).toBe(band?.Id);
    }
  });

  test("kms-throttling: the signer's throttled KMS retries (metric filter) or the ECC quota above 80 %", () => {
    const filter = resourceNamed(template, 'AWS::Logs::MetricFilter', 'ObservabilityAlarmsKmsThrottledFilter').resource;
    expect(filter.Properties).toMatchObject({
      FilterPattern: '{ ($.message = "KMS retry") && ($.error.name = "ThrottlingException") }',
      LogGroupName: { Ref: resourceNamed(template, 'AWS::Logs::LogGroup', 'WalletSignerFunctionLogGroup').id },
      MetricTransformations: [
        { MetricNamespace: 'Wallet/Signer/example', MetricName: 'KmsThrottled', MetricValue: '1', Unit: 'Count' },
      ],
    });
    const metrics = alarmNamed(template, name('kmsThrottling')).props.Metrics as Array<Record<string, unknown>>;
    expect(metrics.map((m) => m.Expression).filter(Boolean)).toEqual([
      'IF(FILL(throttled, 0) >= 1, 1, 0) + IF(FILL(quotaUsed, 0) > 80, 1, 0)',
      '100 * (usage / PERIOD(usage)) / SERVICE_QUOTA(usage)',
    ]);
  });

  test('ddb-replication-latency under MRSC (the example): the slowest ledger write, since MRSC publishes no ReplicationLatency; errors sum system errors and write throttles', () => {
    const lag = alarmNamed(template, name('replicationLatency')).props;
    expect(lag.MetricName).toBeUndefined();
    const lagMetrics = lag.Metrics as Array<Record<string, unknown>>;
    expect(lagMetrics.find((m) => m.Expression)?.Expression).toBe('MAX([writePutItem, writeUpdateItem])');
    for (const op of ['PutItem', 'UpdateItem']) {
      expect(lagMetrics.find((m) => m.Id === `write${op}`)?.MetricStat).toMatchObject({
        Metric: {
          Namespace: 'AWS/DynamoDB',
          MetricName: 'SuccessfulRequestLatency',
          Dimensions: expect.arrayContaining([{ Name: 'Operation', Value: op }]),
        },
        Stat: 'Maximum',
      });
    }
    expect(JSON.stringify(lag.Metrics)).not.toContain('ReplicationLatency');
    expect(lag.Threshold).toBe(10000);
    expect(lag.TreatMissingData).toBe('notBreaching');
    const metrics = alarmNamed(template, name('replicationErrors')).props.Metrics as Array<Record<string, unknown>>;
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'FILL(writeThrottles, 0) + FILL(systemErrorsGetItem, 0) + FILL(systemErrorsPutItem, 0) + FILL(systemErrorsUpdateItem, 0)',
    );
  });

  test('remediation-failures: the function errors, its dead-letter queue holds an event, a status-page event was not delivered, or (primary) a failover cue was not forwarded', () => {
    const metrics = alarmNamed(template, name('remediationFailures')).props.Metrics as Array<Record<string, unknown>>;
    expect(JSON.stringify(metrics)).toContain(
      resourceNamed(template, 'AWS::SQS::Queue', 'ObservabilityRemediationDeadLetterQueue').id,
    );
    // Status-page events not delivered to either wallet region's bus, published in this region.
    const own = c.stack === 'primary' ? 'us-east-2' : 'us-west-2';
    const peer = c.stack === 'primary' ? 'us-west-2' : 'us-east-2';
    [own, peer].forEach((region, i) =>
      expect(metrics.find((m) => m.Id === `statusUndelivered${i}`)).toEqual({
        Id: `statusUndelivered${i}`,
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'Wallet/Status',
            MetricName: 'WalletEventUndelivered',
            Dimensions: [
              { Name: 'Environment', Value: 'example' },
              { Name: 'Region', Value: region },
            ],
          },
          Period: 60,
          Stat: 'Sum',
        },
      }),
    );
    const status = ' + FILL(statusUndelivered0, 0) + FILL(statusUndelivered1, 0)';
    if (c.stack === 'standby') {
      expect(metrics.find((m) => m.Expression)?.Expression).toBe('FILL(errors, 0) + FILL(deadLettered, 0)' + status);
      return;
    }
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'FILL(errors, 0) + FILL(deadLettered, 0) + FILL(cuesUndelivered, 0)' + status,
    );
    expect(metrics.find((m) => m.Id === 'cuesUndelivered')).toEqual({
      Id: 'cuesUndelivered',
      ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Events',
          MetricName: 'FailedInvocations',
          Dimensions: [
            {
              Name: 'RuleName',
              Value: { Ref: resourceNamed(template, 'AWS::Events::Rule', 'ObservabilityRemediationCuesRule').id },
            },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
    });
  });

  test('region-impaired: deep health fails AND (5xx OR p99 OR canary transaction OR signer dead letters)', () => {
    const composite = alarmNamed(template, name('regionImpaired'));
    // The rule names each alarm by ARN (Fn::GetAtt), which also orders the deployment.
    const [, parts] = (composite.props.AlarmRule as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const rule = parts
      .map((p) => {
        if (typeof p === 'string') return p;
        const id = (p as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        return resources(template)[id].Properties.AlarmName as string;
      })
      .join('');
    const is = (kind: RegionalAlarmKind) => `ALARM("${name(kind)}")`;
    expect(rule).toBe(
      `(${is('deepHealthCanary')} AND (${is('api5xxRate')} OR ${is('apiLatencyP99')} OR ${is('transactionCanary')} OR ${is('signerDlqDepth')}))`,
    );
  });
});

describe('config drives the alarms', () => {
  let custom: TestWallet;
  beforeAll(() => {
    custom = buildTestWallet(
      testConfig({
        canary: { schedule: 'rate(5 minutes)' },
        data: { consistency: 'MREC' },
        regions: { witness: undefined },
        targets: { rpoSeconds: 20 },
        alarms: {
          api5xxRate: {
            thresholdPercent: 2,
            minRequests: 50,
            periodSeconds: 60,
            evaluationPeriods: 10,
            datapointsToAlarm: 4,
          },
          canary: { evaluationPeriods: 4, datapointsToAlarm: 3 },
          anomaly: { bandStdDevs: 4 },
        },
      }),
    );
  });
  const alarm = (kind: RegionalAlarmKind) =>
    alarmNamed(custom.template('primary'), regionalAlarmName('example', 'us-east-2', kind)).props;

  test('the canary alarms take their period from the schedule (one run per period) and M of N from config', () => {
    expect(evaluation(alarm('deepHealthCanary'))).toMatchObject({
      period: 300,
      evaluationPeriods: 4,
      datapointsToAlarm: 3,
    });
    expect(evaluation(alarm('peerDeepHealth'))).toMatchObject({ period: 300 });
  });

  test('the 5xx share, request floor and evaluation come from config', () => {
    const props = alarm('api5xxRate');
    expect(evaluation(props)).toMatchObject({ period: 60, threshold: 2, evaluationPeriods: 10, datapointsToAlarm: 4 });
    expect(JSON.stringify(props.Metrics)).toContain('IF(requests >= 50,');
  });

  test('under MREC the replication-lag alarm fires at half the RPO', () => {
    expect(alarm('replicationLatency').Threshold).toBe(10000);
  });

  test('the anomaly band width comes from config', () => {
    expect(JSON.stringify(alarm('apiLatencyAnomaly').Metrics)).toContain('ANOMALY_DETECTION_BAND(m0, 4)');
  });
});

describe('the sweep alarms follow the sweeper', () => {
  test('neither sweep alarm is degrading: a sweep that does not happen leaves funds on the hot side only', () => {
    for (const mode of ['MRSC', 'MREC'] as const) {
      expect(DEGRADING_ALARMS[mode].filter((k) => isSweepAlarmKind(k))).toEqual([]);
    }
  });

  // The float alarm's period holds at least two runs of spending.cold.checkEvery; 6 of 6 periods,
  // fewer only where CloudWatch's evaluation limit (1 day under an hour's period, else 7 days) forces it.
  test.each([
    ['rate(1 minute)', 60, { periodSeconds: 300, evaluationPeriods: 6, datapointsToAlarm: 6 }],
    ['rate(5 minutes) (the default)', 300, { periodSeconds: 600, evaluationPeriods: 6, datapointsToAlarm: 6 }],
    ['rate(29 minutes)', 1740, { periodSeconds: 3480, evaluationPeriods: 6, datapointsToAlarm: 6 }],
    ['rate(2 hours)', 7200, { periodSeconds: 14400, evaluationPeriods: 6, datapointsToAlarm: 6 }],
    ['rate(14 hours)', 50400, { periodSeconds: 100800, evaluationPeriods: 6, datapointsToAlarm: 6 }],
    ['rate(15 hours)', 54000, { periodSeconds: 108000, evaluationPeriods: 5, datapointsToAlarm: 5 }],
    ['rate(84 hours)', 302400, { periodSeconds: 604800, evaluationPeriods: 1, datapointsToAlarm: 1 }],
  ])('checkEvery %s: %s s between runs', (_rate, seconds, expected) => {
    const e = floatAlarmEvaluation(seconds);
    expect(e).toEqual(expected);
    const total = (e?.periodSeconds ?? 0) * (e?.evaluationPeriods ?? 0);
    expect(total).toBeLessThanOrEqual((e?.periodSeconds ?? 0) < 3600 ? 86400 : 604800);
    expect((e?.periodSeconds ?? 0) / seconds).toBeGreaterThanOrEqual(2);
  });

  test('fails: no evaluation of two runs per period past rate(84 hours)', () => {
    expect(FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS).toBe(302400);
    expect(floatAlarmEvaluation(302400 + 3600)).toBeUndefined();
  });

  test('fails: a sweeper every 85 hours is refused at synth, naming the prop, the value and the longest rate', () => {
    // The config refuses it first (test/config/spending.test.ts); the construct's own check still holds
    // for props that did not come through the config.
    const valid = testConfig();
    const cold = valid.spending.cold as NonNullable<typeof valid.spending.cold>;
    const config = { ...valid, spending: { ...valid.spending, cold: { ...cold, checkEvery: 'rate(85 hours)' } } };
    expect(() => buildTestWallet(config)).toThrow(
      /sweep\.checkEverySeconds: is too long for the float-above-ceiling alarm.*received 306000\. Fix: run the sweeper at least every 84 hours/,
    );
  });

  describe('without spending.cold (no sweeper)', () => {
    let plain: TestWallet;
    beforeAll(() => {
      plain = buildTestWallet(testConfig({ spending: { cold: undefined, wallets: { 'w-sweep': undefined } } }));
    });

    test.each(REGIONS)('$stack: neither sweep alarm exists, every other regional alarm does', (c) => {
      const names = Object.values(resources(plain.template(c.stack)))
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm')
        .map((r) => String(r.Properties.AlarmName));
      for (const kind of SWEEP_ALARM_KINDS) expect(names).not.toContain(regionalAlarmName('example', c.region, kind));
      for (const kind of kindsIn(c.stack, false)) expect(names).toContain(regionalAlarmName('example', c.region, kind));
      expect(JSON.stringify(plain.template(c.stack).toJSON())).not.toContain('Wallet/Sweep/');
    });
  });

  describe('with spending.cold.checkEvery rate(1 minute)', () => {
    let fast: TestWallet;
    beforeAll(() => {
      fast = buildTestWallet(testConfig({ spending: { cold: { checkEvery: 'rate(1 minute)' } } }));
    });

    test('the float alarm keeps 5-minute periods (five runs each), 6 of 6; sweep-failed is unchanged', () => {
      const t = fast.template('primary');
      expect(evaluation(alarmNamed(t, regionalAlarmName('example', 'us-east-2', 'floatAboveCeiling')).props)).toEqual({
        period: 300,
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 6,
        datapointsToAlarm: 6,
        missing: 'notBreaching',
      });
      expect(evaluation(alarmNamed(t, regionalAlarmName('example', 'us-east-2', 'sweepFailed')).props)).toMatchObject({
        period: 300,
        evaluationPeriods: 1,
      });
    });
  });
});

test('only contract names: every alarm of the regional stacks is a regional alarm or the failover switch', () => {
  for (const c of REGIONS) {
    const names = Object.values(resources(wallet.template(c.stack)))
      .filter(
        (r: CfnResourceJson) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm',
      )
      .map((r) => String(r.Properties.AlarmName));
    const expected = kindsIn(c.stack).map((k) => regionalAlarmName('example', c.region, k));
    const backup = names.filter((n) => n.startsWith('example-wallet-backup'));
    const deploy = (['api', 'health', 'signer', 'remediation', 'chain-watcher', 'sweeper'] as const).flatMap((p) =>
      (['errors', 'duration-p99', ...(p === 'signer' ? (['signer-failures'] as const) : [])] as const).map((k) =>
        deployAlarmName('example', c.region, p, k),
      ),
    );
    expect(names.filter((n) => !backup.includes(n)).sort()).toEqual(
      [
        ...expected,
        ...deploy,
        ...(c.stack === 'standby'
          ? [
              'example-wallet-failover-switch',
              'example-wallet-failover-switch-stale',
              // the re-publisher deploys all at once with new-version alarms (lib/constructs/regional-safe-deployment.ts)
              deployAlarmName('example', c.region, 'switch-republisher', 'errors'),
              deployAlarmName('example', c.region, 'switch-republisher', 'duration-p99'),
            ]
          : []),
        // The example config's experiments all target the primary (lib/contract/chaos.ts).
        ...(c.stack === 'primary' ? [chaosGuardAlarmName('example', c.region)] : []),
        // Error-budget alerting (lib/constructs/slo-alarms.ts): per SLO and alert, two windows and a composite.
        ...SLO_NAMES.flatMap((slo) =>
          BURN_RATE_ALERTS.flatMap((a) => [
            sloAlertAlarmName('example', c.region, slo, a),
            sloWindowAlarmName('example', c.region, slo, a, 'long'),
            sloWindowAlarmName('example', c.region, slo, a, 'short'),
          ]),
        ),
      ].sort(),
    );
  }
});
