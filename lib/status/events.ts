import { z } from 'zod';
import { parseAlarmName } from '../contract/alarms';
import { failoverSwitchAlarmName } from '../contract/failover-switch';
import { WALLET_EVENT_SOURCE, WALLET_EVENTS } from '../contract/status';
import { Facts, StatusInputError } from './model';

/**
 * What the status updater hears, mapped to the facts the page is derived from. Sources:
 * - CloudWatch alarm state changes of `region-impaired` and `canary-public-name` (each region's own
 *   bus; the primary's `region-impaired` also arrives forwarded on the standby's bus, so BOTH
 *   updaters see it), and of the failover switch alarm;
 * - the wallet's own events (lib/contract/status.ts WALLET_EVENTS): lease moved, switch changed,
 *   degraded mode changed, emitted by remediation and the drill.
 *
 * Every event becomes a {@link Signal}: one fact, its new value, and WHEN it became true (the
 * alarm's `state.timestamp`, the wallet event's `at`). The updater applies a signal only if it is
 * newer than the last one applied to that fact: a duplicate (both regions, a retry) or a late
 * delivery changes nothing and notifies no one.
 */

export type SignalName =
  | 'regionImpaired.primary'
  | 'regionImpaired.standby'
  | 'publicNameFailing.primary'
  | 'publicNameFailing.standby'
  | 'degraded.primary'
  | 'degraded.standby'
  | 'leaseRegion'
  | 'switchOn';

export interface Signal {
  readonly name: SignalName;
  readonly value: boolean | 'primary' | 'standby';
  /** When the fact changed (ISO). */
  readonly at: string;
  /** Who says so (for the audit): alarm name or the event's actor. */
  readonly actor: string;
  readonly reason: string;
  readonly drill: boolean;
  /** Stable across both regions' copies and retries of one change. */
  readonly key: string;
}

export interface Topology {
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
}

const role = (t: Topology, region: string): 'primary' | 'standby' | undefined =>
  region === t.primaryRegion ? 'primary' : region === t.standbyRegion ? 'standby' : undefined;

const base = z.object({
  envName: z.string().min(1),
  at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'is not an ISO time'),
  actor: z.string().min(1),
  reason: z.string().min(1),
  drill: z.boolean().optional(),
});
const walletEventSchema = z.discriminatedUnion('detail-type', [
  z.object({
    source: z.literal(WALLET_EVENT_SOURCE),
    'detail-type': z.literal(WALLET_EVENTS.leaseMoved),
    detail: base.extend({ address: z.string(), fromRegion: z.string(), toRegion: z.string(), epoch: z.number().int() }),
  }),
  z.object({
    source: z.literal(WALLET_EVENT_SOURCE),
    'detail-type': z.literal(WALLET_EVENTS.switchChanged),
    detail: base.extend({ position: z.enum(['on', 'off']) }),
  }),
  z.object({
    source: z.literal(WALLET_EVENT_SOURCE),
    'detail-type': z.literal(WALLET_EVENTS.degradedModeChanged),
    detail: base.extend({ region: z.string(), degraded: z.boolean() }),
  }),
]);

/** Signals for one event, or an empty list for an event of another environment or an alarm the page ignores. */
export function signalsFromEvent(event: unknown, t: Topology): Signal[] {
  const e = event as { source?: unknown };
  if (e?.source === 'aws.cloudwatch') return alarmSignals(event, t);
  if (e?.source === WALLET_EVENT_SOURCE) return walletSignals(event, t);
  throw new StatusInputError([
    `event source ${JSON.stringify(e?.source)} is not aws.cloudwatch or ${WALLET_EVENT_SOURCE}; route only those to the status updater`,
  ]);
}

/**
 * The EventBridge event CloudWatch emits for metric and composite alarms (`source: aws.cloudwatch`,
 * `detail-type: CloudWatch Alarm State Change`); CloudWatch writes `state.timestamp` as
 * `2019-10-02T17:04:40.989+0000`. Unknown fields pass.
 */
const alarmEventSchema = z.looseObject({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'is not a region code'),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: z.looseObject({
      value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
      reason: z.string().default(''),
      timestamp: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'is not a timestamp'),
    }),
  }),
});

function parseAlarmEvent(event: unknown) {
  const parsed = alarmEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new StatusInputError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`),
      `not a CloudWatch Alarm State Change (received ${JSON.stringify(event)?.slice(0, 300)})`,
    );
  }
  const e = parsed.data;
  const changedAt = new Date(e.detail.state.timestamp).toISOString();
  return {
    // Stable across both regions' copies (a forwarded copy has another event id) and retries.
    id: `${e.region}#${e.detail.alarmName}#${e.detail.state.value}#${changedAt}`,
    alarmName: e.detail.alarmName,
    state: e.detail.state.value,
    changedAt,
    reason: e.detail.state.reason,
  };
}

function alarmSignals(event: unknown, t: Topology): Signal[] {
  const transition = parseAlarmEvent(event);
  const at = transition.changedAt;
  const common = {
    at,
    actor: `alarm:${transition.alarmName}`,
    reason: `${transition.alarmName} is ${transition.state}${transition.reason ? `: ${transition.reason.slice(0, 200)}` : ''}`,
    drill: false,
    key: transition.id,
  };
  // INSUFFICIENT_DATA is no evidence either way: it changes nothing on the page.
  if (transition.state === 'INSUFFICIENT_DATA') return [];
  const alarming = transition.state === 'ALARM';
  if (transition.alarmName === failoverSwitchAlarmName(t.envName)) {
    return [{ ...common, name: 'switchOn', value: alarming }];
  }
  const parsed = parseAlarmName(t.envName, transition.alarmName);
  if (parsed?.scope !== 'regional') return [];
  const r = role(t, parsed.region);
  if (r === undefined) return [];
  if (parsed.kind === 'regionImpaired') return [{ ...common, name: `regionImpaired.${r}`, value: alarming }];
  if (parsed.kind === 'publicNameCanary') return [{ ...common, name: `publicNameFailing.${r}`, value: alarming }];
  return [];
}

function walletSignals(event: unknown, t: Topology): Signal[] {
  const parsed = walletEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new StatusInputError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`),
      `a ${WALLET_EVENT_SOURCE} event is malformed (received ${JSON.stringify(event).slice(0, 300)})`,
    );
  }
  const e = parsed.data;
  if (e.detail.envName !== t.envName) return [];
  const common = {
    at: new Date(e.detail.at).toISOString(),
    actor: e.detail.actor,
    reason: e.detail.reason,
    drill: e.detail.drill ?? false,
  };
  switch (e['detail-type']) {
    case WALLET_EVENTS.leaseMoved: {
      const to = role(t, e.detail.toRegion);
      if (to === undefined)
        throw new StatusInputError([
          `lease moved to ${e.detail.toRegion}, which is neither ${t.primaryRegion} nor ${t.standbyRegion}`,
        ]);
      return [{ ...common, name: 'leaseRegion', value: to, key: `lease#${e.detail.address}#${e.detail.epoch}` }];
    }
    case WALLET_EVENTS.switchChanged:
      return [
        {
          ...common,
          name: 'switchOn',
          value: e.detail.position === 'on',
          key: `switch#${e.detail.position}#${common.at}`,
        },
      ];
    case WALLET_EVENTS.degradedModeChanged: {
      const r = role(t, e.detail.region);
      if (r === undefined) return [];
      return [
        {
          ...common,
          name: `degraded.${r}`,
          value: e.detail.degraded,
          key: `degraded#${e.detail.region}#${e.detail.degraded}#${common.at}`,
        },
      ];
    }
  }
}

/** The facts with one signal applied. */
export function withSignal(facts: Facts, s: Signal): Facts {
  const [group, r] = s.name.split('.') as [keyof Facts, 'primary' | 'standby' | undefined];
  if (s.name === 'leaseRegion') return { ...facts, leaseRegion: s.value as 'primary' | 'standby' };
  if (s.name === 'switchOn') return { ...facts, switchOn: s.value as boolean };
  const current = facts[group] as { primary: boolean; standby: boolean };
  return { ...facts, [group]: { ...current, [r!]: s.value as boolean } };
}
