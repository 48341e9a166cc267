import { WalletConfig } from '../../config/schema';
import { DrillDirection } from '../../contract/drill-metrics';
import { EnvironmentStatus } from '../status';
import alarms from './alarms';
import caller from './caller';
import chainProviders from './chain-providers';
import { CheckOptions, CheckResult, directionRoles, PreCheck, roleRegion } from './check';
import dns from './dns';
import fromRegion from './from-region';
import healthChecks from './health-checks';
import lease from './lease';
import replication from './replication';
import switchAlarm from './switch-alarm';
import targetCanary from './target-canary';
import targetHealthy from './target-healthy';
import targetKey from './target-key';

export { allowedCallerRegions } from './caller';
export { isRelatedAlarm } from './alarms';
export { directionRoles, roleRegion } from './check';
export type { CheckContext, CheckOptions, CheckResult, PreCheck } from './check';

/**
 * The drill's pre-checks, one per file in this folder, in the order the plan reports them. Same
 * shape as the Wallet rules (lib/security/rules + WALLET_RULES): each check is named by its id and
 * carries the explanation the docs table shows.
 */
export const PRE_CHECKS: readonly PreCheck[] = [
  caller,
  healthChecks,
  targetHealthy,
  targetCanary,
  replication,
  targetKey,
  chainProviders,
  switchAlarm,
  alarms,
  lease,
  dns,
  fromRegion,
];

/** The pre-checks for a failover or failback, evaluated on one status snapshot. */
export function preChecks(
  status: EnvironmentStatus,
  config: WalletConfig,
  direction: DrillDirection,
  options: CheckOptions = {},
): CheckResult[] {
  const { from, to } = directionRoles(direction);
  const ctx = {
    status,
    config,
    direction,
    options,
    from,
    to,
    fromRegion: roleRegion(config, from),
    toRegion: roleRegion(config, to),
  };
  return PRE_CHECKS.map((check) => check.run(ctx)).filter((r): r is CheckResult => r !== undefined);
}

export const blockersPass = (checks: readonly CheckResult[]): boolean =>
  checks.every((c) => c.ok || c.level === 'warning');
