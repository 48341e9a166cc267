import { PRIMARY_HEALTH_RESOURCE_PATH } from '../contract/health';
import { RESILIENCE_OUTPUTS } from '../contract/resilience';
import { DEFAULT_ASSUMPTIONS, falseFailoverProbability, FalseFailoverEstimate } from '../failover/timing';
import { rtoBudgetProblem } from '../failover/rto-budget';
import { EnvironmentStacks } from './assembly';
import { HEALTH_CHECK_ENDPOINT_CLASS, USAGE, UsageAssumption } from './assumptions';
import { CostEstimate, estimateCost } from './cost';
import { backupCoverage, BackupCoverage, dataRpo } from './data-protection';
import { collectFacts, EnvironmentFacts } from './facts';
import { PriceBook } from './prices';
import {
  FAILOVER_PATHS,
  FailoverPath,
  FailoverTimingParams,
  RtoPercentiles,
  RtoSimulator,
  worstCases,
} from '../failover/rto-simulator';
import { formatSeconds, scheduleTiming, ScheduleError } from './schedule';
import { REGIONAL_ALARMS } from '../contract/alarms';
import { API_AVAILABILITY_OBJECTIVE } from '../slo/definitions';
import { BadDeployDetection, forecastRisk, RiskForecast } from './risk';

/** Report format version; bump it when a field changes meaning. */
export const REPORT_SCHEMA_VERSION = 1;

/** What an unconfigured Route 53 failover gives: 30 s interval, threshold 3, and a 60 s TTL. */
export const ROUTE53_DEFAULTS = { intervalSeconds: 30, failureThreshold: 3, ttlSeconds: 60 } as const;

export interface Finding {
  /** `fail` makes the report exit non-zero; `warn` is printed only. */
  readonly level: 'fail' | 'warn';
  readonly code: string;
  readonly message: string;
  /** Config fields (or template resources) to change. */
  readonly settings: readonly string[];
}

export interface PathFigures {
  readonly worstCaseSeconds: number;
  /** The worst case plus what the simulation model adds beyond the template arithmetic. */
  readonly worstCaseWithAllowancesSeconds: number;
  readonly simulated: RtoPercentiles;
}

export interface RtoSection {
  readonly settings: FailoverTimingParams;
  /** Where each setting was read. */
  readonly sources: Readonly<Record<keyof FailoverTimingParams, string>>;
  readonly endpointDetectionSeconds: number;
  readonly switchDetectionSeconds: number;
  readonly dnsCutoverSeconds: number;
  /** The synth-time budget's arithmetic, fed from the templates. */
  readonly worstCaseSeconds: number;
  readonly arithmetic: string;
  /** The `RtoBudgetSeconds` output the DNS stack computed at synth, for cross-checking. */
  readonly synthBudgetSeconds: number | null;
  readonly targetSeconds: number;
  readonly meetsTarget: boolean;
  readonly paths: Readonly<Record<FailoverPath, PathFigures>>;
  readonly model: { readonly name: string; readonly assumptions: readonly string[] };
  /** The price of the detection speed: false failovers a month from transient failures (lib/failover/timing.ts). */
  readonly falseFailover: FalseFailoverEstimate;
}

export interface RpoEntry {
  readonly resource: string;
  readonly stack: string;
  readonly mode: string;
  /** null = unbounded. */
  readonly rpoSeconds: number | null;
  readonly basis: string;
  readonly meetsTarget: boolean;
}

export interface CoverageEntry extends Omit<BackupCoverage, 'backupRpoSeconds'> {
  /** null = no backups (unbounded). */
  readonly backupRpoSeconds: number | null;
}

export interface CanaryRegion {
  readonly region: string;
  readonly canaries: ReadonlyArray<{
    readonly name: string;
    readonly schedule: string | null;
    readonly runsPerMonth: number | null;
    readonly maxGapSeconds: number | null;
  }>;
}

export interface ResilienceReport {
  readonly schemaVersion: number;
  readonly environment: string;
  readonly stacks: EnvironmentFacts['stacks'];
  readonly targets: {
    readonly rtoSeconds: number;
    readonly rpoSeconds: number;
    readonly backupRpoSeconds: number | null;
    readonly source: string;
  };
  readonly rto: RtoSection;
  readonly rpo: {
    readonly targetSeconds: number;
    readonly worstSeconds: number | null;
    readonly meetsTarget: boolean;
    readonly data: readonly RpoEntry[];
  };
  readonly backupCoverage: readonly CoverageEntry[];
  readonly canaryCoverage: {
    readonly workloadRegions: readonly string[];
    readonly regions: readonly CanaryRegion[];
    readonly uncovered: readonly string[];
  };
  readonly cost: CostEstimate & { readonly pricesFile: string; readonly pricesRead: readonly string[] };
  readonly route53Defaults: {
    readonly settings: typeof ROUTE53_DEFAULTS;
    readonly paths: Readonly<Record<FailoverPath, PathFigures>>;
    readonly falseFailover: FalseFailoverEstimate;
    readonly healthCheckMonthlyDelta: number;
    readonly note: string;
  };
  readonly usage: Readonly<Record<string, UsageAssumption>>;
  /** Annual downtime and SLA risk from failure-mode rates and the recovery model (lib/resilience/risk.ts). */
  readonly forecast: RiskForecast;
  readonly findings: readonly Finding[];
}

/** The input is missing something the report cannot do without. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

export interface ReportOptions {
  readonly simulator: RtoSimulator;
  readonly runs: number;
  readonly seed: number;
  readonly prices: PriceBook;
  /** Shown as the prices file path in the report (relative, so reports are machine-independent). */
  readonly pricesLabel: string;
  /**
   * Simulated years of the risk forecast. @default FORECAST_YEARS. Tests of other sections pass a
   * small number: the forecast's own figures are tested in test/resilience/risk.test.ts, and 20,000
   * years cost about half a second per report.
   */
  readonly forecastYears?: number;
}

export function buildReport(env: EnvironmentStacks, options: ReportOptions): ResilienceReport {
  const facts = collectFacts(env);
  const findings: Finding[] = [];
  const rtoTarget = requiredOutput(facts, RESILIENCE_OUTPUTS.rtoTarget, 'targets.rtoSeconds');
  const rpoTarget = requiredOutput(facts, RESILIENCE_OUTPUTS.rpoTarget, 'targets.rpoSeconds');
  const backupRpoTarget = optionalNumber(facts, RESILIENCE_OUTPUTS.backupRpoTarget);

  const { params, sources } = timingParams(facts, findings);
  const rto = rtoSection(facts, params, sources, rtoTarget, options, findings);

  const coverage = backupCoverage(facts);
  const data = dataRpo(facts, coverage).map((d) => ({
    resource: d.resource,
    stack: d.stack,
    mode: d.mode,
    rpoSeconds: Number.isFinite(d.rpoSeconds) ? d.rpoSeconds : null,
    basis: d.basis,
    meetsTarget: d.rpoSeconds <= rpoTarget,
  }));
  for (const d of data.filter((x) => !x.meetsTarget)) findings.push(rpoFinding(d, rpoTarget, facts));
  const worst = data.reduce<number | null>(
    (w, d) => (d.rpoSeconds === null || w === null ? null : Math.max(w, d.rpoSeconds)),
    0,
  );

  for (const c of coverage) {
    if (!c.crossRegionCopy) {
      findings.push({
        level: 'warn',
        code: 'BACKUP_NO_CROSS_REGION_COPY',
        message:
          c.plans.length === 0
            ? `${c.resource} (${c.type}, ${c.stack}) is in no backup selection: a bad write or a delete replicates to every region and only backups can undo it.`
            : `${c.resource} (${c.type}) is backed up but no rule copies its recovery points to another region.`,
        settings: ['backup.frequentSchedule', 'backup.dailySchedule'],
      });
    }
    if (backupRpoTarget !== undefined && c.backupRpoSeconds > backupRpoTarget) {
      findings.push({
        level: 'fail',
        code: 'BACKUP_RPO_TARGET_MISSED',
        message: `${c.resource}: newest backup may be ${formatSeconds(c.backupRpoSeconds)} old (${c.basis}) > ${RESILIENCE_OUTPUTS.backupRpoTarget} ${formatSeconds(backupRpoTarget)}. Fix one of: run backups more often (backup.frequentSchedule); raise targets.backupRpoSeconds.`,
        settings: ['backup.frequentSchedule', 'targets.backupRpoSeconds'],
      });
    }
  }

  const canaryCoverage = canaries(facts, findings);
  const cost = estimateCost(facts, coverage, options.prices);
  const defaults = route53Defaults(facts, params, options);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    environment: facts.envName,
    stacks: facts.stacks,
    targets: {
      rtoSeconds: rtoTarget,
      rpoSeconds: rpoTarget,
      backupRpoSeconds: backupRpoTarget ?? null,
      source:
        `stack outputs ${RESILIENCE_OUTPUTS.rtoTarget}, ${RESILIENCE_OUTPUTS.rpoTarget}` +
        (backupRpoTarget === undefined
          ? ` (no ${RESILIENCE_OUTPUTS.backupRpoTarget} output: backup age is reported, not gated)`
          : `, ${RESILIENCE_OUTPUTS.backupRpoTarget}`),
    },
    rto,
    rpo: { targetSeconds: rpoTarget, worstSeconds: worst, meetsTarget: data.every((d) => d.meetsTarget), data },
    backupCoverage: coverage.map((c) => ({
      ...c,
      backupRpoSeconds: Number.isFinite(c.backupRpoSeconds) ? c.backupRpoSeconds : null,
    })),
    canaryCoverage,
    cost: {
      ...cost,
      pricesFile: options.pricesLabel,
      pricesRead: [...new Set(Object.values(options.prices.prices).map((p) => p.read))].sort(),
    },
    route53Defaults: defaults,
    usage: USAGE,
    forecast: forecastRisk({
      unplannedRto: rto.paths.unplanned.simulated,
      badDeploy: badDeployDetection(facts),
      slaObjective: API_AVAILABILITY_OBJECTIVE,
      years: options.forecastYears ?? FORECAST_YEARS,
      seed: options.seed,
    }),
    findings,
  };
}

/** Simulated years of the risk forecast (enough for a stable p95 and a miss probability to 0.1%). */
export const FORECAST_YEARS = 20_000;

/** The API 5xx alarm's evaluation, read from the templates (the first region's), for the bad-deploy mode. */
function badDeployDetection(facts: EnvironmentFacts): BadDeployDetection {
  const suffix = `-${REGIONAL_ALARMS.api5xxRate}`;
  const alarm = facts.alarms.find((a) => a.name?.endsWith(suffix) === true && a.periodSeconds !== undefined);
  if (alarm === undefined) {
    return {
      periodSeconds: 300,
      datapointsToAlarm: 3,
      source: `no *${suffix} alarm with a literal period in the templates: assumed 3 of 5 five-minute periods (the config default)`,
    };
  }
  return {
    periodSeconds: alarm.periodSeconds as number,
    datapointsToAlarm: alarm.datapointsToAlarm ?? alarm.evaluationPeriods ?? 1,
    source: `AWS::CloudWatch::Alarm ${alarm.stack}/${alarm.logicalId} (${alarm.name})`,
  };
}

function requiredOutput(facts: EnvironmentFacts, name: string, field: string): number {
  const v = optionalNumber(facts, name);
  if (v === undefined) {
    throw new ReportInputError(
      `environment ${facts.envName}: no stack output ${name} (${field}) in ${facts.stacks.map((s) => s.name).join(', ')}. ` +
        'The DNS stack declares it: run `npm run synth` with this version of the app, and make sure every stack of the environment is synthesized.',
    );
  }
  return v;
}

function optionalNumber(facts: EnvironmentFacts, name: string): number | undefined {
  const raw = facts.outputs[name]?.value;
  if (raw === undefined) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

/** Reads the failover timing from the templates, conservatively (the slowest check, the longest TTL). */
function timingParams(facts: EnvironmentFacts, findings: Finding[]) {
  const endpoints = facts.healthChecks.filter((h) => h.kind === 'endpoint');
  if (endpoints.length === 0) {
    throw new ReportInputError(
      `environment ${facts.envName}: no Route 53 endpoint health check (AWS::Route53::HealthCheck of type HTTP/HTTPS/TCP) in ${facts.stacks.map((s) => s.name).join(', ')}. ` +
        'Synthesize the DNS stack too: `npm run synth` builds every stack.',
    );
  }
  const leaseCheck = endpoints.find((h) => h.resourcePath === PRIMARY_HEALTH_RESOURCE_PATH);
  const slowest = endpoints.reduce((a, b) =>
    (a.intervalSeconds ?? 30) * (a.failureThreshold ?? 3) >= (b.intervalSeconds ?? 30) * (b.failureThreshold ?? 3)
      ? a
      : b,
  );
  let switchPeriodSeconds = 0;
  let switchEvaluationPeriods = 1;
  let switchSource = 'no CLOUDWATCH_METRIC health check in the templates: no switch term';
  const metricChecks = facts.healthChecks.filter((h) => h.kind === 'cloudwatch-metric');
  if (metricChecks.length === 0) {
    findings.push({
      level: 'warn',
      code: 'NO_FAILOVER_SWITCH',
      message:
        'No CLOUDWATCH_METRIC health check (the failover switch) in the templates: a planned failover has no data-plane switch.',
      settings: [],
    });
  }
  for (const check of metricChecks) {
    const alarm = facts.alarms.find((a) => a.name === check.alarm?.name && a.region === check.alarm?.region);
    if (alarm === undefined) {
      findings.push({
        level: 'fail',
        code: 'SWITCH_ALARM_MISSING',
        message:
          `Health check ${check.logicalId} watches alarm ${check.alarm?.name ?? '?'} in ${check.alarm?.region ?? '?'}, which is in no synthesized stack of that region. ` +
          'Route 53 would see insufficient data forever. Synthesize every stack (`npm run synth`); figures assume a 60 s period.',
        settings: [],
      });
      if (60 > switchPeriodSeconds * switchEvaluationPeriods) {
        switchPeriodSeconds = 60;
        switchEvaluationPeriods = 1;
        switchSource = `ASSUMED 60 s: alarm ${check.alarm?.name ?? '?'} not found`;
      }
      continue;
    }
    const period = alarm.periodSeconds ?? 60;
    const evals = alarm.evaluationPeriods ?? 1;
    if (period * evals >= switchPeriodSeconds * switchEvaluationPeriods) {
      switchPeriodSeconds = period;
      switchEvaluationPeriods = evals;
      switchSource = `AWS::CloudWatch::Alarm ${alarm.name} (${alarm.stack}/${alarm.logicalId}, ${alarm.region}): Period ${period} x EvaluationPeriods ${evals}`;
    }
  }
  const failoverRecords = facts.records.filter((r) => r.failover !== undefined);
  const ttls = failoverRecords.filter((r) => !r.alias && r.ttlSeconds !== undefined).map((r) => r.ttlSeconds as number);
  const cache = optionalNumber(facts, RESILIENCE_OUTPUTS.dnsCache);
  let ttlSeconds: number;
  let ttlSource: string;
  if (ttls.length > 0) {
    ttlSeconds = Math.max(...ttls);
    ttlSource = `TTL of the failover AWS::Route53::RecordSet(s) (longest: ${ttlSeconds} s)`;
  } else if (cache !== undefined) {
    ttlSeconds = cache;
    ttlSource =
      `stack output ${RESILIENCE_OUTPUTS.dnsCache} (dns.recordTtlSeconds)` +
      (failoverRecords.length > 0
        ? ': the failover records are aliases, which carry the target’s TTL'
        : ': no failover records in the templates yet');
  } else {
    throw new ReportInputError(
      `environment ${facts.envName}: no failover record with a TTL and no ${RESILIENCE_OUTPUTS.dnsCache} output, so the DNS cut-over time is unknown. Run \`npm run synth\` with this version of the app.`,
    );
  }
  let canary: { seconds: number; source: string } | undefined;
  for (const c of facts.canaries) {
    try {
      const gap = c.schedule === undefined ? Infinity : scheduleTiming(c.schedule).maxGapSeconds;
      if (Number.isFinite(gap) && gap > (canary?.seconds ?? 0)) {
        canary = {
          seconds: gap,
          source: `AWS::Synthetics::Canary ${c.name ?? c.logicalId} (${c.region ?? '?'}): ${c.schedule}, the slowest canary`,
        };
      }
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
    }
  }
  const params: FailoverTimingParams = {
    intervalSeconds: slowest.intervalSeconds ?? 30,
    failureThreshold: slowest.failureThreshold ?? 3,
    checkerRegions: slowest.checkerRegions ?? 8,
    ttlSeconds,
    switchPeriodSeconds,
    switchEvaluationPeriods,
    canaryPeriodSeconds: canary?.seconds ?? null,
    leaseFollowingCheck: leaseCheck !== undefined,
  };
  const hc = `AWS::Route53::HealthCheck ${slowest.stack}/${slowest.logicalId} (${slowest.fqdn ?? slowest.type}), the slowest of ${endpoints.length} endpoint check(s)`;
  const sources: Record<keyof FailoverTimingParams, string> = {
    intervalSeconds: `${hc}: RequestInterval`,
    failureThreshold: `${hc}: FailureThreshold`,
    checkerRegions: `${hc}: Regions`,
    ttlSeconds: ttlSource,
    switchPeriodSeconds: switchSource,
    switchEvaluationPeriods: switchSource,
    canaryPeriodSeconds: canary?.source ?? 'no AWS::Synthetics::Canary with a literal schedule in the templates',
    leaseFollowingCheck:
      leaseCheck !== undefined
        ? `AWS::Route53::HealthCheck ${leaseCheck.stack}/${leaseCheck.logicalId}: ResourcePath ${PRIMARY_HEALTH_RESOURCE_PATH}`
        : `no endpoint health check asks ${PRIMARY_HEALTH_RESOURCE_PATH}: the planned path waits for the switch`,
  };
  return { params, sources };
}

function pathFigures(
  params: FailoverTimingParams,
  target: number,
  options: ReportOptions,
): Record<FailoverPath, PathFigures> {
  const w = worstCases(params, target);
  const worst: Record<FailoverPath, number> = {
    budget: w.budget.worstCaseSeconds,
    unplanned: w.unplannedSeconds,
    planned: w.plannedSeconds,
  };
  const out = {} as Record<FailoverPath, PathFigures>;
  for (const path of FAILOVER_PATHS) {
    out[path] = {
      worstCaseSeconds: worst[path],
      worstCaseWithAllowancesSeconds: worst[path] + options.simulator.allowanceSeconds(params, path),
      simulated: options.simulator.simulate(params, path, options.runs, options.seed),
    };
  }
  return out;
}

function rtoSection(
  facts: EnvironmentFacts,
  params: FailoverTimingParams,
  sources: Record<keyof FailoverTimingParams, string>,
  target: number,
  options: ReportOptions,
  findings: Finding[],
): RtoSection {
  const w = worstCases(params, target);
  const budget = w.budget;
  const input = {
    intervalSeconds: params.intervalSeconds,
    failureThreshold: params.failureThreshold,
    ttlSeconds: params.ttlSeconds,
    rtoTargetSeconds: target,
    switchDetectionSeconds: budget.switchDetectionSeconds,
    ttlIsSetting: ttlIsRecordSetting(facts),
  };
  const problem = rtoBudgetProblem(budget, input);
  if (problem !== undefined) {
    findings.push({
      level: 'fail',
      code: 'RTO_TARGET_MISSED',
      message: problem,
      settings: [
        'dns.recordTtlSeconds',
        'dns.healthCheck.intervalSeconds',
        'dns.healthCheck.failureThreshold',
        'targets.rtoSeconds',
      ],
    });
  }
  const paths = pathFigures(params, target, options);
  const withAllowances = paths.budget.worstCaseWithAllowancesSeconds;
  if (budget.fits && withAllowances > target) {
    findings.push({
      level: 'warn',
      code: 'RTO_MODEL_ALLOWANCES_EXCEED_TARGET',
      message:
        `The template arithmetic (${budget.worstCaseSeconds} s) fits targets.rtoSeconds ${target} s, but with the simulation model's allowances ` +
        `for checker jitter, alarm evaluation and propagation the worst case is ${withAllowances} s. Leave headroom: lower dns.recordTtlSeconds or raise targets.rtoSeconds.`,
      settings: ['dns.recordTtlSeconds', 'targets.rtoSeconds'],
    });
  }
  const synth = optionalNumber(facts, RESILIENCE_OUTPUTS.rtoBudget);
  if (synth !== undefined && synth !== budget.worstCaseSeconds) {
    findings.push({
      level: 'warn',
      code: 'RTO_BUDGET_OUTPUT_DIFFERS',
      message: `The DNS stack's ${RESILIENCE_OUTPUTS.rtoBudget} output says ${synth} s, but the templates' settings give ${budget.worstCaseSeconds} s: the synth-time budget and the resources disagree (a stack synthesized from another config?).`,
      settings: [],
    });
  }
  return {
    settings: params,
    sources,
    endpointDetectionSeconds: budget.endpointDetectionSeconds,
    switchDetectionSeconds: budget.switchDetectionSeconds,
    dnsCutoverSeconds: params.ttlSeconds,
    worstCaseSeconds: budget.worstCaseSeconds,
    arithmetic: budget.arithmetic,
    synthBudgetSeconds: synth ?? null,
    targetSeconds: target,
    meetsTarget: budget.fits,
    paths,
    model: { name: options.simulator.name, assumptions: options.simulator.assumptions },
    falseFailover: falseFailover(params),
  };
}

/** False failovers a month at these settings, from the model's assumed transient failures. */
export function falseFailover(params: FailoverTimingParams): FalseFailoverEstimate {
  return falseFailoverProbability({
    intervalSeconds: params.intervalSeconds,
    failureThreshold: params.failureThreshold,
    checkers: params.checkerRegions * DEFAULT_ASSUMPTIONS.checkersPerRegion,
  });
}

function rpoFinding(d: RpoEntry, target: number, facts: EnvironmentFacts): Finding {
  const table = facts.tables.find((t) => (t.tableName ?? t.logicalId) === d.resource);
  const got = d.rpoSeconds === null ? 'unbounded' : `${d.rpoSeconds} s`;
  const fixes: string[] = [];
  const settings: string[] = [];
  if (d.mode === 'MREC') {
    fixes.push('set data.consistency to "MRSC" (RPO 0; needs regions.witness in the same region set)');
    settings.push('data.consistency');
    fixes.push(
      d.rpoSeconds === null
        ? `add an AWS/DynamoDB ReplicationLatency alarm on ${d.resource} with a threshold of ${target * 1000} ms or less`
        : `lower the ReplicationLatency alarm threshold on ${d.resource} to ${target * 1000} ms or less`,
    );
    if (d.rpoSeconds !== null) {
      fixes.push(`raise targets.rpoSeconds to ${Math.ceil(d.rpoSeconds)} or more`);
      settings.push('targets.rpoSeconds');
    }
  } else {
    fixes.push(`replicate ${d.resource} (a global table) or copy its backups to another region (backup.*)`);
    settings.push('backup.frequentSchedule');
  }
  return {
    level: 'fail',
    code: 'RPO_TARGET_MISSED',
    message: `RPO target not met for ${d.resource}${table ? ` (${table.stack})` : ''}: ${d.mode} gives ${got} (${d.basis}) > targets.rpoSeconds ${target} s. Fix one of: ${fixes.join('; ')}.`,
    settings,
  };
}

function canaries(facts: EnvironmentFacts, findings: Finding[]): ResilienceReport['canaryCoverage'] {
  // Workload regions: where the data has a full replica or an API serves traffic.
  const workload = new Set<string>([...facts.tables.flatMap((t) => t.replicaRegions), ...facts.apiRegions]);
  const regions = [...new Set([...workload, ...facts.canaries.map((c) => c.region ?? '?')])].sort();
  const out: CanaryRegion[] = regions.map((region) => ({
    region,
    canaries: facts.canaries
      .filter((c) => (c.region ?? '?') === region)
      .map((c) => {
        let timing: { runsPerMonth: number; maxGapSeconds: number } | undefined;
        try {
          timing = c.schedule === undefined ? undefined : scheduleTiming(c.schedule);
        } catch (err) {
          if (!(err instanceof ScheduleError)) throw err;
        }
        return {
          name: c.name ?? c.logicalId,
          schedule: c.schedule ?? null,
          runsPerMonth: timing === undefined ? null : Math.round(timing.runsPerMonth),
          maxGapSeconds: timing === undefined || !Number.isFinite(timing.maxGapSeconds) ? null : timing.maxGapSeconds,
        };
      }),
  }));
  const uncovered = [...workload].filter((r) => !facts.canaries.some((c) => c.region === r)).sort();
  for (const r of uncovered) {
    findings.push({
      level: 'warn',
      code: 'REGION_WITHOUT_CANARY',
      message: `No AWS::Synthetics::Canary in ${r}, a workload region: nothing proves that region serves wallet traffic before or after a failover.`,
      settings: ['canary.schedule'],
    });
  }
  return { workloadRegions: [...workload].sort(), regions: out, uncovered };
}

function route53Defaults(
  facts: EnvironmentFacts,
  params: FailoverTimingParams,
  options: ReportOptions,
): ResilienceReport['route53Defaults'] {
  const what: FailoverTimingParams = { ...params, ...ROUTE53_DEFAULTS, leaseFollowingCheck: false };
  const endpoints = facts.healthChecks.filter((h) => h.kind === 'endpoint' && h.options.includes('fast interval'));
  const optionPrice = options.prices.prices[`route53.healthCheck.${HEALTH_CHECK_ENDPOINT_CLASS.value}.option`].value;
  return {
    settings: ROUTE53_DEFAULTS,
    paths: pathFigures(what, Number.POSITIVE_INFINITY, options),
    falseFailover: falseFailover(what),
    healthCheckMonthlyDelta: -Math.round(endpoints.length * optionPrice * 100) / 100,
    note:
      'The same health checks, switch and records with Route 53 default timing (RequestInterval 30, FailureThreshold 3), a 60 s TTL ' +
      'and a primary check on plain /health (a planned failover waits for the switch); ' +
      `the health-check cost changes only by the fast-interval option (${endpoints.length} check(s)).`,
  };
}

/** True when the failover records are CNAMEs (their TTL is `dns.recordTtlSeconds`), false for aliases. */
function ttlIsRecordSetting(facts: EnvironmentFacts): boolean | undefined {
  const records = facts.records.filter((r) => r.failover !== undefined);
  if (records.length === 0) return undefined;
  return records.every((r) => !r.alias);
}
