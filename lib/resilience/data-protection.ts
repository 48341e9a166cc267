import { DEFAULT_BACKUP_START_WINDOW_MINUTES } from './assumptions';
import { BackupPlanFact, EnvironmentFacts, StatefulFact, TableFact } from './facts';
import { fireTimes, formatSeconds, ScheduleError } from './schedule';

/**
 * RPO of the data and backup coverage, from the templates: MRSC global tables lose nothing, MREC
 * global tables lose up to the replication lag their ReplicationLatency alarm allows, and backups
 * are as old as the largest gap between scheduled runs plus the start window.
 */

export interface DataRpo {
  readonly resource: string;
  readonly stack: string;
  readonly type: string;
  readonly mode: string;
  /** Worst-case data loss when a region is lost, in seconds (Infinity when unbounded). */
  readonly rpoSeconds: number;
  readonly basis: string;
}

export interface BackupCoverage {
  readonly resource: string;
  readonly stack: string;
  readonly type: string;
  readonly region?: string;
  /** Backup plans (stack/logicalId) whose selections cover the resource. */
  readonly plans: readonly string[];
  /** Regions the covering rules copy recovery points to (other than the resource's own). */
  readonly copyRegions: readonly string[];
  readonly crossRegionCopy: boolean;
  /** Worst-case age of the newest recovery point, in seconds (Infinity without backups). */
  readonly backupRpoSeconds: number;
  readonly basis: string;
}

export function dataRpo(facts: EnvironmentFacts, coverage: readonly BackupCoverage[]): DataRpo[] {
  return facts.tables.map((t) => {
    const resource = t.tableName ?? t.logicalId;
    const base = { resource, stack: t.stack, type: t.type };
    if (t.type === 'AWS::DynamoDB::GlobalTable' && t.consistency === 'STRONG') {
      return {
        ...base,
        mode: 'MRSC',
        rpoSeconds: 0,
        basis:
          'MultiRegionConsistency STRONG: a write succeeds only once it is durable in a second region, so losing a region loses no acknowledged write',
      };
    }
    if (t.type === 'AWS::DynamoDB::GlobalTable') {
      const alarms = replicationLatencyAlarms(facts, t);
      if (alarms.length === 0) {
        return {
          ...base,
          mode: 'MREC',
          rpoSeconds: Infinity,
          basis:
            'unbounded: no ReplicationLatency alarm (AWS/DynamoDB) on this table, so nothing bounds the lag a failover would lose',
        };
      }
      const worst = alarms.reduce((a, b) => ((a.threshold ?? 0) >= (b.threshold ?? 0) ? a : b));
      const seconds = (worst.threshold ?? 0) / 1000;
      const detect = (worst.periodSeconds ?? 60) * (worst.evaluationPeriods ?? 1);
      return {
        ...base,
        mode: 'MREC',
        rpoSeconds: seconds,
        basis:
          `ReplicationLatency alarm ${worst.name ?? worst.logicalId} fires above ${worst.threshold} ms: a failover made while it is OK ` +
          `(the drill's pre-check) loses at most ${formatSeconds(seconds)} of writes; a lag above it is detected within ${formatSeconds(detect)}`,
      };
    }
    const cov = coverage.find((c) => c.stack === t.stack && c.resource === resource);
    if (cov?.crossRegionCopy) {
      return {
        ...base,
        mode: 'single-region + backup copy',
        rpoSeconds: cov.backupRpoSeconds,
        basis: `restored from the cross-region backup copy (${cov.basis})`,
      };
    }
    return {
      ...base,
      mode: 'single-region',
      rpoSeconds: Infinity,
      basis: 'unbounded: a single-region table with no cross-region backup copy is lost with its region',
    };
  });
}

function replicationLatencyAlarms(facts: EnvironmentFacts, t: TableFact) {
  return facts.alarms.filter(
    (a) =>
      a.namespace === 'AWS/DynamoDB' &&
      a.metricName === 'ReplicationLatency' &&
      (a.dimensions.TableName === undefined || t.tableName === undefined || a.dimensions.TableName === t.tableName),
  );
}

/** Which stateful resources a backup selection covers, where the copies go, and how old a backup can be. */
export function backupCoverage(facts: EnvironmentFacts): BackupCoverage[] {
  return facts.stateful.map((res) => {
    const resource = res.physicalName ?? res.logicalId;
    const plans = facts.backupPlans.filter((plan) =>
      facts.backupSelections.some(
        (sel) => sel.stack === plan.stack && selectsPlan(sel.planLogicalId, plan, facts) && selects(sel, res),
      ),
    );
    const copyRegions = [
      ...new Set(plans.flatMap((p) => p.rules.flatMap((r) => r.copyActions.map((c) => c.region ?? 'unknown region')))),
    ].filter((r) => r !== res.region);
    const { seconds, basis } = backupAge(plans);
    return {
      resource,
      stack: res.stack,
      type: res.type,
      region: res.region,
      plans: plans.map((p) => `${p.stack}/${p.logicalId}`),
      copyRegions,
      crossRegionCopy: copyRegions.some((r) => r !== 'unknown region'),
      backupRpoSeconds: seconds,
      basis,
    };
  });
}

function selectsPlan(planLogicalId: string | undefined, plan: BackupPlanFact, facts: EnvironmentFacts): boolean {
  if (planLogicalId !== undefined) return planLogicalId === plan.logicalId;
  // Unresolvable plan reference: only unambiguous when the stack has one plan.
  return facts.backupPlans.filter((p) => p.stack === plan.stack).length === 1;
}

function selects(sel: EnvironmentFacts['backupSelections'][number], res: StatefulFact): boolean {
  for (const r of sel.resources) {
    if (r.logicalId !== undefined && sel.stack === res.stack && r.logicalId === res.logicalId) return true;
    if (r.text !== undefined && res.physicalName !== undefined && wildcardMatch(r.text, res)) return true;
  }
  return sel.tags.some((t) => res.tags.some((rt) => rt.key === t.key && rt.value === t.value));
}

function wildcardMatch(pattern: string, res: StatefulFact): boolean {
  const name = res.physicalName ?? '';
  if (pattern.includes(name) && name !== '') return true;
  const service = res.type.startsWith('AWS::DynamoDB') ? 'dynamodb' : res.type.startsWith('AWS::S3') ? 's3' : undefined;
  if (service === undefined) return false;
  const arn = service === 'dynamodb' ? `arn:aws:dynamodb:${res.region ?? '*'}:*:table/${name}` : `arn:aws:s3:::${name}`;
  const re = new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
  return re.test(arn);
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Largest gap between scheduled runs of all rules + the start window. */
export function backupAge(plans: readonly BackupPlanFact[]): { seconds: number; basis: string } {
  const rules = plans.flatMap((p) => p.rules);
  if (rules.length === 0) return { seconds: Infinity, basis: 'no backup plan covers it' };
  let fires: number[] = [];
  try {
    for (const r of rules) fires.push(...fireTimes(r.schedule));
  } catch (err) {
    if (err instanceof ScheduleError) return { seconds: Infinity, basis: `schedule not evaluated: ${err.message}` };
    throw err;
  }
  fires = [...new Set(fires)].sort((a, b) => a - b);
  let gap = Infinity;
  if (fires.length >= 2) {
    gap = 0;
    for (let i = 1; i < fires.length; i++) gap = Math.max(gap, fires[i] - fires[i - 1]);
  }
  const windows = rules.map((r) => r.startWindowMinutes ?? DEFAULT_BACKUP_START_WINDOW_MINUTES);
  const startWindow = Math.max(...windows) * 60;
  const defaulted = rules.some((r) => r.startWindowMinutes === undefined);
  const schedules = [...new Set(rules.map((r) => r.schedule))].join(' + ');
  return {
    seconds: gap + startWindow,
    basis:
      `largest gap between runs of ${schedules} ${formatSeconds(gap)} + start window ${formatSeconds(startWindow)}` +
      (defaulted ? ' (a rule sets no StartWindowMinutes: AWS Backup default 8 h assumed)' : ''),
  };
}
