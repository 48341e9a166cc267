import { plannedRto, unplannedRto } from '../../lib/failover/timing';
import { settingsFromConfig } from '../../lib/drill/settings';
import { monteCarlo, withOverride } from '../../lib/drill/montecarlo';
import { testConfig } from '../helpers/config';

/** Monte Carlo over the simulated world: reproducible, consistent with the model, moved by the settings. */
const config = testConfig();
const RUNS = 150;

const mc = (override = {}, seed = 7) => monteCarlo({ config, runs: RUNS, seed, override });
const base = mc();

test('the same seed gives the same percentiles; another seed different ones', () => {
  expect(mc()).toEqual(base);
  expect(mc({}, 8).unplanned.rto).not.toEqual(base.unplanned.rto);
});

test("every simulated run lies within the model's best and worst case, for both paths", () => {
  const s = settingsFromConfig(config);
  expect(base.unplanned.rto.max).toBeLessThanOrEqual(unplannedRto(s).worstSeconds);
  expect(base.unplanned.rto.min).toBeGreaterThanOrEqual(unplannedRto(s).bestSeconds);
  expect(base.planned.rto.max).toBeLessThanOrEqual(plannedRto(s).worstSeconds);
  expect(base.unplanned.modelWorstCaseSeconds).toBe(unplannedRto(s).worstSeconds);
  expect(base.unplanned.rto.count).toBe(RUNS);
});

test('resolver cache age spreads over [0, TTL): the waits fill most of the TTL range', () => {
  const ttl60 = mc({ ttlSeconds: 60 });
  expect(ttl60.unplanned.resolverCache.min).toBeGreaterThanOrEqual(0);
  expect(ttl60.unplanned.resolverCache.max).toBeLessThanOrEqual(60);
  expect(ttl60.unplanned.resolverCache.p90 - ttl60.unplanned.resolverCache.p50).toBeGreaterThan(15);
  expect(base.unplanned.resolverCache.max).toBeLessThanOrEqual(config.dns.recordTtlSeconds);
});

test('lowering the failure threshold from 3 to 1 cuts unplanned detection by about two intervals', () => {
  const fast = mc({ failureThreshold: 1 });
  const saved = base.unplanned.detection.p50 - fast.unplanned.detection.p50;
  expect(saved).toBeGreaterThan(16);
  expect(saved).toBeLessThan(24);
});

test('a 30 s interval triples endpoint detection at threshold 3', () => {
  const slow = mc({ intervalSeconds: 30 });
  expect(slow.unplanned.detection.p50).toBeGreaterThan(2.4 * base.unplanned.detection.p50);
  expect(slow.settings.intervalSeconds).toBe(30);
});

test('TTL 0 removes the resolver cache term', () => {
  const noCache = mc({ ttlSeconds: 0 });
  expect(noCache.unplanned.resolverCache.max).toBe(0);
  expect(noCache.unplanned.rto).toEqual(noCache.unplanned.detection);
});

test('switch only: the planned path does not depend on the endpoint health-check settings', () => {
  const switchOnly = (override = {}) =>
    monteCarlo({ config, runs: RUNS, seed: 7, override, leaseFollowingCheck: false });
  const a = switchOnly();
  const other = switchOnly({ failureThreshold: 1, intervalSeconds: 30 });
  expect(Math.abs(other.planned.detection.p50 - a.planned.detection.p50)).toBeLessThan(8);
});

test('the lease-following check makes the planned path as fast as the unplanned one (MRSC), and faster than switch only', () => {
  const switchOnly = monteCarlo({ config, runs: RUNS, seed: 7, leaseFollowingCheck: false });
  expect(base.leaseFollowingCheck).toBe(true);
  expect(base.planned.detection.max).toBeLessThanOrEqual(
    config.dns.healthCheck.intervalSeconds * config.dns.healthCheck.failureThreshold + 2 + 5,
  );
  expect(base.planned.rto.p95).toBeLessThan(switchOnly.planned.rto.p95 - 10);
  expect(Math.abs(base.planned.detection.p50 - base.unplanned.detection.p50)).toBeLessThan(3);
});

test('reports the false-failover probability at the config settings', () => {
  expect(base.falseFailover.transient).toEqual({ seconds: 12, perMonth: 2 });
  expect(mc({ failureThreshold: 1 }).falseFailover.perMonthProbability).toBeGreaterThan(0.5);
});

test('the target verdict follows the slowest run', () => {
  const tight = monteCarlo({ config: withOverride(testConfig({ targets: { rtoSeconds: 30 } })), runs: 40, seed: 1 });
  expect(tight.unplanned.meetsTarget).toBe(false);
  expect(base.unplanned.meetsTarget).toBe(true);
});

test('fails on a run count that is not a positive whole number', () => {
  expect(() => monteCarlo({ config, runs: 0, seed: 1 })).toThrow(
    'monteCarlo: runs must be a whole number of at least 1; received 0',
  );
});
