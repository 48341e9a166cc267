import { CHAIN_SETTINGS_ENV } from '../../../lib/contract/chain-settings';
import { DEPOSIT_ONLY_POLICY, SPENDING_POLICY_ENV } from '../../../lib/contract/policy';
import { RUNTIME_ENV } from '../../../lib/contract/runtime-env';
import { SWEEP_SETTINGS_ENV } from '../../../lib/contract/sweep';
import { loadSweeperEnv, parseSweeperSettings } from '../../../lambda/sweeper/env';

/**
 * The sweeper's entry reads its configuration once, at module load, and fails closed: without its
 * settings, its spending policy or the chain settings it does not start. Every problem at once.
 */
const SETTINGS = {
  coldAddress: '0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d',
  floatCeilingWei: '10000000000000000000',
  minimumSweepWei: '100000000000000000',
  sweepWalletId: 'w-sweep',
};
const FULL: Record<string, string> = {
  AWS_REGION: 'us-east-2',
  [RUNTIME_ENV.envName]: 'example',
  [RUNTIME_ENV.tableName]: 'example-wallet-ledger',
  [RUNTIME_ENV.signingQueueUrl]: 'https://sqs.us-east-2.amazonaws.com/111111111111/example-signing.fifo',
  [RUNTIME_ENV.chainId]: '11155111',
  [RUNTIME_ENV.consistency]: 'MRSC',
  [SPENDING_POLICY_ENV]: JSON.stringify(DEPOSIT_ONLY_POLICY),
  [SWEEP_SETTINGS_ENV]: JSON.stringify(SETTINGS),
  [CHAIN_SETTINGS_ENV]: JSON.stringify({
    chainId: 11155111,
    providers: [{ name: 'local', url: 'http://127.0.0.1:1' }],
    health: { maxLagBlocks: 5, maxLagSeconds: 60, maxErrorRate: 0.5, requestTimeoutMs: 1000, minHealthyStandby: 1 },
    confirmations: 3,
    receiptPollSeconds: 4,
    resubmitAfterSeconds: 60,
    stuckAfterSeconds: 900,
    fees: {
      priorityFeeGwei: '1.5',
      maxFeePerGasGwei: '100',
      replacementBumpPercent: 10,
      feeHistoryBlocks: 10,
      rewardPercentile: 50,
      baseFeeMultiplier: 2,
    },
  }),
};

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = process.env;
  process.env = { PATH: saved.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT' };
});
afterEach(() => {
  process.env = saved;
});

async function load(): Promise<{ handler: unknown }> {
  let mod: { handler: unknown } | undefined;
  await jest.isolateModulesAsync(async () => {
    mod = (await import('../../../lambda/sweeper/index')) as { handler: unknown };
  });
  return mod!;
}

test('the entry exports a handler when configured', async () => {
  Object.assign(process.env, FULL);
  expect(typeof (await load()).handler).toBe('function');
});

test.each([
  [RUNTIME_ENV.signingQueueUrl, 'sweeper: 1 environment problem: WALLET_SIGNING_QUEUE_URL'],
  [SWEEP_SETTINGS_ENV, `${SWEEP_SETTINGS_ENV} is missing`],
  [SPENDING_POLICY_ENV, `${SPENDING_POLICY_ENV} (the spending policy) is missing`],
  [CHAIN_SETTINGS_ENV, `${CHAIN_SETTINGS_ENV} is not set`],
])('fails at load without %s', async (missing, message) => {
  Object.assign(process.env, FULL);
  delete process.env[missing];
  await expect(load()).rejects.toThrow(message);
});

test('fails bad sweep settings with every problem at once', () => {
  expect(() =>
    parseSweeperSettings(
      JSON.stringify({ coldAddress: '0xABC', floatCeilingWei: '0', minimumSweepWei: 5, sweepWalletId: 'bad id' }),
    ),
  ).toThrow(
    /coldAddress must be a lower-case 0x address; received "0xABC"; floatCeilingWei must be a positive wei decimal string; received "0"; minimumSweepWei .* received 5; sweepWalletId must be a wallet id; received "bad id"/,
  );
  expect(() => parseSweeperSettings('{')).toThrow(`${SWEEP_SETTINGS_ENV} is not JSON`);
});

test('reads the environment into typed settings', () => {
  expect(loadSweeperEnv(FULL)).toMatchObject({ region: 'us-east-2', chainId: 11155111, settings: SETTINGS });
});
