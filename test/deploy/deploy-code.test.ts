import { CloudWatchClient, DescribeAlarmsCommand, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { regionalAlarmName } from '../../lib/contract/alarms';
import { deployAlarmName } from '../../lib/contract/deployment';
import { DEPLOY_EXIT, runDeployCode } from '../../lib/deploy/cli';
import { cloudWatchAlarmReader, deployCode, DeployCodeEvent, DeployCodePlan } from '../../lib/deploy/deploy-code';
import type { Clock } from '../../lib/drill/clock';
import { EXAMPLE_CONFIG_PATH } from '../helpers/config';

/**
 * The region-at-a-time deploy offline: a recording deployer stands in for `cdk deploy`, the real
 * CloudWatch adapter reads alarms from a mocked CloudWatch client whose answers follow a virtual
 * clock, so a 15-minute bake runs in milliseconds and an alarm can fire at minute 7.
 */
const ENV = 'example';
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const MIN = 60_000;
const PLAN: DeployCodePlan = { envName: ENV, regions: { primary: PRIMARY, standby: STANDBY }, bakeMs: 15 * MIN };

class VirtualClock implements Clock {
  t = 0;
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

const cw = mockClient(CloudWatchClient);
let clock: VirtualClock;
let deployed: Array<{ stack: string; atMs: number }>;
/** Alarms per region as a function of virtual time. */
let alarmsAt: (region: string, t: number) => MetricAlarm[];

const green = (region: string): MetricAlarm[] => [
  { AlarmName: regionalAlarmName(ENV, region, 'deepHealthCanary'), StateValue: 'OK' },
  { AlarmName: regionalAlarmName(ENV, region, 'transactionCanary'), StateValue: 'OK' },
  { AlarmName: deployAlarmName(ENV, region, 'signer', 'errors'), StateValue: 'INSUFFICIENT_DATA' },
];

const deps = (failStack?: string) => ({
  clock,
  deployer: {
    deploy: async (stack: string) => {
      deployed.push({ stack, atMs: clock.now() });
      clock.t += 8 * MIN; // a canary deployment takes its 5-minute interval and more
      if (stack === failStack) throw new Error('UPDATE_ROLLBACK_COMPLETE: CodeDeploy deployment d-1 failed');
    },
  },
  alarms: cloudWatchAlarmReader(ENV, () => new CloudWatchClient({ region: 'us-east-1' })),
});

beforeEach(() => {
  clock = new VirtualClock();
  deployed = [];
  alarmsAt = (region) => green(region);
  cw.reset();
  cw.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNamePrefix: string; NextToken?: string }) => {
    const region = input.AlarmNamePrefix === `${ENV}-wallet-${PRIMARY}-` ? PRIMARY : STANDBY;
    const all = alarmsAt(region, clock.now());
    // Two pages, so the adapter's pagination is exercised.
    return input.NextToken === undefined
      ? { MetricAlarms: all.slice(0, 1), NextToken: 'page-2' }
      : { MetricAlarms: all.slice(1) };
  });
});

test('deploys the standby first, bakes the full time with the canaries green, then the primary', async () => {
  // Act
  const events: DeployCodeEvent[] = [];
  const outcome = await deployCode(PLAN, { ...deps(), onEvent: (e) => events.push(e) });
  // Assess
  expect(outcome).toEqual({ outcome: 'deployed' });
  expect(deployed.map((d) => d.stack)).toEqual(['example-wallet-standby', 'example-wallet-primary']);
  // The primary starts only after the standby's deploy (8 min) AND the whole bake (15 min).
  expect(deployed[1].atMs - deployed[0].atMs).toBeGreaterThanOrEqual(8 * MIN + PLAN.bakeMs);
  expect(events.map((e) => e.step)).toEqual([
    'pre-check',
    'pre-check',
    'deploy',
    'deployed',
    'bake',
    'bake-done',
    'deploy',
    'deployed',
  ]);
  // Every alarm read during the bake was of the standby, with this environment's prefix.
  expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: `${ENV}-wallet-${STANDBY}-` });
});

test('fails the deploy (stops before the primary) when an alarm fires during the bake', async () => {
  // Prepare: the new signer version's errors alarm fires 7 minutes into the bake.
  alarmsAt = (region, t) =>
    region === STANDBY && t >= 8 * MIN + 7 * MIN
      ? [
          ...green(region).slice(0, 2),
          { AlarmName: deployAlarmName(ENV, region, 'signer', 'errors'), StateValue: 'ALARM' },
        ]
      : green(region);
  // Act
  const outcome = await deployCode({ ...PLAN, pollMs: MIN }, deps());
  // Assess
  expect(outcome).toEqual({
    outcome: 'bake-failed',
    reason: expect.stringContaining('example-wallet-primary was not deployed'),
    alarms: [deployAlarmName(ENV, STANDBY, 'signer', 'errors')],
  });
  expect(deployed.map((d) => d.stack)).toEqual(['example-wallet-standby']);
  // It noticed within one poll of the alarm.
  expect(clock.now()).toBeLessThanOrEqual(8 * MIN + 8 * MIN);
});

test('fails the deploy when the canaries are not green after the bake (no data is not green)', async () => {
  alarmsAt = (region) => [
    { AlarmName: regionalAlarmName(ENV, region, 'deepHealthCanary'), StateValue: 'OK' },
    { AlarmName: regionalAlarmName(ENV, region, 'transactionCanary'), StateValue: 'INSUFFICIENT_DATA' },
  ];
  const outcome = await deployCode(PLAN, deps());
  expect(outcome).toMatchObject({
    outcome: 'bake-failed',
    alarms: [regionalAlarmName(ENV, STANDBY, 'transactionCanary')],
  });
  expect(deployed.map((d) => d.stack)).toEqual(['example-wallet-standby']);
});

test('refuses to start while an alarm is in ALARM in either region (nothing deployed)', async () => {
  alarmsAt = (region) =>
    region === PRIMARY
      ? [{ AlarmName: regionalAlarmName(ENV, region, 'api5xxRate'), StateValue: 'ALARM' }]
      : green(region);
  const outcome = await deployCode(PLAN, deps());
  expect(outcome).toMatchObject({ outcome: 'refused', alarms: [regionalAlarmName(ENV, PRIMARY, 'api5xxRate')] });
  expect(deployed).toEqual([]);
});

test('a failed standby deploy (CodeDeploy rolled back) never reaches the primary', async () => {
  const outcome = await deployCode(PLAN, deps('example-wallet-standby'));
  expect(outcome).toMatchObject({ outcome: 'stack-failed', role: 'standby', stackName: 'example-wallet-standby' });
  expect(deployed.map((d) => d.stack)).toEqual(['example-wallet-standby']);
});

describe('the CLI', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s) },
        cwd: process.cwd(),
        deployer: () => deps().deployer,
        alarms: () => deps().alarms,
        clock,
      },
    };
  };

  test.each([
    ['deployed', undefined, DEPLOY_EXIT.deployed],
    ['standby failed', 'example-wallet-standby', DEPLOY_EXIT.standbyFailed],
    ['primary failed', 'example-wallet-primary', DEPLOY_EXIT.primaryFailed],
  ])('exit code when %s', async (_name, failStack, code) => {
    const t = io();
    const result = await runDeployCode(['-c', EXAMPLE_CONFIG_PATH], {
      ...t.io,
      deployer: () => deps(failStack).deployer,
    });
    expect(result).toBe(code);
  });

  test('fails on a bake shorter than the config allows, with the fix, and deploys nothing', async () => {
    const t = io();
    expect(await runDeployCode(['-c', EXAMPLE_CONFIG_PATH, '--bake-minutes', '3'], t.io)).toBe(DEPLOY_EXIT.usage);
    expect(t.err.join('')).toMatch(
      /--bake-minutes: must be a whole number of at least deployment.bakeMinutes \(15\); received "3"/,
    );
    expect(deployed).toEqual([]);
  });

  test('fails on an unknown option without a stack trace', async () => {
    const t = io();
    expect(await runDeployCode(['--regionz', 'x'], t.io)).toBe(DEPLOY_EXIT.usage);
    expect(t.err.join('')).toContain("unknown option '--regionz'");
  });
});
