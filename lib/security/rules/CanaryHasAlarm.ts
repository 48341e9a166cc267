import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { allResources, list, namedRule, NOT_APPLICABLE, props, verdict } from './util';

type Dimension = { Name?: unknown; Value?: unknown };
type MetricJson = { Namespace?: unknown; MetricName?: unknown; Dimensions?: Dimension[] };
interface WatchedMetric {
  readonly namespace: unknown;
  readonly name: unknown;
  readonly dimensions: Dimension[];
}

/** The metrics an alarm watches: its own metric, or every metric of its metric-math query. */
function watchedMetrics(alarm: Record<string, unknown>): WatchedMetric[] {
  const own: WatchedMetric[] =
    alarm.MetricName !== undefined
      ? [{ namespace: alarm.Namespace, name: alarm.MetricName, dimensions: list(alarm.Dimensions as Dimension[]) }]
      : [];
  const queried: WatchedMetric[] = list(alarm.Metrics as Array<{ MetricStat?: { Metric?: MetricJson } }>)
    .map((m) => m.MetricStat?.Metric)
    .filter((m): m is MetricJson => m !== undefined)
    .map((m) => ({ namespace: m.Namespace, name: m.MetricName, dimensions: list(m.Dimensions) }));
  return [...own, ...queried];
}

/**
 * Every Synthetics canary has a CloudWatch alarm, in its own stack (its region), on
 * `CloudWatchSynthetics SuccessPercent` with the dimension `CanaryName` naming it (the literal name
 * or a `Ref` to the canary). A canary nobody is alerted about is a dashboard, not a detector.
 */
export default namedRule('CanaryHasAlarm', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::Synthetics::Canary') return NOT_APPLICABLE;
  const stack = Stack.of(node);
  const name = props(node).Name;
  const logicalId = stack.resolve(node.logicalId) as string;
  const namesCanary = (value: unknown): boolean =>
    (typeof name === 'string' && value === name) || JSON.stringify(value) === JSON.stringify({ Ref: logicalId });
  const alarms = allResources(node, 'AWS::CloudWatch::Alarm').filter((a) => Stack.of(a) === stack);
  return verdict(
    alarms.some((a) =>
      watchedMetrics(props(a)).some(
        (m) =>
          m.namespace === 'CloudWatchSynthetics' &&
          m.name === 'SuccessPercent' &&
          m.dimensions.some((d) => d.Name === 'CanaryName' && namesCanary(d.Value)),
      ),
    ),
  );
});
