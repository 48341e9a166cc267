import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  FAIL_OVER_VALUE,
  FAILOVER_SWITCH_AGE_METRIC,
  FAILOVER_SWITCH_ALARM,
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchDimensions,
  SWITCH_REPUBLISH,
} from '../contract/failover-switch';
import { throwSwitch } from './switch';

/** One data point of the switch metric (Maximum per alarm period). */
export interface SwitchPoint {
  readonly at: Date;
  readonly value: number;
}

/** What the re-publisher decided, and why (logged, and returned to tests). */
export interface RepublishDecision {
  readonly action: 'republish' | 'leave';
  /** Seconds since the newest data point when it is a thrown one; 0 otherwise. */
  readonly thrownAgeSeconds: number;
  readonly reason: string;
}

/**
 * The whole decision, pure: re-publish only when the NEWEST data point is the thrown value and is
 * old enough that nobody is acting on the switch right now. A released switch (newest point 0), a
 * switch never thrown (no point) or one thrown or released moments ago is left alone.
 */
export function decideRepublish(points: readonly SwitchPoint[], now: Date): RepublishDecision {
  const newest = [...points].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  if (newest === undefined) {
    return { action: 'leave', thrownAgeSeconds: 0, reason: 'no switch data point in the look-back: never thrown' };
  }
  const age = Math.max(0, Math.floor((now.getTime() - newest.at.getTime()) / 1000));
  if (newest.value < FAIL_OVER_VALUE) {
    return { action: 'leave', thrownAgeSeconds: 0, reason: `newest data point is ${newest.value}: released` };
  }
  if (age < SWITCH_REPUBLISH.republishAfterSeconds) {
    return { action: 'leave', thrownAgeSeconds: age, reason: `thrown, newest data point ${age} s old: still fresh` };
  }
  return { action: 'republish', thrownAgeSeconds: age, reason: `thrown, newest data point ${age} s old: re-published` };
}

export interface RepublishOptions {
  /** A client for the STANDBY region. */
  readonly cloudwatch: CloudWatchClient;
  readonly region: string;
  readonly envName: string;
  /** @default now */
  readonly now?: Date;
}

/** Reads the switch's newest data points (CloudWatch data plane). */
export async function readSwitchPoints(options: RepublishOptions): Promise<SwitchPoint[]> {
  const now = options.now ?? new Date();
  const out = await options.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - SWITCH_REPUBLISH.lookbackSeconds * 1000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'switch',
          MetricStat: {
            Metric: {
              Namespace: FAILOVER_SWITCH_NAMESPACE,
              MetricName: FAILOVER_SWITCH_METRIC,
              Dimensions: failoverSwitchDimensions(options.envName),
            },
            Period: FAILOVER_SWITCH_ALARM.periodSeconds,
            Stat: FAILOVER_SWITCH_ALARM.statistic,
          },
        },
      ],
    }),
  );
  const r = out.MetricDataResults?.find((m) => m.Id === 'switch');
  const times = r?.Timestamps ?? [];
  const values = r?.Values ?? [];
  return times.map((at, i) => ({ at: new Date(at), value: values[i] ?? 0 }));
}

/**
 * One run: read, decide, re-publish the thrown value if the decision says so (one PutMetricData,
 * the same call an operator makes), and publish the thrown-age gauge. Safe to run twice or late:
 * a second run sees the fresh point it just wrote and leaves it.
 */
export async function republishSwitch(options: RepublishOptions): Promise<RepublishDecision> {
  const now = options.now ?? new Date();
  const decision = decideRepublish(await readSwitchPoints({ ...options, now }), now);
  if (decision.action === 'republish') {
    await throwSwitch({
      cloudwatch: options.cloudwatch,
      region: options.region,
      envName: options.envName,
      position: 'on',
      reason: `still thrown: ${decision.reason} by the standby's switch re-publisher`,
      now,
    });
  }
  await options.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: FAILOVER_SWITCH_NAMESPACE,
      MetricData: [
        {
          MetricName: FAILOVER_SWITCH_AGE_METRIC,
          Dimensions: failoverSwitchDimensions(options.envName),
          Value: decision.action === 'republish' ? 0 : decision.thrownAgeSeconds,
          Unit: 'Seconds',
          Timestamp: now,
        },
      ],
    }),
  );
  return decision;
}
