import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DisabledException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { InvalidInput, NoSuchHealthCheck } from '@aws-sdk/client-route-53';
import { NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { WalletConfig } from '../../config/schema';
import { failoverSwitchAlarmName } from '../../contract/failover-switch';
import {
  HEALTH_PATH,
  HEALTH_SEARCH_STRING,
  PRIMARY_HEALTH_RESOURCE_PATH,
  publicApiDomain,
  regionalApiDomain,
} from '../../contract/health';
import { LEDGER_GSI1 } from '../../contract/ledger';
import { ledgerTableName, RegionRole } from '../../contract/names';
import { applyUpdate, evaluateCondition, Item } from './expressions';
import {
  Checker,
  Dim,
  HC_IDS,
  HealthCheckKey,
  MetricPoint,
  metricKey,
  REGION_IPS,
  SimAlarm,
  SimMultiRegionKey,
} from './state';

/**
 * The simulated services' wire format: how Route 53, CloudWatch, KMS, DynamoDB and STS answer each
 * SDK command (the request and response shapes), from the state the physics in ./world.ts keeps.
 * Nothing here advances time or decides health; it only reads and records.
 */

/** The part of the world the wire format sees. */
export interface WireState {
  readonly config: WalletConfig;
  readonly regions: Record<RegionRole, string>;
  readonly now: number;
  readonly callerAccount: string;
  /** The caller STS reports (GetCallerIdentity Arn). */
  readonly callerArn: string;
  /** The authoritative failover answer. */
  readonly answer: RegionRole;
  /** The primary's endpoint check asks `/health?lease=held`. */
  readonly leaseFollowingCheck: boolean;
  readonly status: Readonly<Record<HealthCheckKey, boolean>>;
  /** The checkers of each endpoint check: each region's `/health`, and the primary's lease check. */
  readonly checkers: Readonly<Record<RegionRole | 'primaryLease', readonly Checker[]>>;
  readonly alarms: ReadonlyMap<string, SimAlarm>;
  /** The environment's multi-Region KMS keys (signing, data, backup, and any a test adds). */
  readonly kmsKeys: readonly SimMultiRegionKey[];
  /** UpdatePrimaryRegion accepted: the physics (./world.ts) runs the asynchronous update. */
  startPrimaryUpdate(key: SimMultiRegionKey, to: string): void;
  readonly table: Map<string, Item>;
  readonly walletEvents: WalletBusEvent[];
  readonly objects: Map<string, StoredObject>;
  /** Creates the lease item the first time the ledger table is read. */
  ensureLease(): void;
  putMetric(region: string, key: string, value: number, at: number): void;
  points(region: string, key: string): MetricPoint[];
}

/** Answers one SDK command as the service in `region` would (faults and outages are the world's, before this). */
export function answerCommand(
  w: WireState,
  service: string,
  region: string,
  command: string,
  input: Record<string, unknown>,
): Record<string, unknown> {
  switch (`${service}:${command}`) {
    case 'sts:GetCallerIdentityCommand':
      return {
        Account: w.callerAccount,
        Arn: w.callerArn,
        UserId: `AROASIMULATED:${w.callerArn.split('/').at(-1) ?? 'drill'}`,
      };
    case 'route53:ListHealthChecksCommand':
      return { HealthChecks: healthChecks(w), IsTruncated: false, MaxItems: 100, Marker: '' };
    case 'route53:GetHealthCheckStatusCommand':
      return getHealthCheckStatus(w, String(input.HealthCheckId));
    case 'route53:TestDNSAnswerCommand':
      return testDnsAnswer(w, input);
    case 'cloudwatch:PutMetricDataCommand':
      return putMetricData(w, region, input);
    case 'cloudwatch:GetMetricDataCommand':
      return getMetricData(w, region, input);
    case 'cloudwatch:DescribeAlarmsCommand':
      return describeAlarms(w, region, input);
    case 'kms:DescribeKeyCommand':
    case 'kms:GetPublicKeyCommand':
    case 'kms:UpdatePrimaryRegionCommand':
      return kms(w, region, command, input);
    case 'events:PutEventsCommand':
      return putEvents(w, region, input);
    case 's3:GetObjectCommand':
    case 's3:PutObjectCommand':
      return s3(w, command, input);
    case 'dynamodb:GetItemCommand':
    case 'dynamodb:QueryCommand':
    case 'dynamodb:PutItemCommand':
    case 'dynamodb:UpdateItemCommand':
      return dynamodb(w, command, input);
    default:
      throw new Error(`the simulated AWS does not implement ${service} ${command}`);
  }
}

function healthChecks(w: WireState): Record<string, unknown>[] {
  const { apiSubdomain, zoneName, healthCheck } = w.config.dns;
  const endpoint = (role: RegionRole, path = HEALTH_PATH) => ({
    Type: 'HTTPS_STR_MATCH',
    FullyQualifiedDomainName: regionalApiDomain(w.regions[role], apiSubdomain, zoneName),
    Port: 443,
    ResourcePath: path,
    SearchString: HEALTH_SEARCH_STRING,
    RequestInterval: healthCheck.intervalSeconds,
    FailureThreshold: healthCheck.failureThreshold,
    EnableSNI: true,
    MeasureLatency: true,
    Regions: healthCheck.regions,
  });
  const lease = w.leaseFollowingCheck
    ? [
        {
          Id: HC_IDS.primaryLease,
          CallerReference: 'lease',
          HealthCheckVersion: 1,
          HealthCheckConfig: endpoint('primary', PRIMARY_HEALTH_RESOURCE_PATH),
        },
      ]
    : [];
  const children = [HC_IDS.primaryEndpoint, ...lease.map((c) => c.Id), HC_IDS.failoverSwitch];
  return [
    ...lease,
    {
      Id: HC_IDS.primaryEndpoint,
      CallerReference: 'primary',
      HealthCheckVersion: 1,
      HealthCheckConfig: endpoint('primary'),
    },
    {
      Id: HC_IDS.standbyEndpoint,
      CallerReference: 'standby',
      HealthCheckVersion: 1,
      HealthCheckConfig: endpoint('standby'),
    },
    {
      Id: HC_IDS.failoverSwitch,
      CallerReference: 'switch',
      HealthCheckVersion: 1,
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: failoverSwitchAlarmName(w.config.envName), Region: w.regions.standby },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      },
    },
    {
      Id: HC_IDS.primaryRecord,
      CallerReference: 'calculated',
      HealthCheckVersion: 1,
      HealthCheckConfig: {
        Type: 'CALCULATED',
        ChildHealthChecks: children,
        HealthThreshold: children.length,
      },
    },
  ];
}

function getHealthCheckStatus(w: WireState, id: string): Record<string, unknown> {
  const probe: RegionRole | 'primaryLease' | undefined =
    id === HC_IDS.primaryEndpoint
      ? 'primary'
      : id === HC_IDS.standbyEndpoint
        ? 'standby'
        : id === HC_IDS.primaryLease && w.leaseFollowingCheck
          ? 'primaryLease'
          : undefined;
  if (id === HC_IDS.primaryRecord) {
    throw new InvalidInput({
      message: "You can't use GetHealthCheckStatus to get the status of a calculated health check.",
      $metadata: {},
    });
  }
  if (id === HC_IDS.failoverSwitch) {
    return {
      HealthCheckObservations: w.config.dns.healthCheck.regions.map((region, i) => ({
        Region: region,
        IPAddress: `15.177.${10 + i}.200`,
        StatusReport: {
          Status: w.status.failoverSwitch ? 'Success: the alarm is OK' : 'Failure: the alarm is in ALARM',
          CheckedTime: new Date(w.now),
        },
      })),
    };
  }
  if (probe === undefined) {
    throw new NoSuchHealthCheck({ message: `A health check with id ${id} does not exist.`, $metadata: {} });
  }
  const ip = REGION_IPS[probe === 'standby' ? 'standby' : 'primary'][0];
  return {
    HealthCheckObservations: w.checkers[probe]
      .filter((c) => c.lastCheckedAt !== undefined)
      .map((c) => ({
        Region: c.region,
        IPAddress: c.ip,
        StatusReport: {
          Status: c.lastHealthy
            ? `Success: HTTP Status Code 200, OK. Resolved IP: ${ip}`
            : 'Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.',
          CheckedTime: new Date(c.lastCheckedAt!),
        },
      })),
  };
}

/** The API Gateway regional domain name a CNAME failover record points at (d-<id>.execute-api.<region>.amazonaws.com). */
export const simulatedApiGatewayDomain = (region: string): string =>
  `d-sim${region.replace(/-/g, '')}.execute-api.${region}.amazonaws.com`;

function testDnsAnswer(w: WireState, input: Record<string, unknown>): Record<string, unknown> {
  const { zoneId, apiSubdomain, zoneName } = w.config.dns;
  if (input.HostedZoneId !== zoneId) {
    throw new Error(`NoSuchHostedZone: no hosted zone found with ID: ${String(input.HostedZoneId)}`);
  }
  const name = String(input.RecordName).replace(/\.$/, '');
  const type = String(input.RecordType);
  let data: string[] = [];
  let code = 'NOERROR';
  if (name === publicApiDomain(apiSubdomain, zoneName)) {
    if (w.config.dns.recordType === 'CNAME') {
      // A CNAME record answers any type with the CNAME (RFC 1034 3.6.2): the domain name, never addresses.
      data = [simulatedApiGatewayDomain(w.regions[w.answer])];
    } else if (type === 'A') {
      data = REGION_IPS[w.answer];
    } // alias A records have no CNAME: NOERROR with no data
  } else if (name === regionalApiDomain(w.regions.primary, apiSubdomain, zoneName)) {
    if (type === 'A') data = REGION_IPS.primary;
  } else if (name === regionalApiDomain(w.regions.standby, apiSubdomain, zoneName)) {
    if (type === 'A') data = REGION_IPS.standby;
  } else code = 'NXDOMAIN';
  return {
    Nameserver: 'ns-1234.awsdns-56.org',
    RecordName: name,
    RecordType: input.RecordType,
    RecordData: data,
    ResponseCode: code,
    Protocol: 'UDP',
  };
}

function putMetricData(w: WireState, region: string, input: Record<string, unknown>): Record<string, unknown> {
  const namespace = String(input.Namespace);
  if (namespace.startsWith('AWS/')) {
    throw new Error(`InvalidParameterValue: The value ${namespace} for parameter Namespace is invalid.`);
  }
  for (const d of (input.MetricData as Array<Record<string, unknown>>) ?? []) {
    const key = metricKey(namespace, String(d.MetricName), (d.Dimensions as Dim[]) ?? []);
    const at = d.Timestamp instanceof Date ? d.Timestamp.getTime() : w.now;
    w.putMetric(region, key, Number(d.Value), at);
  }
  return {};
}

function getMetricData(w: WireState, region: string, input: Record<string, unknown>): Record<string, unknown> {
  const start = (input.StartTime as Date).getTime();
  const end = (input.EndTime as Date).getTime();
  const results = (input.MetricDataQueries as Array<Record<string, unknown>>).map((q) => {
    const stat = q.MetricStat as {
      Metric: { Namespace: string; MetricName: string; Dimensions?: Dim[] };
      Period: number;
      Stat: string;
    };
    const period = stat.Period * 1000;
    const points = w
      .points(region, metricKey(stat.Metric.Namespace, stat.Metric.MetricName, stat.Metric.Dimensions ?? []))
      .filter((p) => p.at >= start && p.at < end && p.at <= w.now);
    const buckets = new Map<number, number[]>();
    for (const p of points) {
      const b = Math.floor(p.at / period) * period;
      buckets.set(b, [...(buckets.get(b) ?? []), p.value]);
    }
    const keys = [...buckets.keys()].sort((a, b) => a - b);
    return {
      Id: q.Id,
      Label: stat.Metric.MetricName,
      Timestamps: keys.map((k) => new Date(k)),
      Values: keys.map((k) => aggregate(buckets.get(k)!, stat.Stat)),
      StatusCode: 'Complete',
    };
  });
  return { MetricDataResults: results, Messages: [] };
}

function describeAlarms(w: WireState, region: string, input: Record<string, unknown>): Record<string, unknown> {
  const names = input.AlarmNames as string[] | undefined;
  const prefix = input.AlarmNamePrefix as string | undefined;
  const stateValue = input.StateValue as string | undefined;
  const types = (input.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
  const matches = [...w.alarms.values()].filter(
    (a) =>
      a.region === region &&
      (names === undefined || names.includes(a.name)) &&
      (prefix === undefined || a.name.startsWith(prefix)) &&
      (stateValue === undefined || a.state === stateValue),
  );
  const show = (a: SimAlarm) => ({
    AlarmName: a.name,
    StateValue: a.state,
    StateReason: a.reason,
    StateUpdatedTimestamp: new Date(a.updatedAt),
  });
  return {
    MetricAlarms: types.includes('MetricAlarm') ? matches.filter((a) => !a.composite).map(show) : [],
    CompositeAlarms: types.includes('CompositeAlarm') ? matches.filter((a) => a.composite).map(show) : [],
  };
}

const kmsKeyArn = (w: WireState, region: string, keyId: string) =>
  `arn:aws:kms:${region}:${w.config.account}:key/${keyId}`;

/** The key a KeyId names in a region: its alias, key id or key ARN there (KMS aliases are regional). */
function findKey(w: WireState, region: string, id: string): SimMultiRegionKey {
  const key = w.kmsKeys.find(
    (k) => k.copies.has(region) && (id === k.alias || id === k.keyId || id === kmsKeyArn(w, region, k.keyId)),
  );
  if (key === undefined) {
    throw new NotFoundException({
      message: id.startsWith('alias/')
        ? `Alias ${kmsKeyArn(w, region, id)} is not found.`
        : `Key '${id}' does not exist`,
      $metadata: {},
    });
  }
  return key;
}

/**
 * KMS DescribeKey, GetPublicKey and UpdatePrimaryRegion on the multi-Region keys. While an update runs,
 * both copies are `Updating` and both show as replicas ("Operations such as DescribeKey might display
 * both the old and new primary keys as replicas", KMS developer guide, multi-region-update).
 */
function kms(w: WireState, region: string, command: string, input: Record<string, unknown>): Record<string, unknown> {
  const key = findKey(w, region, String(input.KeyId));
  const copy = key.copies.get(region)!;
  if (command === 'GetPublicKeyCommand') {
    if (!copy.enabled)
      throw new DisabledException({ message: `${kmsKeyArn(w, region, key.keyId)} is disabled.`, $metadata: {} });
    if (copy.publicKeySpki === undefined) {
      throw new UnsupportedOperationException({
        message: `${kmsKeyArn(w, region, key.keyId)} key usage is ENCRYPT_DECRYPT which is not valid for GetPublicKey.`,
        $metadata: {},
      });
    }
    return {
      KeyId: kmsKeyArn(w, region, key.keyId),
      PublicKey: new Uint8Array(copy.publicKeySpki),
      KeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
    };
  }
  if (command === 'UpdatePrimaryRegionCommand') return updatePrimaryRegion(w, region, key, String(input.PrimaryRegion));
  const others = [...key.copies.keys()].filter((r) => r !== key.primaryRegion);
  const type = key.updating === undefined && region === key.primaryRegion ? 'PRIMARY' : 'REPLICA';
  return {
    KeyMetadata: {
      AWSAccountId: w.config.account,
      KeyId: key.keyId,
      Arn: kmsKeyArn(w, region, key.keyId),
      Enabled: copy.enabled,
      KeyState: copy.keyState,
      KeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: type,
        PrimaryKey: { Arn: kmsKeyArn(w, key.primaryRegion, key.keyId), Region: key.primaryRegion },
        ReplicaKeys: others.map((r) => ({ Arn: kmsKeyArn(w, r, key.keyId), Region: r })),
      },
    },
  };
}

/**
 * UpdatePrimaryRegion as the KMS API reference states it: `KeyId` "identifies the current primary key"
 * (so it is sent to the primary key's Region), `PrimaryRegion` must hold "an existing replica key", and
 * "Both the primary key and the replica key must be in the Enabled key state when the operation starts".
 * It returns nothing; the update completes asynchronously (./world.ts).
 */
function updatePrimaryRegion(
  w: WireState,
  region: string,
  key: SimMultiRegionKey,
  to: string,
): Record<string, unknown> {
  const arn = kmsKeyArn(w, region, key.keyId);
  if (key.updating !== undefined) {
    throw new KMSInvalidStateException({ message: `${arn} is pending update of its primary Region.`, $metadata: {} });
  }
  if (region !== key.primaryRegion) {
    throw new UnsupportedOperationException({
      message: `${arn} is not a multi-Region primary key; call UpdatePrimaryRegion on the primary key in ${key.primaryRegion}.`,
      $metadata: {},
    });
  }
  const target = key.copies.get(to);
  if (target === undefined || to === region) {
    throw new NotFoundException({
      message: `There is no replica of ${key.keyId} in ${to} to make the primary key.`,
      $metadata: {},
    });
  }
  for (const [r, c] of [
    [region, key.copies.get(region)!],
    [to, target],
  ] as const) {
    if (!c.enabled)
      throw new DisabledException({ message: `${kmsKeyArn(w, r, key.keyId)} is disabled.`, $metadata: {} });
    if (c.keyState !== 'Enabled') {
      throw new KMSInvalidStateException({
        message: `${kmsKeyArn(w, r, key.keyId)} is ${c.keyState}; both keys must be Enabled.`,
        $metadata: {},
      });
    }
  }
  w.startPrimaryUpdate(key, to);
  return {};
}

function dynamodb(w: WireState, command: string, input: Record<string, unknown>): Record<string, unknown> {
  if (input.TableName !== ledgerTableName(w.config.envName)) {
    throw new Error(
      `ResourceNotFoundException: Requested resource not found: Table: ${String(input.TableName)} not found`,
    );
  }
  w.ensureLease();
  const keyOf = (k: Record<string, unknown>) => `${String(k.pk)}|${String(k.sk)}`;
  const values = (input.ExpressionAttributeValues as Record<string, unknown>) ?? {};
  const failed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  if (command === 'GetItemCommand') {
    const item = w.table.get(keyOf(input.Key as Record<string, unknown>));
    return item === undefined ? {} : { Item: { ...item } };
  }
  if (command === 'QueryCommand') return query(w, input, values);
  if (command === 'PutItemCommand') {
    const item = input.Item as Item;
    const key = keyOf(item);
    if (
      typeof input.ConditionExpression === 'string' &&
      !evaluateCondition(input.ConditionExpression, w.table.get(key), values)
    ) {
      throw failed();
    }
    w.table.set(key, { ...item });
    return {};
  }
  const key = keyOf(input.Key as Record<string, unknown>);
  const current = w.table.get(key);
  if (typeof input.ConditionExpression === 'string' && !evaluateCondition(input.ConditionExpression, current, values)) {
    throw failed();
  }
  const base = current ?? { ...(input.Key as Item) };
  const next = applyUpdate(String(input.UpdateExpression), base, values);
  w.table.set(key, next);
  return input.ReturnValues === 'UPDATED_OLD' ? { Attributes: { ...base } } : {};
}

/**
 * A Query on the ledger's status index, as the hand-off asks it (`gsi1pk = :p`, one page): the items
 * whose index partition key matches. Other key conditions are refused, so a new caller is a reviewed
 * change here too.
 */
function query(w: WireState, input: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  const m = /^\s*(\w+)\s*=\s*(:\w+)\s*$/.exec(String(input.KeyConditionExpression ?? ''));
  if (input.IndexName !== LEDGER_GSI1 || m === null || m[1] !== 'gsi1pk') {
    throw new Error(
      `the simulated AWS answers Query only on ${LEDGER_GSI1} with "gsi1pk = :p"; received index ${String(input.IndexName)}, condition ${String(input.KeyConditionExpression)}`,
    );
  }
  const items = [...w.table.values()].filter((item) => item.gsi1pk === values[m[2]]).map((item) => ({ ...item }));
  return { Items: items, Count: items.length };
}

function aggregate(values: number[], stat: string): number {
  switch (stat) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((s, v) => s + v, 0);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((s, v) => s + v, 0) / values.length;
    default:
      throw new Error(`the simulated CloudWatch does not support the statistic ${stat}`);
  }
}

/** One entry the drill put on a region's default bus. */
export interface WalletBusEvent {
  readonly region: string;
  readonly at: number;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

export interface StoredObject {
  readonly body: string;
  readonly etag: string;
  readonly contentType?: string;
}

/** EventBridge PutEvents on the default bus: every entry accepted and recorded (faults are the world's). */
function putEvents(w: WireState, region: string, input: Record<string, unknown>): Record<string, unknown> {
  const entries = (input.Entries as Array<Record<string, unknown>>) ?? [];
  if (entries.length === 0 || entries.length > 10)
    throw new Error(`PutEvents takes 1 to 10 entries; received ${entries.length}`);
  for (const e of entries) {
    w.walletEvents.push({
      region,
      at: w.now,
      source: String(e.Source),
      detailType: String(e.DetailType),
      detail: JSON.parse(String(e.Detail)) as Record<string, unknown>,
    });
  }
  return {
    FailedEntryCount: 0,
    Entries: entries.map((_, i) => ({ EventId: `sim-event-${w.walletEvents.length}-${i}` })),
  };
}

const s3Error = (name: string, status: number, message: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

/**
 * S3 GetObject / PutObject with the conditional writes the status store relies on: `If-None-Match: *`
 * refuses an existing object and `If-Match` a changed ETag, with HTTP 412 as S3 answers
 * ("Conditional requests", S3 user guide).
 */
function s3(w: WireState, command: string, input: Record<string, unknown>): Record<string, unknown> {
  const id = `${String(input.Bucket)}/${String(input.Key)}`;
  const existing = w.objects.get(id);
  if (command === 'GetObjectCommand') {
    if (existing === undefined)
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    const body = existing.body;
    return { ETag: existing.etag, ContentType: existing.contentType, Body: { transformToString: async () => body } };
  }
  if (input.IfNoneMatch === '*' && existing !== undefined)
    throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
  if (input.IfMatch !== undefined && input.IfMatch !== existing?.etag)
    throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
  const body = typeof input.Body === 'string' ? input.Body : Buffer.from(input.Body as Uint8Array).toString('utf8');
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  w.objects.set(id, {
    body,
    etag,
    ...(typeof input.ContentType === 'string' ? { contentType: input.ContentType } : {}),
  });
  return { ETag: etag };
}
