import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  MOTO_CREDENTIALS,
  MOTO_INSTALL_HINT,
  type MotoOptions,
  motoExitReason,
  spawnMoto,
  waitForMoto,
} from '../../lib/chain/devnet/moto-server';

/**
 * AWS's `moto_server` (the machine's Python has moto 5) on a free loopback port, for wire-level
 * integration tests (the spawn logic lives in lib/chain/devnet/moto-server.ts, shared with
 * `npm run chain-rehearsal`). It never silently skips: if moto cannot start, the suite fails with the reason
 * and how to install it.
 */
export interface MotoServer {
  readonly endpoint: string;
  /** Fake credentials moto accepts; they are not AWS credentials. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Client config for a region: endpoint, region, fake credentials. */
  clientConfig(region: string): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export { MOTO_INSTALL_HINT };
export type { MotoOptions };

const CREDENTIALS = MOTO_CREDENTIALS;

function server(endpoint: string, stop: () => Promise<void>): MotoServer {
  return {
    endpoint,
    credentials: CREDENTIALS,
    clientConfig: (region) => ({ endpoint, region, credentials: CREDENTIALS }),
    stop,
  };
}

/**
 * One moto_server for the whole test run: jest's globalSetup (test/helpers/global-setup.ts) spawns
 * it with every fidelity fix on and does not wait for it, so unit suites start at once; the first
 * integration suite to need it waits here. Suites share it, so each names what it creates (tables,
 * queues, alarms, aliases) uniquely and never resets the server.
 */
export const SHARED_MOTO_ENDPOINT_ENV = 'WALLET_TEST_MOTO_ENDPOINT';
/** A file the global setup writes if the shared moto exits or cannot start (its reason). */
export const SHARED_MOTO_STATUS_ENV = 'WALLET_TEST_MOTO_STATUS';
export const SHARED_MOTO_OPTIONS: MotoOptions = { kmsDigestSigning: true, atomicDynamoDb: true };

export async function sharedMoto(timeoutMs = 30000): Promise<MotoServer> {
  const endpoint = process.env[SHARED_MOTO_ENDPOINT_ENV];
  const statusFile = process.env[SHARED_MOTO_STATUS_ENV];
  if (endpoint === undefined || statusFile === undefined) {
    throw new Error(
      `the shared moto_server was not started: ${SHARED_MOTO_ENDPOINT_ENV} is not set. Run the tests with ` +
        '`npm test` (jest.config.js names test/helpers/global-setup.ts as globalSetup).',
    );
  }
  const failed = () => (existsSync(statusFile) ? readFileSync(statusFile, 'utf8') : undefined);
  await waitForMoto(endpoint, timeoutMs, failed);
  // Shared: the global teardown stops it.
  return server(endpoint, async () => undefined);
}

/** For the global setup: spawns the shared server and records why, if it stops serving. */
export async function spawnSharedMoto(statusFile: string): Promise<{ endpoint: string; stop(): void }> {
  const moto = await spawnMoto(SHARED_MOTO_OPTIONS);
  let stopping = false;
  const record = (spawnError?: Error) => {
    const reason = motoExitReason(moto, spawnError);
    if (!stopping && reason !== undefined) writeFileSync(statusFile, reason);
  };
  moto.child.on('error', (err) => record(err));
  moto.child.on('exit', () => record());
  return {
    endpoint: moto.endpoint,
    stop: () => {
      stopping = true;
      moto.child.kill('SIGTERM');
    },
  };
}
