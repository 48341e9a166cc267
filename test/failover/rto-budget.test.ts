import { assertRtoBudget } from '../../lib/stacks/rto-budget';
import { computeRtoBudget, rtoBudgetProblem } from '../../lib/failover/rto-budget';
import { testConfig } from '../helpers/config';

describe('RTO budget', () => {
  test.each([
    [10, 3, 60, 150],
    [30, 3, 60, 210],
    [10, 1, 0, 70],
    [30, 10, 300, 660],
  ])(
    'interval %i s x threshold %i + switch 60 s + TTL %i s = %i s',
    (intervalSeconds, failureThreshold, ttlSeconds, expected) => {
      const budget = computeRtoBudget({ intervalSeconds, failureThreshold, ttlSeconds, rtoTargetSeconds: 10000 });
      expect(budget.worstCaseSeconds).toBe(expected);
      expect(budget.endpointDetectionSeconds).toBe(intervalSeconds * failureThreshold);
      expect(budget.switchDetectionSeconds).toBe(60);
    },
  );

  test('the example config fits its 300 s target', () => {
    expect(() => assertRtoBudget(testConfig())).not.toThrow();
  });

  test('fails when the budget does not fit, showing the arithmetic and the settings to change', () => {
    // Prepare: 30 s x 3 + 60 s + 60 s = 210 s against a 180 s target
    const config = testConfig({
      dns: { recordType: 'CNAME', recordTtlSeconds: 60, healthCheck: { intervalSeconds: 30 } },
      targets: { rtoSeconds: 180 },
    });
    // Act / Assess
    expect(() => assertRtoBudget(config)).toThrow(
      'RTO budget does not fit: worst case health check 30 s x 3 = 90 s + switch alarm 60 s + DNS TTL 60 s = 210 s > targets.rtoSeconds 180 s (over by 30 s). ' +
        'Fix one of: lower dns.recordTtlSeconds from 60 to 30; set dns.healthCheck.intervalSeconds to 10 (saves 60 s); ' +
        'lower dns.healthCheck.failureThreshold from 3 to 2; raise targets.rtoSeconds to 210 or more.',
    );
  });

  test('with ALIAS records the TTL is not a setting: the fix names the record type instead of a TTL value', () => {
    const config = testConfig({
      dns: { recordType: 'ALIAS', recordTtlSeconds: undefined, healthCheck: { intervalSeconds: 30 } },
      targets: { rtoSeconds: 180 },
    });
    expect(() => assertRtoBudget(config)).toThrow(
      'Fix one of: set dns.recordType to "CNAME" and a lower dns.recordTtlSeconds; set dns.healthCheck.intervalSeconds to 10 (saves 60 s); ',
    );
  });

  test('fails at synth: the app refuses to build', () => {
    const input = { intervalSeconds: 10, failureThreshold: 10, ttlSeconds: 300, rtoTargetSeconds: 60 };
    const problem = rtoBudgetProblem(computeRtoBudget(input), input);
    expect(problem).toContain('= 460 s > targets.rtoSeconds 60 s (over by 400 s)');
    expect(problem).not.toContain('intervalSeconds to 10');
  });
});
