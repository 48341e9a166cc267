import {
  ALARM_DEFAULTS,
  CANARY_CONFIG_DEFAULTS,
  rateSeconds,
  replicationLatencyThresholdMs,
} from '../../lib/config/schema';
import { ConfigError, validateConfig } from '../../lib/config/validate';
import { rawConfig, testConfig } from '../helpers/config';

function problemsOf(raw: unknown): ConfigError['problems'] {
  try {
    validateConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

describe('canary and alarm config', () => {
  test('without an alarms section and with only a schedule, every threshold gets the runbook default', () => {
    // Prepare
    const raw = rawConfig({ alarms: undefined, canary: { schedule: 'rate(1 minute)' } });
    // Act
    const config = validateConfig(raw);
    // Assess
    expect(config.alarms).toEqual(ALARM_DEFAULTS);
    expect(config.canary).toEqual({ schedule: 'rate(1 minute)', ...CANARY_CONFIG_DEFAULTS });
  });

  test.each([
    [
      'canary 2 of 3',
      (c: ReturnType<typeof testConfig>) => c.alarms.canary,
      { evaluationPeriods: 3, datapointsToAlarm: 2 },
    ],
    [
      'API 5xx: 5 % of at least 20 requests, 3 of 5 five-minute periods',
      (c: ReturnType<typeof testConfig>) => c.alarms.api5xxRate,
      { thresholdPercent: 5, minRequests: 20, periodSeconds: 300, evaluationPeriods: 5, datapointsToAlarm: 3 },
    ],
    [
      'p99 latency 2000 ms, 3 of 5 minutes',
      (c: ReturnType<typeof testConfig>) => c.alarms.apiLatencyP99,
      { thresholdMs: 2000, periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 },
    ],
    [
      'signing queue oldest message 120 s, 2 of 3',
      (c: ReturnType<typeof testConfig>) => c.alarms.signingQueueOldestAge,
      { thresholdSeconds: 120, periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2 },
    ],
    [
      'KMS throttling 1 per 5 min, 2 of 2, quota 80 %',
      (c: ReturnType<typeof testConfig>) => c.alarms.kmsThrottling,
      { threshold: 1, quotaUsagePercent: 80, periodSeconds: 300, evaluationPeriods: 2, datapointsToAlarm: 2 },
    ],
  ])('default: %s', (_name, pick, expected) => {
    expect(pick(testConfig())).toEqual(expected);
  });

  test('one field overridden keeps the defaults of its siblings', () => {
    const config = testConfig({ alarms: { signerErrors: { threshold: 5 } } });
    expect(config.alarms.signerErrors).toEqual({ ...ALARM_DEFAULTS.signerErrors, threshold: 5 });
    expect(config.alarms.api5xxRate).toEqual(ALARM_DEFAULTS.api5xxRate);
  });

  test('rateSeconds reads the schedules the schema accepts', () => {
    expect([rateSeconds('rate(1 minute)'), rateSeconds('rate(5 minutes)'), rateSeconds('rate(1 hour)')]).toEqual([
      60, 300, 3600,
    ]);
    expect(() => rateSeconds('cron(0 * ? * * *)')).toThrow('is not a rate expression');
  });

  describe('replication-lag threshold', () => {
    test.each([
      ['MRSC default: 10 s', {}, 10000],
      [
        'MREC default: half the RPO',
        { regions: { witness: undefined }, data: { consistency: 'MREC' }, targets: { rpoSeconds: 20 } },
        10000,
      ],
      [
        'MREC default: capped at 30 s',
        { regions: { witness: undefined }, data: { consistency: 'MREC' }, targets: { rpoSeconds: 300 } },
        30000,
      ],
      ['configured', { alarms: { replicationLatency: { thresholdMs: 4000 } } }, 4000],
    ])('%s', (_name, patch, expected) => {
      expect(replicationLatencyThresholdMs(testConfig(patch))).toBe(expected);
    });
  });

  test.each([
    [
      'datapointsToAlarm exceeds evaluationPeriods',
      { alarms: { signerThrottles: { datapointsToAlarm: 3 } } },
      'alarms.signerThrottles.datapointsToAlarm',
      'more than evaluationPeriods (2)',
      '3',
    ],
    [
      'a canary alarm that could never fire',
      { alarms: { canary: { evaluationPeriods: 1 } } },
      'alarms.canary.datapointsToAlarm',
      'more than evaluationPeriods (1)',
      '2',
    ],
    [
      'a period that is not a multiple of 60',
      { alarms: { apiLatencyP99: { periodSeconds: 90 } } },
      'alarms.apiLatencyP99.periodSeconds',
      'positive multiple of 60',
      '90',
    ],
    [
      'more than one day of periods',
      { alarms: { replicationErrors: { evaluationPeriods: 300 } } },
      'alarms.replicationErrors.evaluationPeriods',
      'exceed the one day',
      '300',
    ],
    [
      'more than one day of canary runs',
      { canary: { schedule: 'rate(1 hour)' }, alarms: { peerDeepHealth: { evaluationPeriods: 25 } } },
      'alarms.peerDeepHealth.evaluationPeriods',
      'the canary schedule',
      '25',
    ],
    [
      'a 5xx share above 100 %',
      { alarms: { api5xxRate: { thresholdPercent: 150 } } },
      'alarms.api5xxRate.thresholdPercent',
      'at most 100',
      '150',
    ],
    [
      'an anomaly band of 0 deviations',
      { alarms: { anomaly: { bandStdDevs: 0 } } },
      'alarms.anomaly.bandStdDevs',
      'greater than 0',
      '0',
    ],
    [
      'an unknown alarm (typo)',
      { alarms: { signerError: { threshold: 1 } } },
      'alarms',
      'unknown field "signerError"',
      '["signerError"]',
    ],
    [
      'a request timeout not longer than the latency bound',
      { canary: { requestTimeoutMs: 2000 } },
      'canary.requestTimeoutMs',
      'not longer than canary.maxLatencyMs (2000)',
      '2000',
    ],
    [
      'two health requests that do not fit the 30 s health canary',
      { canary: { requestTimeoutMs: 14000 } },
      'canary.requestTimeoutMs',
      "the deep-health canary's two requests",
      '14000',
    ],
    [
      'a sign bound that does not fit the 60 s transaction canary',
      { canary: { signBoundMs: 40000 } },
      'canary.signBoundMs',
      'more than its 60 s run timeout',
      '40000',
    ],
    [
      'an MREC lag alarm at or above the RPO',
      {
        regions: { witness: undefined },
        data: { consistency: 'MREC' },
        targets: { rpoSeconds: 10 },
        alarms: { replicationLatency: { thresholdMs: 10000 } },
      },
      'alarms.replicationLatency.thresholdMs',
      'not below targets.rpoSeconds (10 s)',
      '10000',
    ],
  ])('fails when %s', (_name, patch, field, message, received) => {
    // Act
    const problems = problemsOf(rawConfig(patch));
    // Assess
    const problem = problems.find((p) => p.path === field);
    expect(problem).toBeDefined();
    expect(problem?.message).toContain(message);
    expect(JSON.stringify(problem?.received)).toBe(received);
    expect(problem?.fix.length).toBeGreaterThan(10);
  });

  test('a missing threshold field explains itself with its describe() hint', () => {
    const problems = problemsOf(rawConfig({ alarms: { api5xxRate: { thresholdPercent: 'five' } } }));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'alarms.api5xxRate.thresholdPercent',
        fix: 'set the share of 5xx answers (percent) that alarms (default 5)',
      }),
    ]);
  });
});
