import { COMPONENT_IDS, ComponentId, ComponentState, IncidentState } from '../contract/status';
import { ResilienceSettings } from '../failover/timing';
import { addSeconds, formatUtc, recoveryEstimate } from './estimate';
import {
  AuditEntry,
  automaticStates,
  componentName,
  componentStates,
  Facts,
  Incident,
  INLINE_AUDIT_ENTRIES,
  isOpen,
  StatusInputError,
  StatusState,
} from './model';
import { incidentMessage, Scenario, TEMPLATES, TemplateValues } from './templates';

/**
 * Status changes as pure functions: state in, state and the notifications it causes out. Each
 * change is audited (who, why, when). The lifecycle is investigating -> identified -> monitoring
 * -> resolved (-> postmortem once one is published); every update is kept.
 */

/** What subscribers are told about one change (rendered per channel by lib/status/notify.ts). */
export interface StatusNotification {
  readonly kind: 'incident-opened' | 'incident-updated' | 'incident-resolved' | 'postmortem-published';
  readonly incidentId: string;
  readonly title: string;
  readonly status: IncidentState;
  readonly body: string;
  readonly url: string;
  readonly drill: boolean;
}

export interface Change {
  readonly state: StatusState;
  readonly notifications: readonly StatusNotification[];
}

export interface Who {
  readonly actor: string;
  readonly reason: string;
  readonly now: string;
  /** The event an automatic change came from (its dedup key). */
  readonly eventKey?: string;
}

function requireWho(who: Who): void {
  const problems: string[] = [];
  if (who.actor.trim() === '')
    problems.push('actor is empty; say who makes the change (CLI: --actor, default your user)');
  if (who.reason.trim() === '') problems.push('reason is empty; say why (CLI: --reason "...")');
  if (Number.isNaN(Date.parse(who.now))) problems.push(`time ${JSON.stringify(who.now)} is not an ISO 8601 time`);
  if (problems.length > 0) throw new StatusInputError(problems);
}

function audited(state: StatusState, who: Who, action: string, incidentId?: string): StatusState {
  const entry: AuditEntry = {
    at: who.now,
    actor: who.actor,
    reason: who.reason,
    action,
    ...(incidentId !== undefined ? { incidentId } : {}),
    ...(who.eventKey !== undefined ? { eventKey: who.eventKey } : {}),
  };
  return {
    ...state,
    revision: state.revision + 1,
    updatedAt: who.now,
    audit: [...state.audit, entry].slice(-INLINE_AUDIT_ENTRIES),
  };
}

/** Keeps `componentSince` current: a component whose shown state changed gets the change's time. */
function stampComponents(before: StatusState, after: StatusState, now: string): StatusState {
  const was = componentStates(before);
  const is = componentStates(after);
  const since = { ...after.componentSince };
  for (const id of COMPONENT_IDS) if (was[id] !== is[id]) since[id] = now;
  return { ...after, componentSince: since };
}

export const incidentUrl = (state: StatusState, id: string): string =>
  `${state.page.url.replace(/\/$/, '')}/incidents/${id}.html`;

function notification(state: StatusState, incident: Incident, kind: StatusNotification['kind']): StatusNotification {
  const latest = incident.updates[incident.updates.length - 1];
  return {
    kind,
    incidentId: incident.id,
    title: `${incident.drill ? '[DRILL] ' : ''}${incident.name}`,
    status: incident.status,
    body:
      kind === 'postmortem-published' ? `The postmortem is published: ${incidentUrl(state, incident.id)}` : latest.body,
    url: incidentUrl(state, incident.id),
    drill: incident.drill,
  };
}

const publicNotifications = (state: StatusState, incident: Incident, kind: StatusNotification['kind']) =>
  incident.published ? [notification(state, incident, kind)] : [];

export interface OpenIncidentRequest {
  readonly scenario: Scenario;
  /** When the problem started. @default now */
  readonly startedAt?: string;
  /** The components affected. @default the template's */
  readonly affected?: ReadonlyArray<{ readonly id: ComponentId; readonly status: ComponentState }>;
  /** Settings of the failover-timing model, for the recovery estimate. */
  readonly settings: ResilienceSettings;
  readonly publish: boolean;
  readonly drill?: boolean;
  readonly origin?: Incident['origin'];
  /** Extra or overriding placeholder values. */
  readonly values?: TemplateValues;
  /** A body instead of the template's (placeholders still filled, advice still appended). */
  readonly body?: string;
  readonly name?: string;
}

/** A stable id: both regions' updaters opening the incident for one event pick the same one. */
export const incidentId = (scenario: Scenario, startedAt: string): string =>
  `${startedAt.slice(0, 16).replace(/[-:]/g, '').toLowerCase()}-${scenario}`;

export function openIncident(state: StatusState, request: OpenIncidentRequest, who: Who): Change {
  requireWho(who);
  const template = TEMPLATES[request.scenario];
  const startedAt = request.startedAt ?? who.now;
  const id = incidentId(request.scenario, startedAt);
  if (state.incidents.some((i) => i.id === id)) {
    throw new StatusInputError([`incident ${id} already exists; update it with \`wallet-status update ${id}\``]);
  }
  const affected = [...(request.affected ?? template.affected)];
  const estimate = recoveryEstimate(request.scenario, request.settings);
  const body = incidentMessage(
    request.body ?? template.body,
    {
      startedAt: formatUtc(startedAt),
      components: describeComponents(affected.map((a) => a.id)),
      estimate: formatUtc(addSeconds(startedAt, estimate.seconds), startedAt),
      primaryRegion: state.regions.primary,
      standbyRegion: state.regions.standby,
      ...request.values,
    },
    `the ${request.scenario} message`,
  );
  const incident: Incident = {
    id,
    name: request.name ?? template.name,
    scenario: request.scenario,
    status: 'investigating',
    impact: template.impact,
    published: request.publish,
    drill: request.drill ?? false,
    origin: request.origin ?? 'operator',
    startedAt,
    createdAt: who.now,
    updatedAt: who.now,
    estimateSeconds: estimate.seconds,
    updates: [
      {
        id: `${id}-1`,
        status: 'investigating',
        body,
        createdAt: who.now,
        affected,
        actor: who.actor,
        reason: who.reason,
      },
    ],
  };
  const next = audited(
    { ...state, incidents: [...state.incidents, incident] },
    who,
    `open ${request.scenario}${request.publish ? '' : ' (draft)'}`,
    id,
  );
  return {
    state: stampComponents(state, next, who.now),
    notifications: publicNotifications(next, incident, 'incident-opened'),
  };
}

export function findIncident(state: StatusState, id: string): Incident {
  const incident = state.incidents.find((i) => i.id === id);
  if (incident === undefined) {
    const known = state.incidents.map((i) => i.id);
    throw new StatusInputError([
      `no incident ${JSON.stringify(id)}; ${known.length === 0 ? 'there are none' : `known: ${known.join(', ')}`} (wallet-status list)`,
    ]);
  }
  return incident;
}

function replaceIncident(state: StatusState, incident: Incident): StatusState {
  return { ...state, incidents: state.incidents.map((i) => (i.id === incident.id ? incident : i)) };
}

export interface UpdateIncidentRequest {
  readonly id: string;
  readonly status: IncidentState;
  /** The message (placeholders filled from the incident's facts; advice appended). */
  readonly body: string;
  /** New component states. @default the latest update's */
  readonly affected?: ReadonlyArray<{ readonly id: ComponentId; readonly status: ComponentState }>;
  readonly values?: TemplateValues;
}

const OPEN_STATES: readonly IncidentState[] = ['investigating', 'identified', 'monitoring'];

export function updateIncident(state: StatusState, request: UpdateIncidentRequest, who: Who): Change {
  requireWho(who);
  const incident = findIncident(state, request.id);
  const problems: string[] = [];
  if (!isOpen(incident)) problems.push(`incident ${incident.id} is ${incident.status}; open a new incident instead`);
  if (!OPEN_STATES.includes(request.status) && request.status !== 'resolved') {
    problems.push(
      `status ${JSON.stringify(request.status)} is not an update state; use ${[...OPEN_STATES, 'resolved'].join(', ')}`,
    );
  }
  if (request.body.trim() === '') problems.push('the message is empty; say what users need to know (--message "...")');
  if (problems.length > 0) throw new StatusInputError(problems);
  const latest = incident.updates[incident.updates.length - 1];
  // Monitoring means a fix is in place: unless told otherwise, the components are operational again.
  const recovered = request.status === 'resolved' || request.status === 'monitoring';
  const affected = [
    ...(request.affected ??
      (recovered ? latest.affected.map((a) => ({ id: a.id, status: 'operational' as const })) : latest.affected)),
  ];
  const body = incidentMessage(
    request.body,
    {
      startedAt: formatUtc(incident.startedAt),
      components: describeComponents(affected.map((a) => a.id)),
      estimate:
        incident.estimateSeconds === undefined
          ? undefined
          : formatUtc(addSeconds(incident.startedAt, incident.estimateSeconds), incident.startedAt),
      primaryRegion: state.regions.primary,
      standbyRegion: state.regions.standby,
      ...request.values,
    },
    `the update of ${incident.id}`,
  );
  const updated: Incident = {
    ...incident,
    status: request.status,
    updatedAt: who.now,
    ...(request.status === 'monitoring' && incident.monitoringAt === undefined ? { monitoringAt: who.now } : {}),
    ...(request.status === 'resolved' ? { resolvedAt: who.now } : {}),
    updates: [
      ...incident.updates,
      {
        id: `${incident.id}-${incident.updates.length + 1}`,
        status: request.status,
        body,
        createdAt: who.now,
        affected,
        actor: who.actor,
        reason: who.reason,
      },
    ],
  };
  const next = audited(
    replaceIncident(state, updated),
    who,
    `${request.status === 'resolved' ? 'resolve' : 'update'} -> ${request.status}`,
    incident.id,
  );
  return {
    state: stampComponents(state, next, who.now),
    notifications: publicNotifications(
      next,
      updated,
      request.status === 'resolved' ? 'incident-resolved' : 'incident-updated',
    ),
  };
}

export function resolveIncident(state: StatusState, id: string, body: string | undefined, who: Who): Change {
  const incident = findIncident(state, id);
  const text =
    body ??
    TEMPLATES[incident.scenario as Scenario]?.recovered.replace('We are monitoring.', 'This incident is resolved.') ??
    'This incident is resolved.';
  return updateIncident(state, { id, status: 'resolved', body: text }, who);
}

/** Publishes a drafted incident (notify-only mode): from now on it is on the page and sent to subscribers. */
export function publishIncident(state: StatusState, id: string, who: Who): Change {
  requireWho(who);
  const incident = findIncident(state, id);
  if (incident.published) throw new StatusInputError([`incident ${id} is already published`]);
  const updated: Incident = { ...incident, published: true, updatedAt: who.now };
  const next = audited(replaceIncident(state, updated), who, 'publish', id);
  return {
    state: stampComponents(state, next, who.now),
    notifications: [notification(next, updated, 'incident-opened')],
  };
}

/** Attaches a postmortem (Markdown) to a resolved incident; its status becomes `postmortem`. */
export function attachPostmortem(state: StatusState, id: string, markdown: string, who: Who): Change {
  requireWho(who);
  const incident = findIncident(state, id);
  const problems: string[] = [];
  if (incident.status !== 'resolved' && incident.status !== 'postmortem') {
    problems.push(`incident ${id} is ${incident.status}; resolve it before publishing its postmortem`);
  }
  if (markdown.trim() === '') problems.push('the postmortem is empty');
  const todo = markdown.match(/TODO\([^)]*\)/g);
  if (todo !== null)
    problems.push(
      `the postmortem still has ${todo.length} TODO item(s) for a human (${todo[0]}...); complete them first`,
    );
  if (problems.length > 0) throw new StatusInputError(problems);
  const updated: Incident = {
    ...incident,
    status: 'postmortem',
    updatedAt: who.now,
    postmortem: { body: markdown, publishedAt: who.now, actor: who.actor },
  };
  const next = audited(replaceIncident(state, updated), who, 'publish postmortem', id);
  return { state: next, notifications: publicNotifications(next, updated, 'postmortem-published') };
}

export function describeComponents(ids: readonly ComponentId[]): string {
  const names = [...new Set(ids)].map(componentName);
  if (names.length === 0) return 'no component';
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Which automatic scenario facts describe, if any (the worst first). */
export function scenarioForFacts(facts: Facts): Scenario | undefined {
  const moving = facts.switchOn || facts.leaseRegion === 'standby';
  if (facts.regionImpaired.primary && moving) return 'region-failover';
  if (moving && (facts.publicNameFailing.primary || facts.publicNameFailing.standby)) return 'region-failover';
  const serving = facts.switchOn ? 'standby' : 'primary';
  if (facts.degraded[serving]) return 'withdrawals-paused';
  if (facts.regionImpaired.primary || facts.regionImpaired.standby) return 'region-impaired';
  if (facts.publicNameFailing.primary || facts.publicNameFailing.standby) return 'region-impaired';
  return undefined;
}

export interface FactsChangeOptions {
  readonly settings: ResilienceSettings;
  /** `auto` publishes the incident it opens; `notify-only` drafts it for an operator. */
  readonly mode: 'auto' | 'notify-only';
  /** The event came from a drill: the incident is marked as one. */
  readonly drill?: boolean;
}

/**
 * Applies new facts: component states follow at once (facts need no words), and the automatic
 * incident follows the scenario: opened (published in `auto`, drafted in `notify-only`), updated
 * when the scenario changes, moved to monitoring when the facts are healthy again. Resolving is left
 * to an operator (`wallet-status resolve`), who knows when users are really fine.
 */
export function applyFacts(state: StatusState, facts: Facts, options: FactsChangeOptions, who: Who): Change {
  requireWho(who);
  if (JSON.stringify(facts) === JSON.stringify(state.facts)) return { state, notifications: [] };
  let next = audited({ ...state, facts }, who, 'facts');
  next = stampComponents(state, next, who.now);
  const notifications: StatusNotification[] = [];
  const scenario = scenarioForFacts(facts);
  const open = next.incidents.find((i) => i.origin === 'automatic' && isOpen(i));
  const affected = COMPONENT_IDS.map((id) => ({ id, status: automaticStates(facts)[id] })).filter(
    (a) => a.status !== 'operational',
  );
  const drill = options.drill ?? false;
  if (scenario !== undefined && open === undefined) {
    const opened = openIncident(
      next,
      {
        scenario,
        affected,
        settings: options.settings,
        publish: options.mode === 'auto',
        drill,
        origin: 'automatic',
        startedAt: who.now,
        ...(drill ? { name: `Drill: ${TEMPLATES[scenario].name}` } : {}),
      },
      who,
    );
    return { state: opened.state, notifications: [...notifications, ...opened.notifications] };
  }
  if (open !== undefined && scenario === undefined && open.status !== 'monitoring') {
    const updated = updateIncident(
      next,
      {
        id: open.id,
        status: 'monitoring',
        body: TEMPLATES[open.scenario as Scenario].recovered,
        affected: open.updates[0].affected.map((a) => ({ id: a.id, status: 'operational' })),
      },
      who,
    );
    return updated;
  }
  if (open !== undefined && scenario !== undefined) {
    const latest = open.updates[open.updates.length - 1];
    const sameAffected = JSON.stringify(latest.affected) === JSON.stringify(affected);
    if (open.scenario !== scenario || !sameAffected || open.status === 'monitoring') {
      const template = TEMPLATES[scenario];
      // The situation changed (e.g. an impaired region became a failover): the incident takes the
      // new scenario's name, impact and estimate (still counted from the first signal).
      const renamed: Incident = {
        ...open,
        scenario,
        name: drill ? `Drill: ${template.name}` : template.name,
        impact: template.impact,
        estimateSeconds: recoveryEstimate(scenario, options.settings).seconds,
      };
      return updateIncident(
        replaceIncident(next, renamed),
        {
          id: open.id,
          status: open.status === 'monitoring' ? 'investigating' : 'identified',
          body: template.body.replace('Since {startedAt}', 'Update: since {startedAt}'),
          affected,
        },
        who,
      );
    }
  }
  return { state: next, notifications };
}
