import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RegionalAlarmMap } from '../contract/alarms';
import {
  CANARY_DIMENSIONS,
  CANARY_METRIC_NAMESPACE,
  CANARY_METRICS,
  CANARY_KINDS,
  CanaryKind,
} from '../contract/canary';
import {
  FAILOVER_SWITCH_DIMENSION,
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
} from '../contract/failover-switch';
import { CHAIN_DIMENSIONS, CHAIN_METRICS, chainMetricNamespace } from '../contract/chain';
import { SWEEP_DIMENSIONS, SWEEP_METRICS, sweepMetricNamespace } from '../contract/sweep';
import { ledgerKeys } from '../contract/ledger';
import { ledgerTableName } from '../contract/names';
import { SYNTHETICS_METRIC_NAMESPACE } from './wallet-canaries';

/** Dashboards are global to the account, so the name carries the region. */
export const dashboardName = (envName: string, region: string): string => `${envName}-wallet-${region}`;

/** Props of {@link WalletDashboard}. */
export interface WalletDashboardProps {
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Every regional alarm (the status widget lists them). */
  readonly alarms: RegionalAlarmMap<cloudwatch.IAlarm>;
  /** The standby's failover switch alarm, when this is the standby region (alarm widgets are regional). */
  readonly failoverSwitchAlarm?: cloudwatch.IAlarm;
  readonly canaryNames: Readonly<Record<CanaryKind, string>>;
  readonly apiStage: apigw.Stage;
  readonly signer: lambda.IFunction;
  readonly signingQueue: sqs.IQueue;
  readonly signingDeadLetterQueue: sqs.IQueue;
  readonly kmsThrottled: cloudwatch.IMetric;
  readonly tableName: string;
  readonly remediation: lambda.IFunction;
  readonly remediationDeadLetterQueue: sqs.IQueue;
  readonly remediationLogGroup: logs.ILogGroup;
  /**
   * The chain row (issue 16), where `chain.providers` is configured: the provider names (config
   * `chain.providers[].name`, the `Provider` dimension). @default - no chain row
   */
  readonly chain?: { readonly providerNames: readonly string[] };
  /**
   * The sweep row (issue 21), where the sweeper runs (`chain.providers` and `spending.cold`).
   * @default false - no sweep row
   */
  readonly sweeper?: boolean;
}

/**
 * The region's operations dashboard (docs/runbooks/alarms.md, "First moves for any page"): alarm
 * states, the canaries (including which region answers the public name), the API, the signer, KMS,
 * ledger replication, remediation, the failover switch position (a metric of the standby region,
 * shown in both dashboards) and where to read the lease holder (it has no metric: it is a ledger item).
 */
export class WalletDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: WalletDashboardProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const peer = region === props.primaryRegion ? props.standbyRegion : props.primaryRegion;
    const minute = Duration.minutes(1);
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, ...extra });
    const canary = (metricName: string, dimensions: Record<string, string>, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: CANARY_METRIC_NAMESPACE,
        metricName,
        dimensionsMap: {
          [CANARY_DIMENSIONS.environment]: props.envName,
          [CANARY_DIMENSIONS.vantage]: region,
          ...dimensions,
        },
        statistic,
        period: minute,
        label,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: dashboardName(props.envName, region),
      defaultInterval: Duration.hours(3),
    });
    // CloudFormation accepts Tags on a dashboard (aws-cdk-lib 2.276's CfnDashboard has them, from the
    // CloudFormation registry), but cfn-lint 1.51's bundled schema predates them (E3002). The
    // environment tags stay (dashboards bill per month); only that check is skipped, on this resource.
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).addMetadata('cfn-lint', {
      config: { ignore_checks: ['E3002'] },
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: [
          `# ${props.envName} wallet, ${region} (${region === props.primaryRegion ? 'primary' : 'standby'})`,
          'Every alarm, what it means and what to do: `docs/runbooks/alarms.md`. Failing over or back by hand: `docs/runbooks/manual-failover.md`.',
        ].join('\n\n'),
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [
          ...Object.values(props.alarms),
          ...(props.failoverSwitchAlarm !== undefined ? [props.failoverSwitchAlarm] : []),
        ],
        width: 24,
        height: 5,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Canaries: success (%)',
        CANARY_KINDS.map(
          (kind) =>
            new cloudwatch.Metric({
              namespace: SYNTHETICS_METRIC_NAMESPACE,
              metricName: 'SuccessPercent',
              dimensionsMap: { CanaryName: props.canaryNames[kind] },
              statistic: cloudwatch.Stats.AVERAGE,
              period: minute,
              label: kind,
            }),
        ),
        { leftYAxis: { min: 0, max: 100 } },
      ),
      graph(
        `Public name answered by (from ${region})`,
        [
          new cloudwatch.MathExpression({
            expression:
              `SEARCH('{${CANARY_METRIC_NAMESPACE},${CANARY_DIMENSIONS.environment},${CANARY_DIMENSIONS.vantage},${CANARY_DIMENSIONS.answeredBy}} ` +
              `MetricName="${CANARY_METRICS.publicNameAnswer}" ${CANARY_DIMENSIONS.environment}="${props.envName}" ` +
              `${CANARY_DIMENSIONS.vantage}="${region}"', 'Sum', 60)`,
            label: '',
            period: minute,
          }),
        ],
        { stacked: true },
      ),
      graph(
        `Peer ${peer} deep health (from ${region}) and canary sign latency`,
        [
          canary(
            CANARY_METRICS.peerDeepHealth,
            { [CANARY_DIMENSIONS.target]: peer },
            cloudwatch.Stats.MINIMUM,
            `${peer} healthy (1/0)`,
          ),
        ],
        {
          right: [canary(CANARY_METRICS.signLatency, {}, cloudwatch.Stats.MAXIMUM, 'sign latency (ms)')],
          leftYAxis: { min: 0, max: 1 },
        },
      ),
    );
    const stage = props.apiStage;
    this.dashboard.addWidgets(
      graph(
        'API requests and 5xx',
        [stage.metricCount({ statistic: cloudwatch.Stats.SUM, period: minute, label: 'requests' })],
        {
          right: [stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period: minute, label: '5xx' })],
        },
      ),
      graph('API latency (ms)', [
        stage.metricLatency({ statistic: cloudwatch.Stats.p(99), period: minute, label: 'p99' }),
        stage.metricLatency({ statistic: cloudwatch.Stats.AVERAGE, period: minute, label: 'average' }),
      ]),
      graph(
        'Failover switch (1 = thrown: the PRIMARY record is forced unhealthy)',
        [
          new cloudwatch.Metric({
            namespace: FAILOVER_SWITCH_NAMESPACE,
            metricName: FAILOVER_SWITCH_METRIC,
            dimensionsMap: { [FAILOVER_SWITCH_DIMENSION]: props.envName },
            statistic: cloudwatch.Stats.MAXIMUM,
            period: minute,
            region: props.standbyRegion,
            label: `${failoverSwitchAlarmName(props.envName)} (${props.standbyRegion})`,
          }),
        ],
        { leftYAxis: { min: 0, max: 1 } },
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Signer',
        [
          props.signer.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: minute, label: 'invocations' }),
          props.signer.metricErrors({ statistic: cloudwatch.Stats.SUM, period: minute, label: 'errors' }),
          props.signer.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: minute, label: 'throttles' }),
        ],
        { right: [props.kmsThrottled] },
      ),
      graph(
        'Signing queue',
        [
          props.signingQueue.metricApproximateAgeOfOldestMessage({
            statistic: cloudwatch.Stats.MAXIMUM,
            period: minute,
            label: 'oldest request (s)',
          }),
        ],
        {
          right: [
            props.signingDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
              statistic: cloudwatch.Stats.MAXIMUM,
              period: minute,
              label: 'dead letters',
            }),
          ],
        },
      ),
      graph('Ledger replication', [
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName: 'ReplicationLatency',
          dimensionsMap: { TableName: props.tableName, ReceivingRegion: peer },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: minute,
          label: `lag to ${peer} (ms)`,
        }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Remediation',
        [
          props.remediation.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: minute, label: 'decisions' }),
          props.remediation.metricErrors({ statistic: cloudwatch.Stats.SUM, period: minute, label: 'errors' }),
        ],
        {
          right: [
            props.remediationDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
              statistic: cloudwatch.Stats.MAXIMUM,
              period: minute,
              label: 'dead-lettered events',
            }),
          ],
        },
      ),
      new cloudwatch.LogQueryWidget({
        title: 'Remediation: latest decisions',
        logGroupNames: [props.remediationLogGroup.logGroupName],
        queryLines: ['fields @timestamp, level, message', 'sort @timestamp desc', 'limit 20'],
        width: 8,
        height: 6,
      }),
      new cloudwatch.TextWidget({
        markdown: [
          '### Lease holder',
          'The lease (which region may sign) is a ledger item, not a metric: read it, then the audit trail of its moves.',
          '```',
          `aws dynamodb get-item --region ${region} --table-name ${ledgerTableName(props.envName)} --consistent-read \\`,
          `  --key '{"pk":{"S":"${ledgerKeys.lease('<address>').pk}"},"sk":{"S":"${ledgerKeys.lease('').sk}"}}'`,
          '```',
          '`<address>`: the signing address, lower-case 0x… (as in docs/runbooks/manual-failover.md).',
          'Lease moves are audited under `AUDIT#lease#<address>`; remediation decisions under `AUDIT#remediation#<region>`.',
        ].join('\n'),
        width: 8,
        height: 6,
      }),
    );
    if (props.chain !== undefined)
      this.dashboard.addWidgets(...chainRow(props.envName, region, props.chain.providerNames));
    if (props.sweeper === true) this.dashboard.addWidgets(...sweepRow(props.envName, region));
  }
}

/**
 * The sweep row: the float's excess over its ceiling, and sweeps started, failed and runs that could
 * not read the balance (metrics of lib/contract/sweep.ts, this region; only the lease holder publishes).
 */
export function sweepRow(envName: string, region: string): cloudwatch.IWidget[] {
  const metric = (metricName: string, statistic: string, label: string) =>
    new cloudwatch.Metric({
      namespace: sweepMetricNamespace(envName),
      metricName,
      dimensionsMap: { [SWEEP_DIMENSIONS.region]: region },
      statistic,
      period: Duration.minutes(5),
      label,
    });
  return [
    new cloudwatch.GraphWidget({
      title: 'Sweep: float above its ceiling (wei)',
      left: [metric(SWEEP_METRICS.excessWei, cloudwatch.Stats.MAXIMUM, 'excess over the ceiling')],
      width: 12,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Sweep: sweeps and unreadable balances per 5 min',
      left: [
        metric(SWEEP_METRICS.sweepsStarted, cloudwatch.Stats.SUM, 'started'),
        metric(SWEEP_METRICS.sweepsFailed, cloudwatch.Stats.SUM, 'failed'),
        metric(SWEEP_METRICS.balanceUnreadable, cloudwatch.Stats.SUM, 'balance unreadable'),
      ],
      width: 12,
      height: 6,
    }),
  ];
}

/**
 * The chain row: head lag per provider, pending and stuck transactions, the replacement rate and
 * request-to-mined latency (metrics of lib/contract/chain.ts, this region).
 */
export function chainRow(envName: string, region: string, providerNames: readonly string[]): cloudwatch.IWidget[] {
  const minute = Duration.minutes(1);
  const metric = (metricName: string, statistic: string, label: string, provider?: string) =>
    new cloudwatch.Metric({
      namespace: chainMetricNamespace(envName),
      metricName,
      dimensionsMap: {
        [CHAIN_DIMENSIONS.region]: region,
        ...(provider !== undefined ? { [CHAIN_DIMENSIONS.provider]: provider } : {}),
      },
      statistic,
      period: minute,
      label,
    });
  const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
    new cloudwatch.GraphWidget({ title, left, width: 6, height: 6, ...extra });
  return [
    graph(
      'Chain: head lag per provider (blocks)',
      providerNames.map((p) => metric(CHAIN_METRICS.providerHeadLagBlocks, cloudwatch.Stats.MAXIMUM, p, p)),
      { right: [metric(CHAIN_METRICS.healthyProviders, cloudwatch.Stats.MINIMUM, 'healthy providers')] },
    ),
    graph('Chain: pending and stuck transactions', [
      metric(CHAIN_METRICS.pendingTransactions, cloudwatch.Stats.MAXIMUM, 'pending'),
      metric(CHAIN_METRICS.stuckTransactions, cloudwatch.Stats.MAXIMUM, 'stuck'),
    ]),
    graph('Chain: fee-bump replacements per minute', [
      metric(CHAIN_METRICS.replacements, cloudwatch.Stats.SUM, 'replacements'),
    ]),
    graph('Chain: request to mined (s)', [
      metric(CHAIN_METRICS.requestToMinedSeconds, cloudwatch.Stats.p(50), 'p50'),
      metric(CHAIN_METRICS.requestToMinedSeconds, cloudwatch.Stats.p(95), 'p95'),
    ]),
  ];
}
