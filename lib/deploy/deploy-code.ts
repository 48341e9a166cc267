import { CloudWatchClient, DescribeAlarmsCommand, StateValue } from '@aws-sdk/client-cloudwatch';
import { regionalAlarmName } from '../contract/alarms';
import { CODE_DEPLOY_ORDER } from '../contract/deployment';
import { RegionRole, stackNames } from '../contract/names';
import type { Clock } from '../drill/clock';

/**
 * Region-at-a-time code deploys (docs/safe-deploys.md, "One region at a time"):
 *   1. pre-check: no alarm of this environment is in ALARM in either region;
 *   2. deploy the STANDBY stack alone (`cdk deploy --exclusively`); CloudFormation waits for
 *      CodeDeploy, so a canary that rolls back fails this step;
 *   3. bake: watch the standby's alarms for `bakeMinutes`; any alarm in ALARM stops the deploy, and
 *      at the end the standby's canaries must be green (OK, not merely "no data");
 *   4. deploy the PRIMARY stack alone.
 * The primary is never touched if anything before it fails. `cdk deploy --all` stays the way to
 * change infrastructure (it deploys every stack in dependency order, the standby after the primary).
 */

/** Deploys one stack and resolves when CloudFormation (and so CodeDeploy) is done; rejects on failure. */
export interface StackDeployer {
  deploy(stackName: string): Promise<void>;
}

export interface AlarmState {
  readonly name: string;
  readonly state: string;
}

/** Reads this environment's alarms in one region. */
export interface AlarmReader {
  alarms(region: string): Promise<AlarmState[]>;
}

export interface DeployCodePlan {
  readonly envName: string;
  readonly regions: Readonly<Record<RegionRole, string>>;
  /** How long the standby bakes before the primary is deployed. */
  readonly bakeMs: number;
  /** How often the bake reads the alarms. @default 30 s */
  readonly pollMs?: number;
}

export type DeployCodeOutcome =
  | { readonly outcome: 'deployed' }
  | { readonly outcome: 'refused'; readonly reason: string; readonly alarms: readonly string[] }
  | { readonly outcome: 'stack-failed'; readonly role: RegionRole; readonly stackName: string; readonly reason: string }
  | { readonly outcome: 'bake-failed'; readonly reason: string; readonly alarms: readonly string[] };

export interface DeployCodeEvent {
  readonly atMs: number;
  readonly step: 'pre-check' | 'deploy' | 'deployed' | 'bake' | 'bake-done' | 'stopped';
  readonly detail: string;
}

/** The canaries that must be green after the bake: the region's own deep health and the canary transaction. */
export const BAKE_GREEN_ALARM_KINDS = ['deepHealthCanary', 'transactionCanary'] as const;

/** The regional stacks in deploy order: the standby, then the primary. */
export function deployOrder(plan: DeployCodePlan): Array<{ role: RegionRole; region: string; stackName: string }> {
  const names = stackNames(plan.envName);
  return CODE_DEPLOY_ORDER.map((role) => ({ role, region: plan.regions[role], stackName: names[role] }));
}

export async function deployCode(
  plan: DeployCodePlan,
  deps: { deployer: StackDeployer; alarms: AlarmReader; clock: Clock; onEvent?: (e: DeployCodeEvent) => void },
): Promise<DeployCodeOutcome> {
  const start = deps.clock.now();
  const emit = (step: DeployCodeEvent['step'], detail: string) =>
    deps.onEvent?.({ atMs: deps.clock.now() - start, step, detail });
  const inAlarm = async (region: string) =>
    (await deps.alarms.alarms(region)).filter((a) => a.state === StateValue.ALARM).map((a) => a.name);
  const [standby, primary] = deployOrder(plan);

  for (const region of [standby.region, primary.region]) {
    const firing = await inAlarm(region);
    emit('pre-check', `${region}: ${firing.length === 0 ? 'no alarm in ALARM' : firing.join(', ')}`);
    if (firing.length > 0) {
      return { outcome: 'refused', reason: `${region} already has alarms in ALARM; fix them first`, alarms: firing };
    }
  }

  const deploy = async (step: typeof standby): Promise<DeployCodeOutcome | undefined> => {
    emit('deploy', `${step.stackName} (${step.role}, ${step.region})`);
    try {
      await deps.deployer.deploy(step.stackName);
    } catch (err) {
      emit('stopped', `${step.stackName} failed: ${(err as Error).message}`);
      return { outcome: 'stack-failed', role: step.role, stackName: step.stackName, reason: (err as Error).message };
    }
    emit('deployed', step.stackName);
    return undefined;
  };

  const standbyFailed = await deploy(standby);
  if (standbyFailed !== undefined) return standbyFailed;

  const pollMs = plan.pollMs ?? 30_000;
  const bakeEnd = deps.clock.now() + plan.bakeMs;
  emit(
    'bake',
    `${standby.region} for ${Math.round(plan.bakeMs / 60_000)} min, reading alarms every ${pollMs / 1000} s`,
  );
  for (;;) {
    const firing = await inAlarm(standby.region);
    if (firing.length > 0) {
      emit('stopped', `alarm during the bake: ${firing.join(', ')}`);
      return {
        outcome: 'bake-failed',
        reason: `alarms went to ALARM in ${standby.region} during the bake; ${primary.stackName} was not deployed`,
        alarms: firing,
      };
    }
    const left = bakeEnd - deps.clock.now();
    if (left <= 0) break;
    await deps.clock.sleep(Math.min(pollMs, left));
  }
  const green = BAKE_GREEN_ALARM_KINDS.map((k) => regionalAlarmName(plan.envName, standby.region, k));
  const states = new Map((await deps.alarms.alarms(standby.region)).map((a) => [a.name, a.state]));
  const notGreen = green.filter((n) => states.get(n) !== StateValue.OK);
  if (notGreen.length > 0) {
    const detail = notGreen.map((n) => `${n} is ${states.get(n) ?? 'missing'}`);
    emit('stopped', `canaries not green after the bake: ${detail.join(', ')}`);
    return {
      outcome: 'bake-failed',
      reason: `the standby's canaries are not green after the bake (${detail.join(', ')}); ${primary.stackName} was not deployed`,
      alarms: notGreen,
    };
  }
  emit('bake-done', `${standby.region}: canaries green, no alarm`);

  const primaryFailed = await deploy(primary);
  return primaryFailed ?? { outcome: 'deployed' };
}

/** The real alarm reader: DescribeAlarms of every alarm named `<env>-wallet-<region>-` in the region (paginated). */
export function cloudWatchAlarmReader(envName: string, client: (region: string) => CloudWatchClient): AlarmReader {
  return {
    async alarms(region) {
      const out: AlarmState[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client(region).send(
          new DescribeAlarmsCommand({
            AlarmNamePrefix: `${envName}-wallet-${region}-`,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken,
          }),
        );
        for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          out.push({ name: a.AlarmName ?? '?', state: a.StateValue ?? 'INSUFFICIENT_DATA' });
        }
        NextToken = page.NextToken;
      } while (NextToken !== undefined);
      return out;
    },
  };
}
