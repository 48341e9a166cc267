/**
 * Entry of the sweeper (issue 21): scheduled (spending.cold.checkEvery) in both regions; acts only
 * where the signing lease is held (./handler.ts). The sweep goes through the API's intake code
 * in-process (./intake.ts), with the same spending gate the API builds.
 * IAM: dynamodb:GetItem, PutItem, UpdateItem on the ledger table (the wallet, lease, control,
 * idempotency, transaction, velocity and allowlist items), dynamodb:Query on its gsi1 index (the
 * hot address's unmined transactions); sqs:SendMessage on this region's signing queue (and the data
 * key encrypting it); secretsmanager:GetSecretValue on this region's RPC provider secrets.
 * It never signs: no KMS permission on any signing key.
 */
import type { Context } from 'aws-lambda';
import { firstFees } from '../../lib/chain/fees';
import { CHAIN_SETTINGS_ENV, parseChainSettings } from '../../lib/contract/chain-settings';
import { createApiHandler } from '../api/handler';
import { ChainRuntime, createSecretsManagerClient, ProviderSecretCache } from '../shared/chain-env';
import { runtimeBalance, runtimeChainFees, runtimeHighestNonce } from '../shared/chain-ports';
import { createDocumentClient, createSqsClient } from '../shared/clients';
import { ConfigurationError } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { createSpendingGate } from '../shared/policy/gate';
import { loadSpendingPolicy } from '../shared/policy/runtime';
import { loadSweeperEnv } from './env';
import { createSweeper } from './handler';
import { apiIntake } from './intake';

const env = loadSweeperEnv();
const policy = loadSpendingPolicy();
const logger = createLogger('wallet-sweeper');
const rawSettings = process.env[CHAIN_SETTINGS_ENV];
if (rawSettings === undefined) {
  throw new ConfigurationError(
    `${CHAIN_SETTINGS_ENV} is not set: the sweeper reads the hot balance through chain.providers; redeploy the stack`,
  );
}
const runtime = new ChainRuntime(parseChainSettings(rawSettings), {
  secrets: new ProviderSecretCache(createSecretsManagerClient(env.region)),
});
const ledger = { ddb: createDocumentClient(env.region), tableName: env.tableName };
const balance = runtimeBalance(runtime);
const chainFees = runtimeChainFees(runtime);
let functionArn = 'arn:aws:lambda:unknown';

const api = createApiHandler({
  env: {
    region: env.region,
    tableName: env.tableName,
    signingQueueUrl: env.signingQueueUrl,
    chainId: env.chainId,
    consistency: env.consistency,
  },
  ledger,
  sqs: createSqsClient(env.region),
  logger,
  spending: createSpendingGate({
    policy: () => policy,
    ledger,
    consistency: env.consistency,
    region: env.region,
    now: () => new Date(),
    balance,
  }),
  // No holdForApproval: a cold-only wallet's transfer to the cold address needs no approval; anything
  // the policy would hold is refused (403), and the sweeper records the refusal.
});

const sweeper = createSweeper({
  region: env.region,
  envName: env.envName,
  ledger,
  settings: env.settings,
  chainId: env.chainId,
  consistency: env.consistency,
  balance: (address) => balance.getBalance(address),
  chainNonce: runtimeHighestNonce(runtime),
  fees: async () => (await firstFees(await chainFees.feeHistory(), chainFees.policy)).fees,
  intake: apiIntake(api, () => functionArn),
  logger,
  emitMetrics: (emf) => process.stdout.write(`${JSON.stringify(emf)}\n`),
});

export const handler = async (_event: unknown, context?: Context): Promise<void> => {
  if (context?.invokedFunctionArn !== undefined) functionArn = context.invokedFunctionArn;
  const outcome = await sweeper.run();
  logger.info('sweeper run', {
    outcome: JSON.parse(JSON.stringify(outcome, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))),
  });
};
