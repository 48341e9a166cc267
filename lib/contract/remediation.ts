import type { Consistency } from './ledger';
import { DNS_ALARM_REGION, dnsAlarmName, DnsAlarmKind, regionalAlarmName, RegionalAlarmKind } from './alarms';
import { failoverSwitchAlarmName } from './failover-switch';

/**
 * The remediation Lambda's contract: which alarms it reacts to and how, so the CDK code can route
 * exactly those alarm state changes to it (EventBridge rule on "CloudWatch Alarm State Change")
 * and the runbooks can say what automation does on each.
 *
 * Two kinds of action, both bounded:
 * - DEGRADED MODE (every region, about itself only): a degrading alarm of the region going to
 *   ALARM suspends withdrawals there (fail closed; reads stay up); when every degrading alarm of
 *   the region is OK again, a degraded mode that REMEDIATION set is lifted. One set by an operator
 *   is never lifted automatically.
 * - FAILOVER (decided only by the STANDBY region's remediation, which is the one that still runs
 *   when the primary region is impaired): see {@link FAILOVER_RULE}. There is no automatic
 *   failback: moving back is an operator decision (docs/runbooks/manual-failover.md).
 */

/**
 * Regional alarms whose ALARM puts their own region in degraded mode, by ledger consistency.
 * - `regionImpaired` always: do not take withdrawals into a region that cannot serve them.
 * - Replication alarms only under MREC, where lag is the RPO: withdrawals signed but not yet
 *   replicated could be lost (or their nonces reused) by a failover. Under MRSC a write is durable
 *   in a second region before it succeeds (RPO 0), and this region's replication metrics mostly
 *   measure the PEER's outage, so they must not stop withdrawals where the service still runs.
 * - `chainNoHealthyProvider` always (issue 16): a region with no healthy RPC provider can sign but
 *   not broadcast, so withdrawals are paused with the reason CHAIN_UNREACHABLE_REASON
 *   (lib/contract/chain.ts). The alarm exists only where `chain.providers` is configured; where it
 *   does not, remediation reads it as MISSING, which never blocks leaving degraded mode.
 */
export const DEGRADING_ALARMS: Readonly<Record<Consistency, readonly RegionalAlarmKind[]>> = {
  MRSC: ['regionImpaired', 'chainNoHealthyProvider'],
  MREC: ['regionImpaired', 'replicationErrors', 'replicationLatency', 'chainNoHealthyProvider'],
};
export type { Consistency };

/**
 * Alarms whose ALARM transition makes the standby's remediation evaluate a failover. The event is
 * only the cue: the decision reads the CURRENT state of every alarm in {@link FAILOVER_RULE}.
 */
export const FAILOVER_TRIGGERS = {
  /** Alarms that live in the standby region (no cross-region event routing needed). */
  standbyRegional: ['peerDeepHealth', 'publicNameCanary'] as readonly RegionalAlarmKind[],
  /** Alarms that live in the primary region; routed to the standby's bus if the lead forwards them. */
  primaryRegional: ['regionImpaired'] as readonly RegionalAlarmKind[],
  /** us-east-1 alarms; routed to the standby's bus if forwarded. */
  dns: ['primaryEndpointUnhealthy'] as readonly DnsAlarmKind[],
} as const;

/**
 * When the standby's remediation fails over, in words (the code is lambda/remediation/decide.ts):
 *
 * PRIMARY IMPAIRED = the standby's probe of the primary (`<standby> peer-deep-health`) is ALARM AND at
 *   least one independent signal agrees: `<primary> region-impaired` is ALARM (read cross-region),
 *   or `dns-primary-endpoint-unhealthy` is ALARM (Route 53's checkers, read in us-east-1), or
 *   `<standby> canary-public-name` is ALARM (users fail). A signal that cannot be read counts as
 *   "does not agree": when only the primary region and us-east-1 are both unreachable and the
 *   public-name canary passes, nothing moves.
 * STANDBY HEALTHY = `<standby> canary-deep-health` is OK AND `<standby> region-impaired` is OK AND
 *   `dns-standby-endpoint-unhealthy` is not ALARM. INSUFFICIENT_DATA, missing or unreadable counts
 *   as not healthy for the first two (no evidence is not health).
 * Then, in `auto` mode only: reserve one failover in the window (at most maxFailoversPerWindow per
 *   windowMinutes, shared by the whole environment), move every signing lease to the standby
 *   (epoch + 1), throw the failover switch (one PutMetricData in the standby). Otherwise page.
 */
/** An alarm in a rule, by the role of the region it lives in (`dns` = us-east-1). */
export type RuleAlarm =
  | { readonly region: 'standby' | 'primary'; readonly kind: RegionalAlarmKind }
  | { readonly region: 'dns'; readonly kind: DnsAlarmKind };

export const FAILOVER_RULE: {
  readonly primaryImpaired: { readonly required: RuleAlarm; readonly anyOf: readonly RuleAlarm[] };
  readonly standbyHealthy: { readonly mustBeOk: readonly RuleAlarm[]; readonly mustNotBeAlarm: readonly RuleAlarm[] };
} = {
  primaryImpaired: {
    required: { region: 'standby', kind: 'peerDeepHealth' },
    anyOf: [
      { region: 'primary', kind: 'regionImpaired' },
      { region: 'dns', kind: 'primaryEndpointUnhealthy' },
      { region: 'standby', kind: 'publicNameCanary' },
    ],
  },
  standbyHealthy: {
    mustBeOk: [
      { region: 'standby', kind: 'deepHealthCanary' },
      { region: 'standby', kind: 'regionImpaired' },
    ],
    mustNotBeAlarm: [{ region: 'dns', kind: 'standbyEndpointUnhealthy' }],
  },
};

/** Events older than this (alarm state timestamp vs now) are audited and notified, never acted on. */
export const MAX_EVENT_AGE_MINUTES = 15;

/**
 * A failover that remediation started (lease moved, switch not yet thrown, e.g. the Lambda died in
 * between) is completed by a later run only if the lease moved within this many minutes; an older
 * half-done state is left to a human (it may be an operator's failback in progress).
 */
export const COMPLETE_FAILOVER_WITHIN_MINUTES = 30;

/** Every write remediation makes names an actor starting with this (lease, region control, audit). */
export const REMEDIATION_ACTOR_PREFIX = 'remediation:';

export const remediationActor = (region: string, alarmName: string): string =>
  `${REMEDIATION_ACTOR_PREFIX}${region}:${alarmName}`;

/** SNS message attribute that carries the severity; subscriptions can filter on it. */
export const NOTIFY_SEVERITY_ATTRIBUTE = 'severity';
export type NotifySeverity = 'info' | 'action' | 'page';

export interface RemediationTopology {
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  readonly consistency: Consistency;
}

/**
 * The alarms the remediation Lambda in `region` must receive state changes of, grouped by the
 * region they live in. Route the ones in `region` with an EventBridge rule on the default bus; the
 * others (standby only) need a rule in their own region that forwards to the standby's default bus.
 */
export function remediationEventSources(
  topology: RemediationTopology,
  region: string,
): Array<{ readonly region: string; readonly alarmNames: readonly string[] }> {
  const { envName, primaryRegion, standbyRegion } = topology;
  const own = DEGRADING_ALARMS[topology.consistency].map((k) => regionalAlarmName(envName, region, k));
  if (region !== standbyRegion) return [{ region, alarmNames: own }];
  const triggers = FAILOVER_TRIGGERS.standbyRegional.map((k) => regionalAlarmName(envName, standbyRegion, k));
  return [
    { region: standbyRegion, alarmNames: [...new Set([...own, ...triggers])] },
    {
      region: primaryRegion,
      alarmNames: FAILOVER_TRIGGERS.primaryRegional.map((k) => regionalAlarmName(envName, primaryRegion, k)),
    },
    { region: DNS_ALARM_REGION, alarmNames: FAILOVER_TRIGGERS.dns.map((k) => dnsAlarmName(envName, k)) },
  ];
}

/** The alarms the remediation reads (DescribeAlarms) before deciding, grouped by region. */
export function remediationObservedAlarms(
  topology: RemediationTopology,
  region: string,
): Array<{ readonly region: string; readonly alarmNames: readonly string[] }> {
  const { envName, primaryRegion, standbyRegion } = topology;
  const own = DEGRADING_ALARMS[topology.consistency].map((k) => regionalAlarmName(envName, region, k));
  if (region !== standbyRegion) return [{ region, alarmNames: own }];
  return [
    {
      region: standbyRegion,
      alarmNames: [
        ...new Set([
          ...own,
          regionalAlarmName(envName, standbyRegion, 'peerDeepHealth'),
          regionalAlarmName(envName, standbyRegion, 'publicNameCanary'),
          regionalAlarmName(envName, standbyRegion, 'deepHealthCanary'),
          failoverSwitchAlarmName(envName),
        ]),
      ],
    },
    { region: primaryRegion, alarmNames: [regionalAlarmName(envName, primaryRegion, 'regionImpaired')] },
    {
      region: DNS_ALARM_REGION,
      alarmNames: [
        dnsAlarmName(envName, 'primaryEndpointUnhealthy'),
        dnsAlarmName(envName, 'standbyEndpointUnhealthy'),
      ],
    },
  ];
}

/** Where a forwarded failover cue comes from: the primary region's alarms, or the Route 53 alarms. */
export type CueSource = 'primary' | 'dns';

/**
 * The failover cues the standby's remediation needs from alarms that live outside the standby
 * region, forwarded by an EventBridge rule in their own region to the standby's default event bus
 * (lib/constructs/remediation-forwarding.ts). The decision reads every alarm's CURRENT state, so an
 * event is only a cue; forwarding makes whichever signal turns ALARM last (the primary's
 * `region-impaired`, Route 53's `dns-primary-endpoint-unhealthy`) start an evaluation too, instead
 * of waiting for the next change of a standby alarm. Sources in the standby region itself (e.g.
 * us-east-1 as the standby) need no forwarding: its own rule routes them.
 */
export function remediationForwarding(
  topology: RemediationTopology,
): Array<{ readonly source: CueSource; readonly fromRegion: string; readonly alarmNames: readonly string[] }> {
  const [, primary, dns] = remediationEventSources(topology, topology.standbyRegion);
  const forwarded: Array<{ source: CueSource; fromRegion: string; alarmNames: readonly string[] }> = [
    { source: 'primary', fromRegion: primary.region, alarmNames: primary.alarmNames },
    { source: 'dns', fromRegion: dns.region, alarmNames: dns.alarmNames },
  ];
  return forwarded.filter((f) => f.fromRegion !== topology.standbyRegion);
}

/** Name of the rule that forwards one source's cues (named, so its role can trust exactly it). */
export const remediationForwardingRuleName = (envName: string, source: CueSource): string =>
  `${envName}-wallet-remediation-cues-${source}`;

/** Every alarm name the standby's own rule must match: its own, and the forwarded cues. */
export function standbyRemediationAlarmNames(topology: RemediationTopology): string[] {
  return [...new Set(remediationEventSources(topology, topology.standbyRegion).flatMap((s) => s.alarmNames))];
}
