import { SYNTHETICS_MODULE } from '../../../lib/contract/canary';

/** The part of the Synthetics library (`@aws/synthetics-core`, syn-nodejs-3.1 and later) the canaries use. */
export interface SyntheticsLibrary {
  /** Runs one named step; Synthetics records its result, duration and SuccessPercent per step. */
  executeStep<T>(stepName: string, fn: () => Promise<T>): Promise<T>;
}

/** A structured log line per event, for CloudWatch Logs Insights. */
export type CanaryLog = (event: string, fields: Record<string, unknown>) => void;

/** Runs a named step (Synthetics `executeStep` in the runtime; a recorder in tests). */
export type StepRunner = <T>(stepName: string, fn: () => Promise<T>) => Promise<T>;

export const consoleLog: CanaryLog = (event, fields) => {
  console.log(JSON.stringify({ event, ...fields }));
};

/**
 * Loads the runtime-provided Synthetics library. It exists only inside the canary runtime, so it
 * is required lazily (and left external by the bundler), never at module load.
 */
export function loadSynthetics(): SyntheticsLibrary {
  // The module is injected by the Synthetics runtime and is CommonJS only.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@aws/synthetics-core') as { synthetics?: SyntheticsLibrary } & Partial<SyntheticsLibrary>;
  const lib = mod.synthetics ?? (mod as SyntheticsLibrary);
  if (typeof lib.executeStep !== 'function') {
    throw new Error(
      `${SYNTHETICS_MODULE} has no executeStep; the canary must run on the ${SYNTHETICS_MODULE} runtime (syn-nodejs-3.1 or later; this project runs syn-nodejs-5.4)`,
    );
  }
  return lib;
}
