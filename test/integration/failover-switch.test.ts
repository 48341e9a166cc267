import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateHealthCheckCommand, GetHealthCheckCommand, Route53Client } from '@aws-sdk/client-route-53';
import { FAIL_BACK_VALUE, FAIL_OVER_VALUE } from '../../lib/contract/failover-switch';
import { throwSwitch } from '../../lib/failover/switch';
import { switchAlarmSpec } from '../../lib/failover/switch-alarm';
import { MotoServer, sharedMoto } from '../helpers/moto';

const STANDBY = 'us-west-2';
const ENV = 'drill';
let moto: MotoServer;
let cloudwatch: CloudWatchClient;

beforeAll(async () => {
  moto = await sharedMoto();
  cloudwatch = new CloudWatchClient(moto.clientConfig(STANDBY));
});

test('the switch alarm from the contract is accepted by the CloudWatch API, and a Route 53 metric health check on it', async () => {
  // Prepare: create the alarm exactly as the template does (same spec object)
  const spec = switchAlarmSpec(ENV);
  await cloudwatch.send(new PutMetricAlarmCommand(spec));
  const route53 = new Route53Client(moto.clientConfig('us-east-1'));
  // Act
  const created = await route53.send(
    new CreateHealthCheckCommand({
      CallerReference: 'switch-test',
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: spec.AlarmName, Region: STANDBY },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      },
    }),
  );
  // Assess
  const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [spec.AlarmName] }));
  expect(alarms.MetricAlarms?.[0]).toMatchObject({
    Namespace: spec.Namespace,
    MetricName: spec.MetricName,
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
  });
  const check = await route53.send(new GetHealthCheckCommand({ HealthCheckId: created.HealthCheck!.Id }));
  // moto 5.2 accepts but does not echo AlarmIdentifier / InsufficientDataHealthStatus; the
  // template assertions in test/stacks/dns-stack.suite.ts pin those.
  expect(check.HealthCheck?.HealthCheckConfig?.Type).toBe('CLOUDWATCH_METRIC');
});

test('throwing and restoring the switch writes the data points Route 53 evaluates, one PutMetricData each', async () => {
  // Act
  const thrownAt = new Date(Date.now() - 120_000);
  const on = await throwSwitch({
    cloudwatch,
    region: STANDBY,
    envName: ENV,
    position: 'on',
    reason: 'drill: fail over',
    now: thrownAt,
  });
  const restoredAt = new Date(Date.now() - 30_000);
  const off = await throwSwitch({
    cloudwatch,
    region: STANDBY,
    envName: ENV,
    position: 'off',
    reason: 'drill: fail back',
    now: restoredAt,
  });
  // Assess: what the alarm (and so Route 53) would read, per minute
  const spec = switchAlarmSpec(ENV);
  const stats = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: spec.Namespace,
      MetricName: spec.MetricName,
      Dimensions: [...(spec.Dimensions ?? [])],
      StartTime: new Date(thrownAt.getTime() - 60_000),
      EndTime: new Date(),
      Period: 60,
      Statistics: ['Maximum'],
    }),
  );
  const points = (stats.Datapoints ?? [])
    .sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime())
    .map((d) => d.Maximum);
  expect(points).toEqual([FAIL_OVER_VALUE, FAIL_BACK_VALUE]);
  expect(on).toMatchObject({ region: STANDBY, position: 'on', value: 1, metricName: spec.MetricName });
  expect(off).toMatchObject({ position: 'off', value: 0, reason: 'drill: fail back' });
  // The alarm rule applied to those points: >= 1 is ALARM (primary unhealthy), 0 is OK.
  expect(points.map((v) => (v! >= spec.Threshold! ? 'ALARM' : 'OK'))).toEqual(['ALARM', 'OK']);
});

test('fails when the client is for another region than the switch', async () => {
  const wrong = new CloudWatchClient(moto.clientConfig('us-east-2'));
  await expect(
    throwSwitch({ cloudwatch: wrong, region: STANDBY, envName: ENV, position: 'on', reason: 'x' }),
  ).rejects.toThrow(
    'the CloudWatch client is for us-east-2, but the switch lives in us-west-2; pass a client for us-west-2',
  );
});
