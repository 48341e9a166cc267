import { COMPONENT_IDS, incidentPagePath, SITE_DOCUMENTS } from '../contract/status';
import { componentStates, isOpen, overallStatus, StatusInputError, StatusState } from './model';
import { escapeHtml, renderIncidentPage, renderIndex, STATUS_CSS, STATUS_ICON } from './render';
import { publishedIncidents, statuspageDocuments, statuspageProblems } from './statuspage';
import { placeholders } from './templates';

/**
 * Every public document of the site, rendered from ONE state: the page, the Statuspage JSON, the
 * Atom feed, the banner and the history all say the same thing. {@link renderSite} validates the
 * whole set before returning it, so a caller either has a complete, consistent set or an error,
 * never half of one.
 */

export interface SiteDocument {
  /** Key relative to `site/`. */
  readonly path: string;
  readonly body: string;
  readonly contentType: string;
}

/** The banner a wallet app polls: one line, a level and a link. */
export interface BannerDocument {
  readonly indicator: string;
  readonly description: string;
  readonly message: string | null;
  readonly url: string;
  readonly updated_at: string;
  readonly incident_id: string | null;
  readonly drill: boolean;
}

export function banner(state: StatusState): BannerDocument {
  const overall = overallStatus(componentStates(state));
  const open = publishedIncidents(state).filter(isOpen);
  const first = open[0];
  const latest = first?.updates[first.updates.length - 1];
  return {
    indicator: overall.indicator,
    description: overall.description,
    // The first paragraph of the latest update (the advice follows on the page).
    message:
      latest === undefined ? null : `${first.drill ? 'Drill: ' : ''}${first.name}. ${latest.body.split('\n\n')[0]}`,
    url: first === undefined ? state.page.url : `${state.page.url.replace(/\/$/, '')}/${incidentPagePath(first.id)}`,
    updated_at: state.updatedAt,
    incident_id: first?.id ?? null,
    drill: first?.drill ?? false,
  };
}

/** Atom 1.0 (RFC 4287): one entry per published incident update, newest first. */
export function atomFeed(state: StatusState): string {
  const base = state.page.url.replace(/\/$/, '');
  const entries = publishedIncidents(state)
    .flatMap((i) => i.updates.map((u) => ({ i, u })))
    .sort((a, b) => b.u.createdAt.localeCompare(a.u.createdAt))
    .slice(0, 100);
  const host = new URL(state.page.url).host;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>tag:${host},2026:status</id>
<title>${escapeHtml(state.page.name)}</title>
<updated>${state.updatedAt}</updated>
<link rel="alternate" type="text/html" href="${escapeHtml(base)}/"/>
<link rel="self" type="application/atom+xml" href="${escapeHtml(base)}/${SITE_DOCUMENTS.feed}"/>
<author><name>${escapeHtml(state.page.name)}</name></author>
${entries
  .map(
    ({ i, u }) => `<entry>
<id>tag:${host},2026:${escapeHtml(u.id)}</id>
<title>${escapeHtml(`${i.drill ? 'Drill: ' : ''}${i.name.replace(/^Drill: /, '')} (${u.status})`)}</title>
<updated>${u.createdAt}</updated>
<link rel="alternate" type="text/html" href="${escapeHtml(base)}/${incidentPagePath(i.id)}"/>
<content type="text">${escapeHtml(u.body)}</content>
</entry>`,
  )
  .join('\n')}
</feed>
`;
}

export function historyDocument(state: StatusState) {
  return {
    page: { id: state.page.id, updated_at: state.updatedAt },
    components: COMPONENT_IDS.map((id) => ({ id, days: state.history[id] ?? [] })),
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const json = (v: unknown) => `${JSON.stringify(v, null, 1)}\n`;

/**
 * Renders the whole site and checks it: the Statuspage documents against their schemas, no
 * unfilled `{placeholder}` anywhere users read, and every incident page present. Throws
 * StatusInputError listing every problem; returns the complete set otherwise.
 */
export function renderSite(state: StatusState): SiteDocument[] {
  const sp = statuspageDocuments(state);
  const problems = statuspageProblems(sp);
  const docs: SiteDocument[] = [
    { path: SITE_DOCUMENTS.index, body: renderIndex(state), contentType: 'text/html; charset=utf-8' },
    { path: SITE_DOCUMENTS.css, body: STATUS_CSS, contentType: 'text/css; charset=utf-8' },
    { path: SITE_DOCUMENTS.icon, body: STATUS_ICON, contentType: 'image/svg+xml' },
    { path: SITE_DOCUMENTS.summary, body: json(sp.summary), contentType: JSON_TYPE },
    { path: SITE_DOCUMENTS.status, body: json(sp.status), contentType: JSON_TYPE },
    { path: SITE_DOCUMENTS.components, body: json(sp.components), contentType: JSON_TYPE },
    { path: SITE_DOCUMENTS.incidents, body: json(sp.incidents), contentType: JSON_TYPE },
    { path: SITE_DOCUMENTS.unresolved, body: json(sp.unresolved), contentType: JSON_TYPE },
    { path: SITE_DOCUMENTS.feed, body: atomFeed(state), contentType: 'application/atom+xml; charset=utf-8' },
    { path: SITE_DOCUMENTS.banner, body: json(banner(state)), contentType: JSON_TYPE },
    { path: SITE_DOCUMENTS.history, body: json(historyDocument(state)), contentType: JSON_TYPE },
    ...publishedIncidents(state).map((i) => ({
      path: incidentPagePath(i.id),
      body: renderIncidentPage(state, i),
      contentType: 'text/html; charset=utf-8',
    })),
  ];
  for (const i of publishedIncidents(state)) {
    for (const u of i.updates) {
      const left = placeholders(u.body);
      if (left.length > 0)
        problems.push(
          `incident ${i.id} update ${u.id} has unfilled placeholders: ${left.map((p) => `{${p}}`).join(', ')}`,
        );
    }
  }
  if (problems.length > 0)
    throw new StatusInputError(problems, 'the status site would be inconsistent; nothing was published');
  return docs;
}

/** Bytes a first visit to the page downloads (index.html, status.css, the icon), the page-weight figure. */
export function pageWeightBytes(docs: readonly SiteDocument[]): number {
  return docs
    .filter((d) => d.path === SITE_DOCUMENTS.index || d.path === SITE_DOCUMENTS.css || d.path === SITE_DOCUMENTS.icon)
    .reduce((s, d) => s + Buffer.byteLength(d.body), 0);
}
