import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  MetricDataQuery,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeKeyCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import {
  GetHealthCheckStatusCommand,
  HealthCheck,
  ListHealthChecksCommand,
  TestDNSAnswerCommand,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Lease, LeaseMove, moveLease, readLease } from '../failover/lease';
import { WalletConfig } from '../config/schema';
import { CANARY_DIMENSIONS, CANARY_METRIC_NAMESPACE, CANARY_METRICS, canaryName } from '../contract/canary';
import { CHAIN_DIMENSIONS, CHAIN_METRICS, chainMetricNamespace } from '../contract/chain';
import {
  DRILL_METRICS,
  DRILL_METRICS_NAMESPACE,
  DrillDirection,
  drillMetricDimensions,
} from '../contract/drill-metrics';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
  failoverSwitchDimensions,
  SwitchPosition,
} from '../contract/failover-switch';
import { PRIMARY_HEALTH_RESOURCE_PATH, publicApiDomain, regionalApiDomain } from '../contract/health';
import { ledgerTableName, RegionRole, signingKeyAlias } from '../contract/names';
import { SwitchThrown, throwSwitch } from '../failover/switch';
import { addressFromSpki } from './address';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { statusBucketName } from '../contract/status';
import { S3StatusReplica } from '../status/store';
import { siteKey, StatusBucket } from './status-page';
import { EmitOutcome, WalletEventEmitter } from '../status/wallet-events';
import { CheckResult } from './checks/check';
import { handOffAfterMove } from './work-handoff';
import { announceLeaseMove, announceSwitch, drillStatusEvents } from './status-events';
import { CallRecord, DrillClients } from './clients';
import { Clock } from './clock';
import { route53EndpointHealthy } from '../failover/timing';
import {
  AlarmInfo,
  AlarmReport,
  CallerIdentity,
  CanaryState,
  CheckerObservation,
  DnsAnswer,
  DrillMetricValues,
  EndpointHealth,
  HealthCheckIds,
  HealthCheckSeries,
  isCredentialsError,
  ChainProviderState,
  KeyState,
  LeaseMoveOptions,
  NoCredentialsError,
  ReplicationState,
  StatusPoint,
  SwitchState,
  Target,
} from './target';

/** A health check the DNS stack should have created is missing. */
export class HealthChecksNotFoundError extends Error {
  constructor(public readonly missing: readonly string[]) {
    super(
      `Route 53 health checks not found: ${missing.join('; ')}. Deploy the DNS stack for this config, or check --config.`,
    );
    this.name = 'HealthChecksNotFoundError';
  }
}

export interface AwsTargetOptions {
  readonly config: WalletConfig;
  readonly clients: DrillClients;
  readonly clock: Clock;
  /** The signing address whose lease moves. @default - derived from the signing key's public key */
  readonly address?: string;
}

const MINUTE = 60_000;

/**
 * The drill's view of real AWS through injected SDK v3 clients. Reads use Route 53's read-only API
 * (ListHealthChecks, GetHealthCheckStatus, TestDNSAnswer), CloudWatch metrics and alarms, KMS
 * DescribeKey/GetPublicKey, STS and DynamoDB reads; the only writes are the lease (moveLease) and
 * the switch (throwSwitch), plus the drill's KPI metrics.
 */
export class AwsTarget implements Target {
  public readonly kind: 'aws' | 'simulated' = 'aws';
  public readonly clock: Clock;
  protected readonly config: WalletConfig;
  protected readonly clients: DrillClients;
  private ids?: HealthCheckIds;
  private address?: string;
  /** The status page's wallet events this target's changes started (./status-events.ts). */
  private readonly statusEvents: WalletEventEmitter;
  /** The hand-off after each lease move this target made (./work-handoff.ts). */
  private readonly handOffs: CheckResult[] = [];

  constructor(options: AwsTargetOptions) {
    this.config = options.config;
    this.clients = options.clients;
    this.clock = options.clock;
    this.address = options.address?.toLowerCase();
    this.statusEvents = drillStatusEvents(this.config, this.clients);
  }

  /** Both wallet regions' status buckets (the drill's incident and page check), primary's first. */
  statusBuckets(): StatusBucket[] {
    return (['primary', 'standby'] as const).map((role) => {
      const region = this.region(role);
      const s3 = this.clients.s3(region);
      const bucket = statusBucketName(this.config.envName, this.config.account, region);
      return {
        region,
        replica: new S3StatusReplica(s3, bucket, region),
        read: async (document: string) => {
          try {
            const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: siteKey(document) }));
            return await out.Body!.transformToString();
          } catch (err) {
            if ((err as Error).name === 'NoSuchKey') return undefined;
            throw err;
          }
        },
      };
    });
  }

  /** Waits for the status events started so far; never rejects (an undelivered one is in the outcomes). */
  flushStatusEvents(): Promise<EmitOutcome[]> {
    return this.statusEvents.flush();
  }

  get calls(): readonly CallRecord[] {
    return this.clients.calls;
  }

  protected region(role: RegionRole): string {
    return role === 'primary' ? this.config.regions.primary : this.config.regions.standby;
  }

  async preflight(): Promise<void> {
    try {
      await this.clients.sts.config.credentials();
    } catch (err) {
      throw new NoCredentialsError((err as Error).message.split('\n')[0]);
    }
  }

  async identity(): Promise<CallerIdentity> {
    let region: string | undefined;
    let regionError: string | undefined;
    try {
      region = await this.clients.sts.config.region();
    } catch (err) {
      regionError = (err as Error).message.split('\n')[0];
    }
    if (region === undefined) return { regionError: regionError ?? 'no default region' };
    const out = await this.clients.sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account, arn: out.Arn, region };
  }

  async healthCheckIds(): Promise<HealthCheckIds> {
    if (this.ids !== undefined) return this.ids;
    const checks: HealthCheck[] = [];
    let marker: string | undefined;
    do {
      const page = await this.clients.route53.send(new ListHealthChecksCommand({ Marker: marker, MaxItems: 100 }));
      checks.push(...(page.HealthChecks ?? []));
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker !== undefined);
    const { apiSubdomain, zoneName } = this.config.dns;
    const endpoint = (role: RegionRole) =>
      checks.find(
        (c) =>
          c.HealthCheckConfig?.Type?.startsWith('HTTP') &&
          // The liveness check, not the primary's lease check on the same name (/health?lease=held).
          c.HealthCheckConfig.ResourcePath !== PRIMARY_HEALTH_RESOURCE_PATH &&
          c.HealthCheckConfig.FullyQualifiedDomainName === regionalApiDomain(this.region(role), apiSubdomain, zoneName),
      )?.Id;
    const switchName = failoverSwitchAlarmName(this.config.envName);
    const primaryEndpoint = endpoint('primary');
    const standbyEndpoint = endpoint('standby');
    const failoverSwitch = checks.find(
      (c) =>
        c.HealthCheckConfig?.Type === 'CLOUDWATCH_METRIC' &&
        c.HealthCheckConfig.AlarmIdentifier?.Name === switchName &&
        c.HealthCheckConfig.AlarmIdentifier.Region === this.config.regions.standby,
    )?.Id;
    const primaryRecord = checks.find(
      (c) =>
        c.HealthCheckConfig?.Type === 'CALCULATED' &&
        primaryEndpoint !== undefined &&
        failoverSwitch !== undefined &&
        (c.HealthCheckConfig.ChildHealthChecks ?? []).includes(primaryEndpoint) &&
        (c.HealthCheckConfig.ChildHealthChecks ?? []).includes(failoverSwitch),
    )?.Id;
    const missing: string[] = [];
    if (primaryEndpoint === undefined)
      missing.push(
        `HTTPS check on ${regionalApiDomain(this.config.regions.primary, apiSubdomain, zoneName)} (primary endpoint)`,
      );
    if (standbyEndpoint === undefined)
      missing.push(
        `HTTPS check on ${regionalApiDomain(this.config.regions.standby, apiSubdomain, zoneName)} (standby endpoint)`,
      );
    if (failoverSwitch === undefined)
      missing.push(`CLOUDWATCH_METRIC check on alarm ${switchName} in ${this.config.regions.standby} (switch)`);
    if (primaryRecord === undefined)
      missing.push('CALCULATED check on the primary endpoint and switch (primary record)');
    if (missing.length > 0) throw new HealthChecksNotFoundError(missing);
    this.ids = {
      primaryEndpoint: primaryEndpoint!,
      standbyEndpoint: standbyEndpoint!,
      failoverSwitch: failoverSwitch!,
      primaryRecord: primaryRecord!,
    };
    return this.ids;
  }

  async endpointHealth(role: RegionRole): Promise<EndpointHealth> {
    const ids = await this.healthCheckIds();
    const id = role === 'primary' ? ids.primaryEndpoint : ids.standbyEndpoint;
    const out = await this.clients.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
    const observations: CheckerObservation[] = (out.HealthCheckObservations ?? []).map((o) => ({
      region: String(o.Region ?? ''),
      ip: o.IPAddress ?? '',
      status: o.StatusReport?.Status ?? '',
      checkedAt: o.StatusReport?.CheckedTime?.toISOString(),
      healthy: (o.StatusReport?.Status ?? '').startsWith('Success'),
    }));
    const healthyCheckers = observations.filter((o) => o.healthy).length;
    return {
      role,
      healthCheckId: id,
      healthy: route53EndpointHealthy(healthyCheckers, observations.length),
      healthyCheckers,
      totalCheckers: observations.length,
      observations,
    };
  }

  async healthCheckSeries(sinceMs: number): Promise<HealthCheckSeries> {
    const ids = await this.healthCheckIds();
    const keys = Object.keys(ids) as (keyof HealthCheckIds)[];
    const now = this.clock.now();
    const queries: MetricDataQuery[] = keys.map((key, i) => ({
      Id: `hc${i}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Route53',
          MetricName: 'HealthCheckStatus',
          Dimensions: [{ Name: 'HealthCheckId', Value: ids[key] }],
        },
        Period: 60,
        Stat: 'Minimum',
      },
    }));
    const series = await this.metricData('us-east-1', queries, Math.min(sinceMs, now - 10 * MINUTE), now);
    return Object.fromEntries(keys.map((key, i) => [key, series[`hc${i}`] ?? []])) as unknown as HealthCheckSeries;
  }

  async switchState(): Promise<SwitchState> {
    const region = this.config.regions.standby;
    const alarmName = failoverSwitchAlarmName(this.config.envName);
    const alarms = await this.clients
      .cloudwatch(region)
      .send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm'] }));
    const alarm = alarms.MetricAlarms?.[0];
    const now = this.clock.now();
    const points = await this.metricData(
      region,
      [
        {
          Id: 'switch',
          MetricStat: {
            Metric: {
              Namespace: FAILOVER_SWITCH_NAMESPACE,
              MetricName: FAILOVER_SWITCH_METRIC,
              Dimensions: failoverSwitchDimensions(this.config.envName),
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
      now - 180 * MINUTE,
      now,
    );
    const last = points.switch?.at(-1);
    // Route 53's own verdict on the switch, when its health checks can be found and read.
    let status: StatusPoint | undefined;
    try {
      status = (await this.healthCheckSeries(now - 10 * MINUTE)).failoverSwitch.at(-1);
    } catch (err) {
      if (isCredentialsError(err)) throw err;
      status = undefined;
    }
    let position: SwitchState['position'] = 'unknown';
    let evidence = 'no Route 53 status, alarm state or data point';
    if (status !== undefined) {
      position = status.value < 1 ? 'on' : 'off';
      evidence = `Route 53 HealthCheckStatus ${status.value} at ${new Date(status.at).toISOString()}`;
    } else if (last !== undefined) {
      // The newest data point is where the switch was put; the alarm may not have evaluated it yet.
      position = last.value >= 1 ? 'on' : 'off';
      evidence = `last data point ${last.value} at ${new Date(last.at).toISOString()}`;
    } else if (alarm?.StateValue === 'ALARM' || alarm?.StateValue === 'OK') {
      position = alarm.StateValue === 'ALARM' ? 'on' : 'off';
      evidence = `alarm state ${alarm.StateValue}`;
    }
    return {
      alarmName,
      alarmRegion: region,
      alarmExists: alarm !== undefined,
      alarmState: alarm?.StateValue,
      alarmUpdatedAt: alarm?.StateUpdatedTimestamp?.toISOString(),
      lastValue: last?.value,
      lastValueAt: last?.at,
      route53Healthy: status === undefined ? undefined : status.value >= 1,
      position,
      evidence,
    };
  }

  async dnsAnswer(): Promise<DnsAnswer> {
    const { zoneId, apiSubdomain, zoneName } = this.config.dns;
    const ask = (recordName: string, recordType: 'A' | 'CNAME') =>
      this.clients.route53.send(
        new TestDNSAnswerCommand({ HostedZoneId: zoneId, RecordName: recordName, RecordType: recordType }),
      );
    const recordName = publicApiDomain(apiSubdomain, zoneName);
    if (this.config.dns.recordType === 'CNAME') {
      // The failover records are CNAMEs: ask their own type ("RecordType: The type of the resource
      // record set that you submitted a request for", TestDNSAnswer). Their data is the API Gateway
      // regional domain name, d-<id>.execute-api.<region>.amazonaws.com, which names its region.
      const pub = await ask(recordName, 'CNAME');
      const data = pub.RecordData ?? [];
      const roles = new Set(
        data.map((name) => apiGatewayDomainRole(name, this.config.regions)).filter((r) => r !== undefined),
      );
      return {
        recordName,
        role: roles.size === 1 ? [...roles][0]! : 'unknown',
        recordData: data,
        nameserver: pub.Nameserver,
        responseCode: pub.ResponseCode,
      };
    }
    // Alias A records: compare the public name's addresses with each regional name's (also aliases).
    const [pub, primary, standby] = await Promise.all([
      ask(recordName, 'A'),
      ask(regionalApiDomain(this.config.regions.primary, apiSubdomain, zoneName), 'A'),
      ask(regionalApiDomain(this.config.regions.standby, apiSubdomain, zoneName), 'A'),
    ]);
    const data = pub.RecordData ?? [];
    const overlaps = (other: string[] | undefined) => data.some((ip) => (other ?? []).includes(ip));
    const isPrimary = overlaps(primary.RecordData);
    const isStandby = overlaps(standby.RecordData);
    return {
      recordName,
      role: isPrimary === isStandby ? 'unknown' : isPrimary ? 'primary' : 'standby',
      recordData: data,
      nameserver: pub.Nameserver,
      responseCode: pub.ResponseCode,
    };
  }

  async canary(role: RegionRole, sinceMs: number): Promise<CanaryState> {
    const region = this.region(role);
    const name = canaryName(this.config.envName, 'deep-health');
    const now = this.clock.now();
    const series = await this.metricData(
      region,
      [
        {
          Id: 'success',
          MetricStat: {
            Metric: {
              Namespace: 'CloudWatchSynthetics',
              MetricName: 'SuccessPercent',
              Dimensions: [{ Name: 'CanaryName', Value: name }],
            },
            Period: 60,
            Stat: 'Average',
          },
        },
        {
          Id: 'answered',
          MetricStat: {
            Metric: {
              Namespace: CANARY_METRIC_NAMESPACE,
              MetricName: CANARY_METRICS.publicNameAnswer,
              Dimensions: [
                { Name: CANARY_DIMENSIONS.environment, Value: this.config.envName },
                { Name: CANARY_DIMENSIONS.vantage, Value: region },
                { Name: CANARY_DIMENSIONS.answeredBy, Value: region },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
      Math.min(sinceMs - MINUTE, now - 15 * MINUTE),
      now,
    );
    const success = series.success?.at(-1);
    return {
      role,
      region,
      canaryName: name,
      successPercent: success?.value,
      successAt: success?.at,
      answeredBySelf: (series.answered ?? []).filter((p) => p.at + MINUTE > sinceMs),
    };
  }

  async replication(to: RegionRole): Promise<ReplicationState> {
    const consistency = this.config.data.consistency;
    const fromRegion = this.region(to === 'standby' ? 'primary' : 'standby');
    const toRegion = this.region(to);
    if (consistency === 'MRSC') return { consistency, fromRegion, toRegion };
    const now = this.clock.now();
    // ReplicationLatency is published in the SENDING region, per receiving region.
    const series = await this.metricData(
      fromRegion,
      [
        {
          Id: 'lag',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/DynamoDB',
              MetricName: 'ReplicationLatency',
              Dimensions: [
                { Name: 'TableName', Value: ledgerTableName(this.config.envName) },
                { Name: 'ReceivingRegion', Value: toRegion },
              ],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
      now - 10 * MINUTE,
      now,
    );
    const last = series.lag?.at(-1);
    return {
      consistency,
      fromRegion,
      toRegion,
      latencySeconds: last === undefined ? undefined : last.value / 1000,
      at: last?.at,
    };
  }

  async chainProviders(role: RegionRole): Promise<ChainProviderState> {
    const region = this.region(role);
    const now = this.clock.now();
    const series = await this.metricData(
      region,
      [
        {
          Id: 'healthy',
          MetricStat: {
            Metric: {
              Namespace: chainMetricNamespace(this.config.envName),
              MetricName: CHAIN_METRICS.healthyProviders,
              Dimensions: [{ Name: CHAIN_DIMENSIONS.region, Value: region }],
            },
            Period: 60,
            Stat: 'Minimum',
          },
        },
      ],
      now - 10 * MINUTE,
      now,
    );
    const last = series.healthy?.at(-1);
    return { role, region, healthyProviders: last?.value, at: last?.at };
  }

  async signingKey(role: RegionRole): Promise<KeyState> {
    const region = this.region(role);
    const alias = signingKeyAlias(this.config.envName);
    const out = await this.clients.kms(region).send(new DescribeKeyCommand({ KeyId: alias }));
    const meta = out.KeyMetadata;
    return {
      role,
      region,
      alias,
      keyId: meta?.KeyId,
      enabled: meta?.Enabled === true && meta.KeyState === 'Enabled',
      keyState: meta?.KeyState,
      multiRegionType: meta?.MultiRegionConfiguration?.MultiRegionKeyType,
    };
  }

  async alarmsFiring(): Promise<AlarmReport> {
    const regions = [...new Set([this.config.regions.primary, this.config.regions.standby, 'us-east-1'])];
    const found: AlarmInfo[] = [];
    const unreadable: Array<{ region: string; error: string }> = [];
    for (const region of regions) {
      let token: string | undefined;
      try {
        do {
          const page = await this.clients.cloudwatch(region).send(
            new DescribeAlarmsCommand({
              StateValue: 'ALARM',
              AlarmNamePrefix: `${this.config.envName}-wallet-`,
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              NextToken: token,
            }),
          );
          // Filter on the state here too: not every implementation applies StateValue together with
          // AlarmNamePrefix (moto_server does not), and a wrong "firing" list would block a drill.
          for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])].filter(
            (x) => x.StateValue === 'ALARM',
          )) {
            found.push({
              name: a.AlarmName ?? '',
              region,
              state: a.StateValue ?? 'ALARM',
              reason: a.StateReason,
              updatedAt: a.StateUpdatedTimestamp?.toISOString(),
            });
          }
          token = page.NextToken;
        } while (token !== undefined);
      } catch (err) {
        if (isCredentialsError(err)) throw err;
        unreadable.push({ region, error: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}` });
      }
    }
    return { firing: found, unreadable };
  }

  async signingAddress(): Promise<string> {
    if (this.address !== undefined) return this.address;
    // The replica in the standby region has the same key material, so the same address.
    const out = await this.clients
      .kms(this.config.regions.standby)
      .send(new GetPublicKeyCommand({ KeyId: signingKeyAlias(this.config.envName) }));
    if (out.PublicKey === undefined) throw new Error('GetPublicKey returned no public key');
    this.address = addressFromSpki(out.PublicKey).toLowerCase();
    return this.address;
  }

  private store(role: RegionRole) {
    return { ddb: this.clients.dynamodb(this.region(role)), tableName: ledgerTableName(this.config.envName) };
  }

  async readLease(role: RegionRole): Promise<Lease | undefined> {
    return readLease(this.store(role), await this.signingAddress());
  }

  async moveLease(to: RegionRole, options: LeaseMoveOptions): Promise<LeaseMove> {
    // Written in the region that takes the lease: it is the one that must be reachable.
    const move = await moveLease(this.store(to), {
      address: await this.signingAddress(),
      toRegion: this.region(to),
      actor: options.actor,
      reason: options.reason,
      expectedEpoch: options.expectedEpoch,
      isTargetHealthy: options.isTargetHealthy,
      now: new Date(this.clock.now()),
    });
    announceLeaseMove(this.statusEvents, this.config, move, options);
    if (move.changed) {
      // After the move, never before: the hand-off is fenced by the epoch the move created.
      this.handOffs.push(
        await handOffAfterMove({
          config: this.config,
          clients: this.clients,
          store: this.store(to),
          address: await this.signingAddress(),
          move,
          actor: options.actor,
          now: new Date(this.clock.now()),
        }),
      );
    }
    return move;
  }

  handOffChecks(): readonly CheckResult[] {
    return [...this.handOffs];
  }

  async throwSwitch(position: SwitchPosition, reason: string): Promise<SwitchThrown> {
    const region = this.config.regions.standby;
    const thrown = await throwSwitch({
      cloudwatch: this.clients.cloudwatch(region),
      region,
      envName: this.config.envName,
      position,
      reason,
      now: new Date(this.clock.now()),
    });
    announceSwitch(this.statusEvents, this.config, thrown);
    return thrown;
  }

  async publishDrillMetrics(direction: DrillDirection, values: DrillMetricValues): Promise<void> {
    const dims = drillMetricDimensions(this.config.envName, direction);
    const at = new Date(this.clock.now());
    const data: Array<[string, number | undefined]> = [
      [DRILL_METRICS.measuredRto, values.measuredRtoSeconds],
      [DRILL_METRICS.detection, values.detectionSeconds],
      [DRILL_METRICS.dnsCutover, values.dnsCutoverSeconds],
      [DRILL_METRICS.observedRpo, values.observedRpoSeconds],
      [DRILL_METRICS.passed, values.passed ? 1 : 0],
    ];
    await this.clients.cloudwatch(this.config.regions.standby).send(
      new PutMetricDataCommand({
        Namespace: DRILL_METRICS_NAMESPACE,
        MetricData: data
          .filter((d): d is [string, number] => d[1] !== undefined)
          .map(([MetricName, Value]) => ({
            MetricName,
            Value,
            Unit: MetricName === DRILL_METRICS.passed ? 'Count' : 'Seconds',
            Dimensions: dims,
            Timestamp: at,
          })),
      }),
    );
  }

  /** GetMetricData for `queries` in `region`, as points per query id, oldest first. */
  private async metricData(
    region: string,
    queries: MetricDataQuery[],
    start: number,
    end: number,
  ): Promise<Record<string, StatusPoint[]>> {
    const out: Record<string, StatusPoint[]> = {};
    let token: string | undefined;
    do {
      const page = await this.clients.cloudwatch(region).send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(start),
          // One minute past `end`: the newest data point (just written) is inside the range even when
          // the service rounds the end time down (moto_server does).
          EndTime: new Date(end + MINUTE),
          ScanBy: 'TimestampAscending',
          NextToken: token,
        }),
      );
      for (const r of page.MetricDataResults ?? []) {
        const list = (out[r.Id ?? ''] ??= []);
        (r.Timestamps ?? []).forEach((t, i) => list.push({ at: t.getTime(), value: Number(r.Values?.[i]) }));
      }
      token = page.NextToken;
    } while (token !== undefined);
    for (const list of Object.values(out)) list.sort((a, b) => a.at - b.at);
    return out;
  }
}

/**
 * Which region an API Gateway regional domain name (`d-<id>.execute-api.<region>.amazonaws.com`, a
 * CNAME failover record's data) belongs to, or undefined when it names neither region.
 */
export function apiGatewayDomainRole(
  name: string,
  regions: { readonly primary: string; readonly standby: string },
): RegionRole | undefined {
  const m = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com\.?$/i.exec(name.trim());
  if (m === null) return undefined;
  const region = m[1].toLowerCase();
  if (region === regions.primary) return 'primary';
  if (region === regions.standby) return 'standby';
  return undefined;
}
