import { z } from 'zod';
import {
  BACKUP_START_WINDOW_MINUTES,
  DEFAULT_BACKUP_RPO_SECONDS,
  MIN_BACKUP_INTERVAL_SECONDS,
  recoveryPointAge,
  RecoveryPointAge,
} from '../backup/rpo';
import { CronError, formatDuration, scheduleGaps } from '../backup/schedule';
import { CANARY_TIMEOUTS } from '../contract/canary';
import { ALIAS_RECORD_TTL_SECONDS } from '../failover/rto-budget';
import {
  ALARM_DEFAULTS,
  CANARY_CONFIG_DEFAULTS,
  configSchema,
  MRSC_REGION_SETS,
  rateSeconds,
  REPLICATION_LATENCY_DEFAULTS,
  ROUTE53_MAX_TTL_SECONDS,
  WalletConfig,
} from './schema';
import { chainProblems } from './chain';
import { coldKeyProblems } from './cold-key';
import { deploymentProblems } from './deployment';
import { spendingProblems, spendingSizeProblems } from './spending';

/** One problem in a config: where, what, the value received and how to fix it. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly received: unknown;
  readonly fix: string;
}

/** Thrown when a config has one or more problems; `problems` lists every one of them. */
export class ConfigError extends Error {
  public readonly problems: readonly ConfigProblem[];

  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(formatProblems(source, problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Validates a raw config object: schema rules and cross-field rules are all evaluated, and
 * every problem is reported in one `ConfigError`. Returns the typed config with defaults.
 */
export function validateConfig(raw: unknown, source = 'config'): WalletConfig {
  const problems: ConfigProblem[] = [];
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(fromZodIssue(raw, issue));
    }
  }
  problems.push(...crossFieldProblems(raw));
  problems.push(...spendingProblems(valueAt(raw, ['spending']), valueAt(raw, ['chain'])));
  if (parsed.success) problems.push(...spendingSizeProblems(parsed.data.spending));
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(source, dedupe(problems));
  }
  return parsed.data;
}

function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const head = `Invalid wallet config ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  const lines = problems.map(
    (p) => `  - ${p.path || '(root)'}: ${p.message}; received ${show(p.received)}. Fix: ${p.fix}.`,
  );
  return [head, ...lines].join('\n');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Walks the schema to the field at `path` and returns its `describe()` hint. */
function hintAt(path: readonly PropertyKey[]): string | undefined {
  let schema: z.ZodType | undefined = configSchema;
  let hint: string | undefined = schema.description;
  for (const key of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) {
      schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element as z.ZodType;
    } else {
      return hint;
    }
    if (schema === undefined) return hint;
    hint = schema.description ?? unwrap(schema)?.description ?? hint;
  }
  return hint;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let cur = schema;
  while (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault) {
    cur = cur.unwrap() as z.ZodType;
  }
  return cur;
}

function fromZodIssue(raw: unknown, issue: z.core.$ZodIssue): ConfigProblem {
  const path = issue.path.map(String).join('.');
  const received = valueAt(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return {
      path,
      message: `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      received: issue.keys,
      fix: 'remove the field or check its spelling against config/example.json',
    };
  }
  if (issue.code === 'invalid_type' && received === undefined) {
    return {
      path,
      message: 'is required',
      received,
      fix: hintAt(issue.path) ?? `add "${path}" (see config/example.json for its shape)`,
    };
  }
  return {
    path,
    // zod reports a failed int() as invalid_type with expected "int"; its message is ours.
    message: issue.code === 'invalid_type' && issue.expected !== 'int' ? `must be a ${issue.expected}` : issue.message,
    received,
    fix: hintAt(issue.path) ?? 'see config/example.json',
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The canary schedule's period in seconds, or undefined when the schedule is invalid (reported elsewhere). */
function canaryRunSeconds(schedule: string | undefined): number | undefined {
  try {
    return schedule === undefined ? undefined : rateSeconds(schedule);
  } catch {
    return undefined;
  }
}

function regionSetOf(region: string | undefined): string | undefined {
  if (region === undefined) return undefined;
  return Object.keys(MRSC_REGION_SETS).find((set) => MRSC_REGION_SETS[set].includes(region));
}

/**
 * Rules that relate two or more fields. They read the raw input defensively so they run even
 * when other fields are invalid, and so every problem is reported in the same error.
 */
function crossFieldProblems(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (...path: string[]) => valueAt(raw, path);
  problems.push(...deploymentProblems(at('deployment'), canaryRunSeconds(str(at('canary', 'schedule')))));

  const account = str(at('account'));
  const primary = str(at('regions', 'primary'));
  const standby = str(at('regions', 'standby'));
  const witness = str(at('regions', 'witness'));
  const consistency = str(at('data', 'consistency')) ?? 'MRSC';

  const ttl = at('dns', 'recordTtlSeconds');
  // Only a well-formed TTL: a malformed one already has its own problem from the schema. The TTL
  // has no effect only on ALIAS records; CNAME records (opt-in; ALIAS is the default) carry it.
  if (
    at('dns', 'recordType') === 'ALIAS' &&
    typeof ttl === 'number' &&
    Number.isInteger(ttl) &&
    ttl >= 0 &&
    ttl <= ROUTE53_MAX_TTL_SECONDS &&
    ttl !== ALIAS_RECORD_TTL_SECONDS
  ) {
    problems.push({
      path: 'dns.recordTtlSeconds',
      message:
        `has no effect with dns.recordType "ALIAS": alias records take their target's TTL (Route 53: "If an alias record ` +
        `points to an AWS resource, you can't set the time to live"); the RTO budget assumes ${ALIAS_RECORD_TTL_SECONDS} s`,
      received: ttl,
      fix: `remove dns.recordTtlSeconds (or set it to ${ALIAS_RECORD_TTL_SECONDS}), or set dns.recordType to "CNAME" to make the TTL real`,
    });
  }
  if (primary !== undefined && primary === standby) {
    problems.push({
      path: 'regions.standby',
      message: 'must differ from regions.primary (a standby in the same region survives no regional outage)',
      received: standby,
      fix: 'choose a standby region other than the primary, e.g. "us-west-2" for a primary of "us-east-2"',
    });
  }
  if (witness !== undefined && (witness === primary || witness === standby)) {
    problems.push({
      path: 'regions.witness',
      message: 'must differ from both regions.primary and regions.standby',
      received: witness,
      fix: 'choose a third region of the same MRSC region set',
    });
  }

  if (consistency === 'MRSC') {
    if (witness === undefined) {
      problems.push({
        path: 'regions.witness',
        message: 'is required when data.consistency is "MRSC" (strong consistency needs a third region as witness)',
        received: witness,
        fix: `add a witness region from the same region set as both replicas (${describeSets()}), or set data.consistency to "MREC"`,
      });
    } else if (primary !== undefined && standby !== undefined) {
      const sets = [primary, standby, witness].map(regionSetOf);
      const first = sets[0];
      if (first === undefined || sets.some((s) => s !== first)) {
        problems.push({
          path: 'regions',
          message: `primary, standby and witness must all be in one MRSC region set for data.consistency "MRSC" (got ${primary}: ${sets[0] ?? 'none'}, ${standby}: ${sets[1] ?? 'none'}, ${witness}: ${sets[2] ?? 'none'})`,
          received: { primary, standby, witness },
          fix: `pick all three from one set (${describeSets()}), or set data.consistency to "MREC"`,
        });
      }
    }
  } else if (consistency === 'MREC' && witness !== undefined) {
    problems.push({
      path: 'regions.witness',
      message: 'is only used with data.consistency "MRSC"; an MREC global table has no witness',
      received: witness,
      fix: 'remove regions.witness, or set data.consistency to "MRSC"',
    });
  }

  const rpo = num(at('targets', 'rpoSeconds'));
  if (rpo === 0 && consistency === 'MREC') {
    problems.push({
      path: 'targets.rpoSeconds',
      message: 'is 0, but MREC replicates asynchronously, so its RPO is the replication lag (seconds, not zero)',
      received: rpo,
      fix: 'set data.consistency to "MRSC" for an RPO of 0, or declare an RPO of at least the replication-lag alarm bound (e.g. 60)',
    });
  }

  const breakGlass = str(at('security', 'breakGlassRoleArn'));
  const breakGlassAccount = breakGlass?.split(':')[4];
  if (
    account !== undefined &&
    /^\d{12}$/.test(account) &&
    breakGlassAccount !== undefined &&
    /^\d{12}$/.test(breakGlassAccount) &&
    breakGlassAccount !== account
  ) {
    problems.push({
      path: 'security.breakGlassRoleArn',
      message: `is in account ${breakGlassAccount}, not the wallet account ${account}`,
      received: breakGlass,
      fix: 'name a break-glass role in the same account as the keys',
    });
  }

  const lockMode = str(at('backup', 'vaultLock', 'mode'));
  const minDays = num(at('backup', 'vaultLock', 'minRetentionDays'));
  const maxDays = num(at('backup', 'vaultLock', 'maxRetentionDays'));
  const changeable = at('backup', 'vaultLock', 'changeableForDays');
  if (minDays !== undefined && maxDays !== undefined && minDays > maxDays) {
    problems.push({
      path: 'backup.vaultLock',
      message: `minRetentionDays (${minDays}) is greater than maxRetentionDays (${maxDays})`,
      received: { minRetentionDays: minDays, maxRetentionDays: maxDays },
      fix: 'make minRetentionDays less than or equal to maxRetentionDays',
    });
  }
  if (lockMode === 'compliance' && changeable === undefined) {
    problems.push({
      path: 'backup.vaultLock.changeableForDays',
      message: 'is required in compliance mode (it is the cooling-off period before the lock becomes immutable)',
      received: changeable,
      fix: 'set changeableForDays to 3 or more, and read the README warning: a compliance lock cannot be removed',
    });
  }
  if (lockMode === 'governance' && changeable !== undefined) {
    problems.push({
      path: 'backup.vaultLock.changeableForDays',
      message: 'only applies to compliance mode (AWS Backup treats a lock with a cooling-off period as compliance)',
      received: changeable,
      fix: 'remove changeableForDays, or set mode to "compliance" if an irreversible lock is intended',
    });
  }
  for (const field of ['frequentRetentionDays', 'dailyRetentionDays'] as const) {
    const days = num(at('backup', field));
    if (days === undefined) continue;
    if (minDays !== undefined && days < minDays) {
      problems.push({
        path: `backup.${field}`,
        message: `is shorter than the vault lock minimum (${minDays} days), so AWS Backup would reject every job`,
        received: days,
        fix: `raise backup.${field} to at least ${minDays} or lower backup.vaultLock.minRetentionDays`,
      });
    }
    if (maxDays !== undefined && days > maxDays) {
      problems.push({
        path: `backup.${field}`,
        message: `is longer than the vault lock maximum (${maxDays} days), so AWS Backup would reject every job`,
        received: days,
        fix: `lower backup.${field} to at most ${maxDays} or raise backup.vaultLock.maxRetentionDays`,
      });
    }
  }
  problems.push(...backupTimingProblems(at));
  problems.push(...observabilityProblems(at));
  problems.push(...chainProblems(at('chain')));
  problems.push(...coldKeyProblems(at('security', 'coldKey'), account, at('envName'), breakGlass));
  return problems;
}

/** CloudWatch evaluates at most one day of data for alarms with periods under an hour. */
export const MAX_ALARM_EVALUATION_SECONDS = 86400;

/** The alarms with their own period (path under `alarms`, and their defaults). */
const PERIODIC_ALARMS: ReadonlyArray<{
  readonly path: readonly string[];
  readonly defaults: { periodSeconds: number; evaluationPeriods: number; datapointsToAlarm: number };
}> = [
  { path: ['api5xxRate'], defaults: ALARM_DEFAULTS.api5xxRate },
  { path: ['apiLatencyP99'], defaults: ALARM_DEFAULTS.apiLatencyP99 },
  { path: ['anomaly', 'latency'], defaults: ALARM_DEFAULTS.anomaly.latency },
  { path: ['anomaly', 'requestCount'], defaults: ALARM_DEFAULTS.anomaly.requestCount },
  { path: ['signerErrors'], defaults: ALARM_DEFAULTS.signerErrors },
  { path: ['signerDlqDepth'], defaults: ALARM_DEFAULTS.signerDlqDepth },
  { path: ['signingQueueOldestAge'], defaults: ALARM_DEFAULTS.signingQueueOldestAge },
  { path: ['signerThrottles'], defaults: ALARM_DEFAULTS.signerThrottles },
  { path: ['kmsThrottling'], defaults: ALARM_DEFAULTS.kmsThrottling },
  { path: ['replicationLatency'], defaults: ALARM_DEFAULTS.replicationLatency },
  { path: ['replicationErrors'], defaults: ALARM_DEFAULTS.replicationErrors },
  { path: ['remediationFailures'], defaults: ALARM_DEFAULTS.remediationFailures },
];

/** The canary schedule's period, or undefined when the schedule is invalid (the schema reports it). */
function scheduleSecondsOf(schedule: string | undefined): number | undefined {
  try {
    return schedule === undefined ? undefined : rateSeconds(schedule);
  } catch {
    return undefined;
  }
}

/**
 * Canary and alarm rules (docs/runbooks/alarms.md, docs/observability-wiring.md):
 * - "M of N": datapointsToAlarm <= evaluationPeriods, and N periods fit in CloudWatch's one-day window
 *   (the canary alarms' period is the canary schedule);
 * - a slow answer is reported as slow, not as a timeout: requestTimeoutMs > maxLatencyMs;
 * - each canary's requests fit in its run timeout (30 s health, 60 s transaction, less a start-up margin);
 * - under MREC the replication-lag alarm fires before the lag reaches the RPO.
 */
function observabilityProblems(at: (...path: string[]) => unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const whole = (v: unknown): number | undefined =>
    Number.isInteger(v) && (v as number) > 0 ? (v as number) : undefined;

  const mOfN = (path: readonly string[], defaults: { evaluationPeriods: number; datapointsToAlarm: number }) => {
    const n = at('alarms', ...path, 'evaluationPeriods');
    const m = at('alarms', ...path, 'datapointsToAlarm');
    const evals = n === undefined ? defaults.evaluationPeriods : whole(n);
    const points = m === undefined ? defaults.datapointsToAlarm : whole(m);
    if (evals !== undefined && points !== undefined && points > evals) {
      problems.push({
        path: `alarms.${path.join('.')}.datapointsToAlarm`,
        message: `is ${points}, more than evaluationPeriods (${evals}): the alarm could never fire`,
        received: points,
        fix: `set datapointsToAlarm to at most evaluationPeriods (${evals}), or raise evaluationPeriods`,
      });
    }
    return evals;
  };
  const window = (path: readonly string[], period: number | undefined, evals: number | undefined, what: string) => {
    if (period === undefined || evals === undefined || period * evals <= MAX_ALARM_EVALUATION_SECONDS) return;
    problems.push({
      path: `alarms.${path.join('.')}.evaluationPeriods`,
      message: `is ${evals}: ${evals} periods of ${period} s (${what}) exceed the one day (${MAX_ALARM_EVALUATION_SECONDS} s) CloudWatch evaluates`,
      received: evals,
      fix: `use at most ${Math.floor(MAX_ALARM_EVALUATION_SECONDS / period)} evaluation periods`,
    });
  };

  for (const { path, defaults } of PERIODIC_ALARMS) {
    const evals = mOfN(path, defaults);
    const p = at('alarms', ...path, 'periodSeconds');
    const period = p === undefined ? defaults.periodSeconds : whole(p);
    window(path, period !== undefined && period % 60 === 0 ? period : undefined, evals, 'the alarm period');
  }
  const scheduleSeconds = scheduleSecondsOf(str(at('canary', 'schedule')));
  for (const kind of ['canary', 'peerDeepHealth'] as const) {
    const evals = mOfN([kind], ALARM_DEFAULTS[kind]);
    window([kind], scheduleSeconds, evals, 'the canary schedule');
  }

  const millis = (field: keyof typeof CANARY_CONFIG_DEFAULTS): number | undefined => {
    const v = at('canary', field);
    return v === undefined ? CANARY_CONFIG_DEFAULTS[field] : whole(v);
  };
  const maxLatency = millis('maxLatencyMs');
  const requestTimeout = millis('requestTimeoutMs');
  const signBound = millis('signBoundMs');
  const margin = CANARY_TIMEOUTS.startupMarginMs;
  if (maxLatency !== undefined && requestTimeout !== undefined && requestTimeout <= maxLatency) {
    problems.push({
      path: 'canary.requestTimeoutMs',
      message: `is ${requestTimeout}, not longer than canary.maxLatencyMs (${maxLatency}): a slow answer would be reported as a timeout, without its region`,
      received: requestTimeout,
      fix: `raise canary.requestTimeoutMs above ${maxLatency} or lower canary.maxLatencyMs`,
    });
  }
  if (requestTimeout !== undefined && 2 * requestTimeout + margin > CANARY_TIMEOUTS.healthSeconds * 1000) {
    problems.push({
      path: 'canary.requestTimeoutMs',
      message:
        `is ${requestTimeout}: the deep-health canary's two requests (its region, then the peer) could take ` +
        `${2 * requestTimeout} ms, more than its ${CANARY_TIMEOUTS.healthSeconds} s run timeout less ${margin} ms to start`,
      received: requestTimeout,
      fix: `use at most ${Math.floor((CANARY_TIMEOUTS.healthSeconds * 1000 - margin) / 2)} ms`,
    });
  }
  if (
    signBound !== undefined &&
    requestTimeout !== undefined &&
    signBound + 2 * requestTimeout + margin > CANARY_TIMEOUTS.transactionSeconds * 1000
  ) {
    problems.push({
      path: 'canary.signBoundMs',
      message:
        `is ${signBound}: with the discovery and submit requests (2 x canary.requestTimeoutMs ${requestTimeout}) the ` +
        `transaction canary could need ${signBound + 2 * requestTimeout} ms, more than its ` +
        `${CANARY_TIMEOUTS.transactionSeconds} s run timeout less ${margin} ms to start`,
      received: signBound,
      fix: `use at most ${CANARY_TIMEOUTS.transactionSeconds * 1000 - margin - 2 * requestTimeout} ms, or lower canary.requestTimeoutMs`,
    });
  }

  const consistency = str(at('data', 'consistency')) ?? 'MRSC';
  const rpo = num(at('targets', 'rpoSeconds'));
  const lag = whole(at('alarms', 'replicationLatency', 'thresholdMs'));
  if (consistency === 'MREC' && lag !== undefined && rpo !== undefined && rpo > 0 && lag >= rpo * 1000) {
    problems.push({
      path: 'alarms.replicationLatency.thresholdMs',
      message: `is ${lag} ms, not below targets.rpoSeconds (${rpo} s): under MREC the lag is the data a failover loses, so degraded mode would start only after the RPO is already breached`,
      received: lag,
      fix: `set it below ${rpo * 1000} ms (the default is half the RPO, at most ${REPLICATION_LATENCY_DEFAULTS.mrecCapMs} ms), or leave it out`,
    });
  }
  return problems;
}

/** The schema's cron shape; other values are reported by the schema, not here. */
const CRON_SHAPE = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

/** Seconds a restore test may be apart: the restore-test freshness alarm watches one day. */
export const MAX_RESTORE_TEST_INTERVAL_SECONDS = 86400;

/**
 * Backup timing rules (docs/backup.md, "Backup RPO"):
 * - each backup schedule runs at most hourly (AWS Backup rejects shorter intervals);
 * - the worst-case age of the newest recovery point, lib/backup/rpo.ts, fits targets.backupRpoSeconds:
 *   the largest gap between backups + the start window must fit, and every rule must keep its
 *   points at least until its next point exists ("backup retention shorter than the RPO target allows");
 * - restore tests run at least daily.
 */
function backupTimingProblems(at: (...path: string[]) => unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const rules = (['frequent', 'daily'] as const).map((name) => ({
    name,
    schedule: str(at('backup', `${name}Schedule`)),
    retentionDays: num(at('backup', `${name}RetentionDays`)),
  }));

  let schedulesOk = true;
  for (const rule of rules) {
    if (rule.schedule === undefined || !CRON_SHAPE.test(rule.schedule)) {
      schedulesOk = false;
      continue;
    }
    const path = `backup.${rule.name}Schedule`;
    try {
      const gaps = scheduleGaps(rule.schedule);
      if (gaps.minGapSeconds < MIN_BACKUP_INTERVAL_SECONDS) {
        problems.push({
          path,
          message: `runs backups ${formatDuration(gaps.minGapSeconds)} apart; AWS Backup rejects rules that run more often than hourly`,
          received: rule.schedule,
          fix: 'run at most once an hour, e.g. "cron(0 * ? * * *)"',
        });
      }
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      schedulesOk = false;
      problems.push({ path, message: `cannot be evaluated: ${err.message}`, received: rule.schedule, fix: CRON_FIX });
    }
  }

  const rpo = num(at('targets', 'backupRpoSeconds')) ?? DEFAULT_BACKUP_RPO_SECONDS;
  const startWindow = BACKUP_START_WINDOW_MINUTES * 60;
  const retentionsOk = rules.every(
    (r) => r.retentionDays !== undefined && Number.isInteger(r.retentionDays) && r.retentionDays > 0,
  );
  if (schedulesOk && retentionsOk) {
    const age: RecoveryPointAge = recoveryPointAge(
      rules.map((r) => ({ name: r.name, schedule: r.schedule as string, retentionDays: r.retentionDays as number })),
    );
    if (age.scheduleOnlySeconds > rpo) {
      problems.push({
        path: 'backup.frequentSchedule',
        message:
          `lets the newest backup be ${formatDuration(age.scheduleOnlySeconds)} old (${age.arithmetic}), ` +
          `more than targets.backupRpoSeconds ${rpo} s (${formatDuration(rpo)})`,
        received: rules[0].schedule,
        fix:
          rpo - startWindow >= MIN_BACKUP_INTERVAL_SECONDS
            ? `run backups at least every ${formatDuration(rpo - startWindow)} (the ${BACKUP_START_WINDOW_MINUTES} min ` +
              `start window counts against the target), e.g. "cron(0 * ? * * *)", or raise targets.backupRpoSeconds ` +
              `to at least ${age.scheduleOnlySeconds}`
            : `raise targets.backupRpoSeconds to at least ${Math.max(age.scheduleOnlySeconds, MIN_BACKUP_INTERVAL_SECONDS + startWindow)}: ` +
              `AWS Backup runs at most hourly and may start a job up to ${BACKUP_START_WINDOW_MINUTES} min late`,
      });
    } else if (age.worstCaseSeconds > rpo) {
      for (const short of age.retentionTooShort) {
        const neededDays = Math.ceil(short.neededSeconds / 86400);
        problems.push({
          path: `backup.${short.rule}RetentionDays`,
          message:
            `is shorter than the RPO target allows: its recovery points expire before the next ${short.rule} backup ` +
            `can exist (${formatDuration(short.neededSeconds)} later), so ` +
            (Number.isFinite(age.worstCaseSeconds)
              ? `the newest backup can be ${formatDuration(age.worstCaseSeconds)} old`
              : 'at times no recovery point exists at all') +
            `, against targets.backupRpoSeconds ${rpo} s`,
          received: short.retentionDays,
          fix: `keep ${short.rule} recovery points for at least ${neededDays} days, or run backup.${short.rule}Schedule more often`,
        });
      }
    }
  }

  const restoreSchedule = str(at('backup', 'restoreTestSchedule'));
  if (restoreSchedule !== undefined && CRON_SHAPE.test(restoreSchedule)) {
    try {
      const gaps = scheduleGaps(restoreSchedule);
      if (gaps.maxGapSeconds > MAX_RESTORE_TEST_INTERVAL_SECONDS) {
        problems.push({
          path: 'backup.restoreTestSchedule',
          message: `leaves up to ${formatDuration(gaps.maxGapSeconds)} between restore tests; the restore-test freshness alarm expects one at least daily`,
          received: restoreSchedule,
          fix: 'restore at least once a day, e.g. "cron(0 6 ? * * *)"',
        });
      }
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      problems.push({
        path: 'backup.restoreTestSchedule',
        message: `cannot be evaluated: ${err.message}`,
        received: restoreSchedule,
        fix: CRON_FIX,
      });
    }
  }
  return problems;
}

const CRON_FIX =
  'use numbers, ranges, lists and steps with "*" as the year and "?" in exactly one day field, e.g. "cron(0 * ? * * *)"';

function describeSets(): string {
  return Object.entries(MRSC_REGION_SETS)
    .map(([name, regions]) => `${name}: ${regions.join(', ')}`)
    .join('; ');
}
