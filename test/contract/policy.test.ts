import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { onCallTopicArn, onCallTopicName, policyKeys, windowSeconds } from '../../lib/contract/policy';

/** The policy contract's shared names and helpers. */
test('the on-call topic name is the one the regional stacks create (allowlist changes are published there)', () => {
  for (const stack of ['primary-stack.ts', 'standby-stack.ts']) {
    const source = readFileSync(path.join(__dirname, '..', '..', 'lib', 'stacks', stack), 'utf8');
    expect(source).toContain('topicName: `${config.envName}-wallet-alerts`');
  }
  expect(onCallTopicName('prod')).toBe('prod-wallet-alerts');
  expect(onCallTopicArn('aws', 'us-east-2', '111111111111', 'prod')).toBe(
    'arn:aws:sns:us-east-2:111111111111:prod-wallet-alerts',
  );
});

test.each([
  ['15m', 900],
  ['1h', 3600],
  ['24h', 86400],
  ['7d', 604800],
  ['0h', undefined],
  ['1w', undefined],
  ['1.5h', undefined],
])('windowSeconds(%s) is %s', (w, s) => {
  expect(windowSeconds(w)).toBe(s);
});

test('allowlist keys are lower-case by address, in their own partition per wallet', () => {
  expect(policyKeys.allowlist('w-1', '0xABCDEF0000000000000000000000000000000000')).toEqual({
    pk: 'ALLOWLIST#w-1',
    sk: 'ADDR#0xabcdef0000000000000000000000000000000000',
  });
  expect(policyKeys.velocity('w-1', 'global')).toEqual({ pk: 'POLICY#w-1', sk: 'VELOCITY#global' });
});
