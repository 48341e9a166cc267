import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SHARED_MOTO_ENDPOINT_ENV, SHARED_MOTO_STATUS_ENV, spawnSharedMoto } from './moto';

/**
 * Jest globalSetup: spawns the one moto_server the integration suites share (test/helpers/moto.ts,
 * sharedMoto) without waiting for it, so unit suites start at once while Python loads moto.
 * Workers are forked after this runs and inherit the endpoint through the environment.
 */
/** What the global teardown needs to stop the server and remove its status directory. */
export interface SharedMotoHandle {
  stop(): void;
  readonly statusDir: string;
}

export default async function globalSetup(): Promise<void> {
  const statusDir = mkdtempSync(path.join(tmpdir(), 'wallet-moto-'));
  const statusFile = path.join(statusDir, 'status');
  const moto = await spawnSharedMoto(statusFile);
  process.env[SHARED_MOTO_ENDPOINT_ENV] = moto.endpoint;
  process.env[SHARED_MOTO_STATUS_ENV] = statusFile;
  (globalThis as { __walletSharedMoto?: SharedMotoHandle }).__walletSharedMoto = { stop: moto.stop, statusDir };
  // If jest exits without running the global teardown (process.exit after a failure), do not leave
  // moto behind. (A SIGKILL leaves it; moto_server then dies with its next write to the closed pipe.)
  process.once('exit', () => moto.stop());
}
