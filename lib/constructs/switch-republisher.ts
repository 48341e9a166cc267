import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  FAILOVER_SWITCH_AGE_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchStaleAlarmName,
  SWITCH_REPUBLISH,
} from '../contract/failover-switch';
import { walletFunctionName } from '../contract/names';
import { RUNTIME_ENV } from '../contract/runtime-env';
import { handlerEntry, WalletFunction } from './wallet-function';

/** Props of {@link SwitchRepublisher}. */
export interface SwitchRepublisherProps {
  readonly envName: string;
  /** The standby's data key (log encryption). */
  readonly dataKey: kms.IKey;
  /** Notified when the thrown switch goes stale (ALARM) and again on OK. */
  readonly topic: sns.ITopic;
  /**
   * Receives runs that failed every retry (the region's remediation dead-letter queue, whose depth
   * is alarmed by remediation-failures).
   */
  readonly failureQueue: sqs.IQueue;
}

/**
 * The STANDBY's scheduled job that keeps a thrown failover switch fresh (SWITCH_REPUBLISH in
 * lib/contract/failover-switch.ts says why and how), and the `failover-switch-stale` alarm on the
 * age it reports: a thrown switch whose newest data point is older than `staleAfterSeconds`, or a
 * job that stopped reporting (missing data is breaching: nothing vouches for the switch then).
 * The job uses CloudWatch's data plane only and can never throw a released switch.
 */
export class SwitchRepublisher extends Construct {
  public readonly function: WalletFunction;
  public readonly rule: events.Rule;
  public readonly staleAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SwitchRepublisherProps) {
    super(scope, id);
    this.function = new WalletFunction(this, 'Function', {
      functionName: walletFunctionName(props.envName, 'switch-republisher'),
      description: 'Failover switch re-publisher: keeps a THROWN switch fresh for Route 53; never throws it',
      entry: handlerEntry('switch-republisher'),
      environment: { [RUNTIME_ENV.envName]: props.envName, POWERTOOLS_SERVICE_NAME: 'wallet-switch-republisher' },
      logEncryptionKey: props.dataKey,
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: 1,
      invocation: { kind: 'asynchronous', failureQueue: props.failureQueue, retryAttempts: 0 },
      starResourceGrants: {
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:PutMetricData'],
        reason:
          'CloudWatch GetMetricData and PutMetricData support no resource-level permission; PutMetricData is bound by the ' +
          `condition cloudwatch:namespace = ${FAILOVER_SWITCH_NAMESPACE} (the switch and its age gauge), GetMetricData only reads.`,
      },
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheSwitch',
        actions: ['cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PublishOnlyTheSwitchNamespace',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': FAILOVER_SWITCH_NAMESPACE } },
      }),
    );
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the failover switch re-publisher',
      schedule: events.Schedule.rate(Duration.minutes(SWITCH_REPUBLISH.scheduleMinutes)),
      targets: [
        new eventTargets.LambdaFunction(this.function.function, {
          retryAttempts: 2,
          deadLetterQueue: props.failureQueue,
        }),
      ],
    });
    const period = Duration.minutes(SWITCH_REPUBLISH.scheduleMinutes);
    this.staleAlarm = new cloudwatch.Alarm(this, 'StaleAlarm', {
      alarmName: failoverSwitchStaleAlarmName(props.envName),
      alarmDescription:
        `The failover switch is thrown but its newest data point is older than ${SWITCH_REPUBLISH.staleAfterSeconds} s, or the ` +
        're-publisher stopped reporting: Route 53 is on "last known status" and may not keep it (docs/runbooks/manual-failover.md).',
      metric: new cloudwatch.Metric({
        namespace: FAILOVER_SWITCH_NAMESPACE,
        metricName: FAILOVER_SWITCH_AGE_METRIC,
        dimensionsMap: { Environment: props.envName },
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      }),
      threshold: SWITCH_REPUBLISH.staleAfterSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const action = new actions.SnsAction(props.topic);
    this.staleAlarm.addAlarmAction(action);
    this.staleAlarm.addOkAction(action);
  }
}
