import { dnsAlarmName, regionalAlarmName } from '../../../lib/contract/alarms';
import { failoverSwitchAlarmName } from '../../../lib/contract/failover-switch';
import { RemediationContext } from '../../../lambda/remediation/decide';
import { AlarmTransition } from '../../../lambda/remediation/event';
import { alarmKey, AlarmSnapshot, LeaseView, ObservedAlarmState } from '../../../lambda/remediation/ports';

export const ENV = 'test';
export const PRIMARY = 'us-east-2';
export const STANDBY = 'us-west-2';
export const DNS = 'us-east-1';
export const NOW = new Date('2026-05-01T12:00:00.000Z');
export const ADDRESS = '0x1111111111111111111111111111111111111111';

/** The alarms the decision reads, by a short name. */
export const ALARM = {
  peer: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'peerDeepHealth') },
  publicName: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'publicNameCanary') },
  standbyDeep: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'deepHealthCanary') },
  standbyImpaired: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'regionImpaired') },
  standbyReplLatency: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'replicationLatency') },
  standbyReplErrors: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'replicationErrors') },
  switch: { region: STANDBY, name: failoverSwitchAlarmName(ENV) },
  primaryImpaired: { region: PRIMARY, name: regionalAlarmName(ENV, PRIMARY, 'regionImpaired') },
  primaryPeer: { region: PRIMARY, name: regionalAlarmName(ENV, PRIMARY, 'peerDeepHealth') },
  primaryReplLatency: { region: PRIMARY, name: regionalAlarmName(ENV, PRIMARY, 'replicationLatency') },
  primaryReplErrors: { region: PRIMARY, name: regionalAlarmName(ENV, PRIMARY, 'replicationErrors') },
  // Issue 16: degrading in every mode (no healthy RPC provider).
  primaryChain: { region: PRIMARY, name: regionalAlarmName(ENV, PRIMARY, 'chainNoHealthyProvider') },
  standbyChain: { region: STANDBY, name: regionalAlarmName(ENV, STANDBY, 'chainNoHealthyProvider') },
  dnsPrimary: { region: DNS, name: dnsAlarmName(ENV, 'primaryEndpointUnhealthy') },
  dnsStandby: { region: DNS, name: dnsAlarmName(ENV, 'standbyEndpointUnhealthy') },
} as const;
export type AlarmId = keyof typeof ALARM;

/** Every alarm OK and the switch off. */
export const HEALTHY: Record<AlarmId, ObservedAlarmState> = Object.fromEntries(
  Object.keys(ALARM).map((k) => [k, 'OK']),
) as Record<AlarmId, ObservedAlarmState>;

/** The primary is down as every vantage point sees it; the standby is fine. */
export const PRIMARY_DOWN: Record<AlarmId, ObservedAlarmState> = {
  ...HEALTHY,
  peer: 'ALARM',
  publicName: 'ALARM',
  primaryImpaired: 'ALARM',
  dnsPrimary: 'ALARM',
};

export function snapshot(states: Partial<Record<AlarmId, ObservedAlarmState>>): AlarmSnapshot {
  const out: Record<string, ObservedAlarmState> = {};
  for (const [id, state] of Object.entries(states) as Array<[AlarmId, ObservedAlarmState]>) {
    out[alarmKey(ALARM[id].region, ALARM[id].name)] = state;
  }
  return { states: out, readErrors: {} };
}

export function context(patch: Partial<RemediationContext> = {}): RemediationContext {
  return {
    envName: ENV,
    region: STANDBY,
    role: 'standby',
    primaryRegion: PRIMARY,
    standbyRegion: STANDBY,
    consistency: 'MRSC',
    mode: 'auto',
    maxFailoversPerWindow: 1,
    windowMinutes: 60,
    ...patch,
  };
}

export function transition(
  id: AlarmId,
  state: AlarmTransition['state'] = 'ALARM',
  changedAt = '2026-05-01T11:59:00.000Z',
): AlarmTransition {
  const { region, name } = ALARM[id];
  return {
    id: `${region}#${name}#${state}#${changedAt}`,
    eventId: `event-${id}-${state}`,
    account: '111111111111',
    alarmRegion: region,
    alarmName: name,
    state,
    previousState: state === 'ALARM' ? 'OK' : 'ALARM',
    changedAt,
    reason: 'Threshold Crossed: 3 datapoints were less than the threshold (1.0)',
  };
}

/** The EventBridge event CloudWatch sends for that transition (as documented by AWS). */
export function alarmEvent(
  id: AlarmId,
  state: AlarmTransition['state'] = 'ALARM',
  changedAt = '2026-05-01T11:59:00.000+0000',
) {
  const { region, name } = ALARM[id];
  return {
    version: '0',
    id: `event-${id}-${state}-${changedAt}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111111111111',
    time: changedAt.replace('+0000', 'Z'),
    region,
    resources: [`arn:aws:cloudwatch:${region}:111111111111:alarm:${name}`],
    detail: {
      alarmName: name,
      state: { value: state, reason: 'Threshold Crossed', timestamp: changedAt },
      previousState: {
        value: state === 'ALARM' ? 'OK' : 'ALARM',
        reason: 'earlier',
        timestamp: '2026-05-01T11:00:00.000+0000',
      },
      configuration: { metrics: [] },
    },
  };
}

export function lease(patch: Partial<LeaseView> = {}): LeaseView {
  return {
    address: ADDRESS,
    activeRegion: PRIMARY,
    epoch: 3,
    updatedBy: 'operator:init',
    updatedAt: '2026-04-01T00:00:00.000Z',
    ...patch,
  };
}
