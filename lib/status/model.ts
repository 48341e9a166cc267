import { z } from 'zod';
import {
  COMPONENT_IDS,
  COMPONENT_STATES,
  ComponentId,
  ComponentState,
  INCIDENT_STATES,
  IncidentState,
  Indicator,
  INDICATORS,
  STATUS_COMPONENTS,
} from '../contract/status';

/**
 * The status page's model: components with their states, the facts they are derived from, incidents
 * with their lifecycle and every update, and an audit of who changed what and why. Pure functions
 * over a plain JSON value: the updater Lambda, the `wallet-status` CLI and the renderer share them,
 * and every public document is rendered from one state, so the page and the feed never disagree.
 */

/** A user error in a status change: what was wrong, the value received, how to fix it. Every problem at once. */
export class StatusInputError extends Error {
  constructor(
    readonly problems: readonly string[],
    what = 'status change refused',
  ) {
    super(
      `${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'StatusInputError';
  }
}

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'is not an ISO 8601 time');
const componentId = z.enum(COMPONENT_IDS as [ComponentId, ...ComponentId[]]);
const componentState = z.enum(COMPONENT_STATES);

/** What the system knows, as the updaters last heard it. Component states are derived from these. */
export const factsSchema = z
  .object({
    /** region-impaired composite per region role. */
    regionImpaired: z.object({ primary: z.boolean(), standby: z.boolean() }).strict(),
    /** Public-name canary alarm per region role (users failing to reach api.<zone> from there). */
    publicNameFailing: z.object({ primary: z.boolean(), standby: z.boolean() }).strict(),
    /** Degraded mode (new transactions refused) per region role. */
    degraded: z.object({ primary: z.boolean(), standby: z.boolean() }).strict(),
    /** Where the signing lease is (the region that signs). */
    leaseRegion: z.enum(['primary', 'standby']),
    /** The failover switch (on = api.<zone> answered by the standby). */
    switchOn: z.boolean(),
  })
  .strict();
export type Facts = z.infer<typeof factsSchema>;

export const OPERATIONAL_FACTS: Facts = {
  regionImpaired: { primary: false, standby: false },
  publicNameFailing: { primary: false, standby: false },
  degraded: { primary: false, standby: false },
  leaseRegion: 'primary',
  switchOn: false,
};

const affectedSchema = z.object({ id: componentId, status: componentState }).strict();

export const incidentUpdateSchema = z
  .object({
    id: z.string().min(1),
    status: z.enum(INCIDENT_STATES),
    body: z.string().min(1),
    createdAt: iso,
    /** Component states this update declares (they apply while the incident is unresolved). */
    affected: z.array(affectedSchema),
    actor: z.string().min(1),
    reason: z.string().min(1),
  })
  .strict();
export type IncidentUpdate = z.infer<typeof incidentUpdateSchema>;

export const incidentSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{4,64}$/),
    name: z.string().min(1),
    scenario: z.string().min(1),
    status: z.enum(INCIDENT_STATES),
    impact: z.enum(INDICATORS),
    /** A drafted incident is not on the page until an operator publishes it (notify-only mode). */
    published: z.boolean(),
    drill: z.boolean(),
    /** Opened by the updater from facts, or by an operator. */
    origin: z.enum(['automatic', 'operator']),
    startedAt: iso,
    createdAt: iso,
    updatedAt: iso,
    monitoringAt: iso.optional(),
    resolvedAt: iso.optional(),
    /** Seconds from start: the recovery estimate the template quoted, if any. */
    estimateSeconds: z.number().nonnegative().optional(),
    updates: z.array(incidentUpdateSchema).min(1),
    postmortem: z
      .object({ body: z.string().min(1), publishedAt: iso, actor: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type Incident = z.infer<typeof incidentSchema>;

export const auditEntrySchema = z
  .object({
    at: iso,
    actor: z.string().min(1),
    reason: z.string().min(1),
    action: z.string().min(1),
    incidentId: z.string().optional(),
    /** The event that caused it (dedup key), for automatic changes. */
    eventKey: z.string().optional(),
  })
  .strict();
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const uptimeDaySchema = z
  .object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), uptimePercent: z.number().min(0).max(100).nullable() })
  .strict();
export type UptimeDay = z.infer<typeof uptimeDaySchema>;

export const statusStateSchema = z
  .object({
    version: z.literal(1),
    revision: z.number().int().nonnegative(),
    page: z.object({ id: z.string().min(1), name: z.string().min(1), url: z.url() }).strict(),
    regions: z.object({ primary: z.string().min(1), standby: z.string().min(1) }).strict(),
    updatedAt: iso,
    facts: factsSchema,
    /** When each component last changed its published state (Statuspage's `updated_at`). */
    componentSince: z.record(componentId, iso),
    incidents: z.array(incidentSchema),
    /** The newest entries (the full audit trail is kept as one object per change in `state/audit/`). */
    audit: z.array(auditEntrySchema),
    history: z.record(componentId, z.array(uptimeDaySchema)),
    /** When each fact last changed, by signal name: an older or repeated signal is ignored. */
    signalsAt: z.record(z.string(), iso),
    /**
     * Notifications committed with a change and not yet confirmed sent (a transactional outbox:
     * written in the same conditional PutObject as the change, removed once sent).
     */
    outbox: z.array(
      z
        .object({
          key: z.string().min(1),
          at: iso,
          notifications: z.array(
            z
              .object({
                kind: z.enum(['incident-opened', 'incident-updated', 'incident-resolved', 'postmortem-published']),
                incidentId: z.string(),
                title: z.string(),
                status: z.enum(INCIDENT_STATES),
                body: z.string(),
                url: z.string(),
                drill: z.boolean(),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();
export type StatusState = z.infer<typeof statusStateSchema>;

/** How many audit entries the state keeps inline (the rest stay in `state/audit/`). */
export const INLINE_AUDIT_ENTRIES = 200;

export interface PageInfo {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly regions: { readonly primary: string; readonly standby: string };
}

export function initialState(page: PageInfo, at: string): StatusState {
  const since = Object.fromEntries(COMPONENT_IDS.map((id) => [id, at])) as Record<ComponentId, string>;
  return {
    version: 1,
    revision: 0,
    page: { id: page.id, name: page.name, url: page.url },
    regions: { ...page.regions },
    updatedAt: at,
    facts: OPERATIONAL_FACTS,
    componentSince: since,
    incidents: [],
    audit: [],
    history: Object.fromEntries(COMPONENT_IDS.map((id) => [id, []])) as unknown as Record<ComponentId, UptimeDay[]>,
    signalsAt: {},
    outbox: [],
  };
}

/** Parses a stored state, refusing one that does not match the schema (with every problem). */
export function parseState(value: unknown): StatusState {
  const parsed = statusStateSchema.safeParse(value);
  if (!parsed.success) {
    throw new StatusInputError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      'stored status state is invalid',
    );
  }
  return parsed.data;
}

const SEVERITY: Record<ComponentState, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export const worse = (a: ComponentState, b: ComponentState): ComponentState => (SEVERITY[b] > SEVERITY[a] ? b : a);

/** Component states that follow from the facts alone (what the system knows, no words needed). */
export function automaticStates(facts: Facts): Record<ComponentId, ComponentState> {
  const servingRole = facts.switchOn ? 'standby' : 'primary';
  const publicFailing = [facts.publicNameFailing.primary, facts.publicNameFailing.standby].filter(Boolean).length;
  const servingImpaired = facts.regionImpaired[servingRole];
  const publicApi: ComponentState =
    publicFailing === 2 || (servingImpaired && publicFailing > 0)
      ? 'major_outage'
      : publicFailing === 1 || servingImpaired
        ? 'partial_outage'
        : 'operational';
  const intake: ComponentState = facts.degraded[servingRole]
    ? 'major_outage'
    : servingImpaired
      ? 'partial_outage'
      : 'operational';
  const signing: ComponentState = facts.regionImpaired[facts.leaseRegion]
    ? 'major_outage'
    : facts.leaseRegion !== servingRole
      ? // A failover half done (lease moved, switch not yet, or the reverse): withdrawals wait.
        'degraded_performance'
      : 'operational';
  return {
    'public-api': publicApi,
    'transaction-intake': intake,
    signing,
    'region-primary': facts.regionImpaired.primary ? 'major_outage' : 'operational',
    'region-standby': facts.regionImpaired.standby ? 'major_outage' : 'operational',
  };
}

export const isOpen = (i: Incident): boolean => i.status !== 'resolved' && i.status !== 'postmortem';

/** The states the page shows: the facts' states, worsened by every open published incident's latest declaration. */
export function componentStates(state: StatusState): Record<ComponentId, ComponentState> {
  const states = automaticStates(state.facts);
  for (const incident of state.incidents) {
    if (!incident.published || !isOpen(incident)) continue;
    const latest = incident.updates[incident.updates.length - 1];
    for (const a of latest.affected) states[a.id] = worse(states[a.id], a.status);
  }
  return states;
}

/** The components users use directly (the regions are what serves them). */
export const USER_FACING: readonly ComponentId[] = ['public-api', 'transaction-intake', 'signing'];

export interface OverallStatus {
  readonly indicator: Indicator;
  readonly description: string;
}

/** The overall indicator (Statuspage: none, minor, major, critical; maintenance when only maintenance). */
export function overallStatus(states: Record<ComponentId, ComponentState>): OverallStatus {
  const values = COMPONENT_IDS.map((id) => states[id]);
  // What users use (the API, intake, signing) decides major and critical; a region on its own is
  // redundancy: losing the one that is not serving is a minor outage (less margin, same service).
  const userFacing = USER_FACING.map((id) => states[id]);
  const majors = userFacing.filter((v) => v === 'major_outage').length;
  if (states['public-api'] === 'major_outage' || majors >= 2) {
    return { indicator: 'critical', description: 'Major System Outage' };
  }
  if (majors === 1 || userFacing.includes('partial_outage'))
    return { indicator: 'major', description: 'Partial System Outage' };
  if (values.some((v) => v !== 'operational' && v !== 'under_maintenance')) {
    return { indicator: 'minor', description: 'Minor Service Outage' };
  }
  if (values.includes('under_maintenance'))
    return { indicator: 'maintenance', description: 'Service Under Maintenance' };
  return { indicator: 'none', description: 'All Systems Operational' };
}

export const componentName = (id: ComponentId): string => STATUS_COMPONENTS[id].name;

export const STATE_LABELS: Record<ComponentState, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

export const INCIDENT_STATE_LABELS: Record<IncidentState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
};

/** Validates a component id and a state named by a person or an event (every problem at once). */
export function parseAffected(pairs: readonly string[]): Array<{ id: ComponentId; status: ComponentState }> {
  const problems: string[] = [];
  const out: Array<{ id: ComponentId; status: ComponentState }> = [];
  for (const pair of pairs) {
    const [id, status] = pair.split('=');
    if (!(COMPONENT_IDS as string[]).includes(id)) {
      problems.push(
        `unknown component ${JSON.stringify(id)} in ${JSON.stringify(pair)}; use one of ${COMPONENT_IDS.join(', ')}`,
      );
    }
    if (!(COMPONENT_STATES as readonly string[]).includes(status ?? '')) {
      problems.push(
        `unknown state ${JSON.stringify(status ?? '')} in ${JSON.stringify(pair)}; use one of ${COMPONENT_STATES.join(', ')} (as component=state)`,
      );
    }
    if (problems.length === 0) out.push({ id: id as ComponentId, status: status as ComponentState });
  }
  if (problems.length > 0) throw new StatusInputError(problems);
  return out;
}

export const findIncidentOrUndefined = (state: StatusState, id: string): Incident | undefined =>
  state.incidents.find((i) => i.id === id);
