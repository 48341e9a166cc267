import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { route53AlarmProblems, switchAlarmSpec, SwitchAlarmSpec } from '../failover/switch-alarm';

/** Props of {@link FailoverSwitchAlarm}. */
export interface FailoverSwitchAlarmProps {
  readonly envName: string;
  /** Notified when the switch is thrown (ALARM) and released (OK). */
  readonly topic: sns.ITopic;
  /**
   * Changes to the contract's alarm definition. Only for tests that prove invalid alarms are
   * rejected; production code uses the contract as it is.
   * @default - the contract in lib/contract/failover-switch.ts, unchanged
   */
  readonly overrides?: Partial<SwitchAlarmSpec>;
}

/**
 * The failover switch alarm in the STANDBY region. A Route 53 CLOUDWATCH_METRIC health check
 * (in the DNS stack) watches it; one PutMetricData in this region flips it.
 */
export class FailoverSwitchAlarm extends Construct {
  public readonly alarm: cloudwatch.CfnAlarm;
  public readonly alarmName: string;

  constructor(scope: Construct, id: string, props: FailoverSwitchAlarmProps) {
    super(scope, id);
    const spec: SwitchAlarmSpec = { ...switchAlarmSpec(props.envName), ...props.overrides };
    const problems = route53AlarmProblems(spec);
    if (problems.length > 0) {
      throw new Error(
        `FailoverSwitchAlarm ${this.node.path}: not valid for a Route 53 health check: ${problems.join('; ')}. ` +
          'Keep the alarm as defined in lib/contract/failover-switch.ts.',
      );
    }
    this.alarm = new cloudwatch.CfnAlarm(this, 'Alarm', {
      alarmName: spec.AlarmName,
      alarmDescription: spec.AlarmDescription,
      namespace: spec.Namespace,
      metricName: spec.MetricName,
      dimensions: spec.Dimensions?.map((d) => ({ name: d.Name, value: d.Value })),
      statistic: spec.Statistic,
      extendedStatistic: spec.ExtendedStatistic,
      period: spec.Period,
      evaluationPeriods: spec.EvaluationPeriods,
      datapointsToAlarm: spec.DatapointsToAlarm,
      threshold: spec.Threshold,
      comparisonOperator: spec.ComparisonOperator,
      treatMissingData: spec.TreatMissingData,
      actionsEnabled: true,
      alarmActions: [props.topic.topicArn],
      okActions: [props.topic.topicArn],
    });
    this.alarmName = spec.AlarmName;
  }
}
