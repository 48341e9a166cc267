import { decide, DecisionInput } from '../../../lambda/remediation/decide';
import { AlarmTransition } from '../../../lambda/remediation/event';
import { regionalAlarmName, SWEEP_ALARM_KINDS, SweepAlarmKind } from '../../../lib/contract/alarms';
import { remediationEventSources, remediationObservedAlarms } from '../../../lib/contract/remediation';
import { context, ENV, HEALTHY, lease, NOW, PRIMARY, snapshot, STANDBY, transition } from './fixtures';

/**
 * Issue 21: the sweep alarms (`sweep-failed`, `float-above-ceiling`) only notify. A sweep that does not
 * happen leaves funds on the hot side, never anywhere else, so remediation neither pauses withdrawals
 * nor fails over for them, and is not even sent their state changes.
 */

const TOPOLOGY = { envName: ENV, primaryRegion: PRIMARY, standbyRegion: STANDBY };

function sweepTransition(kind: SweepAlarmKind, region: string): AlarmTransition {
  const base = transition('primaryImpaired', 'ALARM');
  const name = regionalAlarmName(ENV, region, kind);
  return { ...base, alarmName: name, id: `${region}#${name}#ALARM#${base.changedAt}` };
}

test.each(['MRSC', 'MREC'] as const)(
  'under %s no remediation in either region is sent a sweep alarm',
  (consistency) => {
    // Act
    const routed = [PRIMARY, STANDBY].flatMap((region) =>
      [
        ...remediationEventSources({ ...TOPOLOGY, consistency }, region),
        ...remediationObservedAlarms({ ...TOPOLOGY, consistency }, region),
      ].flatMap((g) => g.alarmNames),
    );

    // Assess
    const sweepNames = [PRIMARY, STANDBY].flatMap((region) =>
      SWEEP_ALARM_KINDS.map((kind) => regionalAlarmName(ENV, region, kind)),
    );
    expect(routed.length).toBeGreaterThan(0);
    expect(routed.filter((n) => sweepNames.includes(n))).toEqual([]);
  },
);

test.each(SWEEP_ALARM_KINDS)('fails to act: an ALARM of %s delivered anyway is informational, no action', (kind) => {
  // Prepare
  const input: DecisionInput = {
    context: context({ region: PRIMARY, role: 'primary' }),
    transition: sweepTransition(kind, PRIMARY),
    now: NOW,
    alarms: snapshot(HEALTHY),
    leases: [lease()],
    recentFailovers: [],
  };

  // Act
  const d = decide(input);

  // Assess
  expect([d.verdict, d.actions, d.suppressed ?? []]).toEqual(['informational', [], []]);
});
