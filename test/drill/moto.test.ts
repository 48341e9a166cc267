import {
  CloudWatchClient,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { initLease, readLease } from '../../lib/failover/lease';
import { switchAlarmSpec } from '../../lib/failover/switch-alarm';
import { addressFromSpki } from '../../lib/drill/address';
import { createDrillClients } from '../../lib/drill/clients';
import { systemClock } from '../../lib/drill/clock';
import { AwsTarget } from '../../lib/drill/aws-target';
import { testConfig } from '../helpers/config';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Wire level: the aws target's real clients (call guard included) against moto_server on
 * loopback, for the switch and alarm calls (PutMetricData, GetMetricData, DescribeAlarms), the KPI
 * metrics, the lease and the signing key. moto does not evaluate alarms or run health checkers;
 * behaviour over time is the simulated target's job.
 */
const config = testConfig();
const STANDBY = config.regions.standby;
let moto: MotoServer;
let target: AwsTarget;
let raw: CloudWatchClient;

beforeAll(async () => {
  moto = await sharedMoto();
  raw = new CloudWatchClient(moto.clientConfig(STANDBY));
  // What the standby stack deploys: the switch alarm, as the contract defines it.
  await raw.send(new PutMetricAlarmCommand(switchAlarmSpec(config.envName)));
  const kms = new KMSClient(moto.clientConfig(STANDBY));
  const key = await kms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }),
  );
  await kms.send(
    new CreateAliasCommand({
      AliasName: `alias/${config.envName}-wallet-signing`,
      TargetKeyId: key.KeyMetadata!.KeyId,
    }),
  );
  await new DynamoDBClient(moto.clientConfig(STANDBY)).send(
    new CreateTableCommand({
      TableName: `${config.envName}-wallet-ledger`,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  target = new AwsTarget({
    config,
    clock: systemClock,
    clients: createDrillClients({ endpoint: moto.endpoint, credentials: moto.credentials, defaultRegion: STANDBY }),
  });
});

test('the switch alarm is found by name in the standby region (DescribeAlarms)', async () => {
  const state = await target.switchState();
  expect(state).toMatchObject({ alarmName: 'example-wallet-failover-switch', alarmRegion: STANDBY, alarmExists: true });
});

test('throwing the switch through the target writes one data point; GetMetricData reads it back as the position', async () => {
  const thrown = await target.throwSwitch('on', 'moto: drill');
  expect(thrown).toMatchObject({ region: STANDBY, position: 'on', value: 1 });
  const state = await target.switchState();
  // moto neither evaluates the alarm nor publishes Route 53 metrics: the position comes from the data point.
  expect(state.lastValue).toBe(1);
  expect(state.position).toBe('on');
  expect(state.evidence).toMatch(/^last data point 1 at /);
  const puts = target.calls.filter((c) => c.command === 'PutMetricDataCommand');
  expect(puts).toHaveLength(1);
  expect(puts[0]).toMatchObject({ service: 'cloudwatch', region: STANDBY, kind: 'write' });
});

test('alarmsFiring reads alarms in ALARM with the environment prefix, in every region', async () => {
  await raw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'example-wallet-us-west-2-signer-errors',
      Namespace: 'Wallet/Signer',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  await raw.send(
    new SetAlarmStateCommand({
      AlarmName: 'example-wallet-us-west-2-signer-errors',
      StateValue: 'ALARM',
      StateReason: 'moto test',
    }),
  );
  const report = await target.alarmsFiring();
  expect(report.unreadable).toEqual([]);
  expect(report.firing.map((a) => [a.name, a.region, a.state])).toEqual([
    ['example-wallet-us-west-2-signer-errors', STANDBY, 'ALARM'],
  ]);
});

test('the KPI metrics land in the standby region and read back', async () => {
  await target.publishDrillMetrics('failover', {
    measuredRtoSeconds: 88.5,
    detectionSeconds: 50,
    dnsCutoverSeconds: 52,
    observedRpoSeconds: 0,
    passed: true,
  });
  const now = Date.now();
  const out = await raw.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [
        {
          Id: 'rto',
          MetricStat: {
            Metric: {
              Namespace: 'Wallet/Drill',
              MetricName: 'MeasuredRtoSeconds',
              Dimensions: [
                { Name: 'Environment', Value: 'example' },
                { Name: 'Direction', Value: 'failover' },
              ],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    }),
  );
  expect(out.MetricDataResults?.[0].Values).toEqual([88.5]);
});

test('the signing address comes from the replica key (GetPublicKey) and the key reads as enabled', async () => {
  const pub = await new KMSClient(moto.clientConfig(STANDBY)).send(
    new GetPublicKeyCommand({ KeyId: `alias/${config.envName}-wallet-signing` }),
  );
  expect(await target.signingAddress()).toBe(addressFromSpki(pub.PublicKey!).toLowerCase());
  expect(await target.signingKey('standby')).toMatchObject({ enabled: true, keyState: 'Enabled' });
});

test('the lease moves through lib/failover/lease.ts over the wire (conditional update + audit item)', async () => {
  const address = await target.signingAddress();
  const store = {
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient(moto.clientConfig(STANDBY))),
    tableName: 'example-wallet-ledger',
  };
  await initLease(store, { address, region: config.regions.primary, actor: 'setup' });
  const move = await target.moveLease('standby', {
    actor: 'moto-test',
    reason: 'drill',
    expectedEpoch: 1,
    isTargetHealthy: async () => ({ healthy: true, reasons: ['test'] }),
  });
  expect(move).toMatchObject({ changed: true, after: { activeRegion: STANDBY, epoch: 2 } });
  expect(await readLease(store, address)).toMatchObject({ activeRegion: STANDBY, epoch: 2, updatedBy: 'moto-test' });
  // A second move with the stale epoch is refused by the condition, on the wire.
  await expect(
    target.moveLease('standby', {
      actor: 'x',
      reason: 'y',
      expectedEpoch: 1,
      isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
    }),
  ).rejects.toThrow('is at epoch 2');
});
