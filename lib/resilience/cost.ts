import { walletFunctionName } from '../contract/names';
import { RUNTIME_ENV } from '../contract/runtime-env';
import { HEALTH_CHECK_ENDPOINT_CLASS, USAGE, UsageAssumption } from './assumptions';
import { BackupCoverage } from './data-protection';
import { EnvironmentFacts, ScheduledFunctionFact } from './facts';
import { PriceBook, PriceId } from './prices';
import { scheduleTiming, ScheduleError } from './schedule';

/**
 * The estimated monthly cost of what the templates declare, one line item per priced thing, each
 * with its quantity, unit price and the assumption behind the quantity. Usage volumes come from
 * lib/resilience/assumptions.ts; prices from data/prices.json.
 */

export interface LineItem {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly priceId: PriceId;
  readonly unitPrice: number;
  readonly monthly: number;
  readonly assumption: string;
  readonly confidence: string;
}

export interface CostEstimate {
  readonly currency: string;
  readonly totalMonthly: number;
  readonly lineItems: readonly LineItem[];
  /** Things that exist in the templates (or not) and are deliberately not priced, and why. */
  readonly notes: readonly string[];
}

const cents = (v: number) => Math.round(v * 100) / 100;

export function estimateCost(
  facts: EnvironmentFacts,
  coverage: readonly BackupCoverage[],
  book: PriceBook,
): CostEstimate {
  const items: LineItem[] = [];
  const notes: string[] = [];
  const add = (service: string, item: string, quantity: number, priceId: PriceId, assumption: string) => {
    if (quantity === 0) return;
    const price = book.prices[priceId];
    items.push({
      service,
      item,
      quantity: Math.round(quantity * 1000) / 1000,
      unit: price.unit,
      priceId,
      unitPrice: price.value,
      monthly: cents(quantity * price.value),
      assumption,
      confidence: price.confidence,
    });
  };
  const hours = book.hoursPerMonth;

  // Route 53 health checks: basic charge by kind, plus each optional feature of endpoint checks.
  const cls = HEALTH_CHECK_ENDPOINT_CLASS.value;
  const endpoints = facts.healthChecks.filter((h) => h.kind === 'endpoint');
  add(
    'Route 53',
    `endpoint health checks (basic, ${cls === 'aws' ? 'AWS' : 'non-AWS'} endpoint)`,
    endpoints.length,
    `route53.healthCheck.${cls}.basic`,
    HEALTH_CHECK_ENDPOINT_CLASS.why,
  );
  for (const option of ['HTTPS', 'string matching', 'fast interval', 'latency measurement'] as const) {
    const withIt = endpoints.filter((h) => h.options.includes(option));
    add(
      'Route 53',
      `health check option: ${option}`,
      withIt.length,
      `route53.healthCheck.${cls}.option`,
      `${withIt.length} endpoint check(s) with ${option} (${withIt.map((h) => h.fqdn ?? h.logicalId).join(', ')})`,
    );
  }
  const calculated = facts.healthChecks.filter((h) => h.kind === 'calculated');
  add(
    'Route 53',
    'calculated health checks',
    calculated.length,
    'route53.healthCheck.calculated',
    `${calculated.length} CALCULATED check(s), priced as basic AWS-endpoint checks`,
  );
  const metric = facts.healthChecks.filter((h) => h.kind === 'cloudwatch-metric');
  add(
    'Route 53',
    'CloudWatch-alarm (metric) health checks',
    metric.length,
    'route53.healthCheck.cloudwatchMetric',
    `${metric.length} CLOUDWATCH_METRIC check(s), priced as basic AWS-endpoint checks`,
  );
  if (facts.healthChecks.length > 0)
    notes.push('Route 53 free tier (50 AWS-endpoint health checks) and hosted-zone charges are not included.');

  // DNS queries: billed for CNAME (non-alias) records, free for alias records to AWS resources.
  const failoverRecords = facts.records.filter((r) => r.failover !== undefined);
  const cnames = failoverRecords.filter((r) => !r.alias);
  const queries = USAGE.dnsQueriesPerMonth;
  if (cnames.length > 0) {
    add(
      'Route 53',
      'standard queries (CNAME failover records)',
      queries.value / 1_000_000,
      'route53.queries.standard',
      `${queries.value.toLocaleString('en-US')} ${queries.unit}: ${queries.why}`,
    );
  } else if (failoverRecords.length > 0) {
    notes.push('Route 53 queries to the alias failover records are free (alias records to AWS resources); not priced.');
  }

  // CloudWatch alarms, by the unit CloudWatch bills.
  const byKind = (kind: string) => facts.alarms.filter((a) => a.kind === kind);
  const regionsOf = (list: ReadonlyArray<{ region?: string }>) =>
    [...new Set(list.map((a) => a.region ?? '?'))].join(', ');
  const standard = byKind('standard');
  add(
    'CloudWatch',
    'standard-resolution alarms',
    standard.length,
    'cloudwatch.alarm.standard',
    `${standard.length} metric alarm(s) in ${regionsOf(standard)}`,
  );
  const math = byKind('metric-math');
  const mathMetrics = math.reduce((n, a) => n + a.billedMetrics, 0);
  add(
    'CloudWatch',
    'metric-math alarms (per metric)',
    mathMetrics,
    math.some((a) => (a.periodSeconds ?? 60) < 60) ? 'cloudwatch.alarm.highResolution' : 'cloudwatch.alarm.standard',
    `${math.length} alarm(s) evaluating ${mathMetrics} metric(s)`,
  );
  const high = byKind('high-resolution');
  add(
    'CloudWatch',
    'high-resolution alarms',
    high.length,
    'cloudwatch.alarm.highResolution',
    `${high.length} alarm(s) with a period under 60 s`,
  );
  const anomaly = byKind('anomaly-detection');
  add(
    'CloudWatch',
    'anomaly-detection alarms',
    anomaly.length,
    'cloudwatch.alarm.anomalyDetection',
    `${anomaly.length} alarm(s) on an anomaly-detection band`,
  );
  const composite = byKind('composite');
  add(
    'CloudWatch',
    'composite alarms',
    composite.length,
    'cloudwatch.alarm.composite',
    `${composite.length} composite alarm(s) in ${regionsOf(composite)}`,
  );
  if (facts.alarms.length > 0)
    notes.push(
      'CloudWatch free tier (10 alarm metrics) is not applied; custom metrics (the failover switch, canary metrics) bill only for hours with data and are not included.',
    );

  // Synthetics canaries: runs per month from each schedule.
  if (facts.canaries.length === 0)
    notes.push(
      'No AWS::Synthetics::Canary in the templates: canary runs $0 (canaries land with the workload/observability issue).',
    );
  for (const c of facts.canaries) {
    const name = c.name ?? c.logicalId;
    if (c.schedule === undefined) {
      notes.push(`canary ${name}: schedule is not a literal; not priced`);
      continue;
    }
    try {
      const t = scheduleTiming(c.schedule);
      add(
        'CloudWatch Synthetics',
        `canary ${name} (${c.region ?? '?'})`,
        t.runsPerMonth,
        'synthetics.canaryRun',
        `${c.schedule} = ${Math.round(t.runsPerMonth)} runs in a ${hours}-hour month`,
      );
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      notes.push(`canary ${name}: ${err.message}; not priced`);
    }
  }
  if (facts.canaries.length > 0)
    notes.push('Each canary run also bills its Lambda invocation, S3 artifacts and logs: not included.');

  // Scheduled functions, priced by Lambda's two units: requests and GB-seconds. The chain watcher
  // (issue 16) in every region: the lease holder walks for most of each run, the standby only probes.
  // The sweeper (issue 21) in every region where it runs: priced as the lease holder's run everywhere.
  const chainWatcherName = walletFunctionName(facts.envName, 'chain-watcher');
  const sweeperName = walletFunctionName(facts.envName, 'sweeper');
  const priced = (f: ScheduledFunctionFact): { label: string; perRun: UsageAssumption; where: string } | undefined => {
    if (f.functionName === chainWatcherName) {
      const role = f.environment[RUNTIME_ENV.regionRole];
      return {
        label: 'chain watcher',
        perRun: role === 'standby' ? USAGE.chainWatcherStandbySecondsPerRun : USAGE.chainWatcherHolderSecondsPerRun,
        where: `${f.region ?? '?'}, ${role ?? 'unknown role'}`,
      };
    }
    if (f.functionName === sweeperName)
      return { label: 'sweeper', perRun: USAGE.sweeperSecondsPerRun, where: f.region ?? '?' };
    return undefined;
  };
  for (const f of facts.scheduledFunctions) {
    const name = f.functionName ?? f.logicalId;
    const p = priced(f);
    if (p === undefined) {
      notes.push(`scheduled function ${name} (${f.schedule ?? '?'}, ${f.region ?? '?'}): its compute is not priced`);
      continue;
    }
    if (f.schedule === undefined) {
      notes.push(`${p.label} ${name} (${f.region ?? '?'}): its schedule is not a literal; not priced`);
      continue;
    }
    let runs: number;
    try {
      runs = scheduleTiming(f.schedule).runsPerMonth;
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      notes.push(`${p.label} ${name} (${f.region ?? '?'}): ${err.message}; not priced`);
      continue;
    }
    const seconds = Math.min(p.perRun.value, f.timeoutSeconds);
    const arm = f.architecture === 'arm64';
    const gbSeconds = runs * seconds * (f.memoryMb / 1024);
    add(
      'Lambda',
      `${p.label} (${p.where}): requests`,
      runs / 1e6,
      'lambda.requests',
      `${f.schedule} = ${Math.round(runs)} runs in a ${hours}-hour month`,
    );
    add(
      'Lambda',
      `${p.label} (${p.where}): compute`,
      gbSeconds,
      arm ? 'lambda.duration.arm' : 'lambda.duration.x86',
      `${Math.round(runs)} runs x ${seconds} s x ${f.memoryMb} MB (${f.architecture}) = ${Math.round(gbSeconds).toLocaleString('en-US')} GB-s; ` +
        `${seconds} s: ${p.perRun.why}`,
    );
  }
  if (facts.scheduledFunctions.some((f) => f.functionName === chainWatcherName)) {
    notes.push(
      "The chain watcher's Lambda free tier (1M requests, 400,000 GB-s a month, per account) is not applied; its EventBridge schedule, its log lines (CloudWatch Logs ingestion, the EMF metrics' custom-metric charges) and its RPC provider plan are not included.",
    );
  }
  if (facts.scheduledFunctions.some((f) => f.functionName === sweeperName)) {
    notes.push(
      "The sweeper's Lambda free tier is not applied either; its EventBridge schedule, its log lines, the ledger reads and writes of its runs and the sweeps' own transactions (the intake's writes, the signer's Sign, the chain fee) are not included.",
    );
  }

  // KMS keys: every key and every multi-region replica is billed as a key.
  const primaries = facts.keys.filter((k) => !k.replica);
  const replicas = facts.keys.filter((k) => k.replica);
  add(
    'KMS',
    'customer managed keys',
    facts.keys.length,
    'kms.key',
    `${primaries.filter((k) => k.multiRegion).length} multi-region primary, ${replicas.length} multi-region replica, ${primaries.filter((k) => !k.multiRegion).length} single-region key(s); each replica is billed as a key`,
  );
  if (facts.keys.some((k) => k.rotation)) {
    notes.push(
      `${facts.keys.filter((k) => k.rotation).length} key(s) rotate yearly: each rotation adds $1/month (KMS pricing), from the second year.`,
    );
  }
  if (facts.keys.some((k) => k.keyUsage === 'SIGN_VERIFY')) {
    add(
      'KMS',
      'Sign requests (asymmetric)',
      USAGE.signaturesPerMonth.value / 10_000,
      'kms.requests.asymmetric',
      `${USAGE.signaturesPerMonth.value.toLocaleString('en-US')} ${USAGE.signaturesPerMonth.unit}: ${USAGE.signaturesPerMonth.why}`,
    );
  }
  if (facts.keys.length > 0)
    notes.push(
      'KMS symmetric requests made by DynamoDB, SNS and SQS under customer managed keys are not estimated; KMS free tier (20,000 requests) not applied.',
    );

  // DynamoDB tables.
  const writes = USAGE.walletWritesPerMonth.value;
  for (const t of facts.tables) {
    const name = t.tableName ?? t.logicalId;
    const replicasN = Math.max(1, t.replicaRegions.length);
    const global = t.type === 'AWS::DynamoDB::GlobalTable';
    if (t.billingMode !== undefined && t.billingMode !== 'PAY_PER_REQUEST') {
      notes.push(
        `table ${name}: billing mode ${t.billingMode}; only on-demand is priced, so its throughput is not included`,
      );
    } else {
      add(
        'DynamoDB',
        `${name}: ${global ? 'replicated writes' : 'writes'}`,
        (writes * replicasN) / 1e6,
        global ? 'dynamodb.onDemand.replicatedWrite' : 'dynamodb.onDemand.write',
        `${writes.toLocaleString('en-US')} ${USAGE.walletWritesPerMonth.unit} x ${replicasN} replica(s) (one rWRU per replica per write of 1 KB or less)`,
      );
      add(
        'DynamoDB',
        `${name}: GSI writes`,
        (writes * USAGE.gsiWriteFraction.value * t.globalSecondaryIndexes * replicasN) / 1e6,
        'dynamodb.onDemand.write',
        `${t.globalSecondaryIndexes} GSI(s) x ${USAGE.gsiWriteFraction.value} of writes x ${replicasN} region(s); GSI updates bill as WRUs in every replica region`,
      );
      add(
        'DynamoDB',
        `${name}: strongly consistent reads`,
        USAGE.strongReadsPerMonth.value / 1e6,
        'dynamodb.onDemand.read',
        `${USAGE.strongReadsPerMonth.value.toLocaleString('en-US')} ${USAGE.strongReadsPerMonth.unit}: ${USAGE.strongReadsPerMonth.why}`,
      );
    }
    add(
      'DynamoDB',
      `${name}: storage`,
      USAGE.ledgerSizeGb.value * replicasN,
      'dynamodb.storage',
      `${USAGE.ledgerSizeGb.value} GB x ${replicasN} replica region(s) (${t.replicaRegions.join(', ')})`,
    );
    add(
      'DynamoDB',
      `${name}: point-in-time recovery`,
      USAGE.ledgerSizeGb.value * t.pitrRegions.length,
      'dynamodb.pitr',
      `${USAGE.ledgerSizeGb.value} GB x ${t.pitrRegions.length} replica(s) with PITR (${t.pitrRegions.join(', ') || 'none'})`,
    );
    if (global && replicasN > 1) {
      const gb = (writes * 1) / (1024 * 1024);
      add(
        'Data transfer',
        `${name}: replication between regions`,
        gb * (replicasN - 1),
        'dataTransfer.interRegion',
        `${writes.toLocaleString('en-US')} writes x 1 KB to ${replicasN - 1} other replica(s) = ${(gb * (replicasN - 1)).toFixed(2)} GB`,
      );
    }
    if (t.witnessRegions.length > 0)
      notes.push(
        `table ${name}: the MRSC witness in ${t.witnessRegions.join(', ')} is not priced separately (no price found).`,
      );
  }

  // WAF: per web ACL and rule; requests counted once (one active region).
  if (facts.webAcls.length === 0)
    notes.push('No AWS::WAFv2::WebACL in the templates: WAF $0 (lands with the workload issue).');
  for (const acl of facts.webAcls) {
    const name = acl.name ?? acl.logicalId;
    add('WAF', `web ACL ${name} (${acl.region ?? '?'})`, 1, 'waf.webAcl', `${acl.scope ?? 'REGIONAL'} web ACL`);
    add(
      'WAF',
      `web ACL ${name}: rules`,
      acl.rules,
      'waf.rule',
      `${acl.rules} rule(s), of which ${acl.managedRuleGroups.length} managed rule group(s) counted as one rule each`,
    );
  }
  if (facts.webAcls.length > 0) {
    add(
      'WAF',
      'requests inspected',
      USAGE.apiRequestsPerMonth.value / 1e6,
      'waf.requests',
      `${USAGE.apiRequestsPerMonth.value.toLocaleString('en-US')} ${USAGE.apiRequestsPerMonth.unit}: ${USAGE.apiRequestsPerMonth.why}`,
    );
  }

  // AWS Backup: recovery points retained (full copies for DynamoDB) and cross-region copies.
  if (facts.backupPlans.length === 0)
    notes.push(
      'No AWS::Backup::BackupPlan in the templates: backup storage and copies $0 (this environment defines no backup plan).',
    );
  for (const cov of coverage.filter((c) => c.plans.length > 0)) {
    if (!cov.type.startsWith('AWS::DynamoDB')) {
      notes.push(
        `backups of ${cov.resource} (${cov.type}) are not priced: only DynamoDB backup prices are in data/prices.json`,
      );
      continue;
    }
    for (const plan of facts.backupPlans.filter((p) => cov.plans.includes(`${p.stack}/${p.logicalId}`))) {
      for (const rule of plan.rules) {
        let runsPerMonth: number;
        try {
          runsPerMonth = scheduleTiming(rule.schedule).runsPerMonth;
        } catch (err) {
          if (!(err instanceof ScheduleError)) throw err;
          notes.push(`backup rule ${rule.name ?? '?'}: ${err.message}; not priced`);
          continue;
        }
        const perDay = runsPerMonth / (hours / 24);
        const label = `${cov.resource}: rule ${rule.name ?? '?'} (${rule.schedule})`;
        const keep = rule.deleteAfterDays;
        if (keep === undefined)
          notes.push(`${label}: no DeleteAfterDays, recovery points accumulate forever; priced at 365 days`);
        const points = perDay * (keep ?? 365);
        add(
          'AWS Backup',
          `${label}: recovery points`,
          points * USAGE.ledgerSizeGb.value,
          'backup.dynamodb.warmStorage',
          `${perDay.toFixed(1)} backups/day x ${keep ?? 365} days retained = ${Math.round(points)} full copies x ${USAGE.ledgerSizeGb.value} GB`,
        );
        for (const copy of rule.copyActions) {
          const copyKeep = copy.deleteAfterDays ?? keep ?? 365;
          add(
            'AWS Backup',
            `${label}: copies in ${copy.region ?? 'another vault'}`,
            perDay * copyKeep * USAGE.ledgerSizeGb.value,
            'backup.dynamodb.warmStorage',
            `${perDay.toFixed(1)} copies/day x ${copyKeep} days retained x ${USAGE.ledgerSizeGb.value} GB`,
          );
          add(
            'AWS Backup',
            `${label}: copy transfer to ${copy.region ?? 'another vault'}`,
            runsPerMonth * USAGE.ledgerSizeGb.value,
            'backup.crossRegionTransfer',
            `${Math.round(runsPerMonth)} copies/month x ${USAGE.ledgerSizeGb.value} GB`,
          );
        }
      }
    }
  }

  // AWS Backup restore testing: each run restores the latest recovery point of every selected table.
  const backedUpTables = coverage.filter((c) => c.plans.length > 0 && c.type.startsWith('AWS::DynamoDB'));
  for (const plan of facts.restoreTestingPlans) {
    const name = plan.name ?? plan.logicalId;
    const tables = plan.selections
      .filter((sel) => sel.resourceType === 'DynamoDB')
      .reduce((n, sel) => n + (sel.arns.includes('*') ? backedUpTables.length : sel.arns.length), 0);
    if (plan.schedule === undefined || tables === 0) {
      notes.push(`restore testing plan ${name}: no DynamoDB restores found to price`);
      continue;
    }
    try {
      const runs = scheduleTiming(plan.schedule).runsPerMonth;
      add(
        'AWS Backup',
        `restore tests ${name} (${plan.region ?? '?'})`,
        runs * tables * USAGE.ledgerSizeGb.value,
        'backup.dynamodb.restore',
        `${plan.schedule} = ${runs.toFixed(1)} restores/month x ${tables} table(s) x ${USAGE.ledgerSizeGb.value} GB; the restored table lives only for the validation window (storage not included)`,
      );
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      notes.push(`restore testing plan ${name}: ${err.message}; not priced`);
    }
  }

  notes.push(
    'Not estimated: SNS topics, SQS queues, Lambda (except the chain watcher and the sweeper, which run on a schedule whatever the traffic), API Gateway and CloudWatch Logs (usage-driven, outside the resilience budget).',
  );
  notes.push(
    'All prices are us-east-1 list prices (see data/prices.json); the other regions in use are assumed to cost the same for these services (not checked).',
  );
  const totalMonthly = cents(items.reduce((s, i) => s + i.monthly, 0));
  return { currency: book.currency, totalMonthly, lineItems: items, notes };
}
