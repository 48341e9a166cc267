import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini (the same zod 4, functional API), as in lambda/shared/tx-request.ts: the classic `zod`
// build alone put the remediation bundle over the 500 KB handler target (test/bundling). zod/mini
// ships no messages; the English locale keeps the problems readable ("expected ...").
z.config(en());

/** The alarm states CloudWatch reports. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmStateValue = (typeof ALARM_STATES)[number];

/** CloudWatch writes `2019-10-02T17:04:40.989+0000`; accept any timestamp Date can read. */
const timestamp = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'is not a timestamp'));

const stateSchema = z.looseObject({
  value: z.enum(ALARM_STATES),
  reason: z._default(z.string(), ''),
  timestamp,
});

/**
 * The EventBridge event CloudWatch emits for metric and composite alarms
 * (`source: aws.cloudwatch`, `detail-type: CloudWatch Alarm State Change`). Unknown fields pass.
 */
export const alarmStateChangeSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  account: z.string().check(z.regex(/^\d{12}$/, 'is not a 12-digit account id')),
  time: timestamp,
  region: z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'is not a region code')),
  detail: z.looseObject({
    alarmName: z.string().check(z.minLength(1)),
    state: stateSchema,
    previousState: z.optional(stateSchema),
  }),
});

/** One alarm state transition, as the decision sees it. */
export interface AlarmTransition {
  /** Stable across duplicate deliveries and retries of the same transition: the idempotency key. */
  readonly id: string;
  readonly eventId: string;
  readonly account: string;
  /** The region the alarm lives in (the event's region). */
  readonly alarmRegion: string;
  readonly alarmName: string;
  readonly state: AlarmStateValue;
  readonly previousState?: AlarmStateValue;
  /** ISO time of the state change (CloudWatch's `state.timestamp`). */
  readonly changedAt: string;
  readonly reason: string;
}

/** The event is not an alarm state change this function can handle; retrying will not help. */
export class InvalidAlarmEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAlarmEventError';
  }
}

export function parseAlarmEvent(event: unknown): AlarmTransition {
  const parsed = alarmStateChangeSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'} ${i.message}`).join('; ');
    const received = JSON.stringify(event)?.slice(0, 500) ?? String(event);
    throw new InvalidAlarmEventError(
      `remediation received an event that is not a CloudWatch Alarm State Change: ${problems}. Received: ${received}. ` +
        'Route only `source: aws.cloudwatch`, `detail-type: CloudWatch Alarm State Change` events to this function (the EventBridge rule pattern).',
    );
  }
  const e = parsed.data;
  const changedAt = new Date(e.detail.state.timestamp).toISOString();
  return {
    id: `${e.region}#${e.detail.alarmName}#${e.detail.state.value}#${changedAt}`,
    eventId: e.id,
    account: e.account,
    alarmRegion: e.region,
    alarmName: e.detail.alarmName,
    state: e.detail.state.value,
    ...(e.detail.previousState !== undefined ? { previousState: e.detail.previousState.value } : {}),
    changedAt,
    reason: e.detail.state.reason,
  };
}
