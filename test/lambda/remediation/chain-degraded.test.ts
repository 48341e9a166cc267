import { decide, DecisionInput } from '../../../lambda/remediation/decide';
import { AlarmTransition } from '../../../lambda/remediation/event';
import { alarmKey } from '../../../lambda/remediation/ports';
import { regionalAlarmName, RegionalAlarmKind } from '../../../lib/contract/alarms';
import { CHAIN_UNREACHABLE_REASON } from '../../../lib/contract/chain';
import { DEGRADING_ALARMS } from '../../../lib/contract/remediation';
import { context, ENV, HEALTHY, lease, NOW, PRIMARY, snapshot, transition } from './fixtures';

/** Issue 16: no healthy RPC provider pauses withdrawals in that region (auto), or only notifies. */

const primary = context({ region: PRIMARY, role: 'primary' });
const chainAlarm = regionalAlarmName(ENV, PRIMARY, 'chainNoHealthyProvider');

function chainTransition(kind: RegionalAlarmKind, state: AlarmTransition['state'] = 'ALARM'): AlarmTransition {
  const base = transition('primaryImpaired', state);
  const name = regionalAlarmName(ENV, PRIMARY, kind);
  return { ...base, alarmName: name, id: `${PRIMARY}#${name}#${state}#${base.changedAt}` };
}

function input(patch: Partial<DecisionInput> = {}): DecisionInput {
  return {
    context: primary,
    transition: chainTransition('chainNoHealthyProvider'),
    now: NOW,
    alarms: snapshot(HEALTHY),
    leases: [lease()],
    recentFailovers: [],
    ...patch,
  };
}

test.each(['MRSC', 'MREC'] as const)('no healthy provider is a degrading alarm under %s', (consistency) => {
  expect(DEGRADING_ALARMS[consistency]).toContain('chainNoHealthyProvider');
});

test('auto: the ALARM puts the region in degraded mode with the reason "withdrawals paused: chain unreachable"', () => {
  const d = decide(input());
  expect(d.verdict).toBe('enter-degraded');
  expect(d.actions).toEqual([
    {
      type: 'set-degraded',
      region: PRIMARY,
      degraded: true,
      reason: expect.stringMatching(/^withdrawals paused: chain unreachable \(/),
    },
  ]);
  const action = d.actions[0] as { reason: string };
  expect(action.reason.startsWith(CHAIN_UNREACHABLE_REASON)).toBe(true);
  expect(action.reason).toContain(chainAlarm);
});

test('notify-only: notifies (page), changes nothing, and says what auto would have done', () => {
  const d = decide(input({ context: { ...primary, mode: 'notify-only' } }));
  expect(d.verdict).toBe('enter-degraded');
  expect(d.actions).toEqual([]);
  expect(d.severity).toBe('page');
  expect(d.suppressed).toEqual([
    expect.objectContaining({ type: 'set-degraded', reason: expect.stringContaining(CHAIN_UNREACHABLE_REASON) }),
  ]);
});

test('fails: the other chain alarms (head stale, stuck) never degrade the region; they notify only', () => {
  for (const kind of ['chainHeadStale', 'chainTransactionsStuck'] as const) {
    const d = decide(input({ transition: chainTransition(kind) }));
    expect(d.verdict).toBe('informational');
    expect(d.actions).toEqual([]);
  }
});

test('other degrading alarms keep their own reason (not the chain one)', () => {
  const d = decide(input({ transition: transition('primaryImpaired') }));
  expect(d.actions).toEqual([
    expect.objectContaining({ type: 'set-degraded', reason: expect.not.stringContaining(CHAIN_UNREACHABLE_REASON) }),
  ]);
});

test('OK of the chain alarm lifts a degraded mode remediation set, but not while it still alarms', () => {
  const regionControl = {
    region: PRIMARY,
    degraded: true,
    reason: CHAIN_UNREACHABLE_REASON,
    setBy: `remediation:${PRIMARY}:${chainAlarm}`,
    updatedAt: NOW.toISOString(),
  };
  const base = snapshot(HEALTHY);
  const withChain = (state: 'OK' | 'ALARM' | 'MISSING') => ({
    ...base,
    states: { ...base.states, [alarmKey(PRIMARY, chainAlarm)]: state },
  });
  const ok = decide(
    input({ transition: chainTransition('chainNoHealthyProvider', 'OK'), regionControl, alarms: withChain('OK') }),
  );
  expect(ok.verdict).toBe('leave-degraded');
  // Without chain.providers the alarm does not exist (the AWS adapter reports MISSING): it never blocks.
  const none = decide(
    input({ transition: transition('primaryImpaired', 'OK'), regionControl, alarms: withChain('MISSING') }),
  );
  expect(none.verdict).toBe('leave-degraded');
  const alarms = withChain('ALARM');
  const blocked = decide(
    input({
      transition: transition('primaryImpaired', 'OK'),
      regionControl: { ...regionControl, reason: 'x', setBy: `remediation:${PRIMARY}:x` },
      alarms,
    }),
  );
  expect(blocked.verdict).toBe('stay-degraded');
});
