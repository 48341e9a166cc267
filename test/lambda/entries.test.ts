import { DEPOSIT_ONLY_POLICY, SPENDING_POLICY_ENV } from '../../lib/contract/policy';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';

/**
 * The three entry files read their configuration once, at module load, and build their clients
 * there. These tests load each entry in isolation with a controlled environment (restored after).
 */
const FULL: Record<string, string> = {
  AWS_REGION: 'us-east-2',
  [RUNTIME_ENV.tableName]: 'example-wallet-ledger',
  [RUNTIME_ENV.signingQueueUrl]: 'https://sqs.us-east-2.amazonaws.com/111111111111/example-signing.fifo',
  [RUNTIME_ENV.chainId]: '1',
  [RUNTIME_ENV.signingKeyArn]: 'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef',
  [RUNTIME_ENV.regionRole]: 'primary',
  [RUNTIME_ENV.consistency]: 'MRSC',
  // the signer forwards what it may not sign to the lease holder (lambda/signer/forward.ts)
  [RUNTIME_ENV.peerRegion]: 'us-west-2',
  [RUNTIME_ENV.peerSigningQueueUrl]: 'https://sqs.us-west-2.amazonaws.com/111111111111/example-signing.fifo',
  [SPENDING_POLICY_ENV]: JSON.stringify(DEPOSIT_ONLY_POLICY),
};

const ENTRIES = {
  api: '../../lambda/api/index',
  health: '../../lambda/health/index',
  signer: '../../lambda/signer/index',
} as const;

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = process.env;
  process.env = { PATH: saved.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT' };
});
afterEach(() => {
  process.env = saved;
});

async function load(entry: string): Promise<{ handler: unknown }> {
  let mod: { handler: unknown } | undefined;
  await jest.isolateModulesAsync(async () => {
    mod = (await import(entry)) as { handler: unknown };
  });
  return mod!;
}

test.each(Object.entries(ENTRIES))('the %s entry exports a handler when configured', async (_name, entry) => {
  Object.assign(process.env, FULL);
  expect(typeof (await load(entry)).handler).toBe('function');
});

test.each([
  { name: 'api', entry: ENTRIES.api, missing: RUNTIME_ENV.signingQueueUrl, fn: 'wallet API' },
  { name: 'health', entry: ENTRIES.health, missing: RUNTIME_ENV.regionRole, fn: 'wallet health' },
  { name: 'signer', entry: ENTRIES.signer, missing: RUNTIME_ENV.signingKeyArn, fn: 'wallet signer' },
])('the $name entry fails at load naming the missing $missing', async ({ entry, missing, fn }) => {
  Object.assign(process.env, FULL);
  delete process.env[missing];
  await expect(load(entry)).rejects.toThrow(`${fn}: 1 environment problem: ${missing}`);
});

test.each([
  ['api', ENTRIES.api],
  ['signer', ENTRIES.signer],
])('the %s entry fails at load without its spending policy (fail closed)', async (_name, entry) => {
  Object.assign(process.env, FULL);
  delete process.env[SPENDING_POLICY_ENV];
  await expect(load(entry)).rejects.toThrow(`${SPENDING_POLICY_ENV} (the spending policy) is missing`);
});
