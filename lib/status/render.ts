import {
  COMPONENT_IDS,
  ComponentState,
  incidentPagePath,
  SITE_DOCUMENTS,
  STATUS_HISTORY_DAYS,
} from '../contract/status';
import { formatUtc } from './estimate';
import {
  componentName,
  componentStates,
  Incident,
  INCIDENT_STATE_LABELS,
  isOpen,
  overallStatus,
  STATE_LABELS,
  StatusState,
  UptimeDay,
} from './model';
import { publishedIncidents } from './statuspage';

/**
 * The human page: static HTML and one CSS file, no scripts, no external fonts or images, readable
 * without JavaScript, at phone width, and in the order a screen reader reads it (overall status,
 * open incidents with their advice, components, uptime history, past incidents). Every state is
 * written in words, never by colour alone.
 */

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A deliberately small Markdown subset (headings, lists, paragraphs, `code`), everything escaped. */
export function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  let list: string[] = [];
  let para: string[] = [];
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  const flush = () => {
    if (list.length > 0) out.push(`<ul>${list.map((l) => `<li>${inline(l)}</li>`).join('')}</ul>`);
    if (para.length > 0) out.push(`<p>${inline(para.join(' '))}</p>`);
    list = [];
    para = [];
  };
  for (const line of markdown.split('\n')) {
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading !== null) {
      flush();
      // Page headings are h1/h2; a postmortem's own headings start at h3.
      const level = Math.min(6, heading[1].length + 2);
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
    } else if (item !== null) {
      if (para.length > 0) flush();
      list.push(item[1]);
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list.length > 0) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}

const STATE_CLASS: Record<ComponentState, string> = {
  operational: 'ok',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
  under_maintenance: 'maint',
};

const time = (iso: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatUtc(iso))}</time>`;

function page(title: string, cssHref: string, body: string, state: StatusState): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${cssHref}">
<link rel="icon" href="${cssHref.replace('status.css', SITE_DOCUMENTS.icon)}" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="Incident feed" href="${cssHref.replace('status.css', SITE_DOCUMENTS.feed)}">
</head>
<body>
<header><p class="brand">${escapeHtml(state.page.name)}</p></header>
<main>
${body}
</main>
<footer><p>Updated ${time(state.updatedAt)}. Machine-readable: <a href="${cssHref.replace('status.css', SITE_DOCUMENTS.summary)}">summary.json</a>, <a href="${cssHref.replace('status.css', SITE_DOCUMENTS.feed)}">Atom feed</a>.</p></footer>
</body>
</html>
`;
}

function updatesList(incident: Incident): string {
  return `<ol class="updates">${[...incident.updates]
    .reverse()
    .map(
      (u) =>
        `<li><p><strong>${INCIDENT_STATE_LABELS[u.status]}</strong> ${time(u.createdAt)}</p>${u.body
          .split('\n\n')
          .map((p) => `<p>${escapeHtml(p)}</p>`)
          .join('')}</li>`,
    )
    .join('')}</ol>`;
}

function incidentArticle(incident: Incident, headingLevel: 2 | 3, link: string | undefined): string {
  const h = `h${headingLevel}`;
  const title = escapeHtml(
    incident.drill && !incident.name.startsWith('Drill') ? `Drill: ${incident.name}` : incident.name,
  );
  return `<article class="incident${incident.drill ? ' drill' : ''}" data-incident="${escapeHtml(incident.id)}" data-status="${incident.status}">
<${h}>${link === undefined ? title : `<a href="${link}">${title}</a>`}</${h}>
<p class="meta">${INCIDENT_STATE_LABELS[incident.status]} · started ${time(incident.startedAt)}${incident.resolvedAt ? ` · resolved ${time(incident.resolvedAt)}` : ''}${incident.drill ? ' · <strong>drill</strong>' : ''}</p>
${updatesList(incident)}
</article>`;
}

function uptimeSummary(days: readonly UptimeDay[]): string {
  const known = days.filter((d) => d.uptimePercent !== null);
  if (known.length === 0) return 'no data yet';
  const mean = known.reduce((s, d) => s + (d.uptimePercent ?? 0), 0) / known.length;
  return `${mean.toFixed(2)} % uptime over the last ${known.length} day${known.length === 1 ? '' : 's'}`;
}

function uptimeBars(days: readonly UptimeDay[]): string {
  const recent = days.slice(-STATUS_HISTORY_DAYS);
  const cls = (p: number | null) =>
    p === null ? 'nd' : p >= 99.9 ? 'ok' : p >= 99 ? 'minor' : p >= 95 ? 'major' : 'critical';
  // Decorative (the text next to it says the same); hidden from assistive technology.
  return `<span class="bars" aria-hidden="true">${recent.map((d) => `<i class="${cls(d.uptimePercent)}"></i>`).join('')}</span>`;
}

/** index.html */
export function renderIndex(state: StatusState): string {
  const states = componentStates(state);
  const overall = overallStatus(states);
  const incidents = publishedIncidents(state);
  const open = incidents.filter(isOpen);
  const past = incidents.filter((i) => !isOpen(i)).slice(0, 10);
  const body = `<h1 class="overall ${overall.indicator}" id="overall" data-indicator="${overall.indicator}">${escapeHtml(overall.description)}</h1>
${open.length > 0 ? `<section aria-labelledby="open-h"><h2 id="open-h">Current incidents</h2>${open.map((i) => incidentArticle(i, 3, incidentPagePath(i.id))).join('\n')}</section>` : ''}
<section aria-labelledby="components-h"><h2 id="components-h">Components</h2>
<ul class="components">
${COMPONENT_IDS.map(
  (id) =>
    `<li data-component="${id}" data-state="${states[id]}"><span class="name">${escapeHtml(componentName(id))}</span> <span class="state ${STATE_CLASS[states[id]]}">${STATE_LABELS[states[id]]}</span></li>`,
).join('\n')}
</ul></section>
<section aria-labelledby="history-h"><h2 id="history-h">Uptime, last ${STATUS_HISTORY_DAYS} days</h2>
<ul class="history">
${COMPONENT_IDS.map((id) => `<li><span class="name">${escapeHtml(componentName(id))}</span> <span class="uptime">${uptimeSummary(state.history[id] ?? [])}</span>${uptimeBars(state.history[id] ?? [])}</li>`).join('\n')}
</ul></section>
<section aria-labelledby="past-h"><h2 id="past-h">Past incidents</h2>
${past.length === 0 ? '<p>No incidents reported.</p>' : `<ul class="past">${past.map((i) => `<li><a href="${incidentPagePath(i.id)}">${escapeHtml(i.drill ? `Drill: ${i.name.replace(/^Drill: /, '')}` : i.name)}</a> ${time(i.startedAt)}${i.postmortem ? ' · postmortem' : ''}</li>`).join('')}</ul>`}
</section>`;
  return page(`${state.page.name}: ${overall.description}`, SITE_DOCUMENTS.css, body, state);
}

/** incidents/<id>.html: every update, and the postmortem once published. */
export function renderIncidentPage(state: StatusState, incident: Incident): string {
  const body = `<p><a href="../${SITE_DOCUMENTS.index}">All systems</a></p>
${incidentArticle(incident, 2, undefined).replace('<h2>', '<h1>').replace('</h2>', '</h1>')}
${incident.postmortem ? `<section class="postmortem" aria-labelledby="pm-h"><h2 id="pm-h">Postmortem</h2>${markdownToHtml(incident.postmortem.body)}</section>` : ''}`;
  return page(`${incident.name} · ${state.page.name}`, `../${SITE_DOCUMENTS.css}`, body, state);
}

/** A 16 px circle (browsers ask for an icon; without one they log a 404). */
export const STATUS_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1a7f37"/></svg>\n';

/** The stylesheet: system fonts, no external resources, phone width first; contrast AA in both schemes. */
export const STATUS_CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff}
header,main,footer{max-width:46rem;margin:0 auto;padding:0 1rem}
.brand{font-weight:700;margin:1rem 0 0}
h1{font-size:1.5rem;margin:.75rem 0;padding:.75rem 1rem;border-radius:.4rem;border-left:.5rem solid #1a7f37;background:#eef7f0}
h1.minor{border-color:#9a6700;background:#fff8e5}h1.major{border-color:#bc4c00;background:#fff1e5}
h1.critical{border-color:#b3261e;background:#ffebe9}h1.maintenance{border-color:#0550ae;background:#eaf2ff}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}h3{font-size:1.05rem;margin:.5rem 0}
ul{padding:0;list-style:none}ul.components li,ul.history li{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem;padding:.5rem 0;border-bottom:1px solid #d0d7de}
.state{font-weight:600}.ok{color:#1a7f37}.minor{color:#7d5400}.major{color:#a04100}.critical{color:#b3261e}.maint{color:#0550ae}
.bars{display:flex;width:100%;height:1.5rem;gap:1px}.bars i{flex:1;background:#1a7f37}.bars i.minor{background:#bf8700}.bars i.major{background:#bc4c00}.bars i.critical{background:#b3261e}.bars i.nd{background:#d0d7de}
.incident{border:1px solid #d0d7de;border-radius:.4rem;padding:.5rem 1rem;margin:.5rem 0}.incident.drill{border-style:dashed}
.meta{color:#57606a;margin:.25rem 0}ol.updates{padding-left:1.25rem}
a{color:#0550ae}footer{color:#57606a;font-size:.9rem;margin-top:2rem;padding-bottom:2rem}
code{font-size:.9em}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}h1{background:#10231a}h1.minor{background:#2a2210}h1.major{background:#2d1a0e}h1.critical{background:#2d1214}h1.maintenance{background:#0c1d33}
.ok{color:#3fb950}.minor{color:#d29922}.major{color:#f0883e}.critical{color:#ff7b72}.maint{color:#79c0ff}a{color:#79c0ff}.meta,footer{color:#9da7b3}ul.components li,ul.history li,.incident{border-color:#30363d}}
`;
