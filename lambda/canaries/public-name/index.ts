import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CommonCanaryConfig, loadHealthConfig } from '../shared/config';
import { HealthAnswer } from '../shared/health-check';
import { cloudWatchSink } from '../shared/metrics';
import { consoleLog, loadSynthetics } from '../shared/synthetics';
import { nodeTransport, systemClock } from '../shared/transport';
import { PublicNameDeps, runPublicName } from './check';

export type PublicNameWiring = PublicNameDeps & { readonly config: CommonCanaryConfig };

/** Builds the handler from a wiring factory, called once per container (again after a failure). */
export function createHandler(wire: () => PublicNameWiring): () => Promise<HealthAnswer> {
  let wiring: PublicNameWiring | undefined;
  return async () => {
    wiring ??= wire();
    return runPublicName(wiring.config, wiring);
  };
}

/** Synthetics entry (`index.handler`, syn-nodejs-5.4). */
export const handler = createHandler(() => {
  const synthetics = loadSynthetics();
  return {
    config: loadHealthConfig(process.env, 'public-name'),
    transport: nodeTransport(),
    clock: systemClock,
    metrics: cloudWatchSink(new CloudWatchClient({})),
    log: consoleLog,
    step: (name, fn) => synthetics.executeStep(name, fn),
  };
});
