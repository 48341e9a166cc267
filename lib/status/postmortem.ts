import { ComponentId, ComponentState } from '../contract/status';
import type { DrillRecord } from '../drill/record';
import { formatUtc } from './estimate';
import {
  componentName,
  findIncidentOrUndefined,
  Incident,
  INCIDENT_STATE_LABELS,
  STATE_LABELS,
  StatusState,
} from './model';

/**
 * Postmortem drafts in the usual sections: summary, impact (time in each state per component),
 * time to detect and to recover, a timeline with every status update, contributing factors and
 * action items. The last two are for a human: they are left as `TODO(...)` markers, and publishing
 * (`wallet-status postmortem --publish`) refuses a draft that still has one.
 */

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** Milliseconds each component spent in each non-operational state during the incident. */
export function timeInStates(incident: Incident, now: string): Map<ComponentId, Map<ComponentState, number>> {
  const end = Date.parse(incident.resolvedAt ?? now);
  const result = new Map<ComponentId, Map<ComponentState, number>>();
  const current = new Map<ComponentId, { status: ComponentState; since: number }>();
  const close = (id: ComponentId, until: number) => {
    const c = current.get(id);
    if (c === undefined || c.status === 'operational') return;
    const per = result.get(id) ?? new Map<ComponentState, number>();
    per.set(c.status, (per.get(c.status) ?? 0) + Math.max(0, until - c.since));
    result.set(id, per);
  };
  for (const u of incident.updates) {
    const t = Math.max(Date.parse(u.createdAt), Date.parse(incident.startedAt));
    for (const a of u.affected) {
      close(a.id, t);
      current.set(a.id, { status: a.status, since: t });
    }
  }
  for (const id of current.keys()) close(id, end);
  return result;
}

export function draftPostmortem(state: StatusState, incidentId: string): string {
  const incident = findIncidentOrUndefined(state, incidentId);
  if (incident === undefined) throw new Error(`no incident ${incidentId}`);
  const start = Date.parse(incident.startedAt);
  const firstUpdate = Date.parse(incident.updates[0].createdAt);
  const recovered = incident.monitoringAt ?? incident.resolvedAt;
  const impact = [...timeInStates(incident, state.updatedAt)].flatMap(([id, per]) =>
    [...per].map(([status, ms]) => `- ${componentName(id)}: ${STATE_LABELS[status].toLowerCase()} for ${minutes(ms)}`),
  );
  const audit = state.audit.filter((a) => a.incidentId === incident.id);
  const timeline = [
    { at: incident.startedAt, text: 'Problem started (first signal)' },
    ...incident.updates.map((u) => ({
      at: u.createdAt,
      text: `Status update: **${INCIDENT_STATE_LABELS[u.status]}** by ${u.actor} (${u.reason}): ${u.body.split('\n\n')[0]}`,
    })),
    ...audit
      .filter((a) => !a.action.startsWith('open') && !a.action.startsWith('update') && !a.action.startsWith('resolve'))
      .map((a) => ({ at: a.at, text: `${a.action} by ${a.actor}: ${a.reason}` })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [
    `# Postmortem: ${incident.drill ? 'Drill: ' : ''}${incident.name.replace(/^Drill: /, '')}`,
    '',
    '## Summary',
    '',
    `From ${formatUtc(incident.startedAt)} to ${incident.resolvedAt ? formatUtc(incident.resolvedAt) : 'now (unresolved)'}: ${incident.updates[0].body.split('\n\n')[0]}`,
    '',
    '## Impact',
    '',
    ...(impact.length > 0 ? impact : ['- No component left the operational state.']),
    '',
    '## Detection and recovery',
    '',
    `- Time to detect (problem start to first status update): ${minutes(firstUpdate - start)}`,
    `- Time to recover (problem start to service back, the first monitoring update): ${recovered === undefined ? 'not recovered' : minutes(Date.parse(recovered) - start)}`,
    `- Time to resolve: ${incident.resolvedAt === undefined ? 'not resolved' : minutes(Date.parse(incident.resolvedAt) - start)}`,
    ...(incident.estimateSeconds === undefined
      ? []
      : [`- The first update estimated ${minutes(incident.estimateSeconds * 1000)} from the start.`]),
    '',
    '## Timeline (UTC)',
    '',
    ...timeline.map((e) => `- ${formatUtc(e.at)}: ${e.text}`),
    '',
    '## Contributing factors',
    '',
    '- TODO(contributing factors: what made this happen and what made it worse; a human completes this)',
    '',
    '## Action items',
    '',
    '- TODO(action items: each with an owner and a date; a human completes this)',
    '',
  ].join('\n');
}

/** A postmortem draft from a drill record (`wallet-drill ... --report-dir`'s JSON). */
export function draftDrillPostmortem(record: DrillRecord): string {
  const m = record.measurements;
  return [
    `# Postmortem: Drill ${record.direction} ${record.fromRegion} -> ${record.toRegion} (${record.outcome})`,
    '',
    '## Summary',
    '',
    `${record.message}. Target: ${record.target}${record.scenario ? ` (scenario ${record.scenario})` : ''}.`,
    '',
    '## Impact',
    '',
    `- Public API: served by ${record.toRegion} after the DNS cut-over (${m.dnsCutoverSeconds ?? 'not measured'} s after the switch).`,
    '',
    '## Detection and recovery',
    '',
    `- Time to detect (switch to Route 53 changing the record): ${m.detectionSeconds ?? 'not measured'} s`,
    `- Time to recover (switch to the canary green through the public name): ${m.rtoSeconds ?? 'not measured'} s (target ${m.rtoTargetSeconds} s, ${m.rtoMet === undefined ? 'n/a' : m.rtoMet ? 'met' : 'MISSED'})`,
    `- The model's worst case for this path: ${record.expectedWorstCaseRtoSeconds} s`,
    '',
    '## Timeline (UTC)',
    '',
    ...record.timeline.map((e) => `- ${e.at} (+${e.offsetSeconds} s): ${e.label} (${e.evidence})`),
    '',
    '## Contributing factors',
    '',
    '- TODO(contributing factors: what the drill revealed; a human completes this)',
    '',
    '## Action items',
    '',
    '- TODO(action items: each with an owner and a date; a human completes this)',
    '',
  ].join('\n');
}
