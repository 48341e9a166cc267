import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Which global-table mode the ledger runs in (config `data.consistency`). */
export type LedgerConsistency = 'MRSC' | 'MREC';

/** Write operations the wallet performs on the ledger (their latency carries MRSC's synchronous replication). */
export const LEDGER_WRITE_OPERATIONS = ['PutItem', 'UpdateItem'] as const;

/** The metric behind `ddb-replication-latency`, and what it means, for one consistency mode. */
export interface ReplicationSignal {
  readonly metric: cloudwatch.IMetric;
  readonly description: string;
}

/**
 * The replication alarm's signal, chosen by consistency mode, because the obvious one does not exist
 * under MRSC:
 * - MREC: `AWS/DynamoDB ReplicationLatency` (TableName, ReceivingRegion), Maximum: "the elapsed
 *   time between when an item is written to a replica table, and when that item appears in another
 *   replica" ("Monitoring global tables", DynamoDB Developer Guide).
 * - MRSC: DynamoDB publishes NO `ReplicationLatency` for multi-Region strong consistency (an alarm
 *   on it, with missing data not breaching, would stay OK forever). An MRSC write returns only once
 *   it is replicated synchronously to another region, so replication delay shows up in the write
 *   latency: `SuccessfulRequestLatency` (TableName, Operation), Maximum, for every write operation
 *   the wallet performs; DynamoDB publishes it for every table. Failed replication surfaces as write
 *   errors, which `ddb-replication-errors` counts.
 * The metric-existence rule (lib/security/rules/AlarmMetricPublished.ts) refuses a ReplicationLatency
 * alarm on an MRSC table.
 */
export function replicationSignal(
  consistency: LedgerConsistency,
  tableName: string,
  peerRegion: string,
  periodSeconds: number,
  thresholdMs: number,
): ReplicationSignal {
  const period = Duration.seconds(periodSeconds);
  if (consistency === 'MREC') {
    return {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensionsMap: { TableName: tableName, ReceivingRegion: peerRegion },
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      }),
      description: `Writes take more than ${thresholdMs} ms to replicate to ${peerRegion} (under MREC: the data a failover would lose).`,
    };
  }
  const writes: Record<string, cloudwatch.IMetric> = {};
  for (const op of LEDGER_WRITE_OPERATIONS) {
    writes[`write${op}`] = new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName: 'SuccessfulRequestLatency',
      dimensionsMap: { TableName: tableName, Operation: op },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
  }
  return {
    metric: new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(writes).join(', ')}])`,
      usingMetrics: writes,
      period,
      label: 'Slowest ledger write (ms), synchronous MRSC replication included',
    }),
    description:
      `A ledger write took more than ${thresholdMs} ms (MRSC replicates every write synchronously to another region ` +
      'before it returns, and publishes no ReplicationLatency: slow writes are slow replication).',
  };
}
