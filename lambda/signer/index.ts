/**
 * Entry of the signer function (SQS FIFO event source with ReportBatchItemFailures).
 * IAM: kms:Sign and kms:GetPublicKey on this region's signing key; dynamodb:GetItem, PutItem,
 * UpdateItem on the ledger table. (The event source mapping adds sqs:ReceiveMessage,
 * DeleteMessage, GetQueueAttributes.)
 */
import { createDocumentClient, createKmsClient } from '../shared/clients';
import { loadSignerEnv } from '../shared/env';
import { KmsSigningKey } from '../shared/kms-signer';
import { createLogger } from '../shared/logger';
import { createSigner, logKmsRetry } from './handler';

const env = loadSignerEnv();
const logger = createLogger('wallet-signer');

/** Module scope: the public key is fetched once per execution environment and kept. */
const key = new KmsSigningKey(createKmsClient(env.region), env.signingKeyArn, {
  hooks: { onRetry: logKmsRetry(logger) },
});

export const handler = createSigner({
  env,
  ledger: { ddb: createDocumentClient(env.region), tableName: env.tableName },
  key,
  logger,
}).handler;
