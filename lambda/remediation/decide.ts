import {
  DNS_ALARM_REGION,
  dnsAlarmName,
  parseAlarmName,
  ParsedAlarmName,
  RegionalAlarmKind,
  regionalAlarmName,
} from '../../lib/contract/alarms';
import { CHAIN_UNREACHABLE_REASON } from '../../lib/contract/chain';
import { failoverSwitchAlarmName } from '../../lib/contract/failover-switch';
import {
  COMPLETE_FAILOVER_WITHIN_MINUTES,
  Consistency,
  DEGRADING_ALARMS,
  FAILOVER_RULE,
  FAILOVER_TRIGGERS,
  MAX_EVENT_AGE_MINUTES,
  NotifySeverity,
  REMEDIATION_ACTOR_PREFIX,
  remediationActor,
  RuleAlarm,
} from '../../lib/contract/remediation';
import type { RegionRole } from '../../lib/contract/names';
import type { AlarmTransition } from './event';
import { alarmKey, AlarmSnapshot, FailoverRecord, LeaseView, ObservedAlarmState, RegionControlState } from './ports';

/**
 * The remediation decision: a pure function from what remediation saw to what it will do and why.
 * No I/O, no clock: everything arrives in {@link DecisionInput}. The rules are written out in
 * lib/contract/remediation.ts; this file is their only implementation.
 */

export interface RemediationContext {
  readonly envName: string;
  /** The region this function runs in. */
  readonly region: string;
  readonly role: RegionRole;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  readonly consistency: Consistency;
  readonly mode: 'auto' | 'notify-only';
  readonly maxFailoversPerWindow: number;
  readonly windowMinutes: number;
}

export interface DecisionInput {
  readonly context: RemediationContext;
  readonly transition: AlarmTransition;
  readonly now: Date;
  readonly alarms: AlarmSnapshot;
  /** This region's degraded-mode item (undefined: never set). */
  readonly regionControl?: RegionControlState;
  /** Standby only: every signing lease. */
  readonly leases: readonly LeaseView[];
  /** Standby only: the failover budget's entries. */
  readonly recentFailovers: readonly FailoverRecord[];
}

export type Action =
  | { readonly type: 'set-degraded'; readonly region: string; readonly degraded: boolean; readonly reason: string }
  | { readonly type: 'reserve-failover'; readonly transitionId: string }
  | { readonly type: 'move-lease'; readonly address: string; readonly toRegion: string; readonly expectedEpoch: number }
  | { readonly type: 'throw-switch'; readonly region: string; readonly reason: string }
  /** Never planned by decide(): execute() adds one per lease it moved, after every planned action. */
  | { readonly type: 'hand-off'; readonly address: string; readonly expectedEpoch: number };

export type Verdict =
  | 'ignored-unknown-alarm'
  | 'ignored-stale-event'
  | 'informational'
  | 'enter-degraded'
  | 'already-degraded'
  | 'leave-degraded'
  | 'stay-degraded'
  | 'fail-over'
  | 'complete-failover'
  | 'already-failed-over'
  | 'half-failed-over'
  | 'failover-not-confirmed'
  | 'standby-unhealthy'
  | 'failover-limit-reached'
  | 'no-lease';

export interface Decision {
  readonly verdict: Verdict;
  readonly severity: NotifySeverity;
  /** One line, for the notification subject and the audit record. */
  readonly summary: string;
  /** Why: every rule that was evaluated and what it found. */
  readonly reasons: readonly string[];
  /** What to do now, in order (empty in notify-only mode). */
  readonly actions: readonly Action[];
  /** What `auto` mode would have done (notify-only mode). */
  readonly suppressed: readonly Action[];
  /** Who the actions are attributed to. */
  readonly actor: string;
}

function ruleAlarm(ctx: RemediationContext, rule: RuleAlarm): { region: string; name: string } {
  if (rule.region === 'dns') return { region: DNS_ALARM_REGION, name: dnsAlarmName(ctx.envName, rule.kind) };
  const region = rule.region === 'standby' ? ctx.standbyRegion : ctx.primaryRegion;
  return { region, name: regionalAlarmName(ctx.envName, region, rule.kind) };
}

function stateOf(alarms: AlarmSnapshot, a: { region: string; name: string }): ObservedAlarmState {
  return alarms.states[alarmKey(a.region, a.name)] ?? 'UNKNOWN';
}

const describe = (a: { region: string; name: string }, s: ObservedAlarmState): string =>
  `${a.name} (${a.region}) is ${s}`;

function minutesBetween(a: Date, b: Date): number {
  return (a.getTime() - b.getTime()) / 60000;
}

interface Outcome {
  readonly verdict: Verdict;
  readonly severity: NotifySeverity;
  readonly summary: string;
  readonly reasons: string[];
  readonly actions: Action[];
}

const outcome = (
  verdict: Verdict,
  severity: NotifySeverity,
  summary: string,
  reasons: string[],
  actions: Action[] = [],
): Outcome => ({
  verdict,
  severity,
  summary,
  reasons,
  actions,
});

/**
 * The reason recorded on the region-control item. No healthy RPC provider pauses withdrawals with
 * the contract's CHAIN_UNREACHABLE_REASON first (what the API and the status page show), then the alarm.
 */
function degradedReason(kind: RegionalAlarmKind, t: AlarmTransition): string {
  const alarm = `${t.alarmName} ALARM at ${t.changedAt}: ${t.reason}`;
  return kind === 'chainNoHealthyProvider' ? `${CHAIN_UNREACHABLE_REASON} (${alarm})` : alarm;
}

/** Degraded mode: every region, about its own degrading alarms only. */
function decideDegraded(input: DecisionInput, kind: RegionalAlarmKind, reasons: string[]): Outcome | undefined {
  const { context: ctx, transition: t, regionControl } = input;
  const degrading = DEGRADING_ALARMS[ctx.consistency];
  if (t.alarmRegion !== ctx.region || !degrading.includes(kind)) return undefined;
  const degraded = regionControl?.degraded === true;
  if (t.state === 'ALARM') {
    if (degraded) {
      return outcome(
        'already-degraded',
        'info',
        `${ctx.region} is already in degraded mode (set by ${regionControl?.setBy ?? 'unknown'})`,
        [...reasons, `degraded mode was already on: ${regionControl?.reason ?? 'no reason recorded'}`],
      );
    }
    return outcome(
      'enter-degraded',
      'action',
      `suspend withdrawals in ${ctx.region}: ${t.alarmName} is ALARM`,
      [
        ...reasons,
        `${t.alarmName} is a degrading alarm under ${ctx.consistency}; withdrawals fail closed while it alarms`,
      ],
      [
        {
          type: 'set-degraded',
          region: ctx.region,
          degraded: true,
          reason: degradedReason(kind, t),
        },
      ],
    );
  }
  if (t.state !== 'OK') {
    return outcome('informational', 'info', `${t.alarmName} is ${t.state}: degraded mode unchanged`, [
      ...reasons,
      'only ALARM enters and only OK (of every degrading alarm) leaves degraded mode',
    ]);
  }
  if (!degraded) {
    return outcome('informational', 'info', `${t.alarmName} is OK and ${ctx.region} is not degraded`, reasons);
  }
  if (!(regionControl?.setBy ?? '').startsWith(REMEDIATION_ACTOR_PREFIX)) {
    return outcome(
      'stay-degraded',
      'info',
      `${ctx.region} stays degraded: an operator (${regionControl?.setBy ?? 'unknown'}) set it; lift it by hand`,
      [...reasons, 'remediation never lifts a degraded mode it did not set'],
    );
  }
  const blocking = degrading
    .map((k) => ({ region: ctx.region, name: regionalAlarmName(ctx.envName, ctx.region, k) }))
    .map((a) => ({ a, s: stateOf(input.alarms, a) }))
    .filter(({ s }) => s !== 'OK' && s !== 'MISSING');
  if (blocking.length > 0) {
    return outcome(
      'stay-degraded',
      'info',
      `${ctx.region} stays degraded: ${blocking.length} degrading alarm(s) not OK`,
      [...reasons, ...blocking.map(({ a, s }) => `${describe(a, s)}; every degrading alarm must be OK to leave`)],
    );
  }
  return outcome(
    'leave-degraded',
    'action',
    `resume withdrawals in ${ctx.region}: every degrading alarm is OK`,
    [...reasons, `every degrading alarm of ${ctx.region} is OK (or does not exist); remediation set the degraded mode`],
    [{ type: 'set-degraded', region: ctx.region, degraded: false, reason: `${t.alarmName} OK at ${t.changedAt}` }],
  );
}

function isFailoverTrigger(ctx: RemediationContext, parsed: ParsedAlarmName, alarmRegion: string): boolean {
  if (parsed.scope === 'dns') return alarmRegion === DNS_ALARM_REGION && FAILOVER_TRIGGERS.dns.includes(parsed.kind);
  if (parsed.region !== alarmRegion) return false;
  if (parsed.region === ctx.standbyRegion) return FAILOVER_TRIGGERS.standbyRegional.includes(parsed.kind);
  if (parsed.region === ctx.primaryRegion) return FAILOVER_TRIGGERS.primaryRegional.includes(parsed.kind);
  return false;
}

/** Failover: decided only by the standby region's remediation. */
function decideFailover(input: DecisionInput, reasons: string[]): Outcome {
  const { context: ctx, transition: t, alarms, now } = input;
  if (t.state !== 'ALARM') {
    return outcome('informational', 'info', `${t.alarmName} is ${t.state}: no failover action`, [
      ...reasons,
      'only ALARM transitions can start a failover; there is no automatic failback',
    ]);
  }
  if (input.leases.length === 0) {
    return outcome('no-lease', 'page', 'cannot evaluate failover: no signing lease found', [
      ...reasons,
      'no lease item exists for any signing address (or the signing key could not be read); check the ledger and the signing key',
    ]);
  }
  const switchAlarm = { region: ctx.standbyRegion, name: failoverSwitchAlarmName(ctx.envName) };
  const switchState = stateOf(alarms, switchAlarm);
  const toMove = input.leases.filter((l) => l.activeRegion !== ctx.standbyRegion);
  reasons.push(
    `leases: ${input.leases.map((l) => `${l.address}@${l.activeRegion}#${l.epoch}`).join(', ')}`,
    describe(switchAlarm, switchState),
  );

  if (toMove.length === 0) {
    if (switchState === 'ALARM') {
      return outcome('already-failed-over', 'info', `already failed over to ${ctx.standbyRegion}: nothing to do`, [
        ...reasons,
        'every lease is in the standby and the switch is thrown',
      ]);
    }
    const byRemediation = input.leases.every(
      (l) =>
        l.updatedBy.startsWith(REMEDIATION_ACTOR_PREFIX) &&
        minutesBetween(now, new Date(l.updatedAt)) <= COMPLETE_FAILOVER_WITHIN_MINUTES,
    );
    if (byRemediation) {
      return outcome(
        'complete-failover',
        'page',
        `complete the failover to ${ctx.standbyRegion}: leases moved by remediation, switch not thrown`,
        [
          ...reasons,
          `remediation moved every lease within ${COMPLETE_FAILOVER_WITHIN_MINUTES} min but the switch is ${switchState}; throwing it completes that same failover`,
        ],
        [{ type: 'throw-switch', region: ctx.standbyRegion, reason: `complete failover (${t.alarmName} ALARM)` }],
      );
    }
    return outcome(
      'half-failed-over',
      'page',
      `leases are in ${ctx.standbyRegion} but the failover switch is ${switchState}: a human must finish or undo it`,
      [
        ...reasons,
        `the leases were moved by someone else or more than ${COMPLETE_FAILOVER_WITHIN_MINUTES} min ago (a manual failover or failback may be in progress); remediation does not touch it`,
      ],
    );
  }

  const required = ruleAlarm(ctx, FAILOVER_RULE.primaryImpaired.required);
  const requiredState = stateOf(alarms, required);
  const corroborating = FAILOVER_RULE.primaryImpaired.anyOf.map((r) => {
    const a = ruleAlarm(ctx, r);
    return { a, s: stateOf(alarms, a) };
  });
  reasons.push(`primary impaired needs: ${describe(required, requiredState)}`);
  reasons.push(...corroborating.map(({ a, s }) => `corroboration: ${describe(a, s)}`));
  const agreeing = corroborating.filter(({ s }) => s === 'ALARM');
  if (requiredState !== 'ALARM' || agreeing.length === 0) {
    return outcome(
      'failover-not-confirmed',
      'info',
      `primary ${ctx.primaryRegion} not confirmed impaired: no failover`,
      [
        ...reasons,
        requiredState !== 'ALARM'
          ? `${required.name} must be ALARM (the standby's own probe of the primary)`
          : 'no independent signal agrees (region-impaired in the primary, Route 53, or users via the public name)',
      ],
    );
  }

  const unhealthy: string[] = [];
  for (const r of FAILOVER_RULE.standbyHealthy.mustBeOk) {
    const a = ruleAlarm(ctx, r);
    const s = stateOf(alarms, a);
    reasons.push(`standby healthy needs OK: ${describe(a, s)}`);
    if (s !== 'OK') unhealthy.push(describe(a, s));
  }
  for (const r of FAILOVER_RULE.standbyHealthy.mustNotBeAlarm) {
    const a = ruleAlarm(ctx, r);
    const s = stateOf(alarms, a);
    reasons.push(`standby healthy needs not ALARM: ${describe(a, s)}`);
    if (s === 'ALARM') unhealthy.push(describe(a, s));
  }
  if (unhealthy.length > 0) {
    return outcome(
      'standby-unhealthy',
      'page',
      `primary ${ctx.primaryRegion} is impaired but the standby ${ctx.standbyRegion} is not healthy: no failover, a human must decide`,
      [...reasons, `standby not healthy: ${unhealthy.join('; ')}`],
    );
  }

  const windowStart = now.getTime() - ctx.windowMinutes * 60000;
  const inWindow = input.recentFailovers.filter(
    (f) => new Date(f.at).getTime() >= windowStart && f.transitionId !== t.id,
  );
  reasons.push(
    `${inWindow.length} automatic failover(s) in the last ${ctx.windowMinutes} min (limit ${ctx.maxFailoversPerWindow})`,
  );
  if (inWindow.length >= ctx.maxFailoversPerWindow) {
    return outcome(
      'failover-limit-reached',
      'page',
      `primary impaired and standby healthy, but ${inWindow.length} automatic failover(s) already happened in ${ctx.windowMinutes} min: paging a human instead`,
      [...reasons, `latest: ${inWindow.map((f) => `${f.at} (${f.transitionId})`).join(', ')}`],
    );
  }

  const why = `primary ${ctx.primaryRegion} impaired (${[required, ...agreeing.map(({ a }) => a)].map((a) => a.name).join(', ')}), standby ${ctx.standbyRegion} healthy`;
  return outcome('fail-over', 'page', `fail over to ${ctx.standbyRegion}: ${why}`, reasons, [
    { type: 'reserve-failover', transitionId: t.id },
    ...toMove.map((l): Action => ({
      type: 'move-lease',
      address: l.address,
      toRegion: ctx.standbyRegion,
      expectedEpoch: l.epoch,
    })),
    { type: 'throw-switch', region: ctx.standbyRegion, reason: `automatic failover: ${why}` },
  ]);
}

/** Whether the decision for this transition needs the leases and the failover budget (standby only). */
export function needsFailoverState(ctx: RemediationContext, transition: AlarmTransition): boolean {
  if (ctx.role !== 'standby') return false;
  const parsed = parseAlarmName(ctx.envName, transition.alarmName);
  return parsed !== undefined && isFailoverTrigger(ctx, parsed, transition.alarmRegion);
}

export function decide(input: DecisionInput): Decision {
  const { context: ctx, transition: t, now } = input;
  const actor = remediationActor(ctx.region, t.alarmName);
  const finish = (o: Outcome): Decision => {
    if (ctx.mode === 'auto' || o.actions.length === 0) {
      return { ...o, actions: o.actions, suppressed: [], actor };
    }
    return {
      ...o,
      severity: o.actions.some((a) => a.type !== 'set-degraded' || a.degraded) ? 'page' : 'action',
      summary: `notify-only: would ${o.summary}`,
      reasons: [...o.reasons, 'remediation mode is notify-only: nothing was changed; a human must act'],
      actions: [],
      suppressed: o.actions,
      actor,
    };
  };

  const reasons = [
    `${t.alarmName} (${t.alarmRegion}) went ${t.previousState ?? '?'} -> ${t.state} at ${t.changedAt}: ${t.reason}`,
  ];
  const parsed = parseAlarmName(ctx.envName, t.alarmName);
  if (parsed === undefined) {
    return finish(
      outcome('ignored-unknown-alarm', 'info', `${t.alarmName} is not an alarm remediation knows`, [
        ...reasons,
        `names are built by lib/contract/alarms.ts for environment ${ctx.envName}; check the EventBridge rule that routed it`,
      ]),
    );
  }
  const ageMinutes = minutesBetween(now, new Date(t.changedAt));
  if (ageMinutes > MAX_EVENT_AGE_MINUTES) {
    return finish(
      outcome(
        'ignored-stale-event',
        'info',
        `${t.alarmName} changed ${Math.round(ageMinutes)} min ago: too old to act on`,
        [
          ...reasons,
          `events older than ${MAX_EVENT_AGE_MINUTES} min (a replay or a backlog) are recorded, never acted on`,
        ],
      ),
    );
  }

  if (parsed.scope === 'regional') {
    const degraded = decideDegraded(input, parsed.kind, [...reasons]);
    if (degraded !== undefined) return finish(degraded);
  }
  if (ctx.role === 'standby' && isFailoverTrigger(ctx, parsed, t.alarmRegion)) {
    return finish(decideFailover(input, [...reasons]));
  }
  return finish(
    outcome('informational', 'info', `${t.alarmName} is ${t.state}: no remediation action for this alarm here`, [
      ...reasons,
      ctx.role === 'standby'
        ? 'not a degrading alarm of this region nor a failover trigger'
        : 'not a degrading alarm of this region; failover is decided by the standby region',
    ]),
  );
}
