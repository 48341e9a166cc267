import { WalletConfig } from '../config/schema';
import { DrillDirection } from '../contract/drill-metrics';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  SwitchPosition,
  switchValue,
} from '../contract/failover-switch';
import { ledgerTableName, RegionRole } from '../contract/names';
import { blockersPass, CheckOptions, CheckResult, directionRoles, preChecks, roleRegion } from './checks';
import { leaseMoveCommand, switchCommand } from './manual';
import {
  canaryObservation,
  DEFAULT_ASSUMPTIONS,
  ModelAssumptions,
  plannedRto,
  RtoEstimate,
  RtoTerm,
  unplannedRto,
} from '../failover/timing';
import { settingsFromConfig } from './settings';
import { EnvironmentStatus, readStatus } from './status';
import { Target } from './target';

/** One action the drill takes, as the SDK call it makes and the AWS CLI equivalent. */
export interface PlannedStep {
  readonly id: 'lease' | 'switch';
  readonly title: string;
  readonly call: string;
  readonly manual: string;
  readonly alreadyDone: boolean;
}

export interface Plan {
  readonly direction: DrillDirection;
  readonly from: RegionRole;
  readonly to: RegionRole;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly checks: readonly CheckResult[];
  /** Every blocking pre-check passed. */
  readonly ready: boolean;
  readonly steps: readonly PlannedStep[];
  /** The environment is already where this direction would put it. */
  readonly nothingToDo: boolean;
  /** The switch position this direction sets. */
  readonly switchTo: SwitchPosition;
  readonly estimate: { readonly planned: RtoEstimate; readonly unplanned: RtoEstimate; readonly canary: RtoTerm };
  readonly assumptions: ModelAssumptions;
  readonly status: EnvironmentStatus;
}

export interface PlanOptions extends CheckOptions {
  readonly assumptions?: ModelAssumptions;
}

/** Reads the environment, runs the pre-checks and lists the exact steps. Changes nothing. */
export async function buildPlan(
  target: Target,
  config: WalletConfig,
  direction: DrillDirection,
  options: PlanOptions = {},
): Promise<Plan> {
  const status = await readStatus(target);
  return planFromStatus(status, config, direction, options);
}

export function planFromStatus(
  status: EnvironmentStatus,
  config: WalletConfig,
  direction: DrillDirection,
  options: PlanOptions = {},
): Plan {
  const { from, to } = directionRoles(direction);
  const fromRegion = roleRegion(config, from);
  const toRegion = roleRegion(config, to);
  const checks = preChecks(status, config, direction, options);
  const switchTo: SwitchPosition = direction === 'failover' ? 'on' : 'off';
  const lease = status.lease.ok ? status.lease.value : undefined;
  const address = status.address.ok ? status.address.value : '<signing address>';
  const leaseDone = lease?.activeRegion === toRegion;
  const switchDone = status.switch.ok && status.switch.value.position === switchTo;
  const epoch = lease?.epoch ?? 0;
  const reason = `${direction} drill`;
  const steps: PlannedStep[] = [
    {
      id: 'lease',
      title: `move the signer lease for ${address} from ${fromRegion} to ${toRegion} (epoch ${epoch} -> ${epoch + 1})`,
      call:
        `DynamoDB UpdateItem in ${toRegion} on ${ledgerTableName(config.envName)} (lib/failover/lease.ts moveLease): ` +
        `SET activeRegion = ${toRegion}, epoch = ${epoch + 1} IF epoch = ${epoch} AND activeRegion = ${fromRegion}; then PutItem of the audit record`,
      manual: leaseMoveCommand(config, {
        region: toRegion,
        address,
        fromRegion,
        toRegion,
        epoch,
        reason,
      }),
      alreadyDone: leaseDone,
    },
    {
      id: 'switch',
      title: `${switchTo === 'on' ? 'throw' : 'release'} the failover switch (value ${switchValue(switchTo)})`,
      call: `CloudWatch PutMetricData in ${config.regions.standby} (lib/failover/switch.ts throwSwitch): ${FAILOVER_SWITCH_NAMESPACE} ${FAILOVER_SWITCH_METRIC} Environment=${config.envName} = ${switchValue(switchTo)}`,
      manual: switchCommand(config, switchTo),
      alreadyDone: switchDone,
    },
  ];
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const settings = settingsFromConfig(config);
  return {
    direction,
    from,
    to,
    fromRegion,
    toRegion,
    checks,
    ready: blockersPass(checks),
    steps,
    nothingToDo: leaseDone && switchDone,
    switchTo,
    estimate: {
      planned: plannedRto(settings, assumptions),
      unplanned: unplannedRto(settings, assumptions),
      canary: canaryObservation(settings, assumptions),
    },
    assumptions,
    status,
  };
}
