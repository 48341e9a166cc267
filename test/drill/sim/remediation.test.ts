import { RegionRole } from '../../../lib/contract/names';
import { RemediationWorld, SimulatedRemediation } from '../../../lib/drill/sim/remediation';
import { SIM_TIMINGS } from '../../../lib/drill/sim/timings';

/** A tiny world behind the remediation model's port: alarms by name, a lease, a queue of timed callbacks. */
function world(options: {
  mode?: 'auto' | 'notify-only';
  max?: number;
  alarms?: Record<string, string>;
  primaryUp?: boolean;
}) {
  const queue: Array<{ at: number; fn: () => void }> = [];
  const state = { now: 0, lease: { role: 'primary' as RegionRole, epoch: 7 }, switchPoints: 0 };
  const alarms: Record<string, string> = {
    'example-wallet-us-west-2-peer-deep-health': 'ALARM',
    'example-wallet-dns-primary-endpoint-unhealthy': 'ALARM',
    'example-wallet-us-west-2-canary-deep-health': 'OK',
    'example-wallet-dns-standby-endpoint-unhealthy': 'OK',
    ...options.alarms,
  };
  const up: Record<RegionRole, boolean> = { primary: options.primaryUp ?? true, standby: true };
  const w: RemediationWorld = {
    get now() {
      return state.now;
    },
    envName: 'example',
    regions: { primary: 'us-east-2', standby: 'us-west-2' },
    mode: options.mode ?? 'auto',
    maxFailoversPerWindow: options.max ?? 1,
    windowMinutes: 60,
    uniform: (min, max) => (min + max) / 2,
    at: (at, fn) => queue.push({ at, fn }),
    alarmState: (_region, name) => alarms[name],
    isEndpointUp: (role) => up[role],
    lease: () => state.lease,
    moveLease: (to, expected) => {
      if (state.lease.epoch !== expected) return false;
      state.lease = { role: to, epoch: expected + 1 };
      return true;
    },
    throwSwitch: () => {
      state.switchPoints++;
    },
  };
  const remediation = new SimulatedRemediation(w);
  const runAll = () => {
    while (queue.length > 0) {
      queue.sort((a, b) => a.at - b.at);
      const next = queue.shift()!;
      state.now = next.at;
      next.fn();
    }
  };
  return { remediation, state, alarms, runAll };
}

describe('the simulated remediation follows FAILOVER_RULE (lib/contract/remediation.ts)', () => {
  test('primary impaired (peer probe + Route 53 agree), standby healthy: moves the lease once and throws the switch', () => {
    const w = world({});
    w.remediation.observe();
    w.runAll();
    expect(w.remediation.runs.map((r) => r.verdict)).toEqual(['fail-over', 'already-failed-over']);
    expect(w.state.lease).toEqual({ role: 'standby', epoch: 8 });
    expect(w.state.switchPoints).toBe(1);
    const { min, max } = SIM_TIMINGS.remediationReaction.seconds;
    expect(w.remediation.runs[0].at).toBe(((min + max) / 2) * 1000);
  });

  test('fails to act when only the peer probe fires (no independent signal agrees)', () => {
    const w = world({ alarms: { 'example-wallet-dns-primary-endpoint-unhealthy': 'OK' } });
    w.remediation.observe();
    w.runAll();
    expect(w.remediation.runs.map((r) => r.verdict)).toEqual(['primary-not-impaired']);
    expect(w.state.lease).toEqual({ role: 'primary', epoch: 7 });
    expect(w.state.switchPoints).toBe(0);
  });

  test('does not fail over into an unhealthy standby (no evidence is not health)', () => {
    const w = world({ alarms: { 'example-wallet-us-west-2-canary-deep-health': 'INSUFFICIENT_DATA' } });
    w.remediation.observe();
    w.runAll();
    expect(w.remediation.runs.map((r) => r.verdict)).toEqual(['standby-unhealthy', 'standby-unhealthy']);
    expect(w.state.switchPoints).toBe(0);
  });

  test('notify-only mode pages and moves nothing', () => {
    const w = world({ mode: 'notify-only' });
    w.remediation.observe();
    w.runAll();
    expect(w.remediation.runs.map((r) => r.verdict)).toEqual(['notify-only', 'notify-only']);
    expect(w.state.lease.role).toBe('primary');
  });

  test('the failover budget: after a failback inside the window, a second impairment only pages', () => {
    const w = world({});
    w.remediation.observe();
    w.runAll();
    w.state.lease = { role: 'primary', epoch: 9 }; // an operator failed back
    w.alarms['example-wallet-us-west-2-peer-deep-health'] = 'OK';
    w.remediation.observe();
    w.alarms['example-wallet-us-west-2-peer-deep-health'] = 'ALARM';
    w.remediation.observe();
    w.runAll();
    expect(w.remediation.runs.at(-1)?.verdict).toBe('failover-limit-reached');
    expect(w.state.lease).toEqual({ role: 'primary', epoch: 9 });
  });

  test('an event is sent only on a transition to ALARM, not on every evaluation', () => {
    const w = world({ mode: 'notify-only' });
    w.remediation.observe();
    w.remediation.observe();
    w.runAll();
    expect(w.remediation.runs).toHaveLength(2); // one per trigger alarm that went to ALARM
  });
});

describe('the simulated timings table', () => {
  test.each(Object.entries(SIM_TIMINGS))('%s states its basis and why', (_name, row) => {
    expect(['doc', 'assumption']).toContain(row.basis);
    expect(row.note.length).toBeGreaterThan(40);
  });
});
