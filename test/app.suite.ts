import { CfnResource, Stack } from 'aws-cdk-lib';
import { STATEFUL_TYPES } from '../lib/contract/stateful';
import { exampleWallet, sharedTestWallet, TestWallet } from './helpers/app';
import { testConfig } from './helpers/config';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

test('the shared example wallet is read-only: adding a construct to any of its stacks fails at once', () => {
  for (const stack of Object.values(wallet.stacks) as Stack[]) {
    expect(() => new CfnResource(stack, 'Added', { type: 'AWS::SQS::Queue' })).toThrow(/Cannot add children/);
  }
});

test('a shared build is one per (config, options): a fresh but equal config gets the same wallet', () => {
  // (A different config gets its own: the MREC and chaos-off suites that share builds assert on
  // what their config changes, so a memo that ignored the config would fail them.)
  expect(sharedTestWallet(testConfig({}), {})).toBe(wallet);
});

test('every stack has an explicit account and region', () => {
  const envs = Object.fromEntries(
    Object.entries(wallet.stacks).map(([name, stack]) => [
      name,
      `${(stack as Stack).account}/${(stack as Stack).region}`,
    ]),
  );
  expect(envs).toEqual({
    keys: '111111111111/us-east-2',
    keysReplica: '111111111111/us-west-2',
    primary: '111111111111/us-east-2',
    standby: '111111111111/us-west-2',
    dns: '111111111111/us-east-1',
    statusPrimary: '111111111111/us-east-2',
    statusStandby: '111111111111/us-west-2',
    statusEdge: '111111111111/us-east-1',
  });
});

test('stack names follow <env>-wallet-<role>', () => {
  expect(Object.values(wallet.stacks).map((s: Stack) => s.stackName)).toEqual([
    'example-wallet-keys',
    'example-wallet-keys-replica',
    'example-wallet-primary',
    'example-wallet-standby',
    'example-wallet-dns',
    'example-wallet-status-primary',
    'example-wallet-status-standby',
    'example-wallet-status-edge',
  ]);
});

test('the dependency graph deploys keys, then replica keys, then the table, then the apps, then DNS', () => {
  const deps = Object.fromEntries(
    Object.values(wallet.stacks).map((s: Stack) => [s.stackName, s.dependencies.map((d) => d.stackName).sort()]),
  );
  expect(deps).toEqual({
    'example-wallet-keys': [],
    'example-wallet-keys-replica': ['example-wallet-keys'],
    'example-wallet-primary': ['example-wallet-keys', 'example-wallet-keys-replica'],
    'example-wallet-standby': ['example-wallet-keys-replica', 'example-wallet-primary'],
    'example-wallet-dns': ['example-wallet-primary', 'example-wallet-standby'],
    // The status page depends on no wallet stack (it must serve whatever state they are in).
    'example-wallet-status-primary': [],
    'example-wallet-status-standby': [],
    'example-wallet-status-edge': ['example-wallet-status-primary', 'example-wallet-status-standby'],
  });
});

test('stateful stacks have termination protection', () => {
  for (const s of [wallet.stacks.keys, wallet.stacks.keysReplica, wallet.stacks.primary, wallet.stacks.standby]) {
    expect([s.stackName, s.terminationProtection]).toEqual([s.stackName, true]);
  }
});

test('every resource that holds state is retained', () => {
  const stateful = STATEFUL_TYPES;
  const offenders: string[] = [];
  for (const name of Object.keys(wallet.stacks) as Array<keyof typeof wallet.stacks>) {
    const resources = wallet.template(name).toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string }
    >;
    for (const [id, r] of Object.entries(resources)) {
      if (stateful.includes(r.Type) && r.DeletionPolicy !== 'Retain') offenders.push(`${name}/${id} (${r.Type})`);
    }
  }
  expect(offenders).toEqual([]);
});

describe('snapshots (change detectors; the assertions above are the contract)', () => {
  test.each(['keys', 'keysReplica', 'primary', 'standby', 'dns'] as const)('%s stack', (name) => {
    expect(wallet.template(name).toJSON()).toMatchSnapshot();
  });
});
