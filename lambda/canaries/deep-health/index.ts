import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeepHealthConfig, loadDeepHealthConfig } from '../shared/config';
import { cloudWatchSink } from '../shared/metrics';
import { consoleLog, loadSynthetics } from '../shared/synthetics';
import { nodeTransport, systemClock } from '../shared/transport';
import { DeepHealthDeps, DeepHealthResult, runDeepHealth } from './check';

export type DeepHealthWiring = DeepHealthDeps & { readonly config: DeepHealthConfig };

/** Builds the handler from a wiring factory, called once per container (again after a failure). */
export function createHandler(wire: () => DeepHealthWiring): () => Promise<DeepHealthResult> {
  let wiring: DeepHealthWiring | undefined;
  return async () => {
    wiring ??= wire();
    return runDeepHealth(wiring.config, wiring);
  };
}

/** Synthetics entry (`index.handler`, syn-nodejs-5.4). */
export const handler = createHandler(() => {
  const synthetics = loadSynthetics();
  return {
    config: loadDeepHealthConfig(process.env),
    transport: nodeTransport(),
    clock: systemClock,
    metrics: cloudWatchSink(new CloudWatchClient({})),
    log: consoleLog,
    step: (name, fn) => synthetics.executeStep(name, fn),
  };
});
