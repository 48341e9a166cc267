import { loadRemediationConfig } from '../../../lambda/remediation/config';
import { InvalidAlarmEventError, parseAlarmEvent } from '../../../lambda/remediation/event';
import { RUNTIME_ENV } from '../../../lib/contract/runtime-env';
import { alarmEvent, ALARM, STANDBY } from './fixtures';

describe('parseAlarmEvent', () => {
  test('reads a CloudWatch Alarm State Change event; the transition id is stable across deliveries', () => {
    // Prepare
    const event = alarmEvent('peer', 'ALARM', '2026-05-01T11:59:00.123+0000');

    // Act
    const a = parseAlarmEvent(event);
    const b = parseAlarmEvent({ ...event, id: 'redelivered' });

    // Assess
    expect(a).toEqual({
      id: `${STANDBY}#${ALARM.peer.name}#ALARM#2026-05-01T11:59:00.123Z`,
      eventId: event.id,
      account: '111111111111',
      alarmRegion: STANDBY,
      alarmName: ALARM.peer.name,
      state: 'ALARM',
      previousState: 'OK',
      changedAt: '2026-05-01T11:59:00.123Z',
      reason: 'Threshold Crossed',
    });
    expect(b.id).toBe(a.id);
  });

  test('reads a composite alarm event (no metrics, an alarm rule)', () => {
    // Prepare
    const event = alarmEvent('primaryImpaired');
    const composite = { ...event, detail: { ...event.detail, configuration: { alarmRule: 'ALARM(a) AND ALARM(b)' } } };

    // Act
    const t = parseAlarmEvent(composite);

    // Assess
    expect(t.alarmName).toBe(ALARM.primaryImpaired.name);
  });

  test.each([
    [
      'a bad state',
      { detail: { alarmName: 'x', state: { value: 'BROKEN', timestamp: '2026-05-01T00:00:00Z' } } },
      'detail.state.value',
    ],
    [
      'a bad timestamp',
      { detail: { alarmName: 'x', state: { value: 'OK', timestamp: 'yesterday' } } },
      'detail.state.timestamp is not a timestamp',
    ],
    ['no alarm name', { detail: { state: { value: 'OK', timestamp: '2026-05-01T00:00:00Z' } } }, 'detail.alarmName'],
  ])('fails on %s, naming the field', (_name, patch, message) => {
    // Prepare
    const event = { ...alarmEvent('peer'), ...patch };

    // Act
    const act = () => parseAlarmEvent(event);

    // Assess
    expect(act).toThrow(InvalidAlarmEventError);
    expect(act).toThrow(message);
  });
});

describe('loadRemediationConfig', () => {
  const ENV = {
    AWS_REGION: 'us-west-2',
    [RUNTIME_ENV.envName]: 'prod',
    [RUNTIME_ENV.tableName]: 'prod-wallet-ledger',
    [RUNTIME_ENV.regionRole]: 'standby',
    [RUNTIME_ENV.primaryRegion]: 'us-east-2',
    [RUNTIME_ENV.standbyRegion]: 'us-west-2',
    [RUNTIME_ENV.consistency]: 'MRSC',
    [RUNTIME_ENV.notificationTopicArn]: 'arn:aws:sns:us-west-2:111111111111:prod-wallet-alerts',
    [RUNTIME_ENV.remediationMode]: 'notify-only',
    [RUNTIME_ENV.maxFailoversPerWindow]: '1',
    [RUNTIME_ENV.failoverWindowMinutes]: '60',
    [RUNTIME_ENV.signingKeyArn]: 'arn:aws:kms:us-west-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef',
  };

  test('reads the environment the CDK sets', () => {
    // Act
    const config = loadRemediationConfig(ENV);

    // Assess
    expect(config).toEqual(
      expect.objectContaining({
        region: 'us-west-2',
        role: 'standby',
        mode: 'notify-only',
        maxFailoversPerWindow: 1,
        windowMinutes: 60,
      }),
    );
  });

  test('fails listing every problem with the value received', () => {
    // Act
    const act = () =>
      loadRemediationConfig({
        ...ENV,
        [RUNTIME_ENV.remediationMode]: 'yolo',
        [RUNTIME_ENV.maxFailoversPerWindow]: '0',
        [RUNTIME_ENV.tableName]: undefined,
      });

    // Assess
    expect(act).toThrow('WALLET_REMEDIATION_MODE must be "auto" or "notify-only" (received "yolo")');
    expect(act).toThrow('WALLET_MAX_FAILOVERS_PER_WINDOW is not a whole number of 1 or more (received "0")');
    expect(act).toThrow('WALLET_TABLE_NAME is not set (received undefined)');
    expect(act).toThrow('The CDK remediation construct sets these');
  });

  test('fails when the role does not match the region it runs in', () => {
    // Act
    const act = () => loadRemediationConfig({ ...ENV, [RUNTIME_ENV.regionRole]: 'primary' });

    // Assess
    expect(act).toThrow('WALLET_REGION_ROLE is "primary" but the function runs in us-west-2, not us-east-2');
  });

  test("fails when the standby's remediation cannot find the signing key", () => {
    // Act
    const act = () => loadRemediationConfig({ ...ENV, [RUNTIME_ENV.signingKeyArn]: undefined });

    // Assess
    expect(act).toThrow("WALLET_SIGNING_KEY_ARN is not set (received undefined); the standby's remediation needs it");
  });
});
