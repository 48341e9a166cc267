import { z } from 'zod';
import { COMPONENT_IDS, COMPONENT_STATES, INCIDENT_STATES, STATUS_COMPONENTS } from '../contract/status';
import { componentStates, Incident, isOpen, overallStatus, StatusState } from './model';
import { incidentUrl } from './incidents';

/**
 * The machine-readable status in the shape of Atlassian Statuspage's public API v2, so existing
 * widgets and aggregators read it unchanged. Schemas written from the public documentation
 * (https://<page>.statuspage.io/api/v2 — "Summary", "Status", "Components", "Incidents",
 * "Unresolved incidents"; the same shape as e.g. confluence.status.atlassian.com/api):
 * - page: id, name, url, time_zone, updated_at
 * - status: indicator one of none, minor, major, critical; description
 * - component: id, name, status (operational | degraded_performance | partial_outage | major_outage |
 *   under_maintenance), created_at, updated_at, position, description, showcase, start_date,
 *   group_id, page_id, group, only_show_if_degraded
 * - incident: id, name, status (investigating | identified | monitoring | resolved | postmortem),
 *   created_at, updated_at, monitoring_at, resolved_at, impact (none | minor | major | critical),
 *   shortlink, started_at, page_id, incident_updates[] {id, status, body, incident_id, created_at,
 *   updated_at, display_at, affected_components}, components[]
 * - summary: page, components, incidents (unresolved), scheduled_maintenances, status
 * Timestamps are ISO 8601 with an offset. Maintenance incidents carry impact `maintenance`, which the
 * documented impact enum does not list; aggregators treat it as Statuspage's own pages do.
 */

const isoTime = z.iso.datetime({ offset: true });

export const pageSchema = z
  .object({ id: z.string(), name: z.string(), url: z.url(), time_zone: z.string(), updated_at: isoTime })
  .strict();

export const statusSchema = z
  .object({ indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']), description: z.string() })
  .strict();

export const componentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(COMPONENT_STATES),
    created_at: isoTime,
    updated_at: isoTime,
    position: z.number().int(),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable(),
    group_id: z.string().nullable(),
    page_id: z.string(),
    group: z.boolean(),
    only_show_if_degraded: z.boolean(),
  })
  .strict();

export const incidentUpdateSchema = z
  .object({
    id: z.string(),
    status: z.enum(INCIDENT_STATES),
    body: z.string(),
    incident_id: z.string(),
    created_at: isoTime,
    updated_at: isoTime,
    display_at: isoTime,
    affected_components: z
      .array(z.object({ code: z.string(), name: z.string(), old_status: z.string(), new_status: z.string() }).strict())
      .nullable(),
  })
  .strict();

export const incidentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(INCIDENT_STATES),
    created_at: isoTime,
    updated_at: isoTime,
    monitoring_at: isoTime.nullable(),
    resolved_at: isoTime.nullable(),
    impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
    shortlink: z.url(),
    started_at: isoTime,
    page_id: z.string(),
    incident_updates: z.array(incidentUpdateSchema),
    components: z.array(componentSchema),
  })
  .strict();

export const statusDocumentSchema = z.object({ page: pageSchema, status: statusSchema }).strict();
export const componentsDocumentSchema = z.object({ page: pageSchema, components: z.array(componentSchema) }).strict();
export const incidentsDocumentSchema = z.object({ page: pageSchema, incidents: z.array(incidentSchema) }).strict();
export const summaryDocumentSchema = z
  .object({
    page: pageSchema,
    components: z.array(componentSchema),
    incidents: z.array(incidentSchema),
    scheduled_maintenances: z.array(incidentSchema),
    status: statusSchema,
  })
  .strict();

export type SummaryDocument = z.infer<typeof summaryDocumentSchema>;

const page = (state: StatusState) => ({
  id: state.page.id,
  name: state.page.name,
  url: state.page.url,
  time_zone: 'Etc/UTC',
  updated_at: state.updatedAt,
});

function components(state: StatusState) {
  const states = componentStates(state);
  const created = state.audit[0]?.at ?? state.updatedAt;
  return COMPONENT_IDS.map((id, position) => ({
    id,
    name: STATUS_COMPONENTS[id].name,
    status: states[id],
    created_at: created < state.componentSince[id] ? created : state.componentSince[id],
    updated_at: state.componentSince[id],
    position: position + 1,
    description: STATUS_COMPONENTS[id].description,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: state.page.id,
    group: false,
    only_show_if_degraded: false,
  }));
}

function incident(state: StatusState, i: Incident, allComponents: ReturnType<typeof components>) {
  const ids = new Set(i.updates.flatMap((u) => u.affected.map((a) => a.id)));
  let previous = new Map<string, string>();
  const updates = i.updates.map((u) => {
    const affected = u.affected.map((a) => ({
      code: a.id,
      name: STATUS_COMPONENTS[a.id].name,
      old_status: previous.get(a.id) ?? 'operational',
      new_status: a.status,
    }));
    previous = new Map([...previous, ...u.affected.map((a) => [a.id, a.status] as const)]);
    return {
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: u.createdAt,
      updated_at: u.createdAt,
      display_at: u.createdAt,
      affected_components: affected.length === 0 ? null : affected,
    };
  });
  return {
    id: i.id,
    name: i.drill && !i.name.startsWith('Drill') ? `Drill: ${i.name}` : i.name,
    status: i.status,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    monitoring_at: i.monitoringAt ?? null,
    resolved_at: i.resolvedAt ?? null,
    impact: i.impact,
    shortlink: incidentUrl(state, i.id),
    started_at: i.startedAt,
    page_id: state.page.id,
    // Newest first, as Statuspage lists them.
    incident_updates: updates.reverse(),
    components: allComponents.filter((c) => ids.has(c.id as never)),
  };
}

/** Incidents users may see: published ones, newest first. */
export const publishedIncidents = (state: StatusState): Incident[] =>
  state.incidents.filter((i) => i.published).sort((a, b) => b.startedAt.localeCompare(a.startedAt));

export interface StatuspageDocuments {
  readonly summary: z.infer<typeof summaryDocumentSchema>;
  readonly status: z.infer<typeof statusDocumentSchema>;
  readonly components: z.infer<typeof componentsDocumentSchema>;
  readonly incidents: z.infer<typeof incidentsDocumentSchema>;
  readonly unresolved: z.infer<typeof incidentsDocumentSchema>;
}

/** The five Statuspage documents from one state (validated by the caller with {@link validateStatuspage}). */
export function statuspageDocuments(state: StatusState): StatuspageDocuments {
  const p = page(state);
  const comps = components(state);
  const status = overallStatus(componentStates(state));
  const all = publishedIncidents(state).map((i) => incident(state, i, comps));
  const unresolved = publishedIncidents(state)
    .filter(isOpen)
    .map((i) => incident(state, i, comps));
  const maintenance = unresolved.filter((i) => i.impact === 'maintenance');
  return {
    summary: {
      page: p,
      components: comps,
      incidents: unresolved.filter((i) => i.impact !== 'maintenance'),
      scheduled_maintenances: maintenance,
      status,
    },
    status: { page: p, status },
    components: { page: p, components: comps },
    incidents: { page: p, incidents: all.slice(0, 50) },
    unresolved: { page: p, incidents: unresolved },
  };
}

const SCHEMAS = {
  summary: summaryDocumentSchema,
  status: statusDocumentSchema,
  components: componentsDocumentSchema,
  incidents: incidentsDocumentSchema,
  unresolved: incidentsDocumentSchema,
} as const;

/** Every schema problem of every document (empty when all validate). */
export function statuspageProblems(docs: Record<keyof typeof SCHEMAS, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const parsed = schema.safeParse(docs[name as keyof typeof SCHEMAS]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${name}.json ${issue.path.join('.')}: ${issue.message}`);
    }
  }
  return problems;
}
