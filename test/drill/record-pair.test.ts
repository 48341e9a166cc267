import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchDimensions,
} from '../../lib/contract/failover-switch';
import { PRIMARY_HEALTH_RESOURCE_PATH } from '../../lib/contract/health';
import { ledgerTableName, RegionRole } from '../../lib/contract/names';
import { World, WorldOptions } from '../../lib/drill/sim/world';
import { failoverAnswer, primaryRecordHealthy } from '../../lib/failover/timing';
import { testConfig } from '../helpers/config';
import { START } from './helpers';

/**
 * The states a failover record pair can be in, on the simulated AWS: the primary's endpoint up or
 * down x the lease here (primary) or there (standby) x the switch thrown or not x the standby's
 * endpoint up or down -> which record Route 53 answers once the checks have settled. The primary's
 * endpoint check asks `/health?lease=held`; the standby's asks plain `/health`.
 */
const config = testConfig();
const S = 1000;
/** Long enough for every check to settle: threshold x interval, the switch's period and evaluation, propagation. */
const SETTLE = 150 * S;

const throwSwitch = (w: World) =>
  w.handle('cloudwatch', config.regions.standby, 'PutMetricDataCommand', {
    Namespace: FAILOVER_SWITCH_NAMESPACE,
    MetricData: [
      {
        MetricName: FAILOVER_SWITCH_METRIC,
        Dimensions: failoverSwitchDimensions(config.envName),
        Value: 1,
        Timestamp: new Date(w.now),
      },
    ],
  });

interface State {
  readonly primaryUp: boolean;
  readonly lease: 'here' | 'there';
  readonly switchThrown: boolean;
  readonly standbyUp: boolean;
}

function settle(state: State, options: Partial<WorldOptions> = {}): World {
  const w = new World({ config, seed: 11, startMs: START, ...options });
  w.setEndpointUp('primary', state.primaryUp);
  w.setEndpointUp('standby', state.standbyUp);
  if (state.lease === 'there') w.writeLease('standby', 'standby');
  if (state.switchThrown) throwSwitch(w);
  w.events.runUntil(w.now + SETTLE);
  return w;
}

const bools = [true, false];
const STATES: State[] = bools.flatMap((primaryUp) =>
  (['here', 'there'] as const).flatMap((lease) =>
    bools.flatMap((switchThrown) => bools.map((standbyUp) => ({ primaryUp, lease, switchThrown, standbyUp }))),
  ),
);

/** The expected answer, written out by hand from the design (not computed by the code under test). */
function expected(s: State): RegionRole {
  const primaryRecord = s.primaryUp && s.lease === 'here' && !s.switchThrown;
  if (primaryRecord) return 'primary';
  return s.standbyUp ? 'standby' : 'primary'; // both unhealthy: Route 53 answers the primary
}

describe('record pair states (simulated Route 53)', () => {
  test('covers all 16 states', () => {
    expect(STATES).toHaveLength(16);
    expect(new Set(STATES.map((s) => JSON.stringify(s))).size).toBe(16);
  });

  test.each(STATES.map((s) => [s, expected(s)] as const))('%j -> answers %s', (state, answer) => {
    const w = settle(state);
    expect(w.healthCheckStatus('primaryEndpoint')).toBe(state.primaryUp);
    expect(w.healthCheckStatus('primaryLease')).toBe(state.primaryUp && state.lease === 'here');
    expect(w.healthCheckStatus('failoverSwitch')).toBe(!state.switchThrown);
    expect(w.healthCheckStatus('standbyEndpoint')).toBe(state.standbyUp);
    expect(w.authoritativeAnswer()).toBe(answer);
    // The pure Route 53 rules the world uses give the same answer.
    expect(
      failoverAnswer({
        primaryHealthy: primaryRecordHealthy({
          endpointHealthy: state.primaryUp,
          leaseHere: state.primaryUp && state.lease === 'here',
          switchNotThrown: !state.switchThrown,
        }),
        secondaryHealthy: state.standbyUp,
      }),
    ).toBe(answer);
  });

  test('the simulated checks: liveness on both regions, the lease check on the primary, all three under the calculated check', () => {
    const w = new World({ config, seed: 11, startMs: START });
    const checks = w.handle('route53', 'us-east-1', 'ListHealthChecksCommand', {}).HealthChecks as Array<{
      Id: string;
      CallerReference: string;
      HealthCheckConfig: { ResourcePath?: string; ChildHealthChecks?: string[]; HealthThreshold?: number };
    }>;
    const byRef = (ref: string) => checks.find((c) => c.CallerReference === ref)!;
    expect(byRef('primary').HealthCheckConfig.ResourcePath).toBe('/health');
    expect(byRef('lease').HealthCheckConfig.ResourcePath).toBe(PRIMARY_HEALTH_RESOURCE_PATH);
    expect(byRef('standby').HealthCheckConfig.ResourcePath).toBe('/health');
    expect(byRef('calculated').HealthCheckConfig).toMatchObject({
      ChildHealthChecks: [byRef('primary').Id, byRef('lease').Id, byRef('switch').Id],
      HealthThreshold: 3,
    });
  });

  test('fails without the lease-following check: a moved lease alone no longer moves the answer', () => {
    // The failing case: the design before this change answers the primary although the lease is gone.
    const state: State = { primaryUp: true, lease: 'there', switchThrown: false, standbyUp: true };
    expect(settle(state).authoritativeAnswer()).toBe('standby');
    expect(settle(state, { leaseFollowingCheck: false }).authoritativeAnswer()).toBe('primary');
  });

  test('while failed over, the primary liveness check stays healthy (what a failback pre-check reads)', () => {
    const w = settle({ primaryUp: true, lease: 'there', switchThrown: true, standbyUp: true });
    expect(w.healthCheckStatus('primaryEndpoint')).toBe(true);
    expect(w.healthCheckStatus('primaryLease')).toBe(false);
  });

  test('the standby check does not follow the lease: an unplanned failover before the lease moves still reaches it', () => {
    // Had the standby's check followed the lease, both records would be unhealthy and Route 53 would
    // answer the dead primary.
    const w = settle({ primaryUp: false, lease: 'here', switchThrown: false, standbyUp: true });
    expect(w.leaseHolderSeenBy('standby')).toBe(config.regions.primary);
    expect(w.authoritativeAnswer()).toBe('standby');
  });
});

describe('the lease path in time', () => {
  const interval = config.dns.healthCheck.intervalSeconds;
  const threshold = config.dns.healthCheck.failureThreshold;

  /** Seconds from the lease write (in the standby) to Route 53 answering with the standby. */
  function leaseCutOver(options: Partial<WorldOptions>, setUp: (w: World) => void = () => {}): number | undefined {
    const w = new World({ config, seed: 5, startMs: START, ...options });
    setUp(w);
    const at = w.now;
    w.writeLease('standby', 'standby');
    w.events.runUntil(at + 400 * S);
    const change = w.answerChanges.find((c) => c.at >= at && c.role === 'standby');
    return change === undefined ? undefined : (change.at - at) / S;
  }

  test('MRSC: within interval x threshold (+ jitter and propagation), well before the switch alarm could', () => {
    const t = leaseCutOver({})!;
    expect(t).toBeGreaterThanOrEqual((threshold - 1) * interval - 1);
    expect(t).toBeLessThanOrEqual(threshold * interval + 2 + 5);
  });

  test('MREC: the lease lag adds to it', () => {
    const mrec = { ...config, data: { ...config.data, consistency: 'MREC' as const } };
    const fast = leaseCutOver({ config: mrec }, (w) => w.setLeaseReplication(() => 0))!;
    const lagged = leaseCutOver({ config: mrec }, (w) => w.setLeaseReplication(() => 25 * S))!;
    expect(lagged).toBeGreaterThan(fast);
    expect(lagged).toBeGreaterThanOrEqual(25 + (threshold - 1) * interval - 1);
  });

  test('MREC partition: the primary never sees the move, and only the switch fails over', () => {
    const mrec = { ...config, data: { ...config.data, consistency: 'MREC' as const } };
    const w = new World({ config: mrec, seed: 5, startMs: START });
    w.setLeaseReplication('partitioned');
    const at = w.now;
    w.writeLease('standby', 'standby');
    w.events.runUntil(at + 200 * S);
    expect(w.leaseHolderSeenBy('primary')).toBe(config.regions.primary);
    expect(w.leaseHolderSeenBy('standby')).toBe(config.regions.standby);
    expect(w.authoritativeAnswer()).toBe('primary');
    throwSwitch(w);
    const thrownAt = w.now;
    w.events.runUntil(thrownAt + 200 * S);
    const change = w.answerChanges.find((c) => c.at >= thrownAt && c.role === 'standby');
    expect(change).toBeDefined();
  });

  test('a lease write through the simulated DynamoDB (as moveLease makes it) moves the writer’s view at once', () => {
    const w = new World({ config, seed: 5, startMs: START });
    const lease = w.leaseItem()!;
    w.handle('dynamodb', config.regions.standby, 'UpdateItemCommand', {
      TableName: ledgerTableName(config.envName),
      Key: { pk: lease.pk, sk: lease.sk },
      UpdateExpression: 'SET activeRegion = :r',
      ExpressionAttributeValues: { ':r': config.regions.standby },
    });
    expect(w.leaseHolderSeenBy('standby')).toBe(config.regions.standby);
    expect(w.leaseHolderSeenBy('primary')).toBe(config.regions.standby); // MRSC: at once
  });
});
