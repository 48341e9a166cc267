import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CANARY_METRIC_NAMESPACE } from '../../../lib/contract/canary';

export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count' | 'Milliseconds' | 'None';
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Where the canaries publish their custom metrics (a port, so the logic is testable). */
export interface MetricSink {
  put(data: readonly MetricDatum[]): Promise<void>;
}

/** Publishes to CloudWatch in the canary's own region, namespace `Wallet/Canary`. */
export function cloudWatchSink(client: CloudWatchClient, now: () => Date = () => new Date()): MetricSink {
  return {
    async put(data) {
      if (data.length === 0) return;
      const timestamp = now();
      await client.send(
        new PutMetricDataCommand({
          Namespace: CANARY_METRIC_NAMESPACE,
          MetricData: data.map((d) => ({
            MetricName: d.name,
            Value: d.value,
            Unit: d.unit,
            Timestamp: timestamp,
            StorageResolution: 60,
            Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value })),
          })),
        }),
      );
    },
  };
}
