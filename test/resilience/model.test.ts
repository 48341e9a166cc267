import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPriceBook, PRICE_IDS } from '../../lib/resilience/prices';
import { checkersNeededToFail, DEFAULT_ASSUMPTIONS } from '../../lib/failover/timing';
import { FailoverTimingParams, worstCases } from '../../lib/failover/rto-simulator';
import { referenceMonteCarlo } from '../failover/reference-monte-carlo';
import { trackedTempDir } from '../helpers/temp-dirs';

const example: FailoverTimingParams = {
  intervalSeconds: 10,
  failureThreshold: 3,
  checkerRegions: 3,
  ttlSeconds: 60,
  switchPeriodSeconds: 60,
  switchEvaluationPeriods: 1,
  canaryPeriodSeconds: null,
};

describe('RTO model', () => {
  test.each([
    [3, 3],
    [6, 5],
    [16, 14],
  ])('of %s checkers, %s must report unhealthy before Route 53 does (18%% rule)', (n, needed) => {
    expect(checkersNeededToFail(n)).toBe(needed);
  });

  test('worst cases: budget = interval x threshold + switch + TTL; unplanned and planned drop one detection term', () => {
    const w = worstCases(example, 300);
    expect([w.budget.worstCaseSeconds, w.unplannedSeconds, w.plannedSeconds]).toEqual([150, 90, 120]);
    expect(w.budget.fits).toBe(true);
  });

  test('with no allowances (no jitter, no evaluation or propagation delay) no simulated run exceeds the worst case', () => {
    const exact = referenceMonteCarlo({
      ...DEFAULT_ASSUMPTIONS,
      checkersPerRegion: 2,
      checkJitterSeconds: 0,
      propagationSeconds: { min: 0, max: 0 },
      alarmEvaluationDelaySeconds: { min: 0, max: 0 },
    });
    const w = worstCases(example, 300);
    for (const [path, worst] of [
      ['budget', w.budget.worstCaseSeconds],
      ['unplanned', w.unplannedSeconds],
      ['planned', w.plannedSeconds],
    ] as const) {
      expect(exact.allowanceSeconds(example, path)).toBe(0);
      const s = exact.simulate(example, path, 5000, 11);
      expect(s.max).toBeLessThanOrEqual(worst);
      expect(s.min).toBeGreaterThanOrEqual(
        path === 'planned' ? 0 : (example.failureThreshold - 1) * example.intervalSeconds,
      );
      expect(s.p50).toBeLessThan(s.p95);
    }
  });

  test('the default model stays within worst case + its stated allowances, and the same seed gives the same figures', () => {
    const sim = referenceMonteCarlo();
    const w = worstCases(example, 300);
    const a = sim.simulate(example, 'budget', 5000, 42);
    expect(a.max).toBeLessThanOrEqual(w.budget.worstCaseSeconds + sim.allowanceSeconds(example, 'budget'));
    expect(sim.simulate(example, 'budget', 5000, 42)).toEqual(a);
    expect(sim.simulate(example, 'budget', 5000, 43)).not.toEqual(a);
  });

  test('fails on a run count that is not a positive whole number', () => {
    expect(() => referenceMonteCarlo().simulate(example, 'budget', 0, 1)).toThrow(
      'runs must be a whole number of 1 or more; received 0',
    );
  });
});

describe('prices (data/prices.json)', () => {
  test('every price the estimate uses is present, sourced from an AWS pricing page, dated and rated', () => {
    const book = loadPriceBook();
    expect(Object.keys(book.prices).sort()).toEqual([...PRICE_IDS].sort());
    for (const [id, p] of Object.entries(book.prices)) {
      expect([id, p.source.startsWith('https://aws.amazon.com/')]).toEqual([id, true]);
      expect([id, /^\d{4}-\d{2}-\d{2}$/.test(p.read)]).toEqual([id, true]);
    }
    expect(book.hoursPerMonth).toBe(730);
  });

  test('fails on a price file with missing or malformed entries, listing every problem', () => {
    const file = path.join(trackedTempDir('wallet-prices-'), 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({
        hoursPerMonth: 730,
        prices: {
          'kms.key': {
            value: -1,
            unit: 'key-month',
            region: 'us-east-1',
            source: 'http://x',
            read: 'yesterday',
            confidence: 'sure',
            note: 'n',
          },
        },
      }),
    );
    let message = '';
    try {
      loadPriceBook(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('kms.key.value: must be a number of 0 or more; received -1');
    expect(message).toContain('kms.key.source: must be the https:// address of the AWS pricing page');
    expect(message).toContain('kms.key.read: must be the date the price was read, YYYY-MM-DD');
    expect(message).toContain('kms.key.confidence: must be "high", "medium" or "low"');
    expect(message).toContain('route53.healthCheck.aws.basic: missing');
  });
});
