import { WalletConfig } from '../../config/schema';
import { DnsAlarmKind, parseAlarmName, RegionalAlarmKind } from '../../contract/alarms';
import { DrillDirection } from '../../contract/drill-metrics';
import { failoverSwitchAlarmName } from '../../contract/failover-switch';
import { AlarmInfo } from '../target';
import { directionRoles, PreCheck, readFailed, roleRegion } from './check';

/**
 * Whether a firing alarm is explained by the drill itself (names per lib/contract/alarms.ts):
 * - any alarm living in the region being left (that region is why one moves, or it is about to be idle);
 * - in the region taking over, its probe of the peer (`peer-deep-health`) and the canaries that go
 *   through the public name (`canary-public-name`, `canary-transaction`), which still lead to the
 *   region being left;
 * - the Route 53 alarms that follow the switch, the lease check and the primary record (and, for a failover, the
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
        ? ['primaryEndpointUnhealthy', 'primaryRecordUnhealthy', 'failoverSwitchThrown', 'primaryLeaseElsewhere']
        : ['failoverSwitchThrown', 'primaryRecordUnhealthy', 'primaryLeaseElsewhere'];
    return explained.includes(parsed.kind);
  }
  if (parsed.region === roleRegion(config, from)) return true;
  const throughThePeer: RegionalAlarmKind[] = ['peerDeepHealth', 'publicNameCanary', 'transactionCanary'];
  return parsed.region === roleRegion(config, to) && throughThePeer.includes(parsed.kind);
}

const title = 'no unrelated alarms firing';

const alarms: PreCheck = {
  id: 'alarms',
  explanation:
    'No alarm is firing that the drill does not explain (see isRelatedAlarm), and every region but the one being left has readable alarms.',
  run: ({ status, config, direction, options, fromRegion }) => {
    if (!status.alarms.ok) {
      return {
        id: 'alarms',
        title,
        ok: false,
        level: 'blocker',
        detail: readFailed('alarms', status.alarms),
        fix: 'check CloudWatch access in every region of the environment',
      };
    }
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
    return {
      id: 'alarms',
      title,
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
    };
  },
};
export default alarms;
