import { WalletConfig } from '../config/schema';
import { DnsAlarmKind, parseAlarmName, RegionalAlarmKind } from '../contract/alarms';
import { failoverSwitchAlarmName } from '../contract/failover-switch';
import { DrillDirection } from '../contract/drill-metrics';
import { RegionRole } from '../contract/names';
import { rateSeconds } from '../config/schema';
import { EnvironmentStatus, Reading } from './status';
import { AlarmInfo } from './target';

/** One pre-check: what was checked, the verdict, what was seen, and how to fix a failure. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  /** A failed blocker stops the drill; a failed warning is reported only. */
  readonly level: 'blocker' | 'warning';
  readonly detail: string;
  readonly fix?: string;
}

/** The two regions of a drill direction. */
export function directionRoles(direction: DrillDirection): { from: RegionRole; to: RegionRole } {
  return direction === 'failover' ? { from: 'primary', to: 'standby' } : { from: 'standby', to: 'primary' };
}

export const roleRegion = (config: WalletConfig, role: RegionRole): string =>
  role === 'primary' ? config.regions.primary : config.regions.standby;

/** Regions an operator may run the drill from: the environment's regions and us-east-1 (DNS). */
export function allowedCallerRegions(config: WalletConfig): string[] {
  return [
    ...new Set(
      [config.regions.primary, config.regions.standby, config.regions.witness, 'us-east-1'].filter(
        (r): r is string => r !== undefined,
      ),
    ),
  ];
}

/**
 * Whether a firing alarm is explained by the drill itself (names per lib/contract/alarms.ts):
 * - any alarm living in the region being left (that region is why one moves, or it is about to be idle);
 * - in the region taking over, its probe of the peer (`peer-deep-health`) and the canaries that go
 *   through the public name (`canary-public-name`, `canary-transaction`), which still lead to the
 *   region being left;
 * - the Route 53 alarms that follow the switch and the primary record (and, for a failover, the
 *   primary's endpoint check);
 * - the switch alarm itself, and alarms the operator acknowledged with --allow-alarm.
 * Everything else (the taking-over region's own deep health, signer, KMS, replication, ...) is
 * unrelated and blocks the drill.
 */
export function isRelatedAlarm(
  alarm: AlarmInfo,
  config: WalletConfig,
  direction: DrillDirection,
  allowAlarms: readonly string[] = [],
): boolean {
  const { from, to } = directionRoles(direction);
  if (allowAlarms.includes(alarm.name)) return true;
  if (alarm.name === failoverSwitchAlarmName(config.envName)) return true;
  const parsed = parseAlarmName(config.envName, alarm.name);
  if (parsed === undefined) return false;
  if (parsed.scope === 'dns') {
    const explained: DnsAlarmKind[] =
      direction === 'failover'
        ? ['primaryEndpointUnhealthy', 'primaryRecordUnhealthy', 'failoverSwitchThrown']
        : ['failoverSwitchThrown', 'primaryRecordUnhealthy'];
    return explained.includes(parsed.kind);
  }
  if (parsed.region === roleRegion(config, from)) return true;
  const throughThePeer: RegionalAlarmKind[] = ['peerDeepHealth', 'publicNameCanary', 'transactionCanary'];
  return parsed.region === roleRegion(config, to) && throughThePeer.includes(parsed.kind);
}

const readFailed = (what: string, r: Reading<unknown>): string => (r.ok ? '' : `could not read ${what}: ${r.error}`);

export interface CheckOptions {
  readonly allowAlarms?: readonly string[];
}

/** The pre-checks for a failover or failback, evaluated on one status snapshot. */
export function preChecks(
  status: EnvironmentStatus,
  config: WalletConfig,
  direction: DrillDirection,
  options: CheckOptions = {},
): CheckResult[] {
  const { from, to } = directionRoles(direction);
  const toRegion = roleRegion(config, to);
  const fromRegion = roleRegion(config, from);
  const results: CheckResult[] = [];

  // The caller: the config's account, a region of this environment.
  if (!status.identity.ok) {
    results.push({
      id: 'caller',
      title: 'caller account and region allowed by config',
      ok: false,
      level: 'blocker',
      detail: readFailed('the caller identity (STS GetCallerIdentity)', status.identity),
      fix: 'check the credentials (AWS_PROFILE) and network access to STS',
    });
  } else {
    const id = status.identity.value;
    const allowed = allowedCallerRegions(config);
    const problems: string[] = [];
    if (id.account !== config.account) {
      problems.push(`caller account ${id.account ?? '(unknown)'} is not the config's account ${config.account}`);
    }
    if (id.region === undefined) {
      problems.push(`no default region is set (${id.regionError ?? 'the standard chain found none'})`);
    } else if (!allowed.includes(id.region)) {
      problems.push(`caller region ${id.region} is not one of ${allowed.join(', ')}`);
    }
    results.push({
      id: 'caller',
      title: 'caller account and region allowed by config',
      ok: problems.length === 0,
      level: 'blocker',
      detail:
        problems.length === 0
          ? `account ${id.account}, region ${id.region} (${id.arn ?? 'unknown principal'})`
          : problems.join('; '),
      fix:
        problems.length === 0
          ? undefined
          : `use credentials for account ${config.account} (AWS_PROFILE) and set AWS_REGION to one of ${allowed.join(', ')}, or pass the --config of the environment you meant`,
    });
  }

  results.push({
    id: 'health-checks',
    title: 'Route 53 failover health checks exist',
    ok: status.healthChecks.ok,
    level: 'blocker',
    detail: status.healthChecks.ok
      ? `primary record ${status.healthChecks.value.primaryRecord}, switch ${status.healthChecks.value.failoverSwitch}`
      : readFailed('the health checks', status.healthChecks),
    fix: status.healthChecks.ok ? undefined : 'deploy the DNS stack for this config, or pass the right --config',
  });

  const endpoint = status.endpoints[to];
  results.push({
    id: 'target-healthy',
    title: `${to} region healthy (Route 53 endpoint check on ${toRegion})`,
    ok: endpoint.ok && endpoint.value.healthy,
    level: 'blocker',
    detail: endpoint.ok
      ? `${endpoint.value.healthyCheckers} of ${endpoint.value.totalCheckers} checkers report healthy (${endpoint.value.healthy ? 'more' : 'not more'} than 18%)`
      : readFailed(`the ${to} endpoint check`, endpoint),
    fix:
      endpoint.ok && endpoint.value.healthy
        ? undefined
        : `do not move traffic to an unhealthy region: fix ${toRegion} first (its /health must answer 2xx with ${'"healthy":true'})`,
  });

  const canary = status.canaries[to];
  const maxAge = 3 * rateSeconds(config.canary.schedule) * 1000 + 60_000;
  const fresh = canary.ok && canary.value.successAt !== undefined && status.at - canary.value.successAt <= maxAge;
  results.push({
    id: 'target-canary',
    title: `${to} canary green`,
    ok: fresh && canary.ok && canary.value.successPercent === 100,
    level: 'blocker',
    detail: !canary.ok
      ? readFailed(`the ${to} canary`, canary)
      : canary.value.successAt === undefined
        ? `no SuccessPercent data for canary ${canary.value.canaryName} in ${toRegion}`
        : `canary ${canary.value.canaryName}: ${canary.value.successPercent}% at ${new Date(canary.value.successAt).toISOString()}${fresh ? '' : ' (stale)'}`,
    fix:
      fresh && canary.ok && canary.value.successPercent === 100
        ? undefined
        : `wait until the ${to} canary passes, or investigate ${toRegion} before moving traffic`,
  });

  const replication = status.replication[to];
  if (config.data.consistency === 'MRSC') {
    results.push({
      id: 'replication',
      title: 'replication latency under the RPO target',
      ok: true,
      level: 'blocker',
      detail: 'MRSC: writes are replicated synchronously (RPO 0); replication latency does not apply',
    });
  } else {
    const lag = replication.ok ? replication.value.latencySeconds : undefined;
    const ok = lag !== undefined && lag <= config.targets.rpoSeconds;
    results.push({
      id: 'replication',
      title: 'replication latency under the RPO target',
      ok,
      level: 'blocker',
      detail: !replication.ok
        ? `${readFailed(`ReplicationLatency in ${fromRegion}`, replication)} (the sending region may be down)`
        : lag === undefined
          ? `no ReplicationLatency data for ${fromRegion} -> ${toRegion} in the last 10 minutes`
          : `ReplicationLatency ${fromRegion} -> ${toRegion}: ${lag.toFixed(1)} s (target ${config.targets.rpoSeconds} s)`,
      fix: ok
        ? undefined
        : 'wait for replication to catch up; after an unplanned loss of the primary under MREC, reconcile nonces and quarantine in-flight transactions before the standby signs',
    });
  }

  const key = status.keys[to];
  results.push({
    id: 'target-key',
    title: `${to} signing key enabled`,
    ok: key.ok && key.value.enabled,
    level: 'blocker',
    detail: key.ok
      ? `${key.value.alias} -> ${key.value.keyId} in ${key.value.region}: ${key.value.keyState} (${key.value.multiRegionType ?? 'single-region'})`
      : readFailed(`the ${to} signing key`, key),
    fix:
      key.ok && key.value.enabled
        ? undefined
        : `the ${to} region cannot sign: ask the break-glass role to check the key in ${toRegion}`,
  });

  const sw = status.switch;
  results.push({
    id: 'switch-alarm',
    title: `failover switch alarm exists in ${config.regions.standby}`,
    ok: sw.ok && sw.value.alarmExists,
    level: 'blocker',
    detail: sw.ok
      ? sw.value.alarmExists
        ? `${sw.value.alarmName}: ${sw.value.alarmState}; switch ${sw.value.position} (${sw.value.evidence})`
        : `alarm ${sw.value.alarmName} not found in ${sw.value.alarmRegion}: Route 53 would keep its last known status, so throwing the switch would change nothing`
      : readFailed('the switch alarm', sw),
    fix:
      sw.ok && sw.value.alarmExists ? undefined : 'redeploy the standby stack so the switch alarm exists, then re-plan',
  });

  if (!status.alarms.ok) {
    results.push({
      id: 'alarms',
      title: 'no unrelated alarms firing',
      ok: false,
      level: 'blocker',
      detail: readFailed('alarms', status.alarms),
      fix: 'check CloudWatch access in every region of the environment',
    });
  } else {
    const { firing, unreadable } = status.alarms.value;
    const unrelated = firing.filter((a) => !isRelatedAlarm(a, config, direction, options.allowAlarms));
    const related = firing.filter((a) => isRelatedAlarm(a, config, direction, options.allowAlarms));
    // The region being left may be the one in trouble: not reading its alarms is expected.
    const blind = unreadable.filter((u) => u.region !== fromRegion || u.region === 'us-east-1');
    const problems = [
      ...unrelated.map((a) => `firing: ${a.name} (${a.region})`),
      ...blind.map((u) => `could not read alarms in ${u.region}: ${u.error}`),
    ];
    const notes = [
      ...(related.length > 0 ? [`explained by the ${direction}: ${related.map((a) => a.name).join(', ')}`] : []),
      ...unreadable
        .filter((u) => !blind.includes(u))
        .map((u) => `alarms in ${u.region} (the region being left) could not be read: ${u.error}`),
    ];
    results.push({
      id: 'alarms',
      title: 'no unrelated alarms firing',
      ok: problems.length === 0,
      level: 'blocker',
      detail:
        problems.length === 0
          ? notes.length === 0
            ? 'no alarms firing'
            : `no unrelated alarms; ${notes.join('; ')}`
          : [...problems, ...notes].join('; '),
      fix:
        problems.length === 0
          ? undefined
          : 'investigate those alarms first; if one is understood and harmless, acknowledge it with --allow-alarm <name>',
    });
  }

  results.push({
    id: 'lease',
    title: 'signer lease readable',
    ok: status.lease.ok && status.lease.value !== undefined,
    level: 'blocker',
    detail: !status.lease.ok
      ? readFailed('the lease', status.lease)
      : status.lease.value === undefined
        ? `no lease item for ${status.address.ok ? status.address.value : 'the signing address'}`
        : `held by ${status.lease.value.activeRegion} at epoch ${status.lease.value.epoch} (${status.lease.value.updatedBy}: ${status.lease.value.reason})`,
    fix:
      status.lease.ok && status.lease.value !== undefined
        ? undefined
        : 'check the ledger table and the signing address (--address)',
  });

  results.push({
    id: 'dns',
    title: 'authoritative DNS answer observable (TestDNSAnswer)',
    ok: status.dns.ok && status.dns.value.role !== 'unknown',
    level: 'blocker',
    detail: status.dns.ok
      ? `${status.dns.value.recordName} -> ${status.dns.value.role} (${status.dns.value.recordData.join(', ') || 'no data'})`
      : readFailed('the DNS answer', status.dns),
    fix:
      status.dns.ok && status.dns.value.role !== 'unknown'
        ? undefined
        : 'the drill measures the cut-over with TestDNSAnswer; check the zone id and the regional records <region>.<api>.<zone>',
  });

  const leftUnreachable = [status.endpoints[from], status.keys[from]].some((r) => !r.ok);
  if (leftUnreachable) {
    results.push({
      id: 'from-region',
      title: `${from} region reachable`,
      ok: false,
      level: 'warning',
      detail: `some reads in ${fromRegion} failed; that is expected when it is the region in trouble`,
    });
  }
  return results;
}

export const blockersPass = (checks: readonly CheckResult[]): boolean =>
  checks.every((c) => c.ok || c.level === 'warning');
