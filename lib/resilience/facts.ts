import { isWalletState } from '../backup/coverage';
import { DATA_STORE_TYPES } from '../contract/stateful';
import {
  arnRegion,
  CfnResource,
  EnvironmentStacks,
  literal,
  numberOf,
  referencedLogicalId,
  resourcesOfType,
  StackTemplate,
  tagsOf,
} from './assembly';

/**
 * What the synthesized templates of one environment say, by CloudFormation resource type. The
 * report computes every figure from these facts; nothing here depends on our construct names, so a
 * resource is picked up by its type whichever construct creates it.
 */

/** Where a resource is: its stack, logical id and region. */
export interface Located {
  readonly stack: string;
  readonly logicalId: string;
  readonly region?: string;
}

export type HealthCheckKind = 'endpoint' | 'calculated' | 'cloudwatch-metric' | 'other';

export interface HealthCheckFact extends Located {
  readonly type: string;
  readonly kind: HealthCheckKind;
  readonly fqdn?: string;
  /** Endpoint checks: the path (and query) requested. */
  readonly resourcePath?: string;
  /** Endpoint checks: seconds between requests (Route 53 default 30). */
  readonly intervalSeconds?: number;
  /** Endpoint checks: consecutive results to change status (Route 53 default 3). */
  readonly failureThreshold?: number;
  readonly checkerRegions?: number;
  /** Billable optional features of an endpoint check. */
  readonly options: readonly HealthCheckOption[];
  /** CLOUDWATCH_METRIC: the alarm it watches. */
  readonly alarm?: { readonly name?: string; readonly region?: string };
  readonly insufficientDataHealthStatus?: string;
  readonly children?: number;
}

export type HealthCheckOption = 'HTTPS' | 'string matching' | 'fast interval' | 'latency measurement';

export type AlarmKind = 'standard' | 'high-resolution' | 'anomaly-detection' | 'metric-math' | 'composite';

export interface AlarmFact extends Located {
  readonly name?: string;
  readonly kind: AlarmKind;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly threshold?: number;
  readonly dimensions: Readonly<Record<string, string | undefined>>;
  /** Metrics an alarm evaluates (the unit CloudWatch bills alarms by). */
  readonly billedMetrics: number;
}

export interface RecordFact extends Located {
  readonly name?: string;
  readonly failover?: string;
  readonly ttlSeconds?: number;
  readonly alias: boolean;
}

export interface TableFact extends Located {
  readonly type: 'AWS::DynamoDB::GlobalTable' | 'AWS::DynamoDB::Table';
  readonly tableName?: string;
  /** `STRONG` (MRSC), `EVENTUAL` (MREC) or undefined (a single-region table). */
  readonly consistency?: string;
  /** Regions holding a full copy of the data. */
  readonly replicaRegions: readonly string[];
  readonly witnessRegions: readonly string[];
  /** Replica regions with point-in-time recovery on. */
  readonly pitrRegions: readonly string[];
  readonly globalSecondaryIndexes: number;
  readonly billingMode?: string;
  readonly tags: ReadonlyArray<{ key: string; value: string }>;
}

export interface StatefulFact extends Located {
  readonly type: string;
  /** A name to match backup selections against (table name, bucket name, ...). */
  readonly physicalName?: string;
  readonly tags: ReadonlyArray<{ key: string; value: string }>;
}

export interface BackupRuleFact {
  readonly name?: string;
  readonly schedule: string;
  readonly scheduleDefaulted: boolean;
  readonly startWindowMinutes?: number;
  readonly deleteAfterDays?: number;
  readonly continuous: boolean;
  readonly copyActions: ReadonlyArray<{ readonly region?: string; readonly deleteAfterDays?: number }>;
}

export interface BackupPlanFact extends Located {
  readonly name?: string;
  readonly rules: readonly BackupRuleFact[];
}

export interface BackupSelectionFact extends Located {
  /** Logical id of the plan in the same stack, when the selection references it. */
  readonly planLogicalId?: string;
  readonly resources: ReadonlyArray<{ readonly logicalId?: string; readonly text?: string }>;
  readonly tags: ReadonlyArray<{ key: string; value: string }>;
}

export interface RestoreTestingPlanFact extends Located {
  readonly name?: string;
  readonly schedule?: string;
  /** Resource types and ARNs its selections restore (`*` = every protected resource of the type). */
  readonly selections: ReadonlyArray<{ readonly resourceType?: string; readonly arns: readonly string[] }>;
}

export interface CanaryFact extends Located {
  readonly name?: string;
  readonly schedule?: string;
}

export interface KeyFact extends Located {
  readonly replica: boolean;
  readonly multiRegion: boolean;
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly rotation: boolean;
}

export interface WebAclFact extends Located {
  readonly name?: string;
  readonly scope?: string;
  readonly rules: number;
  readonly managedRuleGroups: readonly string[];
}

/** A Lambda function an EventBridge schedule invokes (directly or through an alias). */
export interface ScheduledFunctionFact extends Located {
  readonly functionName?: string;
  /** The rule's ScheduleExpression, when literal. */
  readonly schedule?: string;
  readonly memoryMb: number;
  readonly architecture: string;
  readonly timeoutSeconds: number;
  /** Its environment variables with a literal value (what the function is told about its region). */
  readonly environment: Readonly<Record<string, string>>;
}

export interface EnvironmentFacts {
  readonly envName: string;
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly region?: string; readonly templateFile: string }>;
  /** Stack outputs with a literal value, by output name (first stack that declares it wins). */
  readonly outputs: Readonly<Record<string, { readonly stack: string; readonly value: string }>>;
  readonly healthChecks: readonly HealthCheckFact[];
  readonly alarms: readonly AlarmFact[];
  readonly records: readonly RecordFact[];
  readonly tables: readonly TableFact[];
  readonly stateful: readonly StatefulFact[];
  readonly backupPlans: readonly BackupPlanFact[];
  readonly backupSelections: readonly BackupSelectionFact[];
  readonly restoreTestingPlans: readonly RestoreTestingPlanFact[];
  readonly canaries: readonly CanaryFact[];
  readonly scheduledFunctions: readonly ScheduledFunctionFact[];
  readonly keys: readonly KeyFact[];
  readonly webAcls: readonly WebAclFact[];
  /** Regions of stacks that hold an API Gateway API (the workload's front door). */
  readonly apiRegions: readonly string[];
}

const ENDPOINT_TYPES = ['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP'];

export function collectFacts(env: EnvironmentStacks): EnvironmentFacts {
  const facts = {
    envName: env.envName,
    stacks: env.stacks.map((s) => ({ name: s.name, region: s.region, templateFile: s.templateFile })),
    outputs: {} as Record<string, { stack: string; value: string }>,
    healthChecks: [] as HealthCheckFact[],
    alarms: [] as AlarmFact[],
    records: [] as RecordFact[],
    tables: [] as TableFact[],
    stateful: [] as StatefulFact[],
    backupPlans: [] as BackupPlanFact[],
    backupSelections: [] as BackupSelectionFact[],
    restoreTestingPlans: [] as RestoreTestingPlanFact[],
    canaries: [] as CanaryFact[],
    scheduledFunctions: [] as ScheduledFunctionFact[],
    keys: [] as KeyFact[],
    webAcls: [] as WebAclFact[],
    apiRegions: [] as string[],
  };
  for (const stack of env.stacks) {
    for (const [name, out] of Object.entries(stack.template.Outputs ?? {})) {
      const value = literal(out.Value, stack);
      if (value !== undefined && facts.outputs[name] === undefined) facts.outputs[name] = { stack: stack.name, value };
    }
    const at = (logicalId: string): Located => ({ stack: stack.name, logicalId, region: stack.region });
    for (const [id, r] of resourcesOfType(stack, 'AWS::Route53::HealthCheck')) {
      facts.healthChecks.push(healthCheck(at(id), r));
    }
    for (const [id, r] of resourcesOfType(stack, 'AWS::CloudWatch::Alarm'))
      facts.alarms.push(metricAlarm(at(id), r, stack));
    for (const [id, r] of resourcesOfType(stack, 'AWS::CloudWatch::CompositeAlarm')) {
      facts.alarms.push({
        ...at(id),
        name: literal(r.Properties?.AlarmName, stack),
        kind: 'composite',
        dimensions: {},
        billedMetrics: 0,
      });
    }
    for (const [id, r] of resourcesOfType(stack, 'AWS::Route53::RecordSet'))
      facts.records.push(record(at(id), r.Properties));
    for (const [id, r] of resourcesOfType(stack, 'AWS::Route53::RecordSetGroup')) {
      const sets = (r.Properties?.RecordSets as Array<Record<string, unknown>> | undefined) ?? [];
      sets.forEach((set, i) => facts.records.push(record(at(`${id}[${i}]`), set)));
    }
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table'] as const) {
      for (const [id, r] of resourcesOfType(stack, type)) facts.tables.push(table(at(id), type, r, stack));
    }
    for (const type of DATA_STORE_TYPES) {
      for (const [id, r] of resourcesOfType(stack, type)) {
        // Same definition of wallet state as the backup coverage rule (lib/backup/coverage.ts).
        if (!isWalletState(r)) continue;
        const p = r.Properties ?? {};
        const name = p.TableName ?? p.BucketName ?? p.DBClusterIdentifier ?? p.DBInstanceIdentifier;
        facts.stateful.push({ ...at(id), type, physicalName: literal(name, stack), tags: tagsOf(r) });
      }
    }
    for (const [id, r] of resourcesOfType(stack, 'AWS::Backup::BackupPlan'))
      facts.backupPlans.push(backupPlan(at(id), r, stack));
    for (const [id, r] of resourcesOfType(stack, 'AWS::Backup::BackupSelection')) {
      facts.backupSelections.push(backupSelection(at(id), r, stack));
    }
    const restoreSelections = resourcesOfType(stack, 'AWS::Backup::RestoreTestingSelection').map(([, r]) => ({
      plan: literal(r.Properties?.RestoreTestingPlanName, stack),
      resourceType: literal(r.Properties?.ProtectedResourceType, stack),
      arns: ((r.Properties?.ProtectedResourceArns as unknown[] | undefined) ?? []).map((a) => literal(a, stack) ?? '?'),
    }));
    for (const [id, r] of resourcesOfType(stack, 'AWS::Backup::RestoreTestingPlan')) {
      const name = literal(r.Properties?.RestoreTestingPlanName, stack);
      facts.restoreTestingPlans.push({
        ...at(id),
        name,
        schedule: literal(r.Properties?.ScheduleExpression, stack),
        selections: restoreSelections
          .filter((sel) => sel.plan === name)
          .map(({ resourceType, arns }) => ({ resourceType, arns })),
      });
    }
    for (const [id, r] of resourcesOfType(stack, 'AWS::Synthetics::Canary')) {
      const schedule = (r.Properties?.Schedule as { Expression?: unknown } | undefined)?.Expression;
      facts.canaries.push({ ...at(id), name: literal(r.Properties?.Name, stack), schedule: literal(schedule, stack) });
    }
    for (const [, r] of resourcesOfType(stack, 'AWS::Events::Rule')) {
      // Event-pattern rules have no ScheduleExpression; a schedule that is not literal is kept (undefined).
      if (r.Properties?.ScheduleExpression === undefined) continue;
      const schedule = literal(r.Properties.ScheduleExpression, stack);
      for (const target of (r.Properties?.Targets as Array<{ Arn?: unknown }> | undefined) ?? []) {
        const fn = scheduledFunction(stack, referencedLogicalId(target.Arn));
        if (fn !== undefined)
          facts.scheduledFunctions.push({ ...at(fn.id), ...(schedule === undefined ? {} : { schedule }), ...fn.fact });
      }
    }
    for (const type of ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']) {
      for (const [id, r] of resourcesOfType(stack, type)) {
        const p = r.Properties ?? {};
        facts.keys.push({
          ...at(id),
          replica: type === 'AWS::KMS::ReplicaKey',
          multiRegion: type === 'AWS::KMS::ReplicaKey' || p.MultiRegion === true,
          keySpec: literal(p.KeySpec, stack),
          keyUsage: literal(p.KeyUsage, stack),
          rotation: p.EnableKeyRotation === true,
        });
      }
    }
    const hasApi = ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api'].some(
      (t) => resourcesOfType(stack, t).length > 0,
    );
    if (hasApi && stack.region !== undefined && !facts.apiRegions.includes(stack.region))
      facts.apiRegions.push(stack.region);
    for (const [id, r] of resourcesOfType(stack, 'AWS::WAFv2::WebACL')) {
      const rules =
        (r.Properties?.Rules as Array<{ Statement?: { ManagedRuleGroupStatement?: { Name?: unknown } } }>) ?? [];
      facts.webAcls.push({
        ...at(id),
        name: literal(r.Properties?.Name, stack),
        scope: literal(r.Properties?.Scope, stack),
        rules: rules.length,
        managedRuleGroups: rules
          .map((rule) => literal(rule.Statement?.ManagedRuleGroupStatement?.Name, stack))
          .filter((n): n is string => n !== undefined),
      });
    }
  }
  return facts;
}

function healthCheck(loc: Located, r: CfnResource): HealthCheckFact {
  const c = (r.Properties?.HealthCheckConfig ?? {}) as Record<string, unknown>;
  const type = typeof c.Type === 'string' ? c.Type : 'unknown';
  const kind: HealthCheckKind = ENDPOINT_TYPES.includes(type)
    ? 'endpoint'
    : type === 'CALCULATED'
      ? 'calculated'
      : type === 'CLOUDWATCH_METRIC'
        ? 'cloudwatch-metric'
        : 'other';
  if (kind !== 'endpoint') {
    const alarm = c.AlarmIdentifier as { Name?: unknown; Region?: unknown } | undefined;
    return {
      ...loc,
      type,
      kind,
      options: [],
      alarm: alarm === undefined ? undefined : { name: literal(alarm.Name), region: literal(alarm.Region) },
      insufficientDataHealthStatus: literal(c.InsufficientDataHealthStatus),
      children: Array.isArray(c.ChildHealthChecks) ? c.ChildHealthChecks.length : undefined,
    };
  }
  // Route 53 defaults when a field is absent: RequestInterval 30, FailureThreshold 3.
  const intervalSeconds = numberOf(c.RequestInterval) ?? 30;
  const options: HealthCheckOption[] = [];
  if (type.startsWith('HTTPS')) options.push('HTTPS');
  if (type.endsWith('_STR_MATCH')) options.push('string matching');
  if (intervalSeconds === 10) options.push('fast interval');
  if (c.MeasureLatency === true) options.push('latency measurement');
  return {
    ...loc,
    type,
    kind,
    fqdn: literal(c.FullyQualifiedDomainName) ?? literal(c.IPAddress),
    resourcePath: literal(c.ResourcePath),
    intervalSeconds,
    failureThreshold: numberOf(c.FailureThreshold) ?? 3,
    // Without Regions, Route 53 uses every checker region (8 at the time of writing).
    checkerRegions: Array.isArray(c.Regions) ? c.Regions.length : 8,
    options,
  };
}

function metricAlarm(loc: Located, r: CfnResource, stack: StackTemplate): AlarmFact {
  const p = r.Properties ?? {};
  const dims: Record<string, string | undefined> = {};
  for (const d of (p.Dimensions as Array<{ Name?: unknown; Value?: unknown }> | undefined) ?? []) {
    if (typeof d.Name === 'string') dims[d.Name] = literal(d.Value, stack);
  }
  const metrics = (p.Metrics as Array<Record<string, unknown>> | undefined) ?? [];
  const anomaly = metrics.some((m) => JSON.stringify(m.Expression ?? '').includes('ANOMALY_DETECTION_BAND'));
  const period = numberOf(p.Period);
  let kind: AlarmKind = 'standard';
  if (anomaly) kind = 'anomaly-detection';
  else if (metrics.length > 0) kind = 'metric-math';
  else if (period !== undefined && period < 60) kind = 'high-resolution';
  const stat = metrics.find((m) => m.MetricStat !== undefined)?.MetricStat as
    { Metric?: { Namespace?: unknown; MetricName?: unknown }; Period?: unknown } | undefined;
  return {
    ...loc,
    name: literal(p.AlarmName, stack),
    kind,
    namespace: literal(p.Namespace, stack) ?? literal(stat?.Metric?.Namespace, stack),
    metricName: literal(p.MetricName, stack) ?? literal(stat?.Metric?.MetricName, stack),
    periodSeconds: period ?? numberOf(stat?.Period),
    evaluationPeriods: numberOf(p.EvaluationPeriods),
    datapointsToAlarm: numberOf(p.DatapointsToAlarm),
    threshold: numberOf(p.Threshold),
    dimensions: dims,
    billedMetrics: metrics.length > 0 ? metrics.filter((m) => m.MetricStat !== undefined).length || 1 : 1,
  };
}

function record(loc: Located, p: Record<string, unknown> | undefined): RecordFact {
  return {
    ...loc,
    name: literal(p?.Name),
    failover: literal(p?.Failover),
    ttlSeconds: numberOf(p?.TTL),
    alias: p?.AliasTarget !== undefined,
  };
}

function table(loc: Located, type: TableFact['type'], r: CfnResource, stack: StackTemplate): TableFact {
  const p = r.Properties ?? {};
  const replicas = (p.Replicas as Array<Record<string, unknown>> | undefined) ?? [];
  const pitrOn = (spec: unknown) =>
    (spec as { PointInTimeRecoveryEnabled?: unknown } | undefined)?.PointInTimeRecoveryEnabled === true;
  const replicaRegions =
    type === 'AWS::DynamoDB::GlobalTable'
      ? replicas.map((rep) => literal(rep.Region, stack)).filter((x): x is string => x !== undefined)
      : loc.region !== undefined
        ? [loc.region]
        : [];
  const pitrRegions =
    type === 'AWS::DynamoDB::GlobalTable'
      ? replicas
          .filter((rep) => pitrOn(rep.PointInTimeRecoverySpecification))
          .map((rep) => literal(rep.Region, stack))
          .filter((x): x is string => x !== undefined)
      : pitrOn(p.PointInTimeRecoverySpecification) && loc.region !== undefined
        ? [loc.region]
        : [];
  const witnesses = (p.GlobalTableWitnesses as Array<{ Region?: unknown }> | undefined) ?? [];
  return {
    ...loc,
    type,
    tableName: literal(p.TableName, stack),
    consistency:
      type === 'AWS::DynamoDB::GlobalTable' ? (literal(p.MultiRegionConsistency, stack) ?? 'EVENTUAL') : undefined,
    replicaRegions,
    witnessRegions: witnesses.map((w) => literal(w.Region, stack)).filter((x): x is string => x !== undefined),
    pitrRegions,
    globalSecondaryIndexes: Array.isArray(p.GlobalSecondaryIndexes) ? p.GlobalSecondaryIndexes.length : 0,
    billingMode: literal(p.BillingMode, stack),
    tags: tagsOf(r),
  };
}

function backupPlan(loc: Located, r: CfnResource, stack: StackTemplate): BackupPlanFact {
  const plan = (r.Properties?.BackupPlan ?? {}) as Record<string, unknown>;
  const rules = (plan.BackupPlanRule as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    ...loc,
    name: literal(plan.BackupPlanName, stack),
    rules: rules.map((rule) => {
      const schedule = literal(rule.ScheduleExpression, stack);
      const copies = (rule.CopyActions as Array<Record<string, unknown>> | undefined) ?? [];
      return {
        name: literal(rule.RuleName, stack),
        // AWS Backup's documented default when a rule has no schedule (BackupRuleInput).
        schedule: schedule ?? 'cron(0 5 ? * * *)',
        scheduleDefaulted: schedule === undefined,
        startWindowMinutes: numberOf(rule.StartWindowMinutes),
        deleteAfterDays: numberOf((rule.Lifecycle as { DeleteAfterDays?: unknown } | undefined)?.DeleteAfterDays),
        continuous: rule.EnableContinuousBackup === true,
        copyActions: copies.map((c) => ({
          region: arnRegion(literal(c.DestinationBackupVaultArn, stack)),
          deleteAfterDays: numberOf((c.Lifecycle as { DeleteAfterDays?: unknown } | undefined)?.DeleteAfterDays),
        })),
      };
    }),
  };
}

function backupSelection(loc: Located, r: CfnResource, stack: StackTemplate): BackupSelectionFact {
  const sel = (r.Properties?.BackupSelection ?? {}) as Record<string, unknown>;
  const tags: Array<{ key: string; value: string }> = [];
  for (const t of (sel.ListOfTags as Array<Record<string, unknown>> | undefined) ?? []) {
    const key = literal(t.ConditionKey, stack);
    const value = literal(t.ConditionValue, stack);
    if (key !== undefined && value !== undefined) tags.push({ key, value });
  }
  const conditions = (sel.Conditions ?? {}) as { StringEquals?: Array<Record<string, unknown>> };
  for (const c of conditions.StringEquals ?? []) {
    const key = literal(c.ConditionKey, stack)?.replace(/^aws:ResourceTag\//, '');
    const value = literal(c.ConditionValue, stack);
    if (key !== undefined && value !== undefined) tags.push({ key, value });
  }
  return {
    ...loc,
    planLogicalId: referencedLogicalId(r.Properties?.BackupPlanId),
    resources: ((sel.Resources as unknown[] | undefined) ?? []).map((res) => ({
      logicalId: referencedLogicalId(res),
      text: literal(res, stack) ?? joinedText(res, stack),
    })),
    tags,
  };
}

/** The literal parts of an `Fn::Join`, so `...:table/<name>` can be matched even with unresolved parts. */
function joinedText(value: unknown, stack: StackTemplate): string | undefined {
  const join = (value as Record<string, unknown> | null)?.['Fn::Join'];
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  return (join[1] as unknown[]).map((p) => literal(p, stack) ?? '*').join(String(join[0]));
}

/**
 * The function a rule target names: an AWS::Lambda::Function, or an AWS::Lambda::Alias of one in
 * the same stack (the wallet's schedules invoke the `live` alias). Lambda's defaults apply to what
 * the template leaves out (128 MB, x86_64, 3 s).
 */
function scheduledFunction(
  stack: StackTemplate,
  targetId: string | undefined,
): { id: string; fact: Omit<ScheduledFunctionFact, keyof Located | 'schedule'> } | undefined {
  const resources = stack.template.Resources ?? {};
  let id = targetId;
  if (id !== undefined && resources[id]?.Type === 'AWS::Lambda::Alias') {
    id = referencedLogicalId(resources[id].Properties?.FunctionName);
  }
  const fn = id === undefined ? undefined : resources[id];
  if (id === undefined || fn?.Type !== 'AWS::Lambda::Function') return undefined;
  const p = fn.Properties ?? {};
  const vars = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<
    string,
    unknown
  >;
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    const value = literal(v, stack);
    if (value !== undefined) environment[k] = value;
  }
  return {
    id,
    fact: {
      functionName: literal(p.FunctionName, stack),
      memoryMb: numberOf(p.MemorySize) ?? 128,
      architecture: literal((p.Architectures as unknown[] | undefined)?.[0], stack) ?? 'x86_64',
      timeoutSeconds: numberOf(p.Timeout) ?? 3,
      environment,
    },
  };
}
