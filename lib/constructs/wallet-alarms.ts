import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  regionalAlarmName,
  RegionalAlarmKind,
  AlarmEvaluation,
  ChainAlarmKind,
  RegionalAlarmMap,
} from '../contract/alarms';
import { CHAIN_DIMENSIONS, CHAIN_METRICS, chainMetricNamespace } from '../contract/chain';
import { CHAIN_HEALTH_DEFAULTS, CHAIN_TIMING_DEFAULTS } from '../contract/chain-settings';
import { CANARY_DIMENSIONS, CANARY_METRIC_NAMESPACE, CANARY_METRICS, CanaryKind } from '../contract/canary';
import { KMS_THROTTLE_LOG_EVENT, SIGNER_METRICS, signerMetricNamespace } from '../contract/observability';
import { WALLET_EVENT_UNDELIVERED_METRIC } from '../contract/status';
import {
  FLOAT_ALARM_DEFAULTS,
  FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS,
  floatAlarmEvaluation,
} from '../contract/float-alarm';
import { SWEEP_DIMENSIONS, SWEEP_METRICS, sweepMetricNamespace } from '../contract/sweep';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';
import { SYNTHETICS_METRIC_NAMESPACE } from './wallet-canaries';
import { forwardingFailures } from './forwarding-alarm';
import { LedgerConsistency, replicationSignal } from './replication-signal';

/** "M of N" of an alarm whose period is fixed elsewhere (a canary's: its schedule). */
export type AlarmCount = Omit<AlarmEvaluation, 'periodSeconds'>;

/**
 * Alarm thresholds and evaluation per family (the stacks pass config `alarms`, with the
 * replication-lag threshold resolved). Defaults and reasons: lib/config/schema.ts ALARM_DEFAULTS and
 * docs/runbooks/alarms.md.
 */
export interface AlarmThresholds {
  /** SuccessPercent < 100 of each canary. */
  readonly canary: AlarmCount;
  /** PeerDeepHealth Minimum < 1. */
  readonly peerDeepHealth: AlarmCount;
  /** 100 x 5XXError / Count >= thresholdPercent, in periods with at least minRequests requests. */
  readonly api5xxRate: AlarmEvaluation & { readonly thresholdPercent: number; readonly minRequests: number };
  /** Latency p99 > thresholdMs. */
  readonly apiLatencyP99: AlarmEvaluation & { readonly thresholdMs: number };
  /** Anomaly bands of bandStdDevs standard deviations. */
  readonly anomaly: {
    readonly bandStdDevs: number;
    readonly latency: AlarmEvaluation;
    readonly requestCount: AlarmEvaluation;
  };
  /** Signer Errors Sum >= threshold. */
  readonly signerErrors: AlarmEvaluation & { readonly threshold: number };
  /** Signer DLQ visible messages >= threshold. */
  readonly signerDlqDepth: AlarmEvaluation & { readonly threshold: number };
  /** Signing queue ApproximateAgeOfOldestMessage >= thresholdSeconds. */
  readonly signingQueueOldestAge: AlarmEvaluation & { readonly thresholdSeconds: number };
  /** Signer Throttles Sum > threshold. */
  readonly signerThrottles: AlarmEvaluation & { readonly threshold: number };
  /** KMS throttled retries >= threshold, or ECC request rate > quotaUsagePercent of the quota. */
  readonly kmsThrottling: AlarmEvaluation & { readonly threshold: number; readonly quotaUsagePercent: number };
  /** ReplicationLatency Maximum > thresholdMs. */
  readonly replicationLatency: AlarmEvaluation & { readonly thresholdMs: number };
  /** SystemErrors + WriteThrottleEvents Sum > threshold. */
  readonly replicationErrors: AlarmEvaluation & { readonly threshold: number };
  /** Remediation Errors + its DLQ depth >= threshold. */
  readonly remediationFailures: AlarmEvaluation & { readonly threshold: number };
}

/** The alarm watching each canary's SuccessPercent. */
export const CANARY_ALARM_KINDS: Readonly<Record<CanaryKind, RegionalAlarmKind>> = {
  'deep-health': 'deepHealthCanary',
  'public-name': 'publicNameCanary',
  transaction: 'transactionCanary',
};

/**
 * Table operations whose system errors count toward `ddb-replication-errors` (DynamoDB publishes
 * SystemErrors per operation): every item operation the wallet's functions perform.
 */
export const LEDGER_OPERATIONS = ['GetItem', 'PutItem', 'UpdateItem'] as const;

/**
 * The usage metric of the account's ECC cryptographic-operations quota (KMS Sign with a secp256k1
 * key), in `AWS/Usage`. Check the dimension values in the Service Quotas console ("Cryptographic
 * operations (ECC) request rate", CloudWatch graph) before relying on the quota part of
 * `kms-throttling`; the throttled-call part does not depend on it.
 */
export const KMS_ECC_USAGE_DIMENSIONS = {
  Service: 'KMS',
  Type: 'API',
  Resource: 'CryptographicOperationsEcc',
  Class: 'None',
} as const;

/** Props of {@link WalletAlarms}. */
export interface WalletAlarmsProps {
  readonly envName: string;
  /** The other region of the pair (the peer probe's target, the replication receiver). */
  readonly peerRegion: string;
  /** The region's alerts topic: every alarm notifies it on ALARM and on OK. */
  readonly topic: sns.ITopic;
  readonly thresholds: AlarmThresholds;
  /** Seconds between canary runs: the period of the canary alarms (one run per period). */
  readonly canaryPeriodSeconds: number;
  /** The canaries by kind (their names are the CanaryName dimension). */
  readonly canaryNames: Readonly<Record<CanaryKind, string>>;
  /** The regional API stage (ApiName and Stage dimensions). */
  readonly apiStage: apigw.Stage;
  readonly signer: lambda.IFunction;
  /** The signer's log group: throttled KMS calls are counted from it. */
  readonly signerLogGroup: logs.ILogGroup;
  readonly signingQueue: sqs.IQueue;
  readonly signingDeadLetterQueue: sqs.IQueue;
  /** The ledger table's name in this region. */
  readonly tableName: string;
  /**
   * The ledger's consistency mode: it decides the replication alarm's metric (MRSC publishes no
   * ReplicationLatency; see replication-signal.ts).
   * @default 'MRSC'
   */
  readonly consistency?: LedgerConsistency;
  readonly remediation: lambda.IFunction;
  readonly remediationDeadLetterQueue: sqs.IQueue;
  /**
   * The rule forwarding this region's failover cues to the standby (primary only): its failed
   * deliveries count in `remediation-failures`. @default - none
   */
  readonly remediationForwardingRule?: events.IRule;
  /**
   * The chain alarms (issue 16), where `chain.providers` is configured. @default - none (no watcher
   * runs, nothing is published)
   */
  readonly chain?: ChainAlarmSettings;
  /**
   * The sweep alarms (issue 21), where the sweeper runs (`chain.providers` and `spending.cold`).
   * @default - none (no sweeper, nothing is published)
   */
  readonly sweep?: SweepAlarmSettings;
}

/** What the sweep alarms need to know about the sweeper (metrics of lib/contract/sweep.ts). */
export interface SweepAlarmSettings {
  /**
   * Seconds between sweeper runs (`rateSeconds(spending.cold.checkEvery)`): the float alarm's period
   * is chosen from it ({@link floatAlarmEvaluation}).
   */
  readonly checkEverySeconds: number;
}

/**
 * The sweep alarms' evaluation, with the reasons:
 * - sweep failed: SweepsFailed Sum >= 1 in one period of 5 minutes, 1 of 1: a sweep that ended refused,
 *   cancelled, rejected or expired is a fact, not noise (and the next run meets the same cause).
 * - float above ceiling: see {@link floatAlarmEvaluation} (lib/contract/float-alarm.ts).
 */
export const SWEEP_ALARM_DEFAULTS = {
  sweepFailed: { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /** Period, count and its limits: lib/contract/float-alarm.ts. */
  float: FLOAT_ALARM_DEFAULTS,
} as const;

/** Thresholds and evaluation of the chain alarms (metrics of lib/contract/chain.ts, published by the watcher every minute). */
export interface ChainAlarmSettings {
  /** The stack's role: the standby also gets `chain-standby-providers-low`. */
  readonly regionRole: 'primary' | 'standby';
  /** `chain-head-stale`: HeadAgeSeconds Maximum above this. @default CHAIN_ALARM_DEFAULTS.headStaleSeconds */
  readonly headStaleSeconds?: number;
  /**
   * `chain-transactions-stuck`: OldestPendingSeconds Maximum above this, or any StuckTransactions.
   * Pass config `chain.stuckAfterSeconds`. @default CHAIN_ALARM_DEFAULTS.stuckAfterSeconds
   */
  readonly stuckAfterSeconds?: number;
  /** `chain-standby-providers-low`: HealthyProviders Minimum below this (config `chain.health.minHealthyStandby`). @default CHAIN_ALARM_DEFAULTS.minHealthyStandby */
  readonly minHealthyStandby?: number;
  /** Per-alarm evaluation; a field not given keeps its default. @default CHAIN_ALARM_DEFAULTS */
  readonly evaluation?: Partial<Record<ChainAlarmKind, AlarmEvaluation>>;
}

/**
 * Defaults, with the reason for each. The watcher publishes one point a minute, so periods are 60 s.
 * - no healthy provider: 3 of 3 minutes (a single failed probe round is noise; 3 minutes without a
 *   way to the chain pauses withdrawals in auto mode).
 * - head stale: 120 s is ten Ethereum slots; 5 of 5 minutes.
 * - stuck: 900 s (config `chain.stuckAfterSeconds`' example); 1 of 1: a stuck transaction is a fact, not noise.
 * - standby providers: 2 (the nonce read needs agreement of two); 5 of 5 minutes (it pages nobody
 *   out of bed, but it blocks a drill).
 */
export const CHAIN_ALARM_DEFAULTS = {
  headStaleSeconds: 120,
  stuckAfterSeconds: CHAIN_TIMING_DEFAULTS.stuckAfterSeconds,
  minHealthyStandby: CHAIN_HEALTH_DEFAULTS.minHealthyStandby,
  evaluation: {
    chainNoHealthyProvider: { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3 },
    chainHeadStale: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5 },
    chainTransactionsStuck: { periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
    chainStandbyProvidersLow: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5 },
  } satisfies Record<ChainAlarmKind, AlarmEvaluation>,
} as const;

/**
 * Every regional alarm of docs/runbooks/alarms.md, named by lib/contract/alarms.ts, with thresholds
 * from config and missing data chosen per alarm: canaries BREACHING (a canary that does not run is
 * an incident), the peer probe MISSING (a dead canary is not evidence about the peer), traffic and
 * signer metrics NOT_BREACHING (no traffic is not an error; the standby has almost none). Every alarm
 * notifies the region's topic on ALARM and OK, and `region-impaired` combines them:
 *
 *   ALARM(canary-deep-health) AND (ALARM(api-5xx-rate) OR ALARM(api-latency-p99)
 *     OR ALARM(canary-transaction) OR ALARM(signer-dlq-depth))
 */
export class WalletAlarms extends Construct {
  /** Every alarm by kind (the composite included); the chain alarms only where `chain` is given. */
  public readonly alarms: RegionalAlarmMap<cloudwatch.AlarmBase>;
  /** `Wallet/Signer/<env> KmsThrottled`: KMS calls of the signer retried after a ThrottlingException. */
  public readonly kmsThrottledMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: WalletAlarmsProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    throwIfProblems(this, 'WalletAlarms', alarmProblems(props, region));
    // One builder per family; the composite comes last, over the alarms made before it.
    const m = new AlarmMaker(this, props.envName, region, props.topic);
    canaryAlarms(m, props);
    apiAlarms(m, props);
    signerAlarms(m, props);
    this.kmsThrottledMetric = kmsAlarms(m, props);
    replicationAlarms(m, props);
    remediationAlarms(m, props);
    if (props.chain !== undefined) chainAlarms(m, props.envName, props.chain);
    if (props.sweep !== undefined) sweepAlarms(m, props.envName, props.sweep);
    regionImpairedAlarm(m);
    this.alarms = m.made as WalletAlarms['alarms'];
  }
}

/**
 * Makes the construct's alarms: named by lib/contract/alarms.ts, documented with their runbook
 * anchor, notifying the topic on ALARM and OK, and remembered by kind. Construct ids are the
 * PascalCase kind, in the WalletAlarms scope (so logical ids do not depend on these helpers).
 */
class AlarmMaker {
  public readonly made: Partial<Record<RegionalAlarmKind, cloudwatch.AlarmBase>> = {};
  private readonly action: actions.SnsAction;

  constructor(
    public readonly scope: Construct,
    private readonly envName: string,
    public readonly region: string,
    topic: sns.ITopic,
  ) {
    this.action = new actions.SnsAction(topic);
  }

  public readonly name = (kind: RegionalAlarmKind): string => regionalAlarmName(this.envName, this.region, kind);

  public readonly wire = <T extends cloudwatch.AlarmBase>(kind: RegionalAlarmKind, alarm: T): T => {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.made[kind] = alarm;
    return alarm;
  };

  public readonly alarm = (
    kind: RegionalAlarmKind,
    description: string,
    alarmProps: Omit<cloudwatch.AlarmProps, 'alarmName'>,
  ): cloudwatch.Alarm =>
    this.wire(
      kind,
      new cloudwatch.Alarm(this.scope, pascal(kind), {
        alarmName: this.name(kind),
        alarmDescription: `${description} Runbook: docs/runbooks/alarms.md#${REGIONAL_ANCHORS[kind]}`,
        actionsEnabled: true,
        ...alarmProps,
      }),
    );

  /** An informational anomaly-band alarm (missing data not breaching). */
  public readonly anomaly = (
    kind: RegionalAlarmKind,
    description: string,
    metric: cloudwatch.IMetric,
    e: AlarmEvaluation,
    comparisonOperator: cloudwatch.ComparisonOperator,
    stdDevs: number,
  ): cloudwatch.AnomalyDetectionAlarm =>
    this.wire(
      kind,
      new cloudwatch.AnomalyDetectionAlarm(this.scope, pascal(kind), {
        alarmName: this.name(kind),
        alarmDescription: `${description} Informational. Runbook: docs/runbooks/alarms.md#${REGIONAL_ANCHORS[kind]}`,
        actionsEnabled: true,
        metric,
        stdDevs,
        comparisonOperator,
        ...evaluation(e),
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
}

const evaluation = (e: AlarmEvaluation) => ({
  evaluationPeriods: e.evaluationPeriods,
  datapointsToAlarm: e.datapointsToAlarm,
});
const period = (seconds: number) => Duration.seconds(seconds);

/** Canaries: SuccessPercent of each run (one run per period), < 100 fails; and the peer probe. */
function canaryAlarms(m: AlarmMaker, props: WalletAlarmsProps): void {
  const t = props.thresholds;
  const { alarm, region } = m;
  const canaryPeriod = period(props.canaryPeriodSeconds);
  for (const [kind, alarmKind] of Object.entries(CANARY_ALARM_KINDS) as Array<[CanaryKind, RegionalAlarmKind]>) {
    alarm(alarmKind, `The ${kind} canary failed (${props.canaryNames[kind]}).`, {
      metric: new cloudwatch.Metric({
        namespace: SYNTHETICS_METRIC_NAMESPACE,
        metricName: 'SuccessPercent',
        dimensionsMap: { CanaryName: props.canaryNames[kind] },
        statistic: cloudwatch.Stats.AVERAGE,
        period: canaryPeriod,
      }),
      threshold: 100,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      ...evaluation({ ...t.canary, periodSeconds: props.canaryPeriodSeconds }),
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
  alarm(
    'peerDeepHealth',
    `This region's deep-health canary cannot get a healthy /health/deep from ${props.peerRegion}.`,
    {
      metric: new cloudwatch.Metric({
        namespace: CANARY_METRIC_NAMESPACE,
        metricName: CANARY_METRICS.peerDeepHealth,
        dimensionsMap: {
          [CANARY_DIMENSIONS.environment]: props.envName,
          [CANARY_DIMENSIONS.vantage]: region,
          [CANARY_DIMENSIONS.target]: props.peerRegion,
        },
        statistic: cloudwatch.Stats.MINIMUM,
        period: canaryPeriod,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      ...evaluation({ ...t.peerDeepHealth, periodSeconds: props.canaryPeriodSeconds }),
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    },
  );
}

/** API: 5xx share with a request floor, p99 latency, anomaly bands. */
function apiAlarms(m: AlarmMaker, props: WalletAlarmsProps): void {
  const t = props.thresholds;
  const { alarm, anomaly } = m;
  const stage = props.apiStage;
  const r5 = t.api5xxRate;
  alarm(
    'api5xxRate',
    `More than ${r5.thresholdPercent} % of API requests failed with 5xx (periods with at least ${r5.minRequests} requests).`,
    {
      metric: new cloudwatch.MathExpression({
        expression: `IF(requests >= ${r5.minRequests}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: {
          errors: stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period: period(r5.periodSeconds) }),
          requests: stage.metricCount({ statistic: cloudwatch.Stats.SUM, period: period(r5.periodSeconds) }),
        },
        period: period(r5.periodSeconds),
        label: 'API 5xx share (%)',
      }),
      threshold: r5.thresholdPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(r5),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
  const p99 = t.apiLatencyP99;
  alarm('apiLatencyP99', `The API's p99 latency is above ${p99.thresholdMs} ms.`, {
    metric: stage.metricLatency({ statistic: cloudwatch.Stats.p(99), period: period(p99.periodSeconds) }),
    threshold: p99.thresholdMs,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ...evaluation(p99),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const band = t.anomaly;
  anomaly(
    'apiLatencyAnomaly',
    `The API's average latency is above its learned band (${band.bandStdDevs} standard deviations).`,
    stage.metricLatency({ statistic: cloudwatch.Stats.AVERAGE, period: period(band.latency.periodSeconds) }),
    band.latency,
    cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
    band.bandStdDevs,
  );
  anomaly(
    'apiRequestCountAnomaly',
    `The API's request count is outside its learned band (${band.bandStdDevs} standard deviations): a drop can mean DNS moved users away.`,
    stage.metricCount({ statistic: cloudwatch.Stats.SUM, period: period(band.requestCount.periodSeconds) }),
    band.requestCount,
    cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
    band.bandStdDevs,
  );
}

/** Signer: errors, throttles, queue age, dead letters. */
function signerAlarms(m: AlarmMaker, props: WalletAlarmsProps): void {
  const t = props.thresholds;
  const { alarm } = m;
  alarm('signerErrors', `The signer failed ${t.signerErrors.threshold} or more times in a period.`, {
    metric: props.signer.metricErrors({
      statistic: cloudwatch.Stats.SUM,
      period: period(t.signerErrors.periodSeconds),
    }),
    threshold: t.signerErrors.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ...evaluation(t.signerErrors),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm('signerDlqDepth', 'A signing request gave up after every retry: a withdrawal was not signed.', {
    metric: props.signingDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: period(t.signerDlqDepth.periodSeconds),
    }),
    threshold: t.signerDlqDepth.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ...evaluation(t.signerDlqDepth),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm(
    'signingQueueOldestAge',
    `The oldest queued signing request is ${t.signingQueueOldestAge.thresholdSeconds} s old or older: signing is falling behind.`,
    {
      metric: props.signingQueue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: period(t.signingQueueOldestAge.periodSeconds),
      }),
      threshold: t.signingQueueOldestAge.thresholdSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(t.signingQueueOldestAge),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
  alarm('signerThrottles', `The signer was throttled more than ${t.signerThrottles.threshold} times in a period.`, {
    metric: props.signer.metricThrottles({
      statistic: cloudwatch.Stats.SUM,
      period: period(t.signerThrottles.periodSeconds),
    }),
    threshold: t.signerThrottles.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ...evaluation(t.signerThrottles),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** KMS: throttled Sign retries counted from the signer's logs (a metric filter), or the ECC quota nearly used up. Returns the throttled-retries metric. */
function kmsAlarms(m: AlarmMaker, props: WalletAlarmsProps): cloudwatch.Metric {
  const t = props.thresholds;
  const { alarm } = m;
  const kms = t.kmsThrottling;
  const namespace = signerMetricNamespace(props.envName);
  new logs.MetricFilter(m.scope, 'KmsThrottledFilter', {
    logGroup: props.signerLogGroup,
    filterName: `${props.envName}-wallet-kms-throttled`,
    filterPattern: logs.FilterPattern.all(
      logs.FilterPattern.stringValue('$.message', '=', KMS_THROTTLE_LOG_EVENT.message),
      logs.FilterPattern.stringValue('$.error.name', '=', KMS_THROTTLE_LOG_EVENT.errorName),
    ),
    metricNamespace: namespace,
    metricName: SIGNER_METRICS.kmsThrottled,
    metricValue: '1',
    unit: cloudwatch.Unit.COUNT,
  });
  const kmsThrottled = new cloudwatch.Metric({
    namespace,
    metricName: SIGNER_METRICS.kmsThrottled,
    statistic: cloudwatch.Stats.SUM,
    period: period(kms.periodSeconds),
  });
  const usage = new cloudwatch.Metric({
    namespace: 'AWS/Usage',
    metricName: 'CallCount',
    dimensionsMap: { ...KMS_ECC_USAGE_DIMENSIONS },
    statistic: cloudwatch.Stats.SUM,
    period: period(kms.periodSeconds),
  });
  alarm(
    'kmsThrottling',
    `KMS throttled the signer ${kms.threshold} or more times in a period, or the account used more than ` +
      `${kms.quotaUsagePercent} % of its ECC cryptographic-operations quota.`,
    {
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(throttled, 0) >= ${kms.threshold}, 1, 0) + IF(FILL(quotaUsed, 0) > ${kms.quotaUsagePercent}, 1, 0)`,
        usingMetrics: {
          throttled: kmsThrottled,
          quotaUsed: new cloudwatch.MathExpression({
            expression: '100 * (usage / PERIOD(usage)) / SERVICE_QUOTA(usage)',
            usingMetrics: { usage },
            period: period(kms.periodSeconds),
            label: 'ECC quota used (%)',
          }),
        },
        period: period(kms.periodSeconds),
        label: 'KMS throttling conditions met',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(kms),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
  return kmsThrottled;
}

/** Ledger replication: lag towards the peer, and the error proxy (system errors + write throttles). */
function replicationAlarms(m: AlarmMaker, props: WalletAlarmsProps): void {
  const t = props.thresholds;
  const { alarm } = m;
  const table = (metricName: string, dimensions: Record<string, string>, statistic: string, seconds: number) =>
    new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: props.tableName, ...dimensions },
      statistic,
      period: period(seconds),
    });
  const lag = t.replicationLatency;
  const signal = replicationSignal(
    props.consistency ?? 'MRSC',
    props.tableName,
    props.peerRegion,
    lag.periodSeconds,
    lag.thresholdMs,
  );
  alarm('replicationLatency', signal.description, {
    metric: signal.metric,
    threshold: lag.thresholdMs,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ...evaluation(lag),
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const rep = t.replicationErrors;
  const errorMetrics: Record<string, cloudwatch.IMetric> = {
    writeThrottles: table('WriteThrottleEvents', {}, cloudwatch.Stats.SUM, rep.periodSeconds),
  };
  for (const op of LEDGER_OPERATIONS) {
    errorMetrics[`systemErrors${op}`] = table(
      'SystemErrors',
      { Operation: op },
      cloudwatch.Stats.SUM,
      rep.periodSeconds,
    );
  }
  alarm(
    'replicationErrors',
    'The ledger table reports system errors or throttled writes (a proxy: DynamoDB publishes no replication-error count).',
    {
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(errorMetrics)
          .map((k) => `FILL(${k}, 0)`)
          .join(' + '),
        usingMetrics: errorMetrics,
        period: period(rep.periodSeconds),
        label: 'Ledger system errors and write throttles',
      }),
      threshold: rep.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...evaluation(rep),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
}

/**
 * A status-page event (lease moved, switch, degraded mode) that this region's remediation or a drill
 * could not put on a wallet region's bus after every retry (lib/status/wallet-events.ts): the page
 * may not show the change. Published here with `Region` = the bus that refused it, either region.
 */
function statusEventsUndelivered(
  envName: string,
  regions: readonly string[],
  p: Duration,
): Record<string, cloudwatch.IMetric> {
  const m = WALLET_EVENT_UNDELIVERED_METRIC;
  return Object.fromEntries(
    regions.map((region, i) => [
      `statusUndelivered${i}`,
      new cloudwatch.Metric({
        namespace: m.namespace,
        metricName: m.name,
        dimensionsMap: { [m.dimensions.environment]: envName, [m.dimensions.region]: region },
        statistic: cloudwatch.Stats.SUM,
        period: p,
      }),
    ]),
  );
}

/** Remediation itself: an error, an event that failed every retry, a status-page event never delivered, or (primary) a failover cue EventBridge could not forward to the standby. */
function remediationAlarms(m: AlarmMaker, props: WalletAlarmsProps): void {
  const t = props.thresholds;
  const { alarm } = m;
  const rem = t.remediationFailures;
  const remPeriod = period(rem.periodSeconds);
  const forwarding = props.remediationForwardingRule;
  const status = statusEventsUndelivered(props.envName, [Stack.of(m.scope).region, props.peerRegion], remPeriod);
  const statusTerms = Object.keys(status)
    .map((k) => ` + FILL(${k}, 0)`)
    .join('');
  alarm(
    'remediationFailures',
    (forwarding === undefined
      ? 'The remediation function failed: an automatic action may be half done.'
      : 'The remediation function failed (an automatic action may be half done), or a failover cue could not be forwarded to the standby.') +
      ' Also counts status-page events (lease, switch, degraded mode) that could not be delivered: check the status page shows the change.',
    {
      metric: new cloudwatch.MathExpression({
        expression:
          (forwarding === undefined
            ? 'FILL(errors, 0) + FILL(deadLettered, 0)'
            : 'FILL(errors, 0) + FILL(deadLettered, 0) + FILL(cuesUndelivered, 0)') + statusTerms,
        usingMetrics: {
          errors: props.remediation.metricErrors({ statistic: cloudwatch.Stats.SUM, period: remPeriod }),
          deadLettered: props.remediationDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: cloudwatch.Stats.MAXIMUM,
            period: remPeriod,
          }),
          ...(forwarding === undefined ? {} : { cuesUndelivered: forwardingFailures(forwarding, remPeriod) }),
          ...status,
        },
        period: remPeriod,
        label:
          forwarding === undefined
            ? 'Remediation errors, dead-lettered events and status events not delivered'
            : 'Remediation errors, dead-lettered events, failover cues not forwarded and status events not delivered',
      }),
      threshold: rem.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(rem),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
}

/**
 * The chain (issue 16), on the watcher's metrics in this region (Region dimension):
 * - no healthy provider: HealthyProviders Minimum < 1, missing data BREACHING: the watcher
 *   publishes a point every minute whatever the providers do, so no point means it is not running
 *   or cannot publish, and then nothing vouches that this region can reach the chain. A degrading
 *   alarm (lib/contract/remediation.ts): in auto mode it pauses withdrawals here.
 * - head stale: HeadAgeSeconds Maximum > headStaleSeconds, missing NOT_BREACHING (no head at all
 *   is the no-healthy-provider alarm's case; one page per cause).
 * - transactions stuck: StuckTransactions >= 1 or OldestPendingSeconds > stuckAfterSeconds; missing
 *   NOT_BREACHING (only the lease holder publishes them; the other region has none).
 * - standby only, providers low: HealthyProviders Minimum < minHealthyStandby, missing BREACHING
 *   (as above); the drill's pre-check reads it before failing over into the standby.
 */
function chainAlarms(m: AlarmMaker, envName: string, chain: ChainAlarmSettings): void {
  const namespace = chainMetricNamespace(envName);
  const e = (kind: ChainAlarmKind): AlarmEvaluation => ({
    ...CHAIN_ALARM_DEFAULTS.evaluation[kind],
    ...chain.evaluation?.[kind],
  });
  const metric = (metricName: string, statistic: string, periodSeconds: number) =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { [CHAIN_DIMENSIONS.region]: m.region },
      statistic,
      period: period(periodSeconds),
    });
  const noneE = e('chainNoHealthyProvider');
  m.alarm(
    'chainNoHealthyProvider',
    'No RPC provider is healthy in this region (or the chain watcher stopped reporting): transactions can be signed but not broadcast. Auto remediation pauses withdrawals here (withdrawals paused: chain unreachable).',
    {
      metric: metric(CHAIN_METRICS.healthyProviders, cloudwatch.Stats.MINIMUM, noneE.periodSeconds),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      ...evaluation(noneE),
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    },
  );
  const headE = e('chainHeadStale');
  const headStaleSeconds = chain.headStaleSeconds ?? CHAIN_ALARM_DEFAULTS.headStaleSeconds;
  m.alarm(
    'chainHeadStale',
    `The newest block any provider reports is older than ${headStaleSeconds} s: the providers (or the chain) stopped advancing.`,
    {
      metric: metric(CHAIN_METRICS.headAgeSeconds, cloudwatch.Stats.MAXIMUM, headE.periodSeconds),
      threshold: headStaleSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...evaluation(headE),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
  const stuckE = e('chainTransactionsStuck');
  const stuckAfterSeconds = chain.stuckAfterSeconds ?? CHAIN_ALARM_DEFAULTS.stuckAfterSeconds;
  m.alarm(
    'chainTransactionsStuck',
    `A transaction reached the fee cap unmined (stuck), or one has waited unmined longer than ${stuckAfterSeconds} s: an operator decides (wallet-ops).`,
    {
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(stuck, 0) >= 1 OR FILL(oldest, 0) > ${stuckAfterSeconds}, 1, 0)`,
        usingMetrics: {
          stuck: metric(CHAIN_METRICS.stuckTransactions, cloudwatch.Stats.MAXIMUM, stuckE.periodSeconds),
          oldest: metric(CHAIN_METRICS.oldestPendingSeconds, cloudwatch.Stats.MAXIMUM, stuckE.periodSeconds),
        },
        period: period(stuckE.periodSeconds),
        label: `1 when a transaction is stuck or older than ${stuckAfterSeconds} s unmined`,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(stuckE),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
  if (chain.regionRole !== 'standby') return;
  const lowE = e('chainStandbyProvidersLow');
  const minHealthy = chain.minHealthyStandby ?? CHAIN_ALARM_DEFAULTS.minHealthyStandby;
  m.alarm(
    'chainStandbyProvidersLow',
    `The standby has fewer than ${minHealthy} healthy RPC providers: a failover into it would broadcast through too few (the drill refuses).`,
    {
      metric: metric(CHAIN_METRICS.healthyProviders, cloudwatch.Stats.MINIMUM, lowE.periodSeconds),
      threshold: minHealthy,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      ...evaluation(lowE),
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    },
  );
}

/**
 * The hot/cold sweep (issue 21), on the sweeper's Embedded Metric Format lines in this region (Region
 * dimension). CloudWatch Logs extracts them: "Lambda automatically sends everything that your function
 * writes to standard output (STDOUT) to a CloudWatch Logs log group, and CloudWatch Logs extracts
 * metrics from any log events that follow the embedded metric format specification" (CloudWatch,
 * "Using the embedded metric format with Lambda"; lambda/sweeper/index.ts writes one JSON line per
 * document). The same page: a run that times out before it writes its line publishes nothing for it.
 * Only the lease holder's sweeper publishes, and only in a run that reads the balance (a run that
 * follows a sweep in flight publishes nothing), so missing data is NOT_BREACHING for both:
 * - sweep failed: SweepsFailed Sum >= 1 in 5 minutes, 1 of 1.
 * - float above ceiling: in each period, FloatAboveCeiling Maximum >= 1 (a run saw an excess of at
 *   least the minimum sweep) OR BalanceUnreadable >= 1 (a run could not see the balance at all), for
 *   every period of {@link floatAlarmEvaluation}. BalanceUnreadable is folded in rather than left to
 *   the chain alarms: those watch the chain watcher's probes, not the sweeper's own reads (its
 *   eth_getBalance through the pool, its 50 s budget), and a sweeper that cannot read the balance
 *   publishes no FloatAboveCeiling at all, so the float could grow unwatched. One alarm, one question:
 *   is the float known to be under its ceiling?
 * Neither is degrading (lib/contract/alarms.ts SWEEP_ALARM_KINDS).
 */
function sweepAlarms(m: AlarmMaker, envName: string, sweep: SweepAlarmSettings): void {
  const namespace = sweepMetricNamespace(envName);
  const metric = (metricName: string, statistic: string, periodSeconds: number) =>
    new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { [SWEEP_DIMENSIONS.region]: m.region },
      statistic,
      period: period(periodSeconds),
    });
  const failedE = SWEEP_ALARM_DEFAULTS.sweepFailed;
  m.alarm(
    'sweepFailed',
    'A sweep of the hot float to the cold address ended refused by intake, cancelled, rejected or expired: the excess stays on the hot key, and the next run sweeps again (and fails again while the cause stays). The sweeper log "sweep refused by intake" / "sweep failed" names the reason (the spending rule that refused, or how the transaction ended); wallet-ops shows the transaction.',
    {
      metric: metric(SWEEP_METRICS.sweepsFailed, cloudwatch.Stats.SUM, failedE.periodSeconds),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(failedE),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
  // alarmProblems refuses a checkEvery without an evaluation before this runs.
  const floatE = floatAlarmEvaluation(sweep.checkEverySeconds) as AlarmEvaluation;
  const minutes = floatE.periodSeconds / 60;
  m.alarm(
    'floatAboveCeiling',
    `The hot float stayed above spending.cold.floatCeilingWei, or the sweeper could not read the hot balance, in ${floatE.evaluationPeriods} consecutive periods of ${minutes} min: funds above the ceiling sit on the hot key. Check sweep-failed, chain-transactions-stuck (a sweep in flight publishes nothing), degraded mode and the sweeper's log ("hot balance unreadable", "sweep refused by intake"). Never top up above the ceiling (docs/runbooks/cold-top-up.md).`,
    {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(FILL(above, 0) >= 1 OR FILL(unreadable, 0) >= 1, 1, 0)',
        usingMetrics: {
          above: metric(SWEEP_METRICS.aboveCeiling, cloudwatch.Stats.MAXIMUM, floatE.periodSeconds),
          unreadable: metric(SWEEP_METRICS.balanceUnreadable, cloudwatch.Stats.MAXIMUM, floatE.periodSeconds),
        },
        period: period(floatE.periodSeconds),
        label: '1 when a sweeper run saw the float above its ceiling or could not read the balance',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...evaluation(floatE),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    },
  );
}

/** The region cannot serve: its own deep check fails AND users' requests or signing suffer (the composite, over the alarms made before it). */
function regionImpairedAlarm(m: AlarmMaker): void {
  const is = (kind: RegionalAlarmKind) =>
    cloudwatch.AlarmRule.fromAlarm(m.made[kind] as cloudwatch.IAlarm, cloudwatch.AlarmState.ALARM);
  m.wire(
    'regionImpaired',
    new cloudwatch.CompositeAlarm(m.scope, 'RegionImpaired', {
      compositeAlarmName: m.name('regionImpaired'),
      alarmDescription:
        'This region cannot serve: its own deep-health canary fails AND the API fails or is slow, or signing is stuck. ' +
        `Runbook: docs/runbooks/alarms.md#${REGIONAL_ANCHORS.regionImpaired}`,
      actionsEnabled: true,
      alarmRule: cloudwatch.AlarmRule.allOf(
        is('deepHealthCanary'),
        cloudwatch.AlarmRule.anyOf(
          is('api5xxRate'),
          is('apiLatencyP99'),
          is('transactionCanary'),
          is('signerDlqDepth'),
        ),
      ),
    }),
  );
}

/** Section anchors of docs/runbooks/alarms.md, per alarm. */
const REGIONAL_ANCHORS: Readonly<Record<RegionalAlarmKind, string>> = {
  deepHealthCanary: 'canary-deep-health',
  publicNameCanary: 'canary-public-name',
  transactionCanary: 'canary-transaction',
  peerDeepHealth: 'peer-deep-health',
  api5xxRate: 'api-5xx-rate--api-latency-p99',
  apiLatencyP99: 'api-5xx-rate--api-latency-p99',
  apiLatencyAnomaly: 'api-latency-anomaly--api-request-count-anomaly',
  apiRequestCountAnomaly: 'api-latency-anomaly--api-request-count-anomaly',
  signerErrors: 'signer-errors--signer-dlq-depth--signing-queue-oldest-age--signer-throttles',
  signerDlqDepth: 'signer-errors--signer-dlq-depth--signing-queue-oldest-age--signer-throttles',
  signingQueueOldestAge: 'signer-errors--signer-dlq-depth--signing-queue-oldest-age--signer-throttles',
  signerThrottles: 'signer-errors--signer-dlq-depth--signing-queue-oldest-age--signer-throttles',
  kmsThrottling: 'kms-throttling',
  replicationLatency: 'ddb-replication-latency--ddb-replication-errors',
  replicationErrors: 'ddb-replication-latency--ddb-replication-errors',
  remediationFailures: 'remediation-failures',
  regionImpaired: 'region-impaired-composite',
  chainNoHealthyProvider: 'chain-no-healthy-provider',
  chainHeadStale: 'chain-head-stale',
  chainTransactionsStuck: 'chain-transactions-stuck',
  chainStandbyProvidersLow: 'chain-standby-providers-low',
  sweepFailed: 'sweep-failed',
  floatAboveCeiling: 'float-above-ceiling',
};

/** `api5xxRate` -> `Api5xxRate` (construct ids). */
const pascal = (kind: string): string => kind[0].toUpperCase() + kind.slice(1);

/** Every problem with the props, at once. */
export function alarmProblems(props: WalletAlarmsProps, region: string): PropProblem[] {
  const problems: PropProblem[] = [];
  if (isResolved(region) && region === props.peerRegion) {
    problems.push({
      prop: 'peerRegion',
      message: `is this stack's own region (${region})`,
      received: props.peerRegion,
      fix: 'pass the other region of the pair',
    });
  }
  if (!(
    Number.isInteger(props.canaryPeriodSeconds) &&
    props.canaryPeriodSeconds >= 60 &&
    props.canaryPeriodSeconds % 60 === 0
  )) {
    problems.push({
      prop: 'canaryPeriodSeconds',
      message: 'must be a whole number of minutes (the canary schedule), in seconds',
      received: props.canaryPeriodSeconds,
      fix: 'pass rateSeconds(config.canary.schedule)',
    });
  }
  problems.push(...chainAlarmProblems(props.chain));
  problems.push(...sweepAlarmProblems(props.sweep));
  return problems;
}

function sweepAlarmProblems(sweep: SweepAlarmSettings | undefined): PropProblem[] {
  if (sweep === undefined) return [];
  const s = sweep.checkEverySeconds;
  if (!(Number.isInteger(s) && s >= 60 && s % 60 === 0)) {
    return [
      {
        prop: 'sweep.checkEverySeconds',
        message: 'must be a whole number of minutes (the sweeper schedule), in seconds',
        received: s,
        fix: 'pass rateSeconds(config.spending.cold.checkEvery)',
      },
    ];
  }
  if (floatAlarmEvaluation(s) === undefined) {
    return [
      {
        prop: 'sweep.checkEverySeconds',
        message: `is too long for the float-above-ceiling alarm: a period of two runs would exceed CloudWatch's 7-day evaluation limit`,
        received: s,
        fix: `run the sweeper at least every ${FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS / 3600} hours (spending.cold.checkEvery "rate(${FLOAT_ALARM_MAX_CHECK_EVERY_SECONDS / 3600} hours)" or shorter)`,
      },
    ];
  }
  return [];
}

function chainAlarmProblems(chain: ChainAlarmSettings | undefined): PropProblem[] {
  if (chain === undefined) return [];
  const problems: PropProblem[] = [];
  const positive = (prop: string, value: number | undefined, fix: string) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      problems.push({ prop: `chain.${prop}`, message: 'must be a whole number of at least 1', received: value, fix });
    }
  };
  positive(
    'headStaleSeconds',
    chain.headStaleSeconds,
    'give the block age in seconds that counts as stale (default 120)',
  );
  positive('stuckAfterSeconds', chain.stuckAfterSeconds, 'pass config chain.stuckAfterSeconds');
  positive('minHealthyStandby', chain.minHealthyStandby, 'pass config chain.health.minHealthyStandby (at least 1)');
  for (const [kind, e] of Object.entries(chain.evaluation ?? {})) {
    if (e === undefined) continue;
    if (
      !(e.periodSeconds >= 60 && e.periodSeconds % 60 === 0) ||
      !(e.datapointsToAlarm >= 1 && e.datapointsToAlarm <= e.evaluationPeriods)
    ) {
      problems.push({
        prop: `chain.evaluation.${kind}`,
        message: 'needs a period of whole minutes and 1 <= datapointsToAlarm <= evaluationPeriods',
        received: e,
        fix: 'e.g. { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3 }',
      });
    }
  }
  return problems;
}
