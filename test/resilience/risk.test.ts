import { FAILURE_MODES, forecastRisk, ForecastInput } from '../../lib/resilience/risk';

const base: ForecastInput = {
  unplannedRto: { runs: 100, seed: 1, min: 40, p50: 60, p95: 90, p99: 95, max: 100 },
  badDeploy: { periodSeconds: 300, datapointsToAlarm: 3, source: 'test' },
  slaObjective: 0.999,
  years: 5000,
  seed: 7,
};
const only = (rates: Partial<Record<keyof typeof FAILURE_MODES, number>>) =>
  Object.fromEntries(
    Object.entries(FAILURE_MODES).map(([id, m]) => [
      id,
      { ...m, perYear: rates[id as keyof typeof FAILURE_MODES] ?? 0 },
    ]),
  ) as unknown as typeof FAILURE_MODES;

test('the same seed gives the same forecast; another seed another sample', () => {
  expect(forecastRisk(base)).toEqual(forecastRisk(base));
  expect(forecastRisk({ ...base, seed: 8 }).annualApiDowntimeMinutes).not.toEqual(
    forecastRisk(base).annualApiDowntimeMinutes,
  );
});

test('no incidents: no downtime and no SLA miss', () => {
  const f = forecastRisk({ ...base, modes: only({}) });
  expect(f.annualApiDowntimeMinutes).toEqual({ mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 });
  expect(f.pMissYear).toBe(0);
  expect(f.pMissAnyMonth).toBe(0);
});

test('region outages only: per-incident downtime is the unplanned RTO distribution, Poisson yearly counts', () => {
  const f = forecastRisk({ ...base, modes: only({ 'region-outage': 1 }) });
  const m = f.modes.find((x) => x.id === 'region-outage')!;
  expect(m.perIncidentMinutes.max).toBeLessThanOrEqual(1.67); // 100 s, rounded to 0.01 min
  expect(m.perIncidentMinutes.p50).toBeGreaterThan(50 / 60);
  expect(m.perIncidentMinutes.p50).toBeLessThan(70 / 60);
  // P(at least one) for a Poisson rate of 1 is 1 - e^-1 = 0.632.
  expect(Math.abs(m.yearsWithIncident - (1 - Math.exp(-1)))).toBeLessThan(0.03);
  expect(f.annualSigningDowntimeMinutes.p95).toBe(0);
});

test('a bad deploy counts the canary share, then all traffic until the alarm and the rollback', () => {
  const f = forecastRisk({ ...base, modes: only({ 'bad-deploy': 1 }) });
  const m = f.modes.find((x) => x.id === 'bad-deploy')!;
  // Alarm after 10-15 min: 0.1 x 5 min + (5..10 min) + 0.5..1.5 min rollback.
  expect(m.perIncidentMinutes.p50).toBeGreaterThan(0.5 + 5 + 0.5);
  expect(m.perIncidentMinutes.max).toBeLessThanOrEqual(0.5 + 10 + 1.5);
});

test('chain-provider downtime counts against time to sign, not the API SLA', () => {
  const f = forecastRisk({ ...base, modes: only({ 'chain-provider': 4 }) });
  expect(f.annualApiDowntimeMinutes.p95).toBe(0);
  expect(f.annualSigningDowntimeMinutes.p50).toBeGreaterThan(60);
});

test('frequent long outages miss the SLA: the miss probabilities can reach 1', () => {
  const f = forecastRisk({
    ...base,
    unplannedRto: { runs: 1, seed: 1, min: 7200, p50: 7200, p95: 7200, p99: 7200, max: 7200 },
    modes: only({ 'region-outage': 12 }),
  });
  expect(f.pMissYear).toBeGreaterThan(0.99);
  expect(f.pMissAnyMonth).toBeGreaterThan(0.99);
});

test('fails on a non-positive number of years, naming the value', () => {
  expect(() => forecastRisk({ ...base, years: 0 })).toThrow('years must be a whole number of 1 or more; received 0');
});

test('every failure mode states why its rate was chosen, and a source or none', () => {
  for (const m of Object.values(FAILURE_MODES)) {
    expect(m.why.length).toBeGreaterThan(80);
    expect(m.perYear).toBeGreaterThan(0);
    expect(m.source === null || m.source.startsWith('https://')).toBe(true);
  }
});
