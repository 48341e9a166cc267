import { LeaseConflictError, LeaseRefusedError } from '../../lib/failover/lease';
import { REMEDIATION_ACTOR_PREFIX } from '../../lib/contract/remediation';
import { Action, Decision } from './decide';
import {
  FailoverBudget,
  FailoverBudgetConflictError,
  FailoverBudgetExhaustedError,
  HandOffPort,
  LeasePort,
  RegionControl,
  SwitchPort,
} from './ports';

export interface ExecutionPorts {
  readonly regionControl: RegionControl;
  readonly leases: LeasePort;
  readonly switch: SwitchPort;
  readonly budget: FailoverBudget;
  /** @default - no hand-off (the primary's remediation never moves a lease) */
  readonly handOff?: HandOffPort;
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
  const moved: Array<{ address: string; epoch: number }> = [];
  while (actions.length > 0) {
    const action = actions.shift() as Action;
    try {
      outcomes.push({ action, ok: true, detail: await run(action, decision, ports, context, moved) });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes.push({ action, ok: false, detail: `${error.name}: ${error.message}` });
      return { outcomes, skipped: actions, ...(isExpectedRefusal(error) ? {} : { unexpectedError: error }) };
    }
  }
  // The hand-off runs last, once the switch is thrown: moving stranded work must never delay or
  // block the failover itself. A failure is recorded and paged (the page names `wallet-ops
  // hand-off`), NOT retried: a retried invocation decides afresh, sees the lease already moved and
  // would not run it again anyway, and the hand-off is safe to run by hand at any time.
  for (const m of ports.handOff === undefined ? [] : moved) {
    const action: Action = { type: 'hand-off', address: m.address, expectedEpoch: m.epoch };
    try {
      const r = await (ports.handOff as HandOffPort).handOff(m.address, m.epoch, decision.actor, context.transitionId);
      outcomes.push({
        action,
        ok: !r.fenced && r.stoppedBecause === undefined,
        detail: r.fenced
          ? `not handed off: ${r.stoppedBecause ?? 'the lease moved on'}`
          : `handed to ${r.holder}#${r.epoch}: ${r.fromDeadLetterQueues} DLQ message(s), ${r.requeued} open transaction(s) re-sent${r.stoppedBecause !== undefined ? `; STOPPED: ${r.stoppedBecause}` : ''}`,
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes.push({ action, ok: false, detail: `${error.name}: ${error.message}` });
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
  moved: Array<{ address: string; epoch: number }>,
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
      // Also when it was already there: a retried invocation whose first attempt moved it still hands off.
      if (move.after.activeRegion === action.toRegion) moved.push({ address: action.address, epoch: move.after.epoch });
      return move.changed
        ? `lease ${action.address} moved ${move.before.activeRegion}#${move.before.epoch} -> ${move.after.activeRegion}#${move.after.epoch}`
        : `lease ${action.address} already in ${move.after.activeRegion}#${move.after.epoch}`;
    }
    case 'hand-off':
      return 'hand-off runs after the planned actions';
    case 'throw-switch': {
      const thrown = await ports.switch.throwOn(action.reason);
      return `failover switch thrown in ${thrown.region}: ${thrown.namespace}/${thrown.metricName} = ${thrown.value} at ${thrown.timestamp}`;
    }
  }
}
