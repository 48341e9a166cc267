import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import facts from '../metrics/facts/published-metrics.json';
import { metricPublisher } from '../../contract/metric-publishers';
import { allResources, list, namedRule, NOT_APPLICABLE, props } from './util';

interface PublishedMetric {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: readonly string[];
  readonly onlyWhen?: { readonly globalTableConsistency?: 'MREC' | 'MRSC'; readonly region?: string };
  readonly doc: string;
}

/** The dated facts (lib/security/metrics/facts/published-metrics.json). */
export const PUBLISHED_METRICS = facts as unknown as { readOn: string; metrics: PublishedMetric[] };

interface MetricRef {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Record<string, unknown>;
}

function alarmMetrics(p: Record<string, unknown>): MetricRef[] {
  const dims = (d: unknown) =>
    Object.fromEntries(list(d as Array<{ Name: string; Value: unknown }>).map((x) => [x.Name, x.Value]));
  if (typeof p.MetricName === 'string') {
    return [{ namespace: String(p.Namespace), metric: p.MetricName, dimensions: dims(p.Dimensions) }];
  }
  return list(p.Metrics as Array<{ MetricStat?: { Metric: Record<string, unknown> } }>)
    .filter((m) => m.MetricStat !== undefined)
    .map((m) => ({
      namespace: String(m.MetricStat!.Metric.Namespace),
      metric: String(m.MetricStat!.Metric.MetricName),
      dimensions: dims(m.MetricStat!.Metric.Dimensions),
    }));
}

/** The consistency mode of the global table of that name anywhere in the app, if the app holds it. */
function tableConsistency(node: CfnResource, tableName: unknown): 'MREC' | 'MRSC' | undefined {
  for (const t of allResources(node, 'AWS::DynamoDB::GlobalTable')) {
    const p = props(t);
    if (JSON.stringify(p.TableName) !== JSON.stringify(tableName)) continue;
    return p.MultiRegionConsistency === 'STRONG' ? 'MRSC' : 'MREC';
  }
  return undefined;
}

/** Why an alarm's metric would never have data, or undefined when it is published. */
export function unpublishedReason(node: CfnResource, m: MetricRef, region: string): string | undefined {
  const aws = m.namespace.startsWith('AWS/') || m.namespace === 'CloudWatchSynthetics';
  if (!aws) {
    return metricPublisher(m.namespace, m.metric) === undefined
      ? 'custom metric with no publisher in the contract'
      : undefined;
  }
  const names = Object.keys(m.dimensions).sort();
  const row = PUBLISHED_METRICS.metrics.find(
    (r) => r.namespace === m.namespace && r.metric === m.metric && [...r.dimensions].sort().join() === names.join(),
  );
  if (row === undefined) return `not published with dimensions [${names.join(', ')}]`;
  if (row.onlyWhen?.region !== undefined && region !== row.onlyWhen.region)
    return `published only in ${row.onlyWhen.region}`;
  const mode = row.onlyWhen?.globalTableConsistency;
  if (mode !== undefined) {
    const actual = tableConsistency(node, m.dimensions.TableName);
    if (actual !== undefined && actual !== mode)
      return `published only for ${mode} global tables; this table is ${actual}`;
  }
  return undefined;
}

/**
 * Every alarm watches a metric that is published in that configuration (AWS metrics: the dated
 * facts file with a doc per row; custom metrics: a publisher named in lib/contract/metric-publishers.ts).
 * An alarm on a metric that never has data stays OK forever when missing data is not breaching,
 * e.g. ReplicationLatency on an MRSC table. Findings: `Wallet-AlarmMetricPublished[<ns>:<metric>]`.
 */
export default namedRule('AlarmMetricPublished', (node: CfnResource): NagRuleResult => {
  if (node.cfnResourceType !== 'AWS::CloudWatch::Alarm') return NOT_APPLICABLE;
  const region = String(Stack.of(node).region);
  const findings = alarmMetrics(props(node))
    .filter((m) => unpublishedReason(node, m, region) !== undefined)
    .map((m) => `${m.namespace}:${m.metric}`);
  return findings.length > 0 ? [...new Set(findings)] : NagRuleCompliance.COMPLIANT;
});
