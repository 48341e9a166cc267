/**
 * Entry of the signer function (SQS FIFO event source with ReportBatchItemFailures).
 * IAM: kms:Sign and kms:GetPublicKey on this region's signing key; dynamodb:GetItem, PutItem,
 * UpdateItem on the ledger table; sqs:SendMessage on the peer region's signing queue only (and
 * kms:GenerateDataKey/Decrypt on the peer's data key, which encrypts it) to forward what it cannot
 * sign (./forward.ts). (The event source mapping adds sqs:ReceiveMessage, DeleteMessage,
 * GetQueueAttributes.)
 *
 * A direct invocation `{ kind: "deploy-check", ... }` (only the pre-traffic hook's role may make it,
 * and only on the version under deployment) runs the deploy check instead: lambda/signer/deploy-check.ts.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeployCheckResponse } from '../../lib/contract/deployment';
import { FUNCTION_VERSION_LOG_FIELD } from '../../lib/contract/deployment';
import { createDocumentClient, createKmsClient, createSqsClient } from '../shared/clients';
import { loadSignerEnv } from '../shared/env';
import { KmsSigningKey } from '../shared/kms-signer';
import { createLogger } from '../shared/logger';
import { approvalSettingsOf } from '../shared/approvals/settings';
import { approvalCheck } from '../shared/approvals/store';
import { isDeployCheckEvent, parseDeployCheck } from './deploy-check';
import { createQueueForwarder } from './forward';
import { createSpendingGate } from '../shared/policy/gate';
import { loadSpendingPolicy } from '../shared/policy/runtime';
import { createSigner, logKmsRetry } from './handler';
import { chainRuntimeFromEnv, createSecretsManagerClient, ProviderSecretCache } from '../shared/chain-env';
import { runtimeBalance, runtimeBroadcaster, runtimeChainFees } from '../shared/chain-ports';

const env = loadSignerEnv();
const policy = loadSpendingPolicy();
const logger = createLogger('wallet-signer');
/** Set by Lambda: the version this execution environment runs (a number, or $LATEST). */
const version = process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST';
// Every log line names its version, so the deploy alarm can count failures of the NEW version only.
logger.appendPersistentKeys({ [FUNCTION_VERSION_LOG_FIELD]: version });

/** Module scope: the public key is fetched once per execution environment and kept. */
const key = new KmsSigningKey(createKmsClient(env.region), env.signingKeyArn, {
  hooks: { onRetry: logKmsRetry(logger) },
});

const ledger = { ddb: createDocumentClient(env.region), tableName: env.tableName };
// The chain (issue 16): with CHAIN_SETTINGS set (chain.providers in the config), signed transactions
// go to every healthy provider and fees come from the fee market; without it, nothing is broadcast.
const chain = chainRuntimeFromEnv(process.env, {
  secrets: new ProviderSecretCache(createSecretsManagerClient(env.region)),
});
const signer = createSigner({
  env,
  ledger,
  // The policy in force for this execution environment (a policy change is a redeploy); the balance
  // for the share-of-balance rule comes through the provider pool. What the policy says needs
  // approval is signed only with the approvals recorded (lambda/shared/approvals approvalCheck).
  spending: createSpendingGate({
    policy: () => policy,
    ledger,
    consistency: env.consistency,
    region: env.region,
    now: () => new Date(),
    ...(chain === undefined ? {} : { balance: runtimeBalance(chain) }),
    approvals: approvalCheck(ledger, () => approvalSettingsOf(policy.approvals)),
  }),
  ...(chain === undefined ? {} : { broadcaster: runtimeBroadcaster(chain), chainFees: runtimeChainFees(chain) }),
  key,
  logger,
  // The client is in the peer's region: the peer queue (and the key encrypting it) live there.
  ...(env.peer === undefined ? {} : { forward: createQueueForwarder(createSqsClient(env.peer.region), env) }),
});

export const handler = async (event: SQSEvent | unknown): Promise<SQSBatchResponse | DeployCheckResponse> =>
  isDeployCheckEvent(event) ? signer.deployCheck(parseDeployCheck(event), version) : signer.handler(event as SQSEvent);
