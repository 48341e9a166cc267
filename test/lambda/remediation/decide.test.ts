import { decide, DecisionInput } from '../../../lambda/remediation/decide';
import { ObservedAlarmState } from '../../../lambda/remediation/ports';
import { regionalAlarmName } from '../../../lib/contract/alarms';
import {
  ADDRESS,
  AlarmId,
  context,
  ENV,
  HEALTHY,
  lease,
  NOW,
  PRIMARY,
  PRIMARY_DOWN,
  snapshot,
  STANDBY,
  transition,
} from './fixtures';

function input(patch: Partial<DecisionInput> = {}): DecisionInput {
  return {
    context: context(),
    transition: transition('peer'),
    now: NOW,
    alarms: snapshot(PRIMARY_DOWN),
    leases: [lease()],
    recentFailovers: [],
    ...patch,
  };
}

describe('failover (standby region)', () => {
  test('primary impaired and standby healthy: reserve the budget, move the lease at the epoch seen, then throw the switch', () => {
    // Act
    const d = decide(input());

    // Assess
    expect(d.verdict).toBe('fail-over');
    expect(d.severity).toBe('page');
    expect(d.actions).toEqual([
      { type: 'reserve-failover', transitionId: transition('peer').id },
      { type: 'move-lease', address: ADDRESS, toRegion: STANDBY, expectedEpoch: 3 },
      { type: 'throw-switch', region: STANDBY, reason: expect.stringContaining(`primary ${PRIMARY} impaired`) },
    ]);
    expect(d.suppressed).toEqual([]);
    expect(d.actor).toBe(`remediation:${STANDBY}:${transition('peer').alarmName}`);
  });

  test.each<AlarmId>(['peer', 'publicName', 'primaryImpaired', 'dnsPrimary'])(
    'an ALARM of the trigger %s starts the same evaluation',
    (trigger) => {
      // Act
      const d = decide(input({ transition: transition(trigger) }));

      // Assess
      expect(d.verdict).toBe('fail-over');
    },
  );

  test.each<AlarmId>(['primaryImpaired', 'dnsPrimary', 'publicName'])(
    'one agreeing signal (%s) besides the standby probe is enough',
    (agreeing) => {
      // Prepare
      const alarms = snapshot({ ...HEALTHY, peer: 'ALARM', [agreeing]: 'ALARM' });

      // Act
      const d = decide(input({ alarms }));

      // Assess
      expect(d.verdict).toBe('fail-over');
    },
  );

  test("the standby's own probe is required: others alone do not fail over", () => {
    // Prepare
    const alarms = snapshot({ ...PRIMARY_DOWN, peer: 'OK' });

    // Act
    const d = decide(input({ transition: transition('dnsPrimary'), alarms }));

    // Assess
    expect(d.verdict).toBe('failover-not-confirmed');
    expect(d.actions).toEqual([]);
    expect(d.reasons).toContainEqual(expect.stringContaining("must be ALARM (the standby's own probe of the primary)"));
  });

  test('the probe alone, with every other signal unreadable or OK, does not fail over', () => {
    // Prepare: the primary region and us-east-1 cannot be read; users are fine.
    const alarms = snapshot({ ...HEALTHY, peer: 'ALARM', primaryImpaired: 'UNKNOWN', dnsPrimary: 'UNKNOWN' });

    // Act
    const d = decide(input({ alarms }));

    // Assess
    expect(d.verdict).toBe('failover-not-confirmed');
    expect(d.severity).toBe('info');
  });

  test.each<[AlarmId, ObservedAlarmState]>([
    ['standbyDeep', 'ALARM'],
    ['standbyDeep', 'INSUFFICIENT_DATA'],
    ['standbyDeep', 'MISSING'],
    ['standbyDeep', 'UNKNOWN'],
    ['standbyImpaired', 'ALARM'],
    ['standbyImpaired', 'UNKNOWN'],
    ['dnsStandby', 'ALARM'],
  ])('standby unhealthy (%s is %s): no failover, page a human', (id, state) => {
    // Prepare
    const alarms = snapshot({ ...PRIMARY_DOWN, [id]: state });

    // Act
    const d = decide(input({ alarms }));

    // Assess
    expect(d.verdict).toBe('standby-unhealthy');
    expect(d.severity).toBe('page');
    expect(d.actions).toEqual([]);
    expect(d.reasons).toContainEqual(expect.stringContaining(`is ${state}`));
  });

  test('Route 53 being unreadable does not block a failover the standby can see is safe', () => {
    // Act
    const d = decide(input({ alarms: snapshot({ ...PRIMARY_DOWN, dnsStandby: 'UNKNOWN' }) }));

    // Assess
    expect(d.verdict).toBe('fail-over');
  });

  test('at most N failovers per window, then page instead', () => {
    // Prepare: one automatic failover 30 minutes ago, limit 1 per 60 minutes.
    const recentFailovers = [{ at: '2026-05-01T11:30:00.000Z', transitionId: 'earlier', actor: 'remediation:x' }];

    // Act
    const d = decide(input({ recentFailovers }));

    // Assess
    expect(d.verdict).toBe('failover-limit-reached');
    expect(d.severity).toBe('page');
    expect(d.actions).toEqual([]);
  });

  test('failovers outside the window, or recorded for this same transition, do not count', () => {
    // Prepare
    const recentFailovers = [
      { at: '2026-05-01T10:59:00.000Z', transitionId: 'old', actor: 'remediation:x' },
      { at: '2026-05-01T11:59:30.000Z', transitionId: transition('peer').id, actor: 'remediation:x' },
    ];

    // Act
    const d = decide(input({ recentFailovers }));

    // Assess
    expect(d.verdict).toBe('fail-over');
  });

  test('a higher limit allows a second failover in the window', () => {
    // Act
    const d = decide(
      input({
        context: context({ maxFailoversPerWindow: 2 }),
        recentFailovers: [{ at: '2026-05-01T11:30:00.000Z', transitionId: 'earlier', actor: 'remediation:x' }],
      }),
    );

    // Assess
    expect(d.verdict).toBe('fail-over');
  });

  test('lease already in the standby and the switch thrown: a no-op', () => {
    // Act
    const d = decide(
      input({
        alarms: snapshot({ ...PRIMARY_DOWN, switch: 'ALARM' }),
        leases: [lease({ activeRegion: STANDBY, epoch: 4 })],
      }),
    );

    // Assess
    expect(d.verdict).toBe('already-failed-over');
    expect(d.severity).toBe('info');
    expect(d.actions).toEqual([]);
  });

  test('lease moved by remediation minutes ago but the switch not thrown: complete that failover (switch only, no new budget)', () => {
    // Prepare: a previous run died between the two steps.
    const leases = [
      lease({
        activeRegion: STANDBY,
        epoch: 4,
        updatedBy: `remediation:${STANDBY}:x`,
        updatedAt: '2026-05-01T11:55:00.000Z',
      }),
    ];

    // Act
    const d = decide(input({ leases }));

    // Assess
    expect(d.verdict).toBe('complete-failover');
    expect(d.actions).toEqual([{ type: 'throw-switch', region: STANDBY, reason: expect.any(String) }]);
  });

  test.each([
    ['an operator', 'arn:aws:sts::111111111111:assumed-role/Ops/alice', '2026-05-01T11:55:00.000Z'],
    ['remediation, too long ago', `remediation:${STANDBY}:x`, '2026-05-01T11:00:00.000Z'],
  ])(
    'lease in the standby moved by %s and the switch not thrown: page, touch nothing',
    (_who, updatedBy, updatedAt) => {
      // Act
      const d = decide(input({ leases: [lease({ activeRegion: STANDBY, epoch: 4, updatedBy, updatedAt })] }));

      // Assess
      expect(d.verdict).toBe('half-failed-over');
      expect(d.severity).toBe('page');
      expect(d.actions).toEqual([]);
    },
  );

  test('moves only the leases still in the primary', () => {
    // Prepare
    const other = '0x2222222222222222222222222222222222222222';
    const leases = [lease({ activeRegion: STANDBY, epoch: 9 }), lease({ address: other, epoch: 5 })];

    // Act
    const d = decide(input({ leases }));

    // Assess
    expect(d.actions.filter((a) => a.type === 'move-lease')).toEqual([
      { type: 'move-lease', address: other, toRegion: STANDBY, expectedEpoch: 5 },
    ]);
  });

  test('no lease found: page', () => {
    // Act
    const d = decide(input({ leases: [] }));

    // Assess
    expect(d.verdict).toBe('no-lease');
    expect(d.severity).toBe('page');
  });

  test.each<'OK' | 'INSUFFICIENT_DATA'>(['OK', 'INSUFFICIENT_DATA'])(
    'a %s transition never fails over (no automatic failback either)',
    (state) => {
      // Act
      const d = decide(input({ transition: transition('peer', state) }));

      // Assess
      expect(d.verdict).toBe('informational');
      expect(d.actions).toEqual([]);
    },
  );

  test('notify-only mode never acts: the actions become suppressed, and a human is paged', () => {
    // Act
    const d = decide(input({ context: context({ mode: 'notify-only' }) }));

    // Assess
    expect(d.verdict).toBe('fail-over');
    expect(d.actions).toEqual([]);
    expect(d.suppressed.map((a) => a.type)).toEqual(['reserve-failover', 'move-lease', 'throw-switch']);
    expect(d.severity).toBe('page');
    expect(d.summary).toMatch(/^notify-only: would fail over to us-west-2/);
  });

  test('the primary region never decides a failover (its remediation may be inside the outage)', () => {
    // Prepare: the primary's own probe of the standby alarms.
    const ctx = context({ region: PRIMARY, role: 'primary' });

    // Act
    const d = decide(input({ context: ctx, transition: transition('primaryPeer') }));

    // Assess
    expect(d.verdict).toBe('informational');
    expect(d.actions).toEqual([]);
  });
});

describe('events it does not act on', () => {
  test('an alarm name this environment does not own is recorded and ignored', () => {
    // Act
    const d = decide(input({ transition: { ...transition('peer'), alarmName: 'someone-elses-alarm' } }));

    // Assess
    expect(d.verdict).toBe('ignored-unknown-alarm');
    expect(d.actions).toEqual([]);
  });

  test('another environment with the same layout is ignored', () => {
    // Act
    const d = decide(
      input({ transition: { ...transition('peer'), alarmName: regionalAlarmName('prod', STANDBY, 'peerDeepHealth') } }),
    );

    // Assess
    expect(d.verdict).toBe('ignored-unknown-alarm');
  });

  test('a stale event (a replay or backlog) is never acted on, even when everything says fail over', () => {
    // Act
    const d = decide(input({ transition: transition('peer', 'ALARM', '2026-05-01T11:40:00.000Z') }));

    // Assess
    expect(d.verdict).toBe('ignored-stale-event');
    expect(d.actions).toEqual([]);
  });

  test('an alarm with no remediation role is informational', () => {
    // Act
    const d = decide(
      input({ transition: { ...transition('peer'), alarmName: regionalAlarmName(ENV, STANDBY, 'kmsThrottling') } }),
    );

    // Assess
    expect(d.verdict).toBe('informational');
    expect(d.actions).toEqual([]);
  });
});

describe('degraded mode (every region, about itself)', () => {
  const primary = context({ region: PRIMARY, role: 'primary' });

  test('its region-impaired ALARM suspends withdrawals there', () => {
    // Act
    const d = decide(
      input({ context: primary, transition: transition('primaryImpaired'), alarms: snapshot(PRIMARY_DOWN) }),
    );

    // Assess
    expect(d.verdict).toBe('enter-degraded');
    expect(d.severity).toBe('action');
    expect(d.actions).toEqual([
      {
        type: 'set-degraded',
        region: PRIMARY,
        degraded: true,
        reason: expect.stringContaining('region-impaired ALARM'),
      },
    ]);
  });

  test('already degraded: nothing to do', () => {
    // Act
    const d = decide(
      input({
        context: primary,
        transition: transition('primaryImpaired'),
        regionControl: {
          region: PRIMARY,
          degraded: true,
          setBy: 'arn:aws:iam::111111111111:role/Ops',
          reason: 'maintenance',
        },
      }),
    );

    // Assess
    expect(d.verdict).toBe('already-degraded');
    expect(d.actions).toEqual([]);
  });

  test('every degrading alarm OK and remediation set it: resume withdrawals', () => {
    // Act
    const d = decide(
      input({
        context: primary,
        transition: transition('primaryImpaired', 'OK'),
        alarms: snapshot(HEALTHY),
        regionControl: { region: PRIMARY, degraded: true, setBy: `remediation:${PRIMARY}:x` },
      }),
    );

    // Assess
    expect(d.verdict).toBe('leave-degraded');
    expect(d.actions).toEqual([{ type: 'set-degraded', region: PRIMARY, degraded: false, reason: expect.any(String) }]);
  });

  test('an operator set it: it stays degraded', () => {
    // Act
    const d = decide(
      input({
        context: primary,
        transition: transition('primaryImpaired', 'OK'),
        alarms: snapshot(HEALTHY),
        regionControl: { region: PRIMARY, degraded: true, setBy: 'arn:aws:iam::111111111111:role/Ops' },
      }),
    );

    // Assess
    expect(d.verdict).toBe('stay-degraded');
    expect(d.actions).toEqual([]);
  });

  test.each<ObservedAlarmState>(['ALARM', 'INSUFFICIENT_DATA', 'UNKNOWN'])(
    'under MREC it stays degraded while another degrading alarm is %s',
    (state) => {
      // Act
      const d = decide(
        input({
          context: { ...primary, consistency: 'MREC' },
          transition: transition('primaryImpaired', 'OK'),
          alarms: snapshot({ ...HEALTHY, primaryReplLatency: state }),
          regionControl: { region: PRIMARY, degraded: true, setBy: `remediation:${PRIMARY}:x` },
        }),
      );

      // Assess
      expect(d.verdict).toBe('stay-degraded');
      expect(d.reasons).toContainEqual(expect.stringContaining(`ddb-replication-latency (${PRIMARY}) is ${state}`));
    },
  );

  test('a degrading alarm that does not exist (MISSING) does not block leaving', () => {
    // Act
    const d = decide(
      input({
        context: { ...primary, consistency: 'MREC' },
        transition: transition('primaryImpaired', 'OK'),
        alarms: snapshot({ ...HEALTHY, primaryReplLatency: 'MISSING' }),
        regionControl: { region: PRIMARY, degraded: true, setBy: `remediation:${PRIMARY}:x` },
      }),
    );

    // Assess
    expect(d.verdict).toBe('leave-degraded');
  });

  test.each([
    ['MREC', 'enter-degraded'],
    ['MRSC', 'informational'],
  ] as const)('replication latency degrades the region under %s only (-> %s)', (consistency, verdict) => {
    // Act
    const d = decide(input({ context: { ...primary, consistency }, transition: transition('primaryReplLatency') }));

    // Assess
    expect(d.verdict).toBe(verdict);
  });

  test('the standby degrades itself on its own region-impaired alarm (and does not fail over on it)', () => {
    // Act
    const d = decide(input({ transition: transition('standbyImpaired') }));

    // Assess
    expect(d.verdict).toBe('enter-degraded');
    expect(d.actions).toEqual([expect.objectContaining({ type: 'set-degraded', region: STANDBY, degraded: true })]);
  });

  test('notify-only: would suspend withdrawals, pages, changes nothing', () => {
    // Act
    const d = decide(
      input({ context: { ...primary, mode: 'notify-only' }, transition: transition('primaryImpaired') }),
    );

    // Assess
    expect(d.verdict).toBe('enter-degraded');
    expect(d.actions).toEqual([]);
    expect(d.suppressed).toEqual([expect.objectContaining({ type: 'set-degraded', degraded: true })]);
    expect(d.severity).toBe('page');
  });

  test('INSUFFICIENT_DATA neither enters nor leaves', () => {
    // Act
    const d = decide(input({ context: primary, transition: transition('primaryImpaired', 'INSUFFICIENT_DATA') }));

    // Assess
    expect(d.verdict).toBe('informational');
    expect(d.actions).toEqual([]);
  });
});

test('every decision explains itself: the first reason is the transition it saw', () => {
  // Act
  const d = decide(input());

  // Assess
  expect(d.reasons[0]).toBe(
    `${transition('peer').alarmName} (${STANDBY}) went OK -> ALARM at 2026-05-01T11:59:00.000Z: ${transition('peer').reason}`,
  );
});
