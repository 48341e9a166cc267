import { ResilienceSettings } from '../failover/timing';
import { Signal, signalsFromEvent, Topology, withSignal } from './events';
import { applyFacts, Change } from './incidents';
import { initialState, PageInfo, StatusState } from './model';
import { commitChange, CommitResult, Notifier } from './publish';
import { StatusReplica } from './store';

/**
 * The status updater's core (the Lambda in lambda/status-updater is a thin shell around it): an
 * event becomes signals, each applied only if newer than the last change of its fact, and the new
 * facts become component states and the automatic incident. Both regions' updaters may receive the
 * same event: the first commits, the second finds the fact already at that time and changes nothing.
 */
export interface UpdaterDeps {
  readonly replicas: readonly StatusReplica[];
  readonly notifier: Notifier;
  readonly topology: Topology;
  readonly page: PageInfo;
  readonly settings: ResilienceSettings;
  /** `remediation.mode`: `auto` publishes automatic incidents, `notify-only` drafts them. */
  readonly mode: 'auto' | 'notify-only';
  /** Who this updater is, for the audit (e.g. `status-updater:us-west-2`). */
  readonly actor: string;
  readonly now: () => Date;
}

/** Applies the signals that are newer than what the state already knows; the same state if none is. */
export function applySignals(
  state: StatusState,
  signals: readonly Signal[],
  deps: Pick<UpdaterDeps, 'settings' | 'mode' | 'actor'>,
): Change {
  const fresh = signals.filter((s) => {
    const last = state.signalsAt[s.name];
    return last === undefined || Date.parse(s.at) > Date.parse(last);
  });
  if (fresh.length === 0) return { state, notifications: [] };
  let facts = state.facts;
  const signalsAt = { ...state.signalsAt };
  for (const s of fresh) {
    facts = withSignal(facts, s);
    signalsAt[s.name] = s.at;
  }
  const latest = fresh.reduce((a, b) => (Date.parse(b.at) > Date.parse(a.at) ? b : a));
  const change = applyFacts(
    { ...state, signalsAt },
    facts,
    { settings: deps.settings, mode: deps.mode, drill: fresh.some((s) => s.drill) },
    {
      actor: `${deps.actor} (${fresh.map((s) => s.actor).join(', ')})`,
      reason: fresh.map((s) => s.reason).join('; '),
      now: latest.at,
      eventKey: fresh.map((s) => s.key).join(' '),
    },
  );
  // Facts equal but the timestamps moved (e.g. OK -> OK after a gap): keep the timestamps, notify no one.
  if (change.state.revision === state.revision)
    return { state: { ...state, signalsAt, revision: state.revision + 1 }, notifications: [] };
  return change;
}

export async function handleStatusEvent(
  event: unknown,
  deps: UpdaterDeps,
): Promise<CommitResult & { signals: readonly Signal[] }> {
  const signals = signalsFromEvent(event, deps.topology);
  if (signals.length === 0) {
    return {
      changed: false,
      state: undefined as never,
      documents: [],
      notifications: [],
      unavailable: [],
      attempts: 0,
      signals,
    };
  }
  const result = await commitChange(
    deps.replicas,
    () => initialState(deps.page, deps.now().toISOString()),
    (state) => applySignals(state, signals, deps),
    deps.notifier,
    { key: signals.map((s) => s.key).join(' '), now: deps.now },
  );
  return { ...result, signals };
}
