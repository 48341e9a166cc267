import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DrillRecord, TimelineEvent } from './record';

/**
 * Drill reports: JSON (the record, for machines and the KPI series), Markdown (for the incident or
 * change ticket) and a self-contained HTML page with an inline SVG timeline (no scripts, no
 * external resources, so it opens anywhere, offline, and can be attached to a ticket).
 */

const fmt = (v: number | undefined, unit = 's'): string => (v === undefined ? 'not measured' : `${v} ${unit}`);

export function verdict(record: DrillRecord): string {
  switch (record.outcome) {
    case 'completed':
      return record.passed ? 'PASS' : 'FAIL';
    case 'aborted-restored':
      return 'ABORTED (restored)';
    case 'aborted-not-restored':
      return 'ABORTED (NOT restored)';
    case 'refused':
      return 'REFUSED';
    case 'nothing-to-do':
      return 'NOTHING TO DO';
    case 'cancelled':
      return 'CANCELLED';
    default:
      return 'FAILED';
  }
}

/** The heading of a record: a drill's direction and regions, or a chaos run's experiment. */
export function heading(record: DrillRecord): string {
  return record.experiment === undefined
    ? `Drill ${record.direction}: ${record.envName} ${record.fromRegion} -> ${record.toRegion}`
    : `Chaos ${record.experiment.name}: ${record.envName} ${record.experiment.region} (${record.experiment.action})`;
}

export function renderJson(record: DrillRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(record: DrillRecord): string {
  const m = record.measurements;
  // A chaos run measures from the moment the fault was active, a drill from the switch.
  const from = record.kind === 'chaos' ? 'fault active' : 'switch';
  const lines: string[] = [
    `# ${heading(record)}: ${verdict(record)}`,
    '',
    `${record.message}.`,
    '',
    `- Target: ${record.target}${record.scenario === undefined ? '' : ` (scenario ${record.scenario})`}`,
    `- Started ${record.startedAt}, finished ${record.finishedAt}`,
    `- Outcome: ${record.outcome} (exit ${record.exitCode})`,
    `- Settings: health check every ${record.settings.intervalSeconds} s, threshold ${record.settings.failureThreshold}, TTL ${record.settings.ttlSeconds} s, ${record.settings.checkerRegions.length} checker regions, ${record.settings.consistency}, canary ${record.settings.canarySchedule}`,
    '',
    '## Measurements',
    '',
    '| Measure | Value | Target | Met |',
    '| --- | --- | --- | --- |',
    `| Detection (${from} -> Route 53 changed the primary record, upper bound) | ${fmt(m.detectionSeconds)}${m.detectionBoundsSeconds === undefined ? '' : ` (between ${m.detectionBoundsSeconds[0]} and ${m.detectionBoundsSeconds[1]} s)`} | | |`,
    `| DNS cut-over (${from} -> authoritative answer changed) | ${fmt(m.dnsCutoverSeconds)} | | |`,
    `| RTO (${from} -> ${record.toRegion} canary served through the public name) | ${fmt(m.rtoSeconds)} | ${m.rtoTargetSeconds} s | ${m.rtoMet === undefined ? 'n/a' : m.rtoMet ? 'yes' : 'NO'} |`,
    `| Observed RPO (replication lag at the lease handover) | ${fmt(m.observedRpoSeconds)} | ${m.rpoTargetSeconds} s | ${m.rpoMet === undefined ? 'n/a' : m.rpoMet ? 'yes' : 'NO'} |`,
    ...(m.externalFailoverSeconds === undefined
      ? []
      : [
          `| Failover by ${mdCell(record.experiment?.failedOverBy ?? 'someone else')} (${from} -> lease moved or switch thrown, first seen) | ${fmt(m.externalFailoverSeconds)} | | |`,
        ]),
    ...(m.timeToRecoverSeconds === undefined
      ? []
      : [`| Time to recover (${from} -> environment recovered after the stop) | ${fmt(m.timeToRecoverSeconds)} | | |`]),
    '',
    `The model's worst case for this path (switch detection + propagation + resolver cache + canary run) is ${record.expectedWorstCaseRtoSeconds} s.`,
  ];
  if (m.alreadyFailedOverBeforeSwitch) {
    lines.push(
      '',
      `Route 53 was already answering with ${record.toRegion} before the switch was thrown (an unplanned failure): the times above are measured from the switch, not from the failure. \`wallet-drill simulate\` estimates the unplanned RTO.`,
    );
  }
  lines.push('', '## Timeline', '', '| +s | Time (UTC) | Event | Evidence |', '| --- | --- | --- | --- |');
  for (const e of record.timeline) {
    lines.push(`| ${e.offsetSeconds} | ${e.at} | ${mdCell(e.label)} | ${mdCell(e.evidence)} |`);
  }
  lines.push(
    '',
    '## Checks (pre-checks, then the status page after each phase)',
    '',
    '| Check | Result | Detail |',
    '| --- | --- | --- |',
  );
  for (const c of record.checks) {
    lines.push(
      `| ${mdCell(c.title)} | ${c.ok ? 'ok' : c.level === 'warning' ? 'warning' : 'FAILED'} | ${mdCell(c.detail)}${c.fix === undefined ? '' : ` Fix: ${mdCell(c.fix)}`} |`,
    );
  }
  if (record.steps.length > 0) {
    lines.push('', '## Steps taken', '');
    for (const s of record.steps)
      lines.push(`- ${s.title}: ${s.detail ?? (s.done ? 'done' : 'not done')}${s.at ? ` at ${s.at}` : ''}`);
  }
  if (record.restore !== undefined) {
    lines.push('', '## Restore', '', `Reason: ${record.restore.reason}`, '');
    for (const a of record.restore.actions) lines.push(`- done: ${a}`);
    for (const p of record.restore.problems) lines.push(`- PROBLEM: ${p}`);
    if (record.restore.manualSteps.length > 0) {
      lines.push('', '### Manual steps', '', '```sh', ...record.restore.manualSteps, '```');
    }
  }
  const counts = new Map<string, number>();
  for (const c of record.calls)
    counts.set(
      `${c.kind} ${c.service} ${c.command} (${c.region})`,
      (counts.get(`${c.kind} ${c.service} ${c.command} (${c.region})`) ?? 0) + 1,
    );
  lines.push('', '## AWS calls', '', '| Kind | Call | Count |', '| --- | --- | --- |');
  for (const [k, n] of [...counts.entries()].sort()) {
    const [kind, ...rest] = k.split(' ');
    lines.push(`| ${kind} | ${rest.join(' ')} | ${n} |`);
  }
  lines.push(
    '',
    '## Model assumptions',
    '',
    ...Object.entries(record.assumptions).map(([k, v]) => `- ${k}: ${JSON.stringify(v)}`),
    '',
  );
  return lines.join('\n');
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The timeline as an inline SVG: one lane per phase interval, markers for every event, the RTO target. */
export function renderTimelineSvg(record: DrillRecord): string {
  const events = record.timeline;
  const width = 1000;
  const left = 330;
  const right = 30;
  const top = 30;
  const lane = 34;
  const m = record.measurements;
  const maxEvent = Math.max(0, ...events.map((e) => e.offsetSeconds));
  const minEvent = Math.min(0, ...events.map((e) => e.offsetSeconds));
  const span = Math.max(maxEvent, m.rtoTargetSeconds) * 1.05 - minEvent || 60;
  const x = (s: number) => left + ((s - minEvent) / span) * (width - left - right);
  const bars: Array<{ label: string; from: number; to: number; color: string }> = [];
  const at = (id: string) => events.find((e) => e.id === id)?.offsetSeconds;
  const sw = at('switch-thrown') ?? at('fault-active') ?? 0;
  const r53 = at('route53-changed');
  const dns = at('dns-changed');
  const canary = at('canary-green');
  if (r53 !== undefined) bars.push({ label: 'detection (Route 53)', from: sw, to: r53, color: '#c0392b' });
  if (dns !== undefined) bars.push({ label: 'DNS cut-over', from: r53 ?? sw, to: dns, color: '#d68910' });
  if (canary !== undefined)
    bars.push({ label: 'resolver cache + canary', from: dns ?? sw, to: canary, color: '#1e8449' });
  const restoreFrom = at('aborted');
  const restoreTo = at('restore-verified') ?? at('lease-restored') ?? at('switch-restored');
  if (restoreFrom !== undefined && restoreTo !== undefined) {
    bars.push({ label: 'restore', from: restoreFrom, to: restoreTo, color: '#7d3c98' });
  }
  const height = top + (bars.length + events.length) * lane + 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Drill timeline">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  // Axis with ticks every nice step.
  const step = [5, 10, 15, 30, 60, 120, 300].find((s) => span / s <= 12) ?? 600;
  const axisY = height - 30;
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="#555"/>`);
  for (let s = Math.ceil(minEvent / step) * step; s <= minEvent + span; s += step) {
    parts.push(
      `<line x1="${x(s)}" y1="${top - 10}" x2="${x(s)}" y2="${axisY}" stroke="#e5e5e5"/>`,
      `<text x="${x(s)}" y="${axisY + 16}" font-size="11" text-anchor="middle" fill="#333">${s} s</text>`,
    );
  }
  // RTO target.
  parts.push(
    `<line x1="${x(sw + m.rtoTargetSeconds)}" y1="${top - 14}" x2="${x(sw + m.rtoTargetSeconds)}" y2="${axisY}" stroke="#2c3e50" stroke-dasharray="6 4"/>`,
    `<text x="${x(sw + m.rtoTargetSeconds) - 4}" y="${top - 16}" font-size="11" text-anchor="end" fill="#2c3e50">RTO target ${m.rtoTargetSeconds} s</text>`,
  );
  let y = top;
  for (const b of bars) {
    const w = Math.max(2, x(b.to) - x(b.from));
    parts.push(
      `<text x="${left - 8}" y="${y + 17}" font-size="12" text-anchor="end" fill="#222">${esc(b.label)}</text>`,
      `<rect x="${x(b.from)}" y="${y + 4}" width="${w}" height="20" rx="3" fill="${b.color}"/>`,
      `<text x="${x(b.from) + w + 6}" y="${y + 18}" font-size="11" fill="#222">${Math.round((b.to - b.from) * 10) / 10} s</text>`,
    );
    y += lane;
  }
  for (const e of events) {
    const cx = x(e.offsetSeconds);
    parts.push(
      `<text x="${left - 8}" y="${y + 17}" font-size="12" text-anchor="end" fill="#222">${esc(shorten(e.label, 48))}</text>`,
      `<line x1="${left}" y1="${y + 14}" x2="${cx}" y2="${y + 14}" stroke="#bbb" stroke-dasharray="2 3"/>`,
      `<circle cx="${cx}" cy="${y + 14}" r="6" fill="${markerColor(e)}"><title>${esc(`${e.label} at ${e.at} (+${e.offsetSeconds} s): ${e.evidence}`)}</title></circle>`,
      `<text x="${cx + 10}" y="${y + 18}" font-size="11" fill="#444">+${e.offsetSeconds} s</text>`,
    );
    y += lane;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

const shorten = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function markerColor(e: TimelineEvent): string {
  if (e.id === 'aborted') return '#c0392b';
  if (e.id.endsWith('restored') || e.id === 'restore-verified') return '#7d3c98';
  if (e.id === 'canary-green') return '#1e8449';
  return '#2c3e50';
}

export function renderHtml(record: DrillRecord): string {
  const m = record.measurements;
  const v = verdict(record);
  const badge =
    v === 'PASS' ? '#1e8449' : v.startsWith('ABORTED (restored') || v === 'NOTHING TO DO' ? '#b9770e' : '#c0392b';
  const card = (title: string, value: string, sub: string) =>
    `<div class="card"><div class="t">${esc(title)}</div><div class="v">${esc(value)}</div><div class="s">${esc(sub)}</div></div>`;
  const rows = (cells: string[][]) => cells.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${heading(record)}: ${v}`)}</title>
<style>
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 24px; color: #222; max-width: 1040px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin-top: 28px; }
.badge { display: inline-block; padding: 3px 10px; border-radius: 4px; color: #fff; background: ${badge}; font-weight: 600; }
.meta { color: #555; font-size: 13px; margin: 6px 0 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; min-width: 190px; }
.card .t { font-size: 12px; color: #666; } .card .v { font-size: 22px; font-weight: 600; } .card .s { font-size: 12px; color: #666; }
table { border-collapse: collapse; width: 100%; font-size: 13px; } td, th { border-bottom: 1px solid #eee; padding: 5px 6px; text-align: left; vertical-align: top; }
.ok { color: #1e8449; font-weight: 600; } .bad { color: #c0392b; font-weight: 600; } .warn { color: #b9770e; font-weight: 600; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(heading(record)).replace(' -&gt; ', ' &rarr; ')} <span class="badge">${esc(v)}</span></h1>
<div class="meta">${esc(record.message)}<br>target ${esc(record.target)}${record.scenario === undefined ? '' : ` (scenario ${esc(record.scenario)})`} &middot; started ${esc(record.startedAt)} &middot; finished ${esc(record.finishedAt)} &middot; exit ${record.exitCode}</div>
<div class="cards">
${card('Detection', fmt(m.detectionSeconds), m.detectionBoundsSeconds === undefined ? 'switch -> Route 53 (upper bound)' : `between ${m.detectionBoundsSeconds[0]} and ${m.detectionBoundsSeconds[1]} s`)}
${card('DNS cut-over', fmt(m.dnsCutoverSeconds), 'switch -> authoritative answer')}
${card('RTO', fmt(m.rtoSeconds), `target ${m.rtoTargetSeconds} s ${m.rtoMet === undefined ? '' : m.rtoMet ? '(met)' : '(MISSED)'}`)}
${card('Observed RPO', fmt(m.observedRpoSeconds), `target ${m.rpoTargetSeconds} s ${m.rpoMet === undefined ? '' : m.rpoMet ? '(met)' : '(MISSED)'}`)}
</div>
<h2>Timeline</h2>
${renderTimelineSvg(record)}
<table><tr><th>+s</th><th>Time (UTC)</th><th>Event</th><th>Evidence</th></tr>
${rows(record.timeline.map((e) => [String(e.offsetSeconds), esc(e.at), esc(e.label), esc(e.evidence)]))}
</table>
<h2>Checks (pre-checks, then the status page after each phase)</h2>
<table><tr><th>Check</th><th>Result</th><th>Detail</th></tr>
${rows(record.checks.map((c) => [esc(c.title), c.ok ? '<span class="ok">ok</span>' : c.level === 'warning' ? '<span class="warn">warning</span>' : '<span class="bad">FAILED</span>', esc(c.detail + (c.fix === undefined ? '' : ` Fix: ${c.fix}`))]))}
</table>
${
  record.restore === undefined
    ? ''
    : `<h2>Restore</h2><p>${esc(record.restore.reason)}</p><ul>${[
        ...record.restore.actions.map((a) => `<li>${esc(a)}</li>`),
        ...record.restore.problems.map((p) => `<li class="bad">${esc(p)}</li>`),
      ].join(
        '',
      )}</ul>${record.restore.manualSteps.length === 0 ? '' : `<h2>Manual steps</h2><pre>${esc(record.restore.manualSteps.join('\n'))}</pre>`}`
}
<h2>Settings and model assumptions</h2>
<table>
${rows([
  [
    'Health check',
    `every ${record.settings.intervalSeconds} s, threshold ${record.settings.failureThreshold}, ${record.settings.checkerRegions.length} checker regions`,
  ],
  ['Record TTL', `${record.settings.ttlSeconds} s`],
  ['Consistency', esc(record.settings.consistency)],
  ['Canary', esc(record.settings.canarySchedule)],
  ['Model worst case (planned path + canary)', `${record.expectedWorstCaseRtoSeconds} s`],
  ...Object.entries(record.assumptions).map(([k, val]) => [esc(k), esc(JSON.stringify(val))]),
])}
</table>
<h2>AWS calls</h2>
<p>${record.calls.length} calls: ${record.calls.filter((c) => c.kind === 'write').length} data-plane writes (${esc([...new Set(record.calls.filter((c) => c.kind === 'write').map((c) => `${c.service} ${c.command}`))].join(', ') || 'none')}), the rest read-only.</p>
</body>
</html>
`;
}

export interface WrittenReports {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/** Writes `<dir>/<record id>.{json,md,html}` and returns the paths. */
export function writeReports(record: DrillRecord, dir: string): WrittenReports {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, record.id);
  const out = { json: `${base}.json`, markdown: `${base}.md`, html: `${base}.html` };
  writeFileSync(out.json, renderJson(record));
  writeFileSync(out.markdown, renderMarkdown(record));
  writeFileSync(out.html, renderHtml(record));
  return out;
}
