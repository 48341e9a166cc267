/**
 * Entry of the wallet API function (API Gateway REST proxy integration):
 *   POST /v1/wallets/{walletId}/transactions
 *   GET  /v1/wallets/{walletId}/transactions/{txId}
 *   GET  /v1/wallets/{walletId}/approvals, GET|POST /v1/wallets/{walletId}/approvals/{txId}
 * Configuration and SDK clients are created once per execution environment, here.
 * IAM: dynamodb:GetItem, dynamodb:PutItem on the ledger table (the policy reads its counter and allowlist items with GetItem); sqs:SendMessage on the signing queue.
 * The approval routes (./approvals.ts) add dynamodb:UpdateItem on the table and dynamodb:Query on its gsi1 index.
 * With chain providers configured, secretsmanager:GetSecretValue on this region's provider secrets
 * (the share-of-balance rule reads the hot balance through the provider pool).
 * It never signs: no kms:Sign.
 */
import { holdForApproval } from '../shared/approvals/store';
import { approvalSettingsOf } from '../shared/approvals/settings';
import { chainRuntimeFromEnv, createSecretsManagerClient, ProviderSecretCache } from '../shared/chain-env';
import { runtimeBalance } from '../shared/chain-ports';
import { createDocumentClient, createSqsClient } from '../shared/clients';
import { ConfigurationError } from '../shared/errors';
import { loadApiEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { createSpendingGate } from '../shared/policy/gate';
import { loadSpendingPolicy } from '../shared/policy/runtime';
import { createApiHandler } from './handler';

const env = loadApiEnv();
const policy = loadSpendingPolicy();
const approvals = approvalSettingsOf(policy.approvals);
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
  // Two-person approval (lambda/shared/approvals): what the policy holds is stored pending-approval.
  holdForApproval: (candidate, reasons) => {
    if (approvals === undefined) {
      // The config's validation requires spending.approvals wherever the policy can ask for approval.
      throw new ConfigurationError('the spending policy asked for approval but has no approvals section');
    }
    return holdForApproval(ledger, candidate, reasons, approvals);
  },
});
