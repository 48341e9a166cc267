import { WalletConfig } from '../config/schema';
import { round } from '../failover/timing';
import { CheckResult } from './checks';
import { DrillEvent } from './drill';
import { DrillRecord } from './record';
import { MonteCarloResult, PathResult } from './montecarlo';
import { Plan } from './plan';
import { verdict } from './report';
import { EnvironmentStatus, Reading } from './status';

/** A stream the CLI writes to. */
export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** ANSI colours, or plain text when colour is off (not a TTY, NO_COLOR, --no-color). */
export interface Paint {
  readonly enabled: boolean;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export function paint(enabled: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    enabled,
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org) or --no-color is given. */
export function colourEnabled(stream: OutStream, env: Record<string, string | undefined>, flag: boolean): boolean {
  return flag && stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const SPINNER = ['|', '/', '-', '\\'];

/**
 * Shows the drill's progress on stderr. On a TTY: one self-updating line while waiting (a spinner
 * with the elapsed time and the phase timeout). Elsewhere: plain lines for phases only, so logs
 * and CI output stay clean.
 */
export class Progress {
  private frame = 0;
  private lineOpen = false;

  constructor(
    private readonly out: OutStream,
    private readonly p: Paint,
    private readonly enabled: boolean,
  ) {}

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  private clear(): void {
    if (this.lineOpen) {
      this.out.write('\r\u001b[2K');
      this.lineOpen = false;
    }
  }

  line(text: string): void {
    if (!this.enabled) return;
    this.clear();
    this.out.write(`${text}\n`);
  }

  handle(event: DrillEvent): void {
    if (!this.enabled) return;
    switch (event.kind) {
      case 'info':
        this.line(this.p.dim(event.message));
        break;
      case 'warn':
        this.line(this.p.yellow(`! ${event.message}`));
        break;
      case 'phase': {
        const e = event.event;
        const mark = e.id === 'aborted' ? this.p.red('x') : this.p.green('*');
        this.line(
          `${mark} ${this.p.bold(`+${e.offsetSeconds} s`.padStart(9))}  ${e.label} ${this.p.dim(`(${e.evidence})`)}`,
        );
        break;
      }
      case 'waiting':
        if (!this.live) return;
        this.out.write(
          `\r\u001b[2K${SPINNER[this.frame++ % SPINNER.length]} waiting: ${event.label} (${event.elapsedSeconds} s, timeout ${event.timeoutSeconds} s)`,
        );
        this.lineOpen = true;
        break;
      case 'plan':
        break;
    }
  }

  done(): void {
    this.clear();
  }
}

const mark = (p: Paint, c: CheckResult): string =>
  c.ok ? p.green('ok  ') : c.level === 'warning' ? p.yellow('warn') : p.red('FAIL');

export function formatChecks(checks: readonly CheckResult[], p: Paint): string[] {
  return checks.flatMap((c) => [
    `  ${mark(p, c)} ${c.title}`,
    `       ${p.dim(c.detail)}`,
    ...(c.ok || c.fix === undefined ? [] : [`       fix: ${c.fix}`]),
  ]);
}

export function formatPlan(plan: Plan, config: WalletConfig, p: Paint): string {
  const lines = [
    p.bold(
      `Plan: ${plan.direction} ${config.envName} from ${plan.fromRegion} (${plan.from}) to ${plan.toRegion} (${plan.to})`,
    ),
    '',
    'Pre-checks:',
    ...formatChecks(plan.checks, p),
    '',
    'Steps (data plane only; nothing has been changed):',
    ...plan.steps.flatMap((s, i) => [
      `  ${i + 1}. ${s.title}${s.alreadyDone ? p.dim(' (already done: skipped)') : ''}`,
      `     ${p.dim(s.call)}`,
    ]),
    '',
    'Then it waits for and timestamps: Route 53 changes the primary record -> the authoritative DNS answer changes ->',
    `the ${plan.to} canary reaches ${plan.toRegion} through the public name.`,
    `Expected: ${plan.estimate.planned.terms[0].name} ${plan.estimate.planned.terms[0].bestSeconds}-${plan.estimate.planned.terms[0].worstSeconds} s; ` +
      `worst case ${plan.estimate.planned.arithmetic}; the canary sees it within ${plan.estimate.canary.worstSeconds} s more.`,
    '',
    plan.ready
      ? plan.nothingToDo
        ? p.green(
            `Nothing to do: ${config.envName} is already ${plan.direction === 'failover' ? 'failed over' : 'on the primary'}.`,
          )
        : p.green(`Ready. Run it with: wallet-drill ${plan.direction} --execute`)
      : p.red(
          `Not ready: ${plan.checks.filter((c) => !c.ok && c.level === 'blocker').length} pre-check(s) failed. Nothing was changed.`,
        ),
  ];
  return lines.join('\n');
}

const show = <T>(r: Reading<T>, f: (v: T) => string, p: Paint): string =>
  r.ok ? f(r.value) : p.red(`unreadable: ${r.error}`);

export function formatStatus(s: EnvironmentStatus, config: WalletConfig, p: Paint): string {
  const hc = (v: number | undefined) =>
    v === undefined ? 'no data' : v >= 1 ? p.green('healthy') : p.red('unhealthy');
  const lines = [
    p.bold(`Status of ${config.envName} at ${new Date(s.at).toISOString()}`),
    '',
    `  caller            ${show(s.identity, (i) => `${i.arn ?? '?'} (account ${i.account ?? '?'}, region ${i.region ?? 'not set'})`, p)}`,
    `  DNS answer        ${show(s.dns, (d) => `${d.recordName} -> ${d.role === 'standby' ? p.yellow(d.role) : d.role} (${d.recordData.join(', ')})`, p)}`,
    `  primary endpoint  ${show(s.endpoints.primary, (e) => `${e.healthy ? p.green('healthy') : p.red('unhealthy')} (${e.healthyCheckers}/${e.totalCheckers} checkers)`, p)}`,
    `  standby endpoint  ${show(s.endpoints.standby, (e) => `${e.healthy ? p.green('healthy') : p.red('unhealthy')} (${e.healthyCheckers}/${e.totalCheckers} checkers)`, p)}`,
    `  primary record    ${show(s.route53, (r) => `${hc(r.primaryRecord?.value)} (Route 53 HealthCheckStatus for the minute from ${r.primaryRecord === undefined ? '-' : new Date(r.primaryRecord.at).toISOString().slice(11, 16)} UTC; calculated: endpoint AND lease check AND switch)`, p)}`,
    `  failover switch   ${show(s.switch, (w) => `${w.position === 'on' ? p.yellow('THROWN') : w.position === 'off' ? 'off' : 'unknown'}; alarm ${w.alarmExists ? w.alarmState : p.red('MISSING')} (${w.evidence})`, p)}`,
    `  lease             ${show(s.lease, (l) => (l === undefined ? p.red('no lease item') : `${l.activeRegion} at epoch ${l.epoch} (${l.updatedBy}, ${l.updatedAt})`), p)}`,
    `  canaries          primary ${show(s.canaries.primary, (c) => `${c.successPercent ?? 'no data'}%`, p)}, standby ${show(s.canaries.standby, (c) => `${c.successPercent ?? 'no data'}%`, p)}`,
    `  replication       ${config.data.consistency === 'MRSC' ? 'MRSC (synchronous, RPO 0)' : show(s.replication.standby, (r) => `${r.fromRegion} -> ${r.toRegion}: ${r.latencySeconds === undefined ? 'no data' : `${r.latencySeconds.toFixed(1)} s`}`, p)}`,
    `  signing keys      primary ${show(s.keys.primary, (k) => k.keyState ?? '?', p)}, standby ${show(s.keys.standby, (k) => k.keyState ?? '?', p)}`,
    `  alarms firing     ${show(s.alarms, (a) => [a.firing.length === 0 ? 'none' : a.firing.map((x) => `${x.name} (${x.region})`).join(', '), ...a.unreadable.map((u) => p.red(`${u.region} unreadable`))].join('; '), p)}`,
  ];
  return lines.join('\n');
}

export function formatRecord(record: DrillRecord, p: Paint): string {
  const v = verdict(record);
  const colour = v === 'PASS' ? p.green : v.startsWith('ABORTED (restored') || v === 'NOTHING TO DO' ? p.yellow : p.red;
  const m = record.measurements;
  const lines = ['', `${colour(p.bold(v))}  ${record.message} (exit ${record.exitCode})`];
  if (record.outcome === 'completed') {
    lines.push(
      `  detection    ${m.detectionSeconds ?? '-'} s${m.detectionBoundsSeconds === undefined ? '' : ` (between ${m.detectionBoundsSeconds[0]} and ${m.detectionBoundsSeconds[1]} s)`}`,
      `  DNS cut-over ${m.dnsCutoverSeconds ?? '-'} s`,
      `  RTO          ${m.rtoSeconds ?? '-'} s (target ${m.rtoTargetSeconds} s)`,
      `  RPO          ${m.observedRpoSeconds ?? '-'} s (target ${m.rpoTargetSeconds} s)`,
    );
    if (m.externalFailoverSeconds !== undefined)
      lines.push(
        `  failed over  by ${record.experiment?.failedOverBy ?? 'someone else'} ${m.externalFailoverSeconds} s after the fault started`,
      );
    if (m.timeToRecoverSeconds !== undefined)
      lines.push(`  recovered    ${m.timeToRecoverSeconds} s after the fault started`);
  }
  if (record.outcome === 'refused') {
    lines.push(
      ...formatChecks(
        record.checks.filter((c) => !c.ok),
        p,
      ),
    );
  }
  if (record.restore !== undefined && record.restore.manualSteps.length > 0) {
    lines.push('', p.red(p.bold('MANUAL ACTION NEEDED:')), ...record.restore.manualSteps);
  }
  return lines.join('\n');
}

function formatPath(name: string, r: PathResult, target: number, p: Paint): string[] {
  const d = r.rto;
  return [
    p.bold(name),
    `  RTO        p50 ${d.p50} s  p90 ${d.p90} s  p95 ${d.p95} s  p99 ${d.p99} s  max ${d.max} s  ${d.max <= target ? p.green(`(within the ${target} s target)`) : p.red(`(over the ${target} s target)`)}`,
    `  detection  p50 ${r.detection.p50} s  p99 ${r.detection.p99} s  max ${r.detection.max} s`,
    `  resolver   p50 ${r.resolverCache.p50} s  p99 ${r.resolverCache.p99} s  max ${r.resolverCache.max} s`,
    `  model worst case: ${r.arithmetic}`,
  ];
}

const percent = (v: number): string => `${v < 0.001 && v > 0 ? (v * 100).toPrecision(2) : round(v * 100, 2)}%`;

export function formatMonteCarlo(r: MonteCarloResult, p: Paint): string {
  const s = r.settings;
  return [
    p.bold(
      `Monte Carlo: ${r.runs} runs per path (seed ${r.seed}); health check every ${s.intervalSeconds} s, threshold ${s.failureThreshold}, TTL ${s.ttlSeconds} s, ${s.checkers} checkers in ${s.checkerRegions} regions`,
    ),
    '',
    ...formatPath('Unplanned (primary fails; Route 53 endpoint checks detect it)', r.unplanned, r.rtoTargetSeconds, p),
    '',
    ...formatPath(
      r.leaseFollowingCheck
        ? 'Planned (lease moved and switch thrown; the primary check follows the lease)'
        : 'Planned (failover switch thrown; --switch-only: the primary check does not follow the lease)',
      r.planned,
      r.rtoTargetSeconds,
      p,
    ),
    '',
    `False failover: ${percent(r.falseFailover.perMonthProbability)} chance a month (${round(r.falseFailover.expectedPerMonth, 4)} expected) from ${r.falseFailover.why}`,
    '',
    p.dim(`Assumptions: ${JSON.stringify(r.assumptions)}`),
  ].join('\n');
}
