import {
  canaryObservation,
  checkersNeededToFail,
  distribution,
  endpointDetection,
  percentile,
  plannedRto,
  ResilienceSettings,
  route53EndpointHealthy,
  unplannedRto,
} from '../../lib/failover/timing';
import { rateSeconds } from '../../lib/config/schema';
import { settingsFromConfig } from '../../lib/drill/settings';
import { testConfig } from '../helpers/config';

const example: ResilienceSettings = settingsFromConfig(testConfig());

describe('the 18% rule', () => {
  test.each([
    // healthy checkers, total, Route 53 verdict
    [2, 6, true], // 33% > 18%
    [1, 6, false], // 16.7% <= 18%
    [0, 6, false],
    [2, 11, true], // 18.2% > 18%
    [9, 50, false], // exactly 18% is not more than 18%
    [10, 50, true],
  ])('%i of %i checkers healthy -> healthy %s', (healthy, total, verdict) => {
    expect(route53EndpointHealthy(healthy, total)).toBe(verdict);
  });

  test('no checkers is not healthy', () => {
    expect(route53EndpointHealthy(0, 0)).toBe(false);
  });

  test.each([
    [6, 5],
    [16, 14],
    [3, 3],
  ])('with %i checkers, %i must report unhealthy', (total, needed) => {
    expect(checkersNeededToFail(total)).toBe(needed);
    expect(route53EndpointHealthy(total - needed, total)).toBe(false);
    expect(route53EndpointHealthy(total - needed + 1, total)).toBe(true);
  });
});

describe('RTO composition', () => {
  test('the example config: settings come from the config', () => {
    expect(example).toEqual({
      intervalSeconds: 10,
      failureThreshold: 3,
      ttlSeconds: 60,
      checkerRegions: 3,
      canaryPeriodSeconds: 60,
    });
  });

  test('unplanned worst case = interval x threshold (+ jitter) + propagation + TTL, with the arithmetic shown', () => {
    const e = unplannedRto(example);
    expect(e.terms.map((t) => [t.name, t.worstSeconds])).toEqual([
      ['endpoint detection', 32],
      ['propagation to DNS', 5],
      ['resolver cache', 60],
    ]);
    expect(e.worstSeconds).toBe(97);
    expect(e.arithmetic).toBe('endpoint detection 32 s + propagation to DNS 5 s + resolver cache 60 s = 97 s');
  });

  test('planned worst case = switch alarm period + evaluation delay + propagation + TTL', () => {
    expect(plannedRto(example).worstSeconds).toBe(60 + 15 + 5 + 60);
    expect(plannedRto(example).bestSeconds).toBe(0);
  });

  test.each([
    ['interval', { intervalSeconds: 30 }, 92],
    ['threshold', { failureThreshold: 1 }, 12],
    ['threshold (10)', { failureThreshold: 10 }, 102],
  ])('endpoint detection moves with the %s', (_name, change, worst) => {
    expect(endpointDetection({ ...example, ...change }).worstSeconds).toBe(worst);
  });

  test('TTL moves only the resolver term', () => {
    const a = unplannedRto({ ...example, ttlSeconds: 0 });
    const b = unplannedRto({ ...example, ttlSeconds: 300 });
    expect(b.worstSeconds - a.worstSeconds).toBe(300);
  });

  test('the canary adds up to one period plus a run (a measurement delay)', () => {
    expect(canaryObservation(example)).toMatchObject({ bestSeconds: 5, worstSeconds: 65 });
  });
});

describe('rate expressions', () => {
  test.each([
    ['rate(1 minute)', 60],
    ['rate(5 minutes)', 300],
    ['rate(1 hour)', 3600],
  ])('%s is %i s', (expr, seconds) => expect(rateSeconds(expr)).toBe(seconds));

  test('fails on anything else, naming the value and the accepted forms', () => {
    expect(() => rateSeconds('cron(0 * * * ? *)')).toThrow(
      'rateSeconds: "cron(0 * * * ? *)" is not a rate expression; use "rate(1 minute)", "rate(N minutes)" or "rate(1 hour)"',
    );
  });
});

describe('percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  test('nearest rank', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
  });

  test('a distribution summarises any order of the sample', () => {
    const shuffled = [...values].reverse();
    expect(distribution(shuffled)).toEqual({
      count: 100,
      min: 1,
      mean: 50.5,
      p50: 50,
      p90: 90,
      p95: 95,
      p99: 99,
      max: 100,
    });
  });

  test('fails on an empty sample', () => {
    expect(() => percentile([], 50)).toThrow('percentile: the sample is empty');
  });
});
