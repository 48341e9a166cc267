/**
 * Entry of the health function (API Gateway REST proxy integration): GET /health, GET /health/deep.
 * IAM: dynamodb:GetItem on the ledger table; kms:GetPublicKey on this region's signing key.
 * It never signs: no kms:Sign.
 */
import { createDocumentClient, createKmsClient } from '../shared/clients';
import { loadHealthEnv } from '../shared/env';
import { KmsSigningKey } from '../shared/kms-signer';
import { createLogger } from '../shared/logger';
import { createHealthHandler } from './handler';

/** A disabled or deleted key shows up in /health/deep within this long. */
const PUBLIC_KEY_TTL_MS = 60_000;

const env = loadHealthEnv();

export const handler = createHealthHandler({
  env,
  ledger: { ddb: createDocumentClient(env.region), tableName: env.tableName },
  key: new KmsSigningKey(createKmsClient(env.region), env.signingKeyArn, {
    publicKeyTtlMs: PUBLIC_KEY_TTL_MS,
    // Health answers quickly or not at all: one quick retry, not the signer's patient policy.
    retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 100 },
  }),
  logger: createLogger('wallet-health'),
});
