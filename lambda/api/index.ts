/**
 * Entry of the wallet API function (API Gateway REST proxy integration):
 *   POST /v1/wallets/{walletId}/transactions
 *   GET  /v1/wallets/{walletId}/transactions/{txId}
 * Configuration and SDK clients are created once per execution environment, here.
 * IAM: dynamodb:GetItem, dynamodb:PutItem on the ledger table; sqs:SendMessage on the signing queue.
 * It also serves the approval routes (./approvals.ts): dynamodb:UpdateItem on the table and
 * dynamodb:Query on its gsi1 index for them. It never signs: no kms:Sign.
 */
import { createDocumentClient, createSqsClient } from '../shared/clients';
import { loadApiEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { loadApprovalSettings } from '../shared/approvals/settings';
import { createApiHandler } from './handler';

const env = loadApiEnv();
const logger = createLogger('wallet-api');

export const handler = createApiHandler({
  env,
  ledger: { ddb: createDocumentClient(env.region), tableName: env.tableName },
  sqs: createSqsClient(env.region),
  logger,
  approvals: loadApprovalSettings(process.env),
});
