import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ForwardingUndeliveredAlarm, ForwardingUndeliveredAlarmProps } from '../../lib/constructs/forwarding-alarm';

function build(evaluation: Partial<ForwardingUndeliveredAlarmProps['evaluation']> = {}) {
  const s = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  new ForwardingUndeliveredAlarm(s, 'CuesUndelivered', {
    rule: events.Rule.fromEventRuleArn(s, 'Rule', 'arn:aws:events:us-east-1:111111111111:rule/example-forward'),
    alarmName: 'example-wallet-dns-remediation-cues-undelivered',
    alarmDescription: 'cues undelivered',
    evaluation: { threshold: 1, periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1, ...evaluation },
    topic: sns.Topic.fromTopicArn(s, 'Topic', 'arn:aws:sns:us-east-1:111111111111:alerts'),
  });
  return { stack: s, template: Template.fromStack(s) };
}

test('alarms on the rule FailedInvocations Sum >= threshold, missing data not breaching, ALARM and OK to the topic', () => {
  build().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'example-wallet-dns-remediation-cues-undelivered',
    Namespace: 'AWS/Events',
    MetricName: 'FailedInvocations',
    Dimensions: [{ Name: 'RuleName', Value: 'example-forward' }],
    Statistic: 'Sum',
    Period: 60,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: ['arn:aws:sns:us-east-1:111111111111:alerts'],
    OKActions: ['arn:aws:sns:us-east-1:111111111111:alerts'],
  });
});

test('the alarm keeps the logical id a stack-level alarm with the same id had (its child is Default)', () => {
  const { template } = build();
  const ids = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
  // The logical id a stack-level Alarm 'CuesUndelivered' gets (CuesUndelivered + hash of its path).
  const plain = new Stack(new App(), 'S');
  new cloudwatch.Alarm(plain, 'CuesUndelivered', {
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  expect(ids).toHaveLength(1);
  expect(ids).toEqual(Object.keys(Template.fromStack(plain).findResources('AWS::CloudWatch::Alarm')));
});

test('fails on a threshold below 1 and datapointsToAlarm above evaluationPeriods, listing both', () => {
  expect(() => build({ threshold: 0, evaluationPeriods: 2, datapointsToAlarm: 3 })).toThrow(
    /2 invalid props[\s\S]*evaluation\.threshold[\s\S]*received 0[\s\S]*evaluation\.datapointsToAlarm: must be a whole number from 1 to evaluationPeriods \(2\); received 3/,
  );
});
