import { randomUUID } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { loadTransactionConfig, TransactionConfig } from '../shared/config';
import { cloudWatchSink } from '../shared/metrics';
import { sigV4Signer } from '../shared/sigv4';
import { consoleLog, loadSynthetics } from '../shared/synthetics';
import { nodeTransport, systemClock } from '../shared/transport';
import { runTransaction, TransactionDeps, TransactionResult } from './check';

export type TransactionWiring = TransactionDeps & { readonly config: TransactionConfig };

/** Builds the handler from a wiring factory, called once per container (again after a failure). */
export function createHandler(wire: () => TransactionWiring): () => Promise<TransactionResult> {
  let wiring: TransactionWiring | undefined;
  return async () => {
    wiring ??= wire();
    return runTransaction(wiring.config, wiring);
  };
}

/** Synthetics entry (`index.handler`, syn-nodejs-5.4). */
export const handler = createHandler(() => {
  const synthetics = loadSynthetics();
  const config = loadTransactionConfig(process.env);
  // One client for metrics; its default credential chain also gives the role credentials to sign with.
  const cloudwatch = new CloudWatchClient({});
  return {
    config,
    transport: nodeTransport(),
    clock: systemClock,
    sign: sigV4Signer(() => cloudwatch.config.credentials()),
    metrics: cloudWatchSink(cloudwatch),
    log: consoleLog,
    step: (name, fn) => synthetics.executeStep(name, fn),
    newIdempotencyKey: () => `canary-${config.vantageRegion}-${randomUUID()}`,
  };
});
