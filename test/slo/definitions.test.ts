import {
  alertFires,
  BURN_RATE_ALERTS,
  burnRate,
  minEvents,
  policyProblems,
  sloSpecs,
  windowProblems,
} from '../../lib/slo/definitions';

const [availability] = sloSpecs({ latencyThresholdMs: 2000, signBoundMs: 30000 });
const alert = (name: string) => BURN_RATE_ALERTS.find((a) => a.name === name)!;

test('the policy is the SRE workbook one: 14.4x 1h/5m and 6x 6h/30m page, 1x 3d/6h ticket', () => {
  expect(BURN_RATE_ALERTS.map((a) => [a.severity, a.burnRate, a.long.seconds, a.short.seconds])).toEqual([
    ['page', 14.4, 3600, 300],
    ['page', 6, 21600, 1800],
    ['ticket', 1, 259200, 21600],
  ]);
  expect(policyProblems(BURN_RATE_ALERTS)).toEqual([]);
});

test('fails on a policy missing an alert or a window, or with windows the wrong way round', () => {
  const noTicket = BURN_RATE_ALERTS.filter((a) => a.name !== 'ticket');
  expect(policyProblems(noTicket)).toEqual(['the ticket alert is missing']);
  const noShort = BURN_RATE_ALERTS.map((a) => (a.name === 'page-fast' ? { ...a, short: undefined as never } : a));
  expect(policyProblems(noShort)).toEqual(['the page-fast alert needs a long and a short window']);
  const swapped = BURN_RATE_ALERTS.map((a) => (a.name === 'page-slow' ? { ...a, long: a.short, short: a.long } : a));
  expect(policyProblems(swapped)).toEqual([
    "the page-slow alert's short window (6h) must be shorter than its long window (30m)",
  ]);
});

test.each([
  [{ name: '5m', seconds: 300 }, []],
  [{ name: '3d', seconds: 259200 }, []],
  [{ name: '7d', seconds: 604800 }, []],
  [{ name: '8d', seconds: 691200 }, ['window 8d is 691200 s; CloudWatch evaluates at most 604800 s']],
  [{ name: '90s', seconds: 90 }, ['window 90s is 90 s; a period must be a multiple of 60 s']],
])('CloudWatch accepts window %j as an alarm period: problems %j', (w, problems) => {
  expect(windowProblems(w)).toEqual(problems);
});

test('the minimum-traffic guard: too few events burn nothing, enough events burn bad/total/budget', () => {
  const fast = alert('page-fast');
  expect(minEvents(availability, fast.long)).toBe(60);
  expect(minEvents(availability, fast.short)).toBe(5);
  // A quiet hour: 1 failure out of 2 requests would be a 500x burn without the guard.
  expect(burnRate(availability, fast.long, 1, 2)).toBe(0);
  expect(burnRate(availability, fast.long, 15, 1000)).toBeCloseTo(15, 6);
  expect(alertFires(fast, 15, 20)).toBe(true);
  expect(alertFires(fast, 15, 14)).toBe(false);
  expect(alertFires(fast, 14, 20)).toBe(false);
});
