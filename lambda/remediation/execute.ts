import { LeaseConflictError, LeaseRefusedError } from '../../lib/failover/lease';
import { REMEDIATION_ACTOR_PREFIX } from '../../lib/contract/remediation';
import { Action, Decision } from './decide';
import {
  FailoverBudget,
  FailoverBudgetConflictError,
  FailoverBudgetExhaustedError,
  LeasePort,
  RegionControl,
  SwitchPort,
} from './ports';

export interface ExecutionPorts {
  readonly regionControl: RegionControl;
  readonly leases: LeasePort;
  readonly switch: SwitchPort;
  readonly budget: FailoverBudget;
}

export interface ActionOutcome {
  readonly action: Action;
  readonly ok: boolean;
  readonly detail: string;
}

export interface Execution {
  readonly outcomes: readonly ActionOutcome[];
  /** Actions not run because an earlier one failed. */
  readonly skipped: readonly Action[];
  /** An error remediation did not expect (throttling, network): the invocation fails and is retried. */
  readonly unexpectedError?: Error;
}

/** Refusals that are part of the design: recorded and paged, never retried. */
function isExpectedRefusal(err: unknown): boolean {
  return (
    err instanceof LeaseRefusedError ||
    err instanceof LeaseConflictError ||
    err instanceof FailoverBudgetExhaustedError ||
    err instanceof FailoverBudgetConflictError
  );
}

/**
 * Runs a decision's actions in order and stops at the first failure (a failover never throws the
 * switch unless every lease moved first). There is deliberately no action that signs, touches a
 * key, or calls a Route 53 API.
 */
export async function execute(
  decision: Decision,
  ports: ExecutionPorts,
  context: {
    readonly transitionId: string;
    readonly now: Date;
    readonly windowMinutes: number;
    readonly maxFailoversPerWindow: number;
  },
): Promise<Execution> {
  const outcomes: ActionOutcome[] = [];
  const actions = [...decision.actions];
  while (actions.length > 0) {
    const action = actions.shift() as Action;
    try {
      outcomes.push({ action, ok: true, detail: await run(action, decision, ports, context) });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes.push({ action, ok: false, detail: `${error.name}: ${error.message}` });
      return { outcomes, skipped: actions, ...(isExpectedRefusal(error) ? {} : { unexpectedError: error }) };
    }
  }
  return { outcomes, skipped: [] };
}

async function run(
  action: Action,
  decision: Decision,
  ports: ExecutionPorts,
  context: {
    readonly transitionId: string;
    readonly now: Date;
    readonly windowMinutes: number;
    readonly maxFailoversPerWindow: number;
  },
): Promise<string> {
  switch (action.type) {
    case 'set-degraded': {
      const { changed } = await ports.regionControl.setDegraded(
        action.region,
        action.degraded,
        action.reason,
        decision.actor,
        action.degraded ? {} : { onlyIfSetByPrefix: REMEDIATION_ACTOR_PREFIX },
      );
      if (!changed) {
        return action.degraded
          ? `${action.region} was already degraded (someone set it meanwhile); left as it was`
          : `${action.region} degraded mode was changed by someone else meanwhile; left as it was`;
      }
      return `${action.region} degraded mode ${action.degraded ? 'ON: withdrawals suspended' : 'OFF: withdrawals resumed'}`;
    }
    case 'reserve-failover':
      await ports.budget.reserve(
        { at: context.now.toISOString(), transitionId: action.transitionId, actor: decision.actor },
        context.windowMinutes,
        context.maxFailoversPerWindow,
        context.now,
      );
      return `failover budget reserved (${context.maxFailoversPerWindow} per ${context.windowMinutes} min)`;
    case 'move-lease': {
      const move = await ports.leases.move({
        address: action.address,
        toRegion: action.toRegion,
        expectedEpoch: action.expectedEpoch,
        actor: decision.actor,
        reason: decision.summary,
        // The decision already checked the standby's health from the alarms it read.
        isTargetHealthy: async () => ({
          healthy: true,
          reasons: decision.reasons.filter((r) => r.startsWith('standby healthy')),
        }),
      });
      return move.changed
        ? `lease ${action.address} moved ${move.before.activeRegion}#${move.before.epoch} -> ${move.after.activeRegion}#${move.after.epoch}`
        : `lease ${action.address} already in ${move.after.activeRegion}#${move.after.epoch}`;
    }
    case 'throw-switch': {
      const thrown = await ports.switch.throwOn(action.reason);
      return `failover switch thrown in ${thrown.region}: ${thrown.namespace}/${thrown.metricName} = ${thrown.value} at ${thrown.timestamp}`;
    }
  }
}
