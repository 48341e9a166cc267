import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { STATUS_WEBHOOK_SECRETS_ENV } from '../../lib/contract/status';
import { createWebhookHandler, parseSecretsEnv } from './handler';

/** The webhook sender (one per wallet region), fed by the status webhook queue. */
const logger = new Logger({ serviceName: 'wallet-status-webhooks' });

export const handler = createWebhookHandler({
  secrets: parseSecretsEnv(process.env[STATUS_WEBHOOK_SECRETS_ENV]),
  secretsManager: new SecretsManagerClient({}),
  fetch,
  timeoutMs: 5000,
  log: (message, fields) => logger.info(message, fields),
});
