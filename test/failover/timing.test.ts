import {
  canaryObservation,
  checkersNeededToFail,
  failoverAnswer,
  falseFailoverProbability,
  leaseDetection,
  plannedDetection,
  primaryRecordHealthy,
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
      ttlSeconds: 5,
      checkerRegions: 3,
      canaryPeriodSeconds: 60,
      consistency: 'MRSC',
    });
  });

  test('unplanned worst case = interval x threshold (+ jitter) + propagation + TTL, with the arithmetic shown', () => {
    const e = unplannedRto(example);
    expect(e.terms.map((t) => [t.name, t.worstSeconds])).toEqual([
      ['endpoint detection', 32],
      ['propagation to DNS', 5],
      ['resolver cache', 5],
    ]);
    expect(e.worstSeconds).toBe(42);
    expect(e.arithmetic).toBe('endpoint detection 32 s + propagation to DNS 5 s + resolver cache 5 s = 42 s');
  });

  test('planned worst case without the lease-following check = switch alarm period + evaluation delay + propagation + TTL', () => {
    const before = { ...example, leaseFollowingCheck: false };
    expect(plannedRto(before).worstSeconds).toBe(60 + 15 + 5 + 5);
    expect(plannedRto(before).bestSeconds).toBe(0);
  });

  test('planned detection is the earlier of lease detection and the switch: MRSC lease = endpoint detection', () => {
    expect(leaseDetection(example)).toMatchObject({ bestSeconds: 19, worstSeconds: 32 });
    expect(plannedDetection(example)).toMatchObject({ name: 'planned detection', bestSeconds: 0, worstSeconds: 32 });
    expect(plannedRto(example).worstSeconds).toBe(32 + 5 + 5);
    expect(plannedRto(example).arithmetic).toBe(
      'planned detection 32 s + propagation to DNS 5 s + resolver cache 5 s = 42 s',
    );
  });

  test('under MREC the lease path adds the lease lag; when the lease path is slower the switch bounds it', () => {
    const mrec = { ...example, consistency: 'MREC' as const };
    expect(leaseDetection(mrec)).toMatchObject({ bestSeconds: 19.3, worstSeconds: 33.5 });
    // 30 s x 10 = 302 s by the lease path: the switch (75 s) is the worst case.
    const slow = { ...mrec, intervalSeconds: 30, failureThreshold: 10 };
    expect(plannedDetection(slow).worstSeconds).toBe(75);
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

describe('which record Route 53 answers (ResourceRecordSet Failover rule)', () => {
  test.each([
    // primary record healthy, secondary healthy -> answer
    [true, true, 'primary'],
    [true, false, 'primary'],
    [false, true, 'standby'],
    [false, false, 'primary'], // both unhealthy: the primary, "regardless of the health of the primary"
  ] as const)('primary %s, secondary %s -> %s', (primaryHealthy, secondaryHealthy, answer) => {
    expect(failoverAnswer({ primaryHealthy, secondaryHealthy })).toBe(answer);
  });

  test.each([
    [true, true, true, true],
    [true, false, true, false],
    [true, true, false, false],
    [false, true, true, false],
    [false, false, false, false],
  ])(
    'calculated primary: endpoint %s AND lease here %s AND switch not thrown %s -> %s',
    (endpointHealthy, leaseHere, switchNotThrown, healthy) => {
      expect(primaryRecordHealthy({ endpointHealthy, leaseHere, switchNotThrown })).toBe(healthy);
    },
  );

  test('without the lease check: endpoint AND switch', () => {
    expect(primaryRecordHealthy({ endpointHealthy: true, switchNotThrown: true })).toBe(true);
    expect(primaryRecordHealthy({ endpointHealthy: true, switchNotThrown: false })).toBe(false);
  });
});

describe('false failover probability', () => {
  const six = { intervalSeconds: 10, failureThreshold: 2, checkers: 6 };

  test('a blip shorter than (threshold - 1) intervals can never fail over', () => {
    const e = falseFailoverProbability(six, { seconds: 10, perMonth: 100 });
    expect(e.perCheckerProbability).toBe(0);
    expect(e.perMonthProbability).toBe(0);
  });

  test('a blip of threshold x interval or more always does', () => {
    const e = falseFailoverProbability(six, { seconds: 20, perMonth: 1 });
    expect(e.perCheckerProbability).toBe(1);
    expect(e.perBlipProbability).toBeCloseTo(1, 12);
    expect(e.perMonthProbability).toBeCloseTo(1 - Math.exp(-1), 12);
  });

  test('in between: the binomial tail at 5 of 6 checkers (the 18% rule), Poisson over the month', () => {
    // 12 s blip, threshold 2: p = (12 - 10) / 10 = 0.2; P(X >= 5), X ~ Bin(6, 0.2) = 6 x 0.2^5 x 0.8 + 0.2^6.
    const e = falseFailoverProbability(six, { seconds: 12, perMonth: 2 });
    expect(e.perCheckerProbability).toBeCloseTo(0.2, 12);
    expect(e.perBlipProbability).toBeCloseTo(6 * 0.2 ** 5 * 0.8 + 0.2 ** 6, 12);
    expect(e.expectedPerMonth).toBeCloseTo(2 * 0.0016, 12);
    expect(e.perMonthProbability).toBeCloseTo(1 - Math.exp(-0.0032), 12);
  });

  test('a lower threshold fails over on shorter blips: threshold 1 > 2 > 3 for the same blip', () => {
    const blip = { seconds: 15, perMonth: 4 };
    const [t1, t2, t3] = [1, 2, 3].map(
      (failureThreshold) => falseFailoverProbability({ ...six, failureThreshold }, blip).perMonthProbability,
    );
    expect(t1).toBeGreaterThan(t2);
    expect(t2).toBeGreaterThan(t3);
    expect(t3).toBe(0);
  });

  test('fails on bad input, listing every problem', () => {
    expect(() =>
      falseFailoverProbability(
        { intervalSeconds: 0, failureThreshold: 1.5, checkers: 0 },
        { seconds: -1, perMonth: -2 },
      ),
    ).toThrow(
      'falseFailoverProbability: intervalSeconds must be > 0; received 0; failureThreshold must be a whole number >= 1; received 1.5; ' +
        'checkers must be a whole number >= 1; received 0; transient seconds must be >= 0; received -1; transient perMonth must be >= 0; received -2.',
    );
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
