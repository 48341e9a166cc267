import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmEvaluation } from '../contract/alarms';
import { PropProblem, throwIfProblems } from './prop-problems';

/**
 * Deliveries of a rule that failed permanently (AWS/Events `FailedInvocations`, by rule name): for
 * the forwarding rules, failover cues the standby never received.
 */
export function forwardingFailures(rule: events.IRule, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName: 'FailedInvocations',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

export interface ForwardingUndeliveredAlarmProps {
  /** The rule whose undelivered events alarm (its `FailedInvocations`). */
  readonly rule: events.IRule;
  /** The alarm's name (from lib/contract/alarms.ts, so the drill and the runbooks find it). */
  readonly alarmName: string;
  /** What it means and where the runbook is. */
  readonly alarmDescription: string;
  /** Failed deliveries (Sum per period) that alarm, and over how many periods. */
  readonly evaluation: AlarmEvaluation & { readonly threshold: number };
  /** Notified on ALARM and on OK. */
  readonly topic: sns.ITopic;
}

/**
 * Alarms when an EventBridge rule could not deliver events to its target (`FailedInvocations` Sum >=
 * threshold; missing data is not breaching: no failures, no points). Notifies the topic on ALARM
 * and OK.
 *
 * The alarm is the child `Default`, which CDK leaves out of logical ids: a stack that created the
 * alarm directly as `<id>` keeps the same logical id when it switches to this construct with the
 * same `<id>`. That matters because the alarm has a fixed name: a new logical id would create the
 * "new" alarm (PutMetricAlarm overwrites the existing one) and then delete the old resource, which
 * deletes the alarm by name.
 */
export class ForwardingUndeliveredAlarm extends Construct {
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ForwardingUndeliveredAlarmProps) {
    super(scope, id);
    const e = props.evaluation;
    const problems: PropProblem[] = [];
    if (!Number.isInteger(e.threshold) || e.threshold < 1) {
      problems.push({
        prop: 'evaluation.threshold',
        message: 'must be a whole number of failed deliveries, at least 1',
        received: e.threshold,
        fix: 'use 1 (every undelivered cue matters) or more',
      });
    }
    if (!Number.isInteger(e.evaluationPeriods) || e.evaluationPeriods < 1) {
      problems.push({
        prop: 'evaluation.evaluationPeriods',
        message: 'must be a whole number, at least 1',
        received: e.evaluationPeriods,
        fix: 'use 1 or more',
      });
    }
    if (
      !Number.isInteger(e.datapointsToAlarm) ||
      e.datapointsToAlarm < 1 ||
      e.datapointsToAlarm > e.evaluationPeriods
    ) {
      problems.push({
        prop: 'evaluation.datapointsToAlarm',
        message: `must be a whole number from 1 to evaluationPeriods (${e.evaluationPeriods})`,
        received: e.datapointsToAlarm,
        fix: 'lower datapointsToAlarm or raise evaluationPeriods',
      });
    }
    throwIfProblems(this, 'ForwardingUndeliveredAlarm', problems);

    this.alarm = new cloudwatch.Alarm(this, 'Default', {
      alarmName: props.alarmName,
      alarmDescription: props.alarmDescription,
      metric: forwardingFailures(props.rule, Duration.seconds(e.periodSeconds)),
      threshold: e.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: e.evaluationPeriods,
      datapointsToAlarm: e.datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new actions.SnsAction(props.topic);
    this.alarm.addAlarmAction(action);
    this.alarm.addOkAction(action);
  }
}
