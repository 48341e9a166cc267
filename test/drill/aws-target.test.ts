import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricDataCommandInput,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  Route53Client,
  TestDNSAnswerCommand,
  TestDNSAnswerCommandInput,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import 'aws-sdk-client-mock-jest';
import { computeAddress } from 'ethers';
import { generateKeyPairSync } from 'node:crypto';
import { addressFromSpki } from '../../lib/drill/address';
import { runCli } from '../../lib/drill/cli';
import { createDrillClients } from '../../lib/drill/clients';
import { Clock } from '../../lib/drill/clock';
import { runDrill } from '../../lib/drill/drill';
import { EXIT } from '../../lib/drill/exit-codes';
import { buildPlan } from '../../lib/drill/plan';
import { AwsTarget } from '../../lib/drill/aws-target';
import { testConfig } from '../helpers/config';
import { fakeIo, START } from './helpers';

/**
 * The aws target's exact SDK calls, with aws-sdk-client-mock (its jest matchers are loaded by the
 * jest setup). The mocks play a small, scripted AWS: after the switch is thrown the health-check
 * metric, the DNS answer and the canary change, so a whole failover runs against the real AwsTarget.
 */
// Alias records: the scripted TestDNSAnswer answers with addresses (CNAME answers: test/drill/dns-answer.test.ts).
const config = testConfig({ dns: { recordType: 'ALIAS', recordTtlSeconds: undefined } });
const cw = mockClient(CloudWatchClient);
const r53 = mockClient(Route53Client);
const ddb = mockClient(DynamoDBDocumentClient);
const kms = mockClient(KMSClient);
const sts = mockClient(STSClient);
// The status page's events and buckets (test/drill/status-page.test.ts covers them): accepted, and
// no status stack deployed (every GetObject is NoSuchKey), so the page checks report and never fail the drill.
const events = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);

const ID = { pe: 'hc-primary', se: 'hc-standby', sw: 'hc-switch', rec: 'hc-record' };
const ADDRESS_KEY = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const SPKI = ADDRESS_KEY.publicKey.export({ format: 'der', type: 'spki' });
const ADDRESS = addressFromSpki(SPKI).toLowerCase();

/** A virtual clock: sleeping moves time forward instantly. */
function fakeClock(start = START): Clock & { t: number } {
  const c = {
    t: start,
    now: () => c.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (!signal?.aborted) c.t += ms;
    },
  };
  return c;
}

interface Scripted {
  switchedAt?: number;
}

function scriptAws(clock: { now(): number }, state: Scripted): void {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: config.account, Arn: 'arn:aws:sts::111111111111:assumed-role/Ops/me' });
  r53.on(ListHealthChecksCommand).resolves({
    HealthChecks: [
      {
        Id: ID.pe,
        CallerReference: 'a',
        HealthCheckVersion: 1,
        HealthCheckConfig: { Type: 'HTTPS_STR_MATCH', FullyQualifiedDomainName: 'us-east-2.api.wallet.example.com' },
      },
      {
        Id: ID.se,
        CallerReference: 'b',
        HealthCheckVersion: 1,
        HealthCheckConfig: { Type: 'HTTPS_STR_MATCH', FullyQualifiedDomainName: 'us-west-2.api.wallet.example.com' },
      },
      {
        Id: ID.sw,
        CallerReference: 'c',
        HealthCheckVersion: 1,
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Name: 'example-wallet-failover-switch', Region: 'us-west-2' },
        },
      },
      {
        Id: ID.rec,
        CallerReference: 'd',
        HealthCheckVersion: 1,
        HealthCheckConfig: { Type: 'CALCULATED', ChildHealthChecks: [ID.pe, ID.sw] },
      },
    ],
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
  });
  r53.on(GetHealthCheckStatusCommand).callsFake(() => ({
    HealthCheckObservations: ['us-east-1', 'us-west-2', 'eu-west-1'].map((Region, i) => ({
      Region,
      IPAddress: `15.177.0.${i}`,
      StatusReport: { Status: 'Success: HTTP Status Code 200, OK.', CheckedTime: new Date(clock.now()) },
    })),
  }));
  const switched = () => state.switchedAt !== undefined && clock.now() >= state.switchedAt + 50_000;
  r53.on(TestDNSAnswerCommand).callsFake((input: TestDNSAnswerCommandInput) => {
    const primary = ['198.51.100.10'];
    const standby = ['203.0.113.20'];
    const data = input.RecordName?.startsWith('us-east-2.')
      ? primary
      : input.RecordName?.startsWith('us-west-2.')
        ? standby
        : switched()
          ? standby
          : primary;
    return {
      Nameserver: 'ns-1.awsdns-01.org',
      RecordName: input.RecordName,
      RecordType: 'A',
      RecordData: data,
      ResponseCode: 'NOERROR',
      Protocol: 'UDP',
    };
  });
  cw.on(DescribeAlarmsCommand).callsFake((input) =>
    input.AlarmNames
      ? {
          MetricAlarms: [
            {
              AlarmName: input.AlarmNames[0],
              StateValue: 'INSUFFICIENT_DATA',
              StateUpdatedTimestamp: new Date(START - 3_600_000),
            },
          ],
        }
      : { MetricAlarms: [], CompositeAlarms: [] },
  );
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const minute = Math.floor(clock.now() / 60_000) * 60_000 - 60_000;
      let points: Array<[number, number]> = [];
      if (q.Id?.startsWith('hc'))
        points = [[minute, q.MetricStat?.Metric?.Dimensions?.[0].Value === ID.rec && switched() ? 0 : 1]];
      if (q.Id === 'success') points = [[minute, 100]];
      // The chain watcher's HealthyProviders (issue 16): both providers healthy in each region.
      if (q.Id === 'healthy') points = [[minute, 2]];
      // The public-name canary's run at switch + 85 s, published at standard resolution (per minute).
      if (q.Id === 'answered' && state.switchedAt !== undefined && clock.now() >= state.switchedAt + 85_000) {
        points = [[Math.floor((state.switchedAt + 85_000) / 60_000) * 60_000, 1]];
      }
      return {
        Id: q.Id,
        Timestamps: points.map(([t]) => new Date(t)),
        Values: points.map(([, v]) => v),
        StatusCode: 'Complete',
      };
    }),
  }));
  cw.on(PutMetricDataCommand).callsFake((input) => {
    if (input.Namespace === 'Wallet/Failover') state.switchedAt = clock.now();
    return {};
  });
  kms.on(DescribeKeyCommand).callsFake(async () => ({
    KeyMetadata: {
      KeyId: 'mrk-1',
      Enabled: true,
      KeyState: 'Enabled',
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' },
    },
  }));
  kms.on(GetPublicKeyCommand).resolves({ KeyId: 'mrk-1', PublicKey: new Uint8Array(SPKI) });
  const lease = {
    pk: `LEASE#${ADDRESS}`,
    sk: 'LEASE',
    address: ADDRESS,
    activeRegion: 'us-east-2',
    epoch: 7,
    nextNonce: 3,
    updatedAt: 'x',
    updatedBy: 'y',
    reason: 'z',
  };
  ddb.on(GetCommand).callsFake(() => ({ Item: { ...lease } }));
  ddb.on(UpdateCommand).callsFake((input) => {
    lease.activeRegion = input.ExpressionAttributeValues[':to'];
    lease.epoch = input.ExpressionAttributeValues[':next'];
    return {};
  });
  ddb.on(PutCommand).resolves({});
}

const regionOf = async (call: { thisValue: unknown }) =>
  (call.thisValue as { config: { region: () => Promise<string> } }).config.region();

function awsTarget(clock: Clock): AwsTarget {
  return new AwsTarget({
    config,
    clock,
    clients: createDrillClients({
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      defaultRegion: 'us-west-2',
    }),
  });
}

beforeEach(() => {
  cw.reset();
  r53.reset();
  ddb.reset();
  kms.reset();
  sts.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  s3.reset();
  s3.rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
  s3.on(PutObjectCommand).resolves({ ETag: '"1"' });
});

test('the signing address is derived from the KMS public key as an independent library derives it', () => {
  const uncompressed = ADDRESS_KEY.publicKey.export({ format: 'jwk' });
  const hex = `0x04${Buffer.from(uncompressed.x!, 'base64url').toString('hex')}${Buffer.from(uncompressed.y!, 'base64url').toString('hex')}`;
  expect(addressFromSpki(SPKI)).toBe(computeAddress(hex));
});

test('plan: only read-only calls, each to the right API, region and resource', async () => {
  // Prepare
  const clock = fakeClock();
  scriptAws(clock, {});
  // Act
  const plan = await buildPlan(awsTarget(clock), config, 'failover');
  // Assess
  expect(plan.ready).toBe(true);
  expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  expect(r53).toHaveReceivedCommandWith(ListHealthChecksCommand, { MaxItems: 100 });
  expect(r53).toHaveReceivedCommandWith(GetHealthCheckStatusCommand, { HealthCheckId: ID.se });
  expect(r53).not.toHaveReceivedCommandWith(GetHealthCheckStatusCommand, { HealthCheckId: ID.rec });
  for (const name of [
    'api.wallet.example.com',
    'us-east-2.api.wallet.example.com',
    'us-west-2.api.wallet.example.com',
  ]) {
    expect(r53).toHaveReceivedCommandWith(TestDNSAnswerCommand, {
      HostedZoneId: config.dns.zoneId,
      RecordName: name,
      RecordType: 'A',
    });
  }
  expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['example-wallet-failover-switch'] });
  const alarmScans = cw.commandCalls(DescribeAlarmsCommand, {
    StateValue: 'ALARM',
    AlarmNamePrefix: 'example-wallet-',
  });
  expect(await Promise.all(alarmScans.map(regionOf))).toEqual(['us-east-2', 'us-west-2', 'us-east-1']);
  const hc = cw.commandCalls(GetMetricDataCommand).find((c) => c.args[0].input.MetricDataQueries?.[0].Id === 'hc0')!;
  expect(await regionOf(hc)).toBe('us-east-1');
  expect(hc.args[0].input.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.Dimensions?.[0].Value)).toEqual([
    ID.pe,
    ID.se,
    ID.sw,
    ID.rec,
  ]);
  expect(hc.args[0].input.MetricDataQueries?.[0].MetricStat).toMatchObject({
    Metric: { Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus' },
    Period: 60,
    Stat: 'Minimum',
  });
  const keyCalls = kms.commandCalls(DescribeKeyCommand, { KeyId: 'alias/example-wallet-signing' });
  expect((await Promise.all(keyCalls.map(regionOf))).sort()).toEqual(['us-east-2', 'us-west-2']);
  expect(kms).toHaveReceivedCommandWith(GetPublicKeyCommand, { KeyId: 'alias/example-wallet-signing' });
  expect(ddb).toHaveReceivedCommandWith(GetCommand, {
    TableName: 'example-wallet-ledger',
    Key: { pk: `LEASE#${ADDRESS}`, sk: 'LEASE' },
    ConsistentRead: true,
  });
  expect(cw).not.toHaveReceivedCommand(PutMetricDataCommand);
  expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  expect(ddb).not.toHaveReceivedCommand(PutCommand);
});

test('failover --execute: moveLease (conditional UpdateItem + audit PutItem) in the standby, then exactly one switch PutMetricData there', async () => {
  const clock = fakeClock();
  scriptAws(clock, {});
  const record = await runDrill({
    target: awsTarget(clock),
    config,
    direction: 'failover',
    actor: 'ops',
    signal: new AbortController().signal,
  });
  expect(record.outcome).toBe('completed');
  expect(record.measurements).toMatchObject({ dnsCutoverSeconds: 50, rtoMet: true });
  // The run was at +85 s; a per-minute point is seen on the next poll and bounds the RTO from above.
  expect(record.measurements.rtoSeconds).toBeGreaterThanOrEqual(85);
  expect(record.measurements.rtoSeconds).toBeLessThanOrEqual(90);
  // The lease: one conditional update naming the epoch read, in the standby region.
  expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  const update = ddb.commandCalls(UpdateCommand)[0];
  expect(await regionOf(update)).toBe('us-west-2');
  expect(update.args[0].input).toMatchObject({
    TableName: 'example-wallet-ledger',
    Key: { pk: `LEASE#${ADDRESS}`, sk: 'LEASE' },
    ConditionExpression: 'epoch = :seen AND activeRegion = :from',
    ExpressionAttributeValues: expect.objectContaining({
      ':seen': 7,
      ':next': 8,
      ':from': 'us-east-2',
      ':to': 'us-west-2',
      ':by': 'ops',
    }),
  });
  expect(ddb).toHaveReceivedCommandWith(PutCommand, {
    Item: expect.objectContaining({ kind: 'lease-move', fromEpoch: 7, toEpoch: 8 }),
  });
  // The switch: exactly one data point, value 1, in the standby region.
  const puts = cw.commandCalls(PutMetricDataCommand);
  expect(puts).toHaveLength(1);
  expect(await regionOf(puts[0])).toBe('us-west-2');
  expect(puts[0].args[0].input).toMatchObject({
    Namespace: 'Wallet/Failover',
    MetricData: [
      {
        MetricName: 'FailoverSwitch',
        Value: 1,
        StorageResolution: 60,
        Dimensions: [{ Name: 'Environment', Value: 'example' }],
      },
    ],
  });
  // The lease moved before the switch was thrown.
  expect(record.timeline.map((e) => e.id).slice(0, 2)).toEqual(['lease-moved', 'switch-thrown']);
});

test('the KPI series: one PutMetricData in the standby region with the measured values', async () => {
  const clock = fakeClock();
  scriptAws(clock, {});
  await awsTarget(clock).publishDrillMetrics('failover', {
    measuredRtoSeconds: 85,
    detectionSeconds: 50,
    dnsCutoverSeconds: 50,
    observedRpoSeconds: 0,
    passed: true,
  });
  const put = cw.commandCalls(PutMetricDataCommand)[0];
  expect(await regionOf(put)).toBe('us-west-2');
  expect(put.args[0].input.Namespace).toBe('Wallet/Drill');
  expect(put.args[0].input.MetricData?.map((d) => [d.MetricName, d.Value, d.Unit])).toEqual([
    ['MeasuredRtoSeconds', 85, 'Seconds'],
    ['DetectionSeconds', 50, 'Seconds'],
    ['DnsCutoverSeconds', 50, 'Seconds'],
    ['ObservedRpoSeconds', 0, 'Seconds'],
    ['DrillPassed', 1, 'Count'],
  ]);
  expect(put.args[0].input.MetricData?.[0].Dimensions).toEqual([
    { Name: 'Environment', Value: 'example' },
    { Name: 'Direction', Value: 'failover' },
  ]);
});

test('a refused plan sends no mutating call (standby unhealthy)', async () => {
  const clock = fakeClock();
  scriptAws(clock, {});
  r53.on(GetHealthCheckStatusCommand, { HealthCheckId: ID.se }).resolves({
    HealthCheckObservations: [
      { Region: 'us-east-1', IPAddress: '15.177.0.1', StatusReport: { Status: 'Failure: Connection timed out.' } },
    ],
  });
  const record = await runDrill({
    target: awsTarget(clock),
    config,
    direction: 'failover',
    actor: 'ops',
    signal: new AbortController().signal,
  });
  expect(record.outcome).toBe('refused');
  expect(cw).not.toHaveReceivedCommand(PutMetricDataCommand);
  expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
});

test('no credentials: exit 1, says so, and suggests --target simulated', async () => {
  const f = fakeIo();
  const io = {
    ...f.io,
    createTarget: undefined,
    awsClients: {
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
      defaultRegion: 'us-west-2',
    },
  };
  expect(await runCli(['status'], io)).toBe(EXIT.checkFailed);
  expect(f.stderr()).toContain(
    'wallet-drill: no AWS credentials were found by the standard chain (Could not load credentials from any providers). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or run `aws sso login`), or rehearse offline with --target simulated.',
  );
});
