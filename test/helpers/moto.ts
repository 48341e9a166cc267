import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/**
 * AWS's `moto_server` (the machine's Python has moto 5) on a free loopback port, for wire-level
 * integration tests. It never silently skips: if moto cannot start, the suite fails with the reason
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

export const MOTO_INSTALL_HINT =
  'The integration tests need moto 5 (moto_server, and the python3 on PATH able to import moto). ' +
  'Install it with `pip install "moto[server]"` (the CI machine image has it), then re-run `npm test`.';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Fidelity fixes for moto 5.2, applied by test/helpers/moto_server_shim.py (which then runs the
 * stock moto_server). Each patches one documented gap between moto and the real service. The
 * shared server runs with both on.
 */
export interface MotoOptions {
  /**
   * Make KMS Sign honour `MessageType: DIGEST` as real KMS does (sign the 32 bytes as the digest).
   * moto 5.2 hashes the message again, so a keccak256-digest signature would recover to no key.
   * @default false
   */
  readonly kmsDigestSigning?: boolean;
  /**
   * Run each DynamoDB request under one lock, so a conditional write is atomic per item as in
   * DynamoDB (moto serves requests on threads and its DynamoDB backend takes no lock). Needed by
   * tests that race conditional writes.
   * @default false
   */
  readonly atomicDynamoDb?: boolean;
}

const MOTO_SHIM = path.join(__dirname, 'moto_server_shim.py');

interface SpawnedMoto {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** The last 4,000 characters moto wrote to stderr. */
  stderr(): string;
}

/** Spawns moto_server (through the fidelity shim when an option is on) on a free loopback port. */
async function spawnMoto(options: MotoOptions): Promise<SpawnedMoto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const shim = options.kmsDigestSigning === true || options.atomicDynamoDb === true;
  const [command, commandArgs] = shim ? ['python3', [MOTO_SHIM, ...args]] : ['moto_server', args];
  const child: ChildProcess = spawn(command, commandArgs, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      MOTO_ALLOW_NONEXISTENT_REGION: 'true',
      MOTO_SHIM_KMS_DIGEST: options.kmsDigestSigning ? '1' : '0',
      MOTO_SHIM_ATOMIC_DYNAMODB: options.atomicDynamoDb ? '1' : '0',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return { endpoint, child, stderr: () => stderr };
}

/** Why a spawned moto is not serving (it exited, or could not start), with how to fix it. */
function exitReason(moto: SpawnedMoto, spawnError: Error | undefined): string | undefined {
  if (spawnError !== undefined) return `moto_server could not start (${spawnError.message}). ${MOTO_INSTALL_HINT}`;
  if (moto.child.exitCode === null && moto.child.signalCode === null) return undefined;
  return `moto_server exited early (code ${moto.child.exitCode ?? moto.child.signalCode}): ${moto.stderr()} ${MOTO_INSTALL_HINT}`;
}

/** Polls moto's control endpoint until it answers; `failed` says why to stop waiting. */
async function waitUntilUp(endpoint: string, timeoutMs: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason !== undefined) throw new Error(reason);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

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
  await waitUntilUp(endpoint, timeoutMs, failed);
  // Shared: the global teardown stops it.
  return server(endpoint, async () => undefined);
}

/** For the global setup: spawns the shared server and records why, if it stops serving. */
export async function spawnSharedMoto(statusFile: string): Promise<{ endpoint: string; stop(): void }> {
  const moto = await spawnMoto(SHARED_MOTO_OPTIONS);
  let stopping = false;
  const record = (spawnError?: Error) => {
    const reason = exitReason(moto, spawnError);
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
