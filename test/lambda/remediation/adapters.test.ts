import { generateKeyPairSync } from 'node:crypto';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { computeAddress } from 'ethers';
import { cloudWatchAlarmReader, kmsSigningAddresses, snsNotifier } from '../../../lambda/remediation/adapters/aws';

const cwMock = mockClient(CloudWatchClient);
const kmsMock = mockClient(KMSClient);
const snsMock = mockClient(SNSClient);

beforeEach(() => {
  cwMock.reset();
  kmsMock.reset();
  snsMock.reset();
});

describe('cloudWatchAlarmReader', () => {
  const clients = new Map<string, CloudWatchClient>();
  const clientFor = (region: string) => {
    if (!clients.has(region)) clients.set(region, new CloudWatchClient({ region }));
    return clients.get(region) as CloudWatchClient;
  };

  test('reads metric and composite alarms per region; an absent alarm is MISSING; an unreachable region is UNKNOWN', async () => {
    // Prepare
    cwMock.on(DescribeAlarmsCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      if (region === 'us-east-2') throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
      return {
        MetricAlarms: [{ AlarmName: 'a', StateValue: 'ALARM' }],
        CompositeAlarms: [{ AlarmName: 'c', StateValue: 'OK' }],
      };
    });
    const reader = cloudWatchAlarmReader(clientFor);

    // Act
    const snapshot = await reader.read([
      { region: 'us-west-2', alarmNames: ['a', 'c', 'gone'] },
      { region: 'us-east-2', alarmNames: ['p'] },
    ]);

    // Assess
    expect(snapshot).toEqual({
      states: { 'us-west-2/a': 'ALARM', 'us-west-2/c': 'OK', 'us-west-2/gone': 'MISSING', 'us-east-2/p': 'UNKNOWN' },
      readErrors: { 'us-east-2': 'TimeoutError: connect ETIMEDOUT' },
    });
    expect(cwMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['a', 'c', 'gone'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  test('merges groups of the same region into one call (at most 100 names per call)', async () => {
    // Prepare
    cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const reader = cloudWatchAlarmReader(clientFor);
    const many = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);

    // Act
    await reader.read([
      { region: 'us-west-2', alarmNames: many.slice(0, 120) },
      { region: 'us-west-2', alarmNames: many.slice(100) },
    ]);

    // Assess
    expect(cwMock.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([
      100, 50,
    ]);
  });
});

describe('kmsSigningAddresses', () => {
  test('derives the Ethereum address of the signing key from kms:GetPublicKey (checked with ethers)', async () => {
    // Prepare
    const key = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const jwk = key.publicKey.export({ format: 'jwk' });
    const expected = computeAddress(
      `0x04${Buffer.from(jwk.x as string, 'base64url').toString('hex')}${Buffer.from(jwk.y as string, 'base64url').toString('hex')}`,
    ).toLowerCase();
    kmsMock
      .on(GetPublicKeyCommand)
      .resolves({ PublicKey: new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' })) });
    const addresses = kmsSigningAddresses(
      new KMSClient({ region: 'us-west-2' }),
      'arn:aws:kms:us-west-2:111111111111:key/mrk-1',
    );

    // Act
    const first = await addresses();
    const second = await addresses();

    // Assess
    expect(first).toEqual([expected]);
    expect(second).toEqual(first);
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  test('fails clearly on a key that is not secp256k1, and tries again next time', async () => {
    // Prepare
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    kmsMock
      .on(GetPublicKeyCommand)
      .resolves({ PublicKey: new Uint8Array(p256.publicKey.export({ type: 'spki', format: 'der' })) });
    const addresses = kmsSigningAddresses(
      new KMSClient({ region: 'us-west-2' }),
      'arn:aws:kms:us-west-2:111111111111:key/k',
    );

    // Act
    const err = await addresses().catch((e: unknown) => e);
    await addresses().catch(() => undefined);

    // Assess
    expect((err as Error).message).toBe(
      'arn:aws:kms:us-west-2:111111111111:key/k is not a secp256k1 key (curve P-256); it cannot be a wallet signing key',
    );
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });
});

test('snsNotifier publishes with a severity attribute and an e-mail-safe subject of at most 100 characters', async () => {
  // Prepare
  snsMock.on(PublishCommand).resolves({ MessageId: '1' });
  const notifier = snsNotifier(new SNSClient({ region: 'us-west-2' }), 'arn:aws:sns:us-west-2:111111111111:t');

  // Act
  await notifier.publish('page', `[PAGE] failover → standby ${'x'.repeat(200)}`, 'body');

  // Assess
  const input = snsMock.commandCalls(PublishCommand)[0].args[0].input;
  expect(input.Subject).toHaveLength(100);
  expect(input.Subject).toMatch(/^\[PAGE\] failover \? standby x+$/);
  expect(input.MessageAttributes).toEqual({ severity: { DataType: 'String', StringValue: 'page' } });
});
