import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchDimensions,
  SwitchPosition,
  switchValue,
} from '../contract/failover-switch';

/** What {@link throwSwitch} did, for the caller's audit record and report. */
export interface SwitchThrown {
  readonly region: string;
  readonly envName: string;
  readonly position: SwitchPosition;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: ReadonlyArray<{ Name: string; Value: string }>;
  readonly value: number;
  readonly timestamp: string;
  readonly reason: string;
}

export interface ThrowSwitchOptions {
  /** A CloudWatch client for the STANDBY region (the switch alarm's region). */
  readonly cloudwatch: CloudWatchClient;
  /** The standby region; must match the client's region. */
  readonly region: string;
  readonly envName: string;
  /** `on` = fail over (primary marked unhealthy); `off` = fail back. */
  readonly position: SwitchPosition;
  /** Why, in words an incident review can use. Required. */
  readonly reason: string;
  /** @default now */
  readonly now?: Date;
}

/**
 * Throws or releases the failover switch with exactly one `PutMetricData` call in the standby
 * region: CloudWatch's data plane, never Route 53's control plane.
 */
export async function throwSwitch(options: ThrowSwitchOptions): Promise<SwitchThrown> {
  const problems: string[] = [];
  if (options.reason.trim() === '') problems.push('reason is empty; say why the switch is thrown');
  if (options.position !== 'on' && options.position !== 'off') {
    problems.push(`position must be "on" or "off"; received ${JSON.stringify(options.position)}`);
  }
  const clientRegion = await options.cloudwatch.config.region();
  if (clientRegion !== options.region) {
    problems.push(
      `the CloudWatch client is for ${clientRegion}, but the switch lives in ${options.region}; pass a client for ${options.region}`,
    );
  }
  if (problems.length > 0) throw new Error(`throwSwitch: ${problems.join('; ')}.`);

  const timestamp = options.now ?? new Date();
  const dimensions = failoverSwitchDimensions(options.envName);
  const value = switchValue(options.position);
  await options.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: FAILOVER_SWITCH_NAMESPACE,
      MetricData: [
        {
          MetricName: FAILOVER_SWITCH_METRIC,
          Dimensions: dimensions,
          Value: value,
          Unit: 'None',
          Timestamp: timestamp,
          StorageResolution: 60,
        },
      ],
    }),
  );
  return {
    region: options.region,
    envName: options.envName,
    position: options.position,
    namespace: FAILOVER_SWITCH_NAMESPACE,
    metricName: FAILOVER_SWITCH_METRIC,
    dimensions,
    value,
    timestamp: timestamp.toISOString(),
    reason: options.reason,
  };
}
