import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

/**
 * AWS's `moto_server` (the machine's Python has moto 5) on a free loopback port. The tests' shared
 * server (test/helpers/moto.ts) and `npm run chain-rehearsal` (which starts its own) both spawn it
 * here. It never silently skips: if moto cannot start, the caller gets the reason and how to
 * install it. No AWS SDK here: callers build their clients from `endpoint` and `CREDENTIALS`.
 */
export const MOTO_INSTALL_HINT =
  'The integration tests need moto 5 (moto_server, and the python3 on PATH able to import moto). ' +
  'Install it with `pip install "moto[server]"` (the CI machine image has it), then re-run `npm test`.';

/** Fake credentials moto accepts; they are not AWS credentials. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * Fidelity fixes for moto 5.2, applied by lib/chain/devnet/moto_server_shim.py (which then runs the
 * stock moto_server). Each patches one documented gap between moto and the real service.
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
  /**
   * Remember which moto backend serves each inferred host instead of matching every backend's URL
   * patterns on every request (2-4.5 ms a request under moto's global dispatcher lock). Performance
   * only; off only to measure it (`npm run bench -- moto`).
   * @default true
   */
  readonly routeMemo?: boolean;
}

const MOTO_SHIM = path.join(__dirname, 'moto_server_shim.py');

export interface SpawnedMoto {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** The last 4,000 characters moto wrote to stderr. */
  stderr(): string;
}

export async function freeLoopbackPort(): Promise<number> {
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

/** Spawns moto_server through the shim (which applies the options, then runs the stock server) on a free loopback port. */
export async function spawnMoto(options: MotoOptions): Promise<SpawnedMoto> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const child: ChildProcess = spawn('python3', [MOTO_SHIM, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      MOTO_ALLOW_NONEXISTENT_REGION: 'true',
      MOTO_SHIM_KMS_DIGEST: options.kmsDigestSigning ? '1' : '0',
      MOTO_SHIM_ATOMIC_DYNAMODB: options.atomicDynamoDb ? '1' : '0',
      MOTO_SHIM_ROUTE_MEMO: options.routeMemo === false ? '0' : '1',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return { endpoint, child, stderr: () => stderr };
}

/** Why a spawned moto is not serving (it exited, or could not start), with how to fix it. */
export function motoExitReason(moto: SpawnedMoto, spawnError: Error | undefined): string | undefined {
  if (spawnError !== undefined) return `moto_server could not start (${spawnError.message}). ${MOTO_INSTALL_HINT}`;
  if (moto.child.exitCode === null && moto.child.signalCode === null) return undefined;
  return `moto_server exited early (code ${moto.child.exitCode ?? moto.child.signalCode}): ${moto.stderr()} ${MOTO_INSTALL_HINT}`;
}

/** Polls moto's control endpoint until it answers; `failed` says why to stop waiting. */
export async function waitForMoto(
  endpoint: string,
  timeoutMs: number,
  failed: () => string | undefined,
): Promise<void> {
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

/** A private moto_server (every fidelity fix on), for a CLI run: waits until it answers. */
export async function startMotoServer(
  options: MotoOptions = { kmsDigestSigning: true, atomicDynamoDb: true },
  timeoutMs = 30000,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const moto = await spawnMoto(options);
  let spawnError: Error | undefined;
  moto.child.once('error', (err) => (spawnError = err));
  process.once('exit', () => moto.child.kill('SIGKILL'));
  const stop = async () => {
    if (moto.child.exitCode === null && moto.child.signalCode === null) {
      const closed = new Promise<void>((r) => moto.child.once('close', () => r()));
      moto.child.kill('SIGTERM');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3000).unref())]);
      if (moto.child.exitCode === null && moto.child.signalCode === null) moto.child.kill('SIGKILL');
    }
  };
  try {
    await waitForMoto(moto.endpoint, timeoutMs, () => motoExitReason(moto, spawnError));
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: moto.endpoint, stop };
}
