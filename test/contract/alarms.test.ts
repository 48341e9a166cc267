import {
  DNS_ALARMS,
  dnsAlarmName,
  parseAlarmName,
  REGIONAL_ALARMS,
  regionalAlarmName,
} from '../../lib/contract/alarms';
import { canaryName, CANARY_KINDS } from '../../lib/contract/canary';
import { failoverSwitchAlarmName } from '../../lib/contract/failover-switch';
import { DEGRADING_ALARMS, remediationEventSources, remediationObservedAlarms } from '../../lib/contract/remediation';

const TOPOLOGY = {
  envName: 'prod',
  primaryRegion: 'us-east-2',
  standbyRegion: 'us-west-2',
  consistency: 'MREC' as const,
};

test.each(Object.keys(REGIONAL_ALARMS) as Array<keyof typeof REGIONAL_ALARMS>)(
  'regional alarm %s round-trips through its name',
  (kind) => {
    // Act
    const parsed = parseAlarmName('prod', regionalAlarmName('prod', 'ap-southeast-2', kind));

    // Assess
    expect(parsed).toEqual({ scope: 'regional', region: 'ap-southeast-2', kind });
  },
);

test.each(Object.keys(DNS_ALARMS) as Array<keyof typeof DNS_ALARMS>)(
  'DNS alarm %s round-trips through its name',
  (kind) => {
    // Act
    const parsed = parseAlarmName('prod', dnsAlarmName('prod', kind));

    // Assess
    expect(parsed).toEqual({ scope: 'dns', kind });
  },
);

test('no alarm suffix ends another one (a name could otherwise parse as the wrong kind)', () => {
  // Prepare
  const suffixes = [...Object.values(REGIONAL_ALARMS), ...Object.values(DNS_ALARMS)];

  // Act
  const clashes = suffixes.flatMap((a) =>
    suffixes.filter((b) => a !== b && a.endsWith(`-${b}`)).map((b) => `${a} ends with ${b}`),
  );

  // Assess
  expect(clashes).toEqual([]);
});

test.each([
  ['another environment', regionalAlarmName('staging', 'us-east-2', 'regionImpaired')],
  ['the failover switch (its own contract)', failoverSwitchAlarmName('prod')],
  ['a region that is not a region', 'prod-wallet-Ohio-region-impaired'],
  ['an unknown suffix', 'prod-wallet-us-east-2-cpu-high'],
])('does not parse %s', (_name, alarmName) => {
  // Act / Assess
  expect(parseAlarmName('prod', alarmName)).toBeUndefined();
});

test('alarm and canary names fit their AWS limits for the longest environment name', () => {
  // Prepare: envName allows 16 characters.
  const env = 'abcdefghijklmnop';

  // Act
  const alarms = (Object.keys(REGIONAL_ALARMS) as Array<keyof typeof REGIONAL_ALARMS>).map((k) =>
    regionalAlarmName(env, 'ap-southeast-2', k),
  );
  const canaries = CANARY_KINDS.map((k) => canaryName(env, k));

  // Assess
  expect(Math.max(...alarms.map((a) => a.length))).toBeLessThanOrEqual(255);
  expect(canaries.every((c) => /^[0-9a-z_-]{1,255}$/.test(c))).toBe(true);
});

test('the primary routes only its degrading alarms to its remediation', () => {
  // Act
  const sources = remediationEventSources(TOPOLOGY, 'us-east-2');

  // Assess
  expect(sources).toEqual([
    { region: 'us-east-2', alarmNames: DEGRADING_ALARMS.MREC.map((k) => regionalAlarmName('prod', 'us-east-2', k)) },
  ]);
});

test('the standby gets its degrading alarms, its failover triggers, and (forwarded) the primary and Route 53 triggers', () => {
  // Act
  const sources = remediationEventSources({ ...TOPOLOGY, consistency: 'MRSC' }, 'us-west-2');

  // Assess
  expect(sources).toEqual([
    {
      region: 'us-west-2',
      alarmNames: [
        'prod-wallet-us-west-2-region-impaired',
        'prod-wallet-us-west-2-chain-no-healthy-provider',
        'prod-wallet-us-west-2-peer-deep-health',
        'prod-wallet-us-west-2-canary-public-name',
      ],
    },
    { region: 'us-east-2', alarmNames: ['prod-wallet-us-east-2-region-impaired'] },
    { region: 'us-east-1', alarmNames: ['prod-wallet-dns-primary-endpoint-unhealthy'] },
  ]);
});

test('the standby reads every alarm of the failover rule, including the switch', () => {
  // Act
  const names = remediationObservedAlarms(TOPOLOGY, 'us-west-2').flatMap((g) =>
    g.alarmNames.map((n) => `${g.region}/${n}`),
  );

  // Assess
  expect(names).toEqual(
    expect.arrayContaining([
      'us-west-2/prod-wallet-us-west-2-peer-deep-health',
      'us-west-2/prod-wallet-us-west-2-canary-deep-health',
      'us-west-2/prod-wallet-failover-switch',
      'us-east-2/prod-wallet-us-east-2-region-impaired',
      'us-east-1/prod-wallet-dns-standby-endpoint-unhealthy',
    ]),
  );
});
