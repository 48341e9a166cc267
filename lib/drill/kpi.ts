import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { API_AVAILABILITY_OBJECTIVE } from '../slo/definitions';
import { percentile, round } from '../failover/timing';
import { parseState } from '../status/model';
import type { StatusState } from '../status/model';
import { DrillRecord } from './record';

/**
 * `wallet-drill kpi --records <dir>`: resilience KPIs from the records the tools already write: drill and
 * chaos records (lib/drill/report.ts JSON) and the status page's state (lib/status: incidents and the
 * per-day uptime of the public API, which the status updater derives from the canaries and alarms).
 *
 * Per scenario: time to detect and time to recover as p50, p90, max and count, never a mean alone (incident
 * durations are skewed), with a warning below {@link MIN_SAMPLES} samples. Per month: SLA attainment of the
 * public API (its daily uptime against the api-availability objective) and incident frequency.
 */

/** Fewer samples than this make a percentile meaningless: the report says so next to the figures. */
export const MIN_SAMPLES = 5;

/** CloudWatch namespace of the KPI series. */
export const KPI_NAMESPACE = 'Wallet/Kpi';

export interface Stat {
  readonly count: number;
  readonly p50?: number;
  readonly p90?: number;
  readonly max?: number;
}

export interface ScenarioKpi {
  /** `drill:<direction>`, `chaos:<experiment>` or `incident:<scenario>`. */
  readonly scenario: string;
  readonly source: 'drill' | 'chaos' | 'incident';
  readonly runs: number;
  readonly passed: number;
  readonly timeToDetectSeconds: Stat;
  readonly timeToRecoverSeconds: Stat;
  /** Set when a distribution has fewer than MIN_SAMPLES samples. */
  readonly warning?: string;
}

export interface MonthKpi {
  /** `YYYY-MM`. */
  readonly month: string;
  /** Mean daily uptime of the public API (percent), from the status page history; undefined without data. */
  readonly availabilityPercent?: number;
  readonly daysWithData: number;
  readonly slaMet?: boolean;
  /** Real incidents started this month (drill incidents excluded). */
  readonly incidents: number;
}

export interface KpiReport {
  readonly recordsDir: string;
  readonly files: {
    readonly drill: number;
    readonly chaos: number;
    readonly status: number;
    readonly skipped: readonly string[];
  };
  readonly slaObjectivePercent: number;
  readonly scenarios: readonly ScenarioKpi[];
  readonly months: readonly MonthKpi[];
  readonly incidentsPerMonth: number;
}

/** The records directory could not be read. */
export class KpiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KpiInputError';
  }
}

function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { count: 0 };
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, p50: round(percentile(s, 50)), p90: round(percentile(s, 90)), max: round(s[s.length - 1]) };
}

/** Reads every *.json under `dir` (not recursive): drill/chaos records and status states; others are listed as skipped. */
export function readRecords(dir: string): { records: DrillRecord[]; states: StatusState[]; skipped: string[] } {
  if (!existsSync(dir)) {
    throw new KpiInputError(
      `--records ${dir} does not exist: pass the directory drills and chaos runs wrote their reports to (--report-dir, default drill-reports)`,
    );
  }
  const records: DrillRecord[] = [];
  const states: StatusState[] = [];
  const skipped: string[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      skipped.push(`${f} (not JSON)`);
      continue;
    }
    const r = raw as Partial<DrillRecord> & { version?: number };
    if (r.tool === 'wallet-drill' && r.schemaVersion === 1) records.push(raw as DrillRecord);
    else if (r.version === 1 && Array.isArray((raw as { incidents?: unknown }).incidents)) {
      try {
        states.push(parseState(raw));
      } catch (e) {
        skipped.push(`${f} (status state, invalid: ${(e as Error).message.split('\n')[0]})`);
      }
    } else skipped.push(`${f} (neither a wallet-drill record nor a status state)`);
  }
  return { records, states, skipped };
}

export function buildKpis(dir: string, input = readRecords(dir)): KpiReport {
  const groups = new Map<
    string,
    { source: ScenarioKpi['source']; detect: number[]; recover: number[]; runs: number; passed: number }
  >();
  const group = (key: string, source: ScenarioKpi['source']) => {
    let g = groups.get(key);
    if (g === undefined) {
      g = { source, detect: [], recover: [], runs: 0, passed: 0 };
      groups.set(key, g);
    }
    return g;
  };
  let drill = 0;
  let chaos = 0;
  for (const r of input.records) {
    // Refused or cancelled runs changed nothing and measured nothing: they are not samples.
    if (r.outcome === 'refused' || r.outcome === 'cancelled' || r.outcome === 'nothing-to-do') continue;
    const isChaos = r.kind === 'chaos' || r.experiment !== undefined;
    if (isChaos) chaos++;
    else drill++;
    const g = isChaos
      ? group(`chaos:${r.experiment?.name ?? r.scenario}`, 'chaos')
      : group(
          `drill:${r.direction}${r.scenario === undefined || r.scenario === 'planned-drill' ? '' : `/${r.scenario}`}`,
          'drill',
        );
    g.runs++;
    if (r.passed) g.passed++;
    const m = r.measurements;
    if (m.detectionSeconds !== undefined) g.detect.push(m.detectionSeconds);
    const recover = isChaos && m.rtoSeconds === undefined ? m.timeToRecoverSeconds : m.rtoSeconds;
    if (recover !== undefined) g.recover.push(recover);
  }
  const months = new Map<string, { uptime: number[]; incidents: number }>();
  const month = (key: string) => {
    let m = months.get(key);
    if (m === undefined) {
      m = { uptime: [], incidents: 0 };
      months.set(key, m);
    }
    return m;
  };
  const seen = new Set<string>();
  for (const s of input.states) {
    for (const i of s.incidents) {
      if (i.drill || seen.has(i.id)) continue;
      seen.add(i.id);
      month(i.startedAt.slice(0, 7)).incidents++;
      const g = group(`incident:${i.scenario}`, 'incident');
      g.runs++;
      const end = i.monitoringAt ?? i.resolvedAt;
      // An incident's start is when it was detected (the updater or an operator opened it).
      g.detect.push(Math.max(0, (Date.parse(i.createdAt) - Date.parse(i.startedAt)) / 1000));
      if (end !== undefined) g.recover.push((Date.parse(end) - Date.parse(i.startedAt)) / 1000);
    }
    for (const day of s.history['public-api'] ?? []) {
      if (day.uptimePercent !== null) month(day.date.slice(0, 7)).uptime.push(day.uptimePercent);
    }
  }
  const objective = API_AVAILABILITY_OBJECTIVE * 100;
  const scenarios: ScenarioKpi[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([scenario, g]) => {
      const detect = stat(g.detect);
      const recover = stat(g.recover);
      const few = Math.min(detect.count || Infinity, recover.count || Infinity, g.runs);
      return {
        scenario,
        source: g.source,
        runs: g.runs,
        passed: g.passed,
        timeToDetectSeconds: detect,
        timeToRecoverSeconds: recover,
        warning:
          few < MIN_SAMPLES
            ? `only ${few} sample${few === 1 ? '' : 's'} (fewer than ${MIN_SAMPLES}): the percentiles say little; run more drills before trusting them`
            : undefined,
      };
    });
  const monthRows: MonthKpi[] = [...months.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([m, v]) => {
      const availability =
        v.uptime.length === 0 ? undefined : round(v.uptime.reduce((s, x) => s + x, 0) / v.uptime.length, 3);
      return {
        month: m,
        availabilityPercent: availability,
        daysWithData: v.uptime.length,
        slaMet: availability === undefined ? undefined : availability >= objective,
        incidents: v.incidents,
      };
    });
  const incidentMonths = monthRows.length;
  return {
    recordsDir: dir,
    files: { drill, chaos, status: input.states.length, skipped: input.skipped },
    slaObjectivePercent: objective,
    scenarios,
    months: monthRows,
    incidentsPerMonth: incidentMonths === 0 ? 0 : round(seen.size / incidentMonths, 2),
  };
}

const fmt = (s: Stat) => (s.count === 0 ? 'n/a' : `${s.p50} / ${s.p90} / ${s.max} s (n=${s.count})`);

export function renderKpiText(k: KpiReport): string {
  const lines = [
    `KPIs from ${k.recordsDir}: ${k.files.drill} drill and ${k.files.chaos} chaos records, ${k.files.status} status state(s)`,
    '',
    'Time to detect / time to recover, p50 / p90 / max:',
  ];
  for (const s of k.scenarios) {
    lines.push(
      `  ${s.scenario.padEnd(34)} detect ${fmt(s.timeToDetectSeconds)}; recover ${fmt(s.timeToRecoverSeconds)}; passed ${s.passed}/${s.runs}`,
    );
    if (s.warning !== undefined) lines.push(`    ! ${s.warning}`);
  }
  lines.push(
    '',
    `SLA ${k.slaObjectivePercent}% (public API, daily uptime from the status page) and incidents per month:`,
  );
  for (const m of k.months) {
    lines.push(
      `  ${m.month}  ${m.availabilityPercent === undefined ? 'no uptime data' : `${m.availabilityPercent}% over ${m.daysWithData} days ${m.slaMet ? 'met' : 'MISSED'}`}; incidents ${m.incidents}`,
    );
  }
  lines.push(`  incident frequency: ${k.incidentsPerMonth} per month`);
  if (k.files.skipped.length > 0) lines.push('', `Skipped: ${k.files.skipped.join('; ')}`);
  return lines.join('\n');
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained page (no scripts, no external resources), like the drill report. */
export function renderKpiHtml(k: KpiReport): string {
  const cell = (s: Stat) => (s.count === 0 ? 'n/a' : `${s.p50} / ${s.p90} / ${s.max}`);
  const rows = k.scenarios
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s.scenario)}</th><td>${cell(s.timeToDetectSeconds)}</td><td>${cell(s.timeToRecoverSeconds)}</td><td>${s.timeToRecoverSeconds.count}</td><td>${s.passed} of ${s.runs}</td><td>${s.warning === undefined ? '' : `<span class="warn">${esc(s.warning)}</span>`}</td></tr>`,
    )
    .join('\n');
  const months = k.months
    .map(
      (m) =>
        `<tr><th scope="row">${esc(m.month)}</th><td>${m.availabilityPercent === undefined ? 'no data' : `${m.availabilityPercent}%`}</td><td>${m.daysWithData}</td><td>${m.slaMet === undefined ? '' : m.slaMet ? '<span class="ok">met</span>' : '<span class="bad">missed</span>'}</td><td>${m.incidents}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Resilience KPIs</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1040px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-bottom: 24px; }
th, td { border-bottom: 1px solid #ddd; padding: 6px; text-align: left; vertical-align: top; }
.warn { color: #8a5a00; } .ok { color: #1a6b34; font-weight: 600; } .bad { color: #a4161a; font-weight: 600; }
</style>
</head>
<body>
<main>
<h1>Resilience KPIs</h1>
<p>${k.files.drill} drill and ${k.files.chaos} chaos records and ${k.files.status} status state(s) from <code>${esc(k.recordsDir)}</code>. Percentiles, not means: recovery times are skewed. Fewer than ${MIN_SAMPLES} samples are flagged.</p>
<h2>Time to detect and to recover (seconds: p50 / p90 / max)</h2>
<table>
<thead><tr><th scope="col">Scenario</th><th scope="col">Detect</th><th scope="col">Recover</th><th scope="col">Samples</th><th scope="col">Passed</th><th scope="col">Note</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>SLA ${k.slaObjectivePercent}% and incidents per month</h2>
<table>
<thead><tr><th scope="col">Month</th><th scope="col">Public API availability</th><th scope="col">Days with data</th><th scope="col">SLA</th><th scope="col">Incidents</th></tr></thead>
<tbody>
${months}
</tbody>
</table>
<p>Incident frequency: ${k.incidentsPerMonth} per month.</p>
</main>
</body>
</html>
`;
}

/** Publishes the KPIs as CloudWatch metrics (one PutMetricData of at most 1000 points per call). */
export async function publishKpis(client: CloudWatchClient, k: KpiReport, at: Date): Promise<number> {
  const data: Array<{
    MetricName: string;
    Dimensions: Array<{ Name: string; Value: string }>;
    Value: number;
    Unit: 'Seconds' | 'Count' | 'Percent';
    Timestamp: Date;
  }> = [];
  for (const s of k.scenarios) {
    const dims = [{ Name: 'Scenario', Value: s.scenario }];
    for (const [name, st] of [
      ['TimeToDetect', s.timeToDetectSeconds],
      ['TimeToRecover', s.timeToRecoverSeconds],
    ] as const) {
      if (st.count === 0) continue;
      for (const [p, v] of [
        ['p50', st.p50],
        ['p90', st.p90],
        ['max', st.max],
      ] as const) {
        data.push({
          MetricName: `${name}${p.toUpperCase()}`,
          Dimensions: dims,
          Value: v as number,
          Unit: 'Seconds',
          Timestamp: at,
        });
      }
      data.push({ MetricName: `${name}Samples`, Dimensions: dims, Value: st.count, Unit: 'Count', Timestamp: at });
    }
  }
  const latest = k.months.filter((m) => m.availabilityPercent !== undefined).at(-1);
  if (latest !== undefined) {
    data.push({
      MetricName: 'ApiAvailability',
      Dimensions: [{ Name: 'Month', Value: latest.month }],
      Value: latest.availabilityPercent as number,
      Unit: 'Percent',
      Timestamp: at,
    });
  }
  data.push({
    MetricName: 'IncidentsPerMonth',
    Dimensions: [],
    Value: k.incidentsPerMonth,
    Unit: 'Count',
    Timestamp: at,
  });
  for (let i = 0; i < data.length; i += 1000) {
    await client.send(new PutMetricDataCommand({ Namespace: KPI_NAMESPACE, MetricData: data.slice(i, i + 1000) }));
  }
  return data.length;
}
