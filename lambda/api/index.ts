/**
 * Entry of the wallet API function (API Gateway REST proxy integration):
 *   POST /v1/wallets/{walletId}/transactions
 *   GET  /v1/wallets/{walletId}/transactions/{txId}
 * Configuration and SDK clients are created once per execution environment, here.
 * IAM: dynamodb:GetItem, dynamodb:PutItem on the ledger table (the policy reads its counter and allowlist items with GetItem); sqs:SendMessage on the signing queue;
 * with chain providers configured, secretsmanager:GetSecretValue on this region's provider secrets
 * (the share-of-balance rule reads the hot balance through the provider pool).
 * It never signs: no kms:Sign.
 */
import { chainRuntimeFromEnv, createSecretsManagerClient, ProviderSecretCache } from '../shared/chain-env';
import { runtimeBalance } from '../shared/chain-ports';
import { createDocumentClient, createSqsClient } from '../shared/clients';
import { loadApiEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { createSpendingGate } from '../shared/policy/gate';
import { loadSpendingPolicy } from '../shared/policy/runtime';
import { createApiHandler } from './handler';

const env = loadApiEnv();
const policy = loadSpendingPolicy();
const logger = createLogger('wallet-api');
const ledger = { ddb: createDocumentClient(env.region), tableName: env.tableName };
const chain = chainRuntimeFromEnv(process.env, {
  secrets: new ProviderSecretCache(createSecretsManagerClient(env.region)),
});

export const handler = createApiHandler({
  env,
  ledger,
  sqs: createSqsClient(env.region),
  logger,
  // The share-of-balance rule reads the balance through the provider pool; without providers
  // configured that rule refuses (fail closed), here and in the signer.
  spending: createSpendingGate({
    policy: () => policy,
    ledger,
    consistency: env.consistency,
    region: env.region,
    now: () => new Date(),
    ...(chain === undefined ? {} : { balance: runtimeBalance(chain) }),
  }),
});
