import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CANARY_DIMENSIONS, CANARY_METRIC_NAMESPACE, CANARY_METRICS } from '../contract/canary';
import {
  BURN_RATE_ALERTS,
  BurnRateAlert,
  BurnWindow,
  errorBudget,
  errorBudgetDashboardName,
  minEvents,
  policyProblems,
  SLO_WINDOW_DAYS,
  SloName,
  SloSpec,
  sloAlertAlarmName,
  sloWindowAlarmName,
} from '../slo/definitions';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { PropProblem, throwIfProblems } from './prop-problems';

/** Props of {@link SloAlarms}. */
export interface SloAlarmsProps {
  /** The environment name (config `envName`). */
  readonly envName: string;
  /** The SLOs to alert on (lib/slo/definitions.ts `sloSpecs`). */
  readonly slos: readonly SloSpec[];
  /** The REST API's name (the `ApiName` dimension of API Gateway's metrics). */
  readonly apiName: string;
  /** The stage name (the `Stage` dimension). */
  readonly stageName: string;
  /** Where pages and tickets go. */
  readonly topic: sns.ITopic;
  /**
   * The burn-rate policy.
   * @default BURN_RATE_ALERTS (14.4x 1 h/5 min and 6x 6 h/30 min page; 1x 3 d/6 h ticket)
   */
  readonly alerts?: readonly BurnRateAlert[];
}

/**
 * Multi-window, multi-burn-rate alerting on error budgets, built as CloudWatch alarms: one metric-math alarm
 * per SLO and window (`IF(total >= min, (bad / total) / budget, 0) >= burn rate`, the whole window as one
 * period), and one composite alarm per SLO and alert (long AND short window) that notifies. Plus an
 * error-budget dashboard per region.
 *
 * Why CloudWatch alarms and not CloudWatch Application Signals SLOs: Application Signals needs an
 * account-level opt-in (service discovery and its service-linked role) and its burn-rate metrics have no
 * minimum-traffic guard; metric math gives the guard, keeps every window and threshold an explicit alarm
 * property that tests assert, and names every alarm from lib/slo/definitions.ts.
 *
 * The window alarms take no action of their own: only the composite pages (or tickets), so a short burst
 * that trips the 5-minute window alone stays quiet.
 */
export class SloAlarms extends Construct {
  /** Per SLO and alert, the composite alarm that notifies. */
  public readonly alerts: Readonly<Record<SloName, Readonly<Record<string, cloudwatch.CompositeAlarm>>>>;
  /** Per SLO and alert, the long- and short-window alarms. */
  public readonly windows: Readonly<
    Record<SloName, Readonly<Record<string, { long: cloudwatch.Alarm; short: cloudwatch.Alarm }>>>
  >;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SloAlarmsProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const policy = props.alerts ?? BURN_RATE_ALERTS;
    throwIfProblems(this, 'SloAlarms', sloProblems(props, policy));
    const notify = new actions.SnsAction(props.topic);
    const where = { ...props, region };
    const alerts: Partial<Record<SloName, Record<string, cloudwatch.CompositeAlarm>>> = {};
    const windows: Partial<Record<SloName, Record<string, { long: cloudwatch.Alarm; short: cloudwatch.Alarm }>>> = {};

    for (const slo of props.slos) {
      alerts[slo.name] = {};
      windows[slo.name] = {};
      for (const alert of policy) {
        const alarmFor = (which: 'long' | 'short') => {
          const w = alert[which];
          return new cloudwatch.Alarm(this, `${pascal(slo.name)}${pascal(alert.name)}${pascal(which)}`, {
            alarmName: sloWindowAlarmName(props.envName, region, slo.name, alert, which),
            alarmDescription:
              `${slo.name}: burn rate over ${w.name} at least ${alert.burnRate}x (objective ${slo.objective}, ` +
              `at least ${minEvents(slo, w)} events). A component of ${sloAlertAlarmName(props.envName, region, slo.name, alert)}; ` +
              'it notifies nobody itself.',
            metric: burnRateExpression(slo, w, where),
            threshold: alert.burnRate,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            // No traffic at all is no burn (the minimum-traffic guard covers "a little traffic").
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          });
        };
        const long = alarmFor('long');
        const short = alarmFor('short');
        const reason =
          'A burn-rate window alarm is one half of a multi-window alert: the composite alarm of its long and short ' +
          'windows pages (or tickets) on ALARM and OK. A window alone alarming is not an incident (a 5-minute ' +
          'burst, or a long window still burning after recovery), so it notifies nobody by design.';
        for (const a of [long, short]) {
          acknowledgeInPacks(a, 'CloudWatchAlarmAction', ['NIST.800.53.R5', 'HIPAA.Security'], reason);
          acknowledge(a, 'cdk-validator-cfnguard::cloudwatch_alarm_action_check', reason);
        }
        windows[slo.name]![alert.name] = { long, short };
        const composite = new cloudwatch.CompositeAlarm(this, `${pascal(slo.name)}${pascal(alert.name)}`, {
          compositeAlarmName: sloAlertAlarmName(props.envName, region, slo.name, alert),
          alarmDescription:
            `${alert.severity.toUpperCase()}: ${slo.name} is spending its ${SLO_WINDOW_DAYS}-day error budget at ` +
            `${alert.burnRate}x or more over ${alert.long.name} and ${alert.short.name}. ${slo.description}. ` +
            'Runbook: docs/runbooks/slo.md',
          alarmRule: cloudwatch.AlarmRule.allOf(
            cloudwatch.AlarmRule.fromAlarm(long, cloudwatch.AlarmState.ALARM),
            cloudwatch.AlarmRule.fromAlarm(short, cloudwatch.AlarmState.ALARM),
          ),
          actionsEnabled: true,
        });
        composite.addAlarmAction(notify);
        composite.addOkAction(notify);
        alerts[slo.name]![alert.name] = composite;
      }
    }
    this.alerts = alerts as Record<SloName, Record<string, cloudwatch.CompositeAlarm>>;
    this.windows = windows as Record<SloName, Record<string, { long: cloudwatch.Alarm; short: cloudwatch.Alarm }>>;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: errorBudgetDashboardName(props.envName, region),
      defaultInterval: Duration.days(SLO_WINDOW_DAYS),
    });
    // As for the region dashboard (lib/constructs/wallet-dashboard.ts): CloudFormation accepts Tags on a
    // dashboard, cfn-lint 1.51's bundled schema predates them (E3002); only that check is skipped here.
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).addMetadata('cfn-lint', {
      config: { ignore_checks: ['E3002'] },
    });
    const budgetWindow: BurnWindow = { name: `${SLO_WINDOW_DAYS}d`, seconds: SLO_WINDOW_DAYS * 86400 };
    for (const slo of props.slos) {
      // Budget remaining over the SLO window: 1 - (bad fraction / budget); below 0 the SLO is missed.
      const remaining = new cloudwatch.MathExpression({
        expression: '1 - burn',
        usingMetrics: { burn: burnRateExpression(slo, budgetWindow, where) },
        label: `${slo.name}: error budget remaining (${SLO_WINDOW_DAYS} d)`,
        period: Duration.seconds(budgetWindow.seconds),
      });
      this.dashboard.addWidgets(
        new cloudwatch.SingleValueWidget({
          title: `${slo.name} (objective ${slo.objective * 100} %): budget remaining`,
          metrics: [remaining],
          width: 6,
          height: 6,
          setPeriodToTimeRange: true,
        }),
        new cloudwatch.GraphWidget({
          title: `${slo.name}: burn rate by window`,
          left: policy
            .flatMap((a) => [a.long, a.short])
            .filter((w, i, all) => all.findIndex((x) => x.name === w.name) === i)
            .map((w) => burnRateExpression(slo, w, where, `${w.name}`, `_${w.name}`)),
          leftAnnotations: policy.map((a) => ({ value: a.burnRate, label: `${a.name} ${a.burnRate}x` })),
          width: 18,
          height: 6,
        }),
      );
    }
  }
}

/** The burn rate of one SLO over one window as metric math, with the minimum-traffic guard. */
export function burnRateExpression(
  slo: SloSpec,
  window: BurnWindow,
  props: Pick<SloAlarmsProps, 'envName' | 'apiName' | 'stageName'> & { readonly region: string },
  label?: string,
  /** Appended to the variable names, so several windows can share one graph. */
  idSuffix = '',
): cloudwatch.MathExpression {
  const period = Duration.seconds(window.seconds);
  const min = minEvents(slo, window);
  const budget = errorBudget(slo);
  const src = slo.source;
  const api = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      statistic,
      period,
      dimensionsMap:
        src.kind === 'api-errors' && src.method !== undefined
          ? {
              ApiName: props.apiName,
              Stage: props.stageName,
              Resource: src.method.resource,
              Method: src.method.httpMethod,
            }
          : { ApiName: props.apiName, Stage: props.stageName },
    });
  let expression: string;
  let usingMetrics: Record<string, cloudwatch.IMetric>;
  if (src.kind === 'api-errors') {
    expression = `IF(total${idSuffix} >= ${min}, (bad${idSuffix} / total${idSuffix}) / ${budget}, 0)`;
    usingMetrics = {
      [`bad${idSuffix}`]: api('5XXError', cloudwatch.Stats.SUM),
      [`total${idSuffix}`]: api('Count', cloudwatch.Stats.SUM),
    };
  } else {
    // Percentile rank PR(:t) is the percentage of samples at or under t; the rest are bad.
    const latency = (statistic: string) =>
      src.kind === 'api-latency'
        ? api('Latency', statistic)
        : new cloudwatch.Metric({
            namespace: CANARY_METRIC_NAMESPACE,
            metricName: CANARY_METRICS.signLatency,
            statistic,
            period,
            dimensionsMap: {
              [CANARY_DIMENSIONS.environment]: props.envName,
              [CANARY_DIMENSIONS.vantage]: props.region,
            },
          });
    expression = `IF(total${idSuffix} >= ${min}, ((100 - good${idSuffix}) / 100) / ${budget}, 0)`;
    usingMetrics = {
      [`good${idSuffix}`]: latency(cloudwatch.Stats.percentileRank(src.thresholdMs)),
      [`total${idSuffix}`]: latency(cloudwatch.Stats.SAMPLE_COUNT),
    };
  }
  return new cloudwatch.MathExpression({
    expression,
    usingMetrics,
    period,
    label: label ?? `${slo.name} burn ${window.name}`,
  });
}

/** `api-availability` -> `ApiAvailability`. */
const pascal = (s: string): string =>
  s
    .split('-')
    .map((w) => (w.length === 0 ? w : w[0].toUpperCase() + w.slice(1)))
    .join('');

function sloProblems(props: SloAlarmsProps, policy: readonly BurnRateAlert[]): PropProblem[] {
  const problems: PropProblem[] = policyProblems(policy).map((message) => ({
    prop: 'alerts',
    message,
    received: policy.map((a) => `${a.name}: ${a.burnRate}x ${a.long?.name}/${a.short?.name}`),
    fix: 'use the multi-window policy of lib/slo/definitions.ts (BURN_RATE_ALERTS) or give each alert both windows',
  }));
  for (const slo of props.slos) {
    if (!(slo.objective > 0 && slo.objective < 1)) {
      problems.push({
        prop: `slos.${slo.name}.objective`,
        message: 'an objective must be a fraction between 0 and 1 (0.999 = 99.9 %)',
        received: slo.objective,
        fix: 'write the objective as a fraction, e.g. 0.999',
      });
    }
  }
  return problems;
}
