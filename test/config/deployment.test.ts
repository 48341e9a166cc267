import { validateConfig } from '../../lib/config/validate';
import { deploymentConfigName, shiftingMinutes, TrafficShifting } from '../../lib/deploy/traffic-shifting';
import { rawConfig, testConfig } from '../helpers/config';

const problemsOf = (patch: Record<string, unknown>) => {
  try {
    validateConfig(rawConfig(patch), 'test');
  } catch (err) {
    return (err as { problems: Array<{ path: string; message: string; received: unknown; fix: string }> }).problems;
  }
  throw new Error('the config was accepted');
};

test('defaults: the API and the signer deploy as a 10% canary for 5 minutes; the bake is 15 minutes', () => {
  const config = testConfig({ deployment: undefined });
  expect(config.deployment).toEqual({
    api: { kind: 'canary', percentage: 10, intervalMinutes: 5 },
    signer: { kind: 'canary', percentage: 10, intervalMinutes: 5 },
    bakeMinutes: 15,
  });
});

test.each<[TrafficShifting, string, number]>([
  [{ kind: 'canary', percentage: 10, intervalMinutes: 5 }, 'CodeDeployDefault.LambdaCanary10Percent5Minutes', 5],
  [{ kind: 'canary', percentage: 10, intervalMinutes: 30 }, 'CodeDeployDefault.LambdaCanary10Percent30Minutes', 30],
  [{ kind: 'linear', percentage: 10, intervalMinutes: 1 }, 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute', 9],
  [
    { kind: 'linear', percentage: 10, intervalMinutes: 10 },
    'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes',
    90,
  ],
  [{ kind: 'all-at-once' }, 'CodeDeployDefault.LambdaAllAtOnce', 0],
])('%j is accepted and maps to %s (%d minutes of shifting)', (shifting, name, minutes) => {
  expect(testConfig({ deployment: { signer: shifting } }).deployment.signer).toEqual(shifting);
  expect(deploymentConfigName(shifting)).toBe(name);
  expect(shiftingMinutes(shifting)).toBe(minutes);
});

test('fails on a canary percentage and interval CodeDeploy does not accept, both reported with the allowed values', () => {
  const problems = problemsOf({ deployment: { api: { kind: 'canary', percentage: 25, intervalMinutes: 7 } } });
  expect(problems).toEqual([
    expect.objectContaining({
      path: 'deployment.api.percentage',
      message: expect.stringContaining('(allowed: 10)'),
      received: 25,
    }),
    expect.objectContaining({
      path: 'deployment.api.intervalMinutes',
      message: expect.stringContaining('(allowed: 5, 10, 15, 30 minutes)'),
      received: 7,
      fix: 'use one of 5, 10, 15, 30',
    }),
  ]);
});

test('fails on a linear interval of a canary (the allowed values depend on the kind) and an unknown kind, at once', () => {
  const problems = problemsOf({
    deployment: {
      api: { kind: 'linear', percentage: 10, intervalMinutes: 5 },
      signer: { kind: 'blue-green' },
    },
  });
  expect(problems.map((p) => [p.path, p.received])).toEqual([
    ['deployment.api.intervalMinutes', 5],
    ['deployment.signer.kind', 'blue-green'],
  ]);
  expect(problems[0].message).toContain('allowed: 1, 2, 3, 10 minutes');
  expect(problems[1].message).toContain('canary, linear, all-at-once');
});

test('fails on a bake time shorter than two canary runs, with the least it accepts', () => {
  const problems = problemsOf({ canary: { schedule: 'rate(10 minutes)' }, deployment: { bakeMinutes: 15 } });
  expect(problems).toEqual([
    expect.objectContaining({
      path: 'deployment.bakeMinutes',
      message: expect.stringContaining('shorter than two canary runs (canary.schedule runs every 10 minutes)'),
      received: 15,
      fix: 'set at least 20 minutes, or run the canaries more often',
    }),
  ]);
  expect(
    testConfig({ canary: { schedule: 'rate(10 minutes)' }, deployment: { bakeMinutes: 20 } }).deployment.bakeMinutes,
  ).toBe(20);
});

test('every deployment problem and an unrelated one come in one error', () => {
  const problems = problemsOf({
    envName: 'X',
    deployment: { api: { kind: 'canary', percentage: 5, intervalMinutes: 5 }, bakeMinutes: 1 },
  });
  expect(problems.map((p) => p.path).sort()).toEqual([
    'deployment.api.percentage',
    'deployment.bakeMinutes',
    'envName',
  ]);
});
