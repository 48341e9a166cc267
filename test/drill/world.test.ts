import { getEventListeners } from 'node:events';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
  failoverSwitchDimensions,
} from '../../lib/contract/failover-switch';
import { virtualClock } from '../../lib/drill/simulated-target';
import { World } from '../../lib/drill/sim/world';
import { testConfig } from '../helpers/config';
import { START } from './helpers';

/**
 * The simulated AWS behaves like the real services where the drill depends on it. These tests drive
 * the world directly (virtual time) and check each behaviour the drill's measurements rely on.
 */
const config = testConfig();
const standby = config.regions.standby;
const S = 1000;

function world(overrides: Partial<ConstructorParameters<typeof World>[0]> = {}): World {
  return new World({ config, seed: 3, startMs: START, ...overrides });
}

const putSwitch = (w: World, value: number, at = w.now) =>
  w.handle('cloudwatch', standby, 'PutMetricDataCommand', {
    Namespace: FAILOVER_SWITCH_NAMESPACE,
    MetricData: [
      {
        MetricName: FAILOVER_SWITCH_METRIC,
        Dimensions: failoverSwitchDimensions(config.envName),
        Value: value,
        Timestamp: new Date(at),
      },
    ],
  });

const alarmState = (w: World) =>
  (
    w.handle('cloudwatch', standby, 'DescribeAlarmsCommand', {
      AlarmNames: [failoverSwitchAlarmName(config.envName)],
    }).MetricAlarms as Array<{ StateValue: string }>
  )[0]?.StateValue;

test('a healthy environment answers with the primary and every check is healthy', () => {
  const w = world();
  expect(w.authoritativeAnswer()).toBe('primary');
  expect(
    ['primaryEndpoint', 'standbyEndpoint', 'failoverSwitch', 'primaryRecord'].map((k) =>
      w.healthCheckStatus(k as never),
    ),
  ).toEqual([true, true, true, true]);
});

test('endpoint detection: unhealthy only after `threshold` consecutive failures at more than 82% of checkers', () => {
  const w = world();
  const failAt = w.now;
  w.setEndpointUp('primary', false);
  // Within (threshold - 1) intervals minus jitter no checker can have flipped.
  w.events.runUntil(failAt + 18 * S);
  expect(w.healthCheckStatus('primaryEndpoint')).toBe(true);
  // Every checker flips within threshold x interval (+ jitter), then propagation.
  w.events.runUntil(failAt + 40 * S);
  expect(w.healthCheckStatus('primaryEndpoint')).toBe(false);
  expect(w.healthCheckStatus('primaryRecord')).toBe(false);
  expect(w.authoritativeAnswer()).toBe('standby');
});

test('the 18% rule: an endpoint unreachable from 2 of 3 checker regions stays healthy; from all 3 it fails', () => {
  const w = world();
  const [a, b, c] = config.dns.healthCheck.regions;
  w.setEndpointFailingFrom('primary', [a, b]); // 4 of 6 checkers fail: 2 healthy = 33% > 18%
  w.events.runUntil(w.now + 120 * S);
  expect(w.healthCheckStatus('primaryEndpoint')).toBe(true);
  expect(w.authoritativeAnswer()).toBe('primary');
  w.setEndpointFailingFrom('primary', [a, b, c]); // 0 healthy
  w.events.runUntil(w.now + 60 * S);
  expect(w.healthCheckStatus('primaryEndpoint')).toBe(false);
  expect(w.authoritativeAnswer()).toBe('standby');
});

test('GetHealthCheckStatus reports each checker and Route 53 refuses it for a CALCULATED check', () => {
  const w = world();
  const ids = w.handle('route53', 'us-east-1', 'ListHealthChecksCommand', {}).HealthChecks as Array<{
    Id: string;
    HealthCheckConfig: { Type: string };
  }>;
  const endpoint = ids.find((c) => c.HealthCheckConfig.Type === 'HTTPS_STR_MATCH')!;
  const calculated = ids.find((c) => c.HealthCheckConfig.Type === 'CALCULATED')!;
  const status = w.handle('route53', 'us-east-1', 'GetHealthCheckStatusCommand', { HealthCheckId: endpoint.Id });
  // 3 checker regions x 2 checkers each (the model's assumption).
  expect(status.HealthCheckObservations).toHaveLength(6);
  expect(() =>
    w.handle('route53', 'us-east-1', 'GetHealthCheckStatusCommand', { HealthCheckId: calculated.Id }),
  ).toThrow("You can't use GetHealthCheckStatus to get the status of a calculated health check.");
});

test('the switch: counts once its 60 s period closes, and stays thrown (LastKnownStatus) when the alarm goes to INSUFFICIENT_DATA', () => {
  const w = world();
  const thrownAt = w.now; // 17 s into a minute
  putSwitch(w, 1);
  w.events.runUntil(thrownAt + 40 * S); // the period has not closed yet
  expect(w.healthCheckStatus('failoverSwitch')).toBe(true);
  w.events.runUntil(thrownAt + 43 * S + 15 * S + 5 * S); // closed + evaluation + propagation
  expect(alarmState(w)).toBe('ALARM');
  expect(w.healthCheckStatus('failoverSwitch')).toBe(false);
  expect(w.authoritativeAnswer()).toBe('standby');
  // No new data: the alarm goes to INSUFFICIENT_DATA, the health check keeps its last status.
  w.events.runUntil(thrownAt + 10 * 60 * S);
  expect(alarmState(w)).toBe('INSUFFICIENT_DATA');
  expect(w.healthCheckStatus('failoverSwitch')).toBe(false);
  expect(w.authoritativeAnswer()).toBe('standby');
});

test('the switch: throw and release in the same minute still fail over for a period (Maximum is 1); a later 0 releases it', () => {
  const w = world();
  const t = w.now;
  putSwitch(w, 1);
  putSwitch(w, 0, t + 5 * S);
  w.events.runUntil(t + 65 * S);
  expect(alarmState(w)).toBe('ALARM');
  expect(w.healthCheckStatus('failoverSwitch')).toBe(false);
  putSwitch(w, 0, w.now);
  w.events.runUntil(t + 150 * S);
  expect(alarmState(w)).toBe('OK');
  expect(w.healthCheckStatus('failoverSwitch')).toBe(true);
  expect(w.authoritativeAnswer()).toBe('primary');
});

test('SetAlarmState is not how the switch works: the world has no such command', () => {
  const w = world();
  expect(() => w.handle('cloudwatch', standby, 'SetAlarmStateCommand', {})).toThrow(
    'the simulated AWS does not implement cloudwatch SetAlarmStateCommand',
  );
});

test('a missing switch alarm leaves the switch check at its last known status (healthy): throwing it changes nothing', () => {
  const w = world({ faults: [(x) => x.setSwitchAlarmExists(false)] });
  putSwitch(w, 1);
  w.events.runUntil(w.now + 5 * 60 * S);
  expect(w.healthCheckStatus('failoverSwitch')).toBe(true);
  expect(w.authoritativeAnswer()).toBe('primary');
});

test('both regions unhealthy: Route 53 answers with the primary', () => {
  const w = world();
  w.setEndpointUp('primary', false);
  w.setEndpointUp('standby', false);
  w.events.runUntil(w.now + 60 * S);
  expect(w.healthCheckStatus('primaryRecord')).toBe(false);
  expect(w.healthCheckStatus('standbyEndpoint')).toBe(false);
  expect(w.authoritativeAnswer()).toBe('primary');
});

test('resolvers keep the old answer for up to the TTL after the authoritative answer changes', () => {
  const w = world();
  w.setEndpointUp('primary', false);
  w.events.runUntil(w.now + 200 * S);
  const flip = w.answerChanges.find((c) => c.role === 'standby')!;
  const seen = w.clientResolverChanges().find((c) => c.role === 'standby')!;
  expect(seen.at).toBeGreaterThanOrEqual(flip.at);
  expect(seen.at - flip.at).toBeLessThanOrEqual(config.dns.recordTtlSeconds * S);
});

test("the lease table applies the lease module's conditions (a stale epoch is refused)", () => {
  const w = world();
  const lease = w.leaseItem()!;
  const key = { pk: lease.pk, sk: lease.sk };
  const update = (seen: number) =>
    w.handle('dynamodb', standby, 'UpdateItemCommand', {
      TableName: `${config.envName}-wallet-ledger`,
      Key: key,
      UpdateExpression: 'SET activeRegion = :to, epoch = :next',
      ConditionExpression: 'epoch = :seen AND activeRegion = :from',
      ExpressionAttributeValues: { ':to': standby, ':next': seen + 1, ':seen': seen, ':from': config.regions.primary },
    });
  expect(() => update(6)).toThrow('The conditional request failed');
  update(7);
  expect(w.leaseItem()).toMatchObject({ activeRegion: standby, epoch: 8 });
});

test("a regional outage makes that region's APIs time out, and only that region's", () => {
  const w = world();
  w.setRegionReachable(config.regions.primary, false);
  expect(() =>
    w.handle('kms', config.regions.primary, 'DescribeKeyCommand', { KeyId: `alias/${config.envName}-wallet-signing` }),
  ).toThrow('connect ETIMEDOUT kms.us-east-2.amazonaws.com:443');
  expect(
    w.handle('kms', standby, 'DescribeKeyCommand', { KeyId: `alias/${config.envName}-wallet-signing` }),
  ).toMatchObject({
    KeyMetadata: { Enabled: true, MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' } },
  });
});

test('the same seed gives the same world; another seed other timings', () => {
  const flipAt = (seed: number) => {
    const w = world({ seed });
    w.setEndpointUp('primary', false);
    w.events.runUntil(w.now + 120 * S);
    return w.answerChanges.find((c) => c.role === 'standby')!.at;
  };
  expect(flipAt(11)).toBe(flipAt(11));
  expect(flipAt(11)).not.toBe(flipAt(12));
});

test('the paced virtual clock leaves no abort listener behind after each real-time wait (no listener leak)', async () => {
  // Prepare: a paced clock (as `--speed` makes it) and one signal shared by many waits, as the drill does
  const w = world();
  const clock = virtualClock(w, 10_000);
  const controller = new AbortController();
  // Act: 30 s of virtual time at 1,000 s per 100 ms is one real wait; each used to leave a listener
  for (let i = 0; i < 3; i++) await clock.sleep(30 * S, controller.signal);
  // Assess
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  expect(w.now).toBe(START + 3 * 30 * S);
});
