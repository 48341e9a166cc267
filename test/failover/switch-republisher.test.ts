import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  FAILOVER_SWITCH_AGE_METRIC,
  FAILOVER_SWITCH_METRIC,
  SWITCH_REPUBLISH,
} from '../../lib/contract/failover-switch';
import { decideRepublish, republishSwitch } from '../../lib/failover/switch-republisher';

const cw = mockClient(CloudWatchClient);
const NOW = new Date('2026-12-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const series = (points: Array<[number, number]>) => ({
  MetricDataResults: [{ Id: 'switch', Timestamps: points.map(([s]) => ago(s)), Values: points.map(([, v]) => v) }],
});
const run = () =>
  republishSwitch({
    cloudwatch: new CloudWatchClient({ region: 'us-west-2' }),
    region: 'us-west-2',
    envName: 'test',
    now: NOW,
  });
const switchWrites = () =>
  cw
    .commandCalls(PutMetricDataCommand)
    .filter((c) => c.args[0].input.MetricData?.[0]?.MetricName === FAILOVER_SWITCH_METRIC);

beforeEach(() => cw.reset());

test('keeps a thrown switch fresh: re-publishes the thrown value once its newest point is old enough', async () => {
  cw.on(GetMetricDataCommand).resolves(series([[SWITCH_REPUBLISH.republishAfterSeconds + 60, 1]]));
  const d = await run();
  expect(d.action).toBe('republish');
  expect(switchWrites()).toHaveLength(1);
  expect(switchWrites()[0].args[0].input.MetricData?.[0]).toMatchObject({ Value: 1, Timestamp: NOW });
});

test.each([
  ['never thrown (no data point)', [] as Array<[number, number]>],
  [
    'released (newest point 0, an older 1 before it)',
    [
      [7200, 1],
      [3600, 0],
    ] as Array<[number, number]>,
  ],
  ['released long ago', [[5 * 3600, 0]] as Array<[number, number]>],
  ['thrown moments ago (someone is acting on it)', [[30, 1]] as Array<[number, number]>],
])('never throws the switch by itself: %s', async (_name, points) => {
  cw.on(GetMetricDataCommand).resolves(series(points));
  const d = await run();
  expect(d.action).toBe('leave');
  expect(switchWrites()).toHaveLength(0);
});

test('a second run right after a re-publish sees the fresh point and leaves it (duplicate or late delivery)', async () => {
  cw.on(GetMetricDataCommand).resolves(
    series([
      [0, 1],
      [SWITCH_REPUBLISH.republishAfterSeconds + 60, 1],
    ]),
  );
  expect((await run()).action).toBe('leave');
  expect(switchWrites()).toHaveLength(0);
});

test('reports the thrown age every run (the failover-switch-stale alarm reads it); 0 when released', async () => {
  cw.on(GetMetricDataCommand).resolves(series([[600, 1]]));
  await run();
  const age = cw
    .commandCalls(PutMetricDataCommand)
    .find((c) => c.args[0].input.MetricData?.[0]?.MetricName === FAILOVER_SWITCH_AGE_METRIC);
  expect(age?.args[0].input.MetricData?.[0]?.Value).toBe(600);
  expect(decideRepublish([{ at: ago(60), value: 0 }], NOW).thrownAgeSeconds).toBe(0);
});
