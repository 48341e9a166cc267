/**
 * Entry of the chain watcher (issue 16): scheduled every minute in both regions
 * (lib/constructs/chain-watcher.ts). Each run refreshes the provider pool and publishes its health
 * (Embedded Metric Format lines: no cloudwatch:PutMetricData needed), and, only while this region
 * holds the signing lease, walks the open transactions of the signing address for about 50 s:
 * receipts, confirmations, reorgs, rebroadcasts, bump requests to the signer (./handler.ts).
 * IAM: dynamodb:GetItem, UpdateItem on the ledger table, Query on its gsi1 index;
 * sqs:SendMessage on this region's signing queue (and the data key encrypting it);
 * kms:GetPublicKey on this region's signing key (the address; never kms:Sign);
 * secretsmanager:GetSecretValue on this region's RPC provider secrets.
 */
import type { Hex } from 'viem';
import { CHAIN_WATCHER_RUN_FOR_MS } from '../../lib/contract/chain';
import { CHAIN_SETTINGS_ENV, parseChainSettings } from '../../lib/contract/chain-settings';
import { ConfigurationError } from '../shared/errors';
import { ChainRuntime, createSecretsManagerClient, ProviderSecretCache } from '../shared/chain-env';
import { createDocumentClient, createKmsClient, createSqsClient } from '../shared/clients';
import { KmsSigningKey } from '../shared/kms-signer';
import { createLogger } from '../shared/logger';
import { loadWatcherEnv } from './env';
import { createChainWatcher } from './handler';
import { poolChain, type WatcherPool } from './pool-chain';

const env = loadWatcherEnv();
const logger = createLogger('wallet-chain-watcher');
const rawSettings = process.env[CHAIN_SETTINGS_ENV];
if (rawSettings === undefined) {
  throw new ConfigurationError(
    `${CHAIN_SETTINGS_ENV} is not set: the chain watcher exists only with chain.providers in the config; redeploy the stack`,
  );
}
const settings = parseChainSettings(rawSettings);
const runtime = new ChainRuntime(settings, {
  secrets: new ProviderSecretCache(createSecretsManagerClient(env.region)),
});
/** Module scope: the public key (the address) is read once per execution environment. */
const key = new KmsSigningKey(createKmsClient(env.region), env.signingKeyArn);

/** The pool is built on first use (secret reads are async); every member awaits it. */
const pool: WatcherPool = {
  refresh: async () => (await runtime.pool()).refresh(),
  read: async (what, call) => (await runtime.pool()).read(what, call),
  broadcast: async (raw: Hex, meta) => (await runtime.pool()).broadcast(raw, meta),
};

const watcher = createChainWatcher({
  region: env.region,
  envName: env.envName,
  ledger: { ddb: createDocumentClient(env.region), tableName: env.tableName },
  address: async () => (await key.publicKey()).address,
  chain: poolChain(pool),
  settings: {
    confirmations: settings.confirmations,
    resubmitAfterSeconds: settings.resubmitAfterSeconds,
    receiptPollSeconds: settings.receiptPollSeconds,
  },
  sqs: createSqsClient(env.region),
  signingQueueUrl: env.signingQueueUrl,
  consistency: env.consistency,
  logger,
  // One EMF document per line on stdout: CloudWatch extracts the metrics from the log stream.
  emitMetrics: (emf) => process.stdout.write(`${JSON.stringify(emf)}\n`),
  // The function's timeout is 55 s (lib/constructs/chain-watcher.ts): a walk starts only before
  // 40 s, so one slow walk (each provider call is bounded by its request timeout) still ends in time.
  runForMs: CHAIN_WATCHER_RUN_FOR_MS,
});

export const handler = async (): Promise<void> => {
  const report = await watcher.run();
  logger.info('chain watcher run', {
    holder: report.holder,
    providers: report.providers.map((p) => ({ name: p.name, healthy: p.healthy, reason: p.reason })),
    walks: report.walks.length,
  });
};
