import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FAILOVER_SWITCH_METRIC, FAILOVER_SWITCH_NAMESPACE } from '../../lib/contract/failover-switch';
import { FailoverSwitchAlarm } from '../../lib/constructs/failover-switch-alarm';
import { SwitchAlarmSpec } from '../../lib/failover/switch-alarm';
import { exampleWallet, newTestApp } from '../helpers/app';

describe('failover switch alarm', () => {
  test('lives in the standby region with the contract metric, Maximum, 60 s, one period, and notifies', () => {
    const wallet = exampleWallet();
    expect(wallet.stacks.standby.region).toBe('us-west-2');
    wallet.template('standby').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'example-wallet-failover-switch',
      Namespace: FAILOVER_SWITCH_NAMESPACE,
      MetricName: FAILOVER_SWITCH_METRIC,
      Dimensions: [{ Name: 'Environment', Value: 'example' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
    });
    const alarm = Object.values(wallet.template('standby').findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === 'example-wallet-failover-switch',
    );
    expect(alarm?.Properties.AlarmActions).toHaveLength(1);
    expect(alarm?.Properties.OKActions).toHaveLength(1);
    expect(
      wallet
        .template('primary')
        .findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'example-wallet-failover-switch' } }),
    ).toEqual({});
  });

  function build(overrides: Partial<SwitchAlarmSpec>): () => Template {
    return () => {
      const stack = new Stack(newTestApp(), 'S', { env: { account: '111111111111', region: 'us-west-2' } });
      new FailoverSwitchAlarm(stack, 'Switch', { envName: 'x', topic: new sns.Topic(stack, 'T'), overrides });
      return Template.fromStack(stack);
    };
  }

  test.each<[string, Partial<SwitchAlarmSpec>, RegExp]>([
    [
      'a high-resolution metric',
      { Period: 10 },
      /the period is 10 s \(a high-resolution alarm\); Route 53 needs a standard-resolution period/,
    ],
    ['an M-of-N alarm', { EvaluationPeriods: 3, DatapointsToAlarm: 2 }, /the alarm is M-of-N \(2 of 3 datapoints\)/],
    ['metric math', { Metrics: [{ Id: 'e1', Expression: 'm1*2' }] }, /uses metric math \(Metrics\)/],
    ['a percentile statistic', { Statistic: undefined, ExtendedStatistic: 'p99' }, /extended statistic p99/],
  ])('fails for %s, which a Route 53 alarm health check cannot use', (_name, overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });

  test('the contract alarm itself is accepted', () => {
    expect(build({})).not.toThrow();
  });
});
