import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

/**
 * Starts AWS's `moto_server` (the machine's Python has moto 5) on a free loopback port for
 * wire-level integration tests. It never silently skips: if moto_server is missing, the test
 * fails with how to install it.
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
  /** Clears all moto state (between tests). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  'moto_server is required for the integration tests and was not found on PATH. Install it with ' +
  '`pip install "moto[server]"` (the CI machine image has it), then re-run `npm test`.';

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

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

/**
 * Fidelity fixes for moto 5.2, applied by test/helpers/moto_server_shim.py (which then runs the
 * stock moto_server). Each patches one documented gap between moto and the real service.
 */
export interface StartMotoOptions {
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

export async function startMoto(timeoutMs = 30000, options: StartMotoOptions = {}): Promise<MotoServer> {
  if (!motoAvailable()) throw new Error(MOTO_INSTALL_HINT);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const shim = options.kmsDigestSigning === true || options.atomicDynamoDb === true;
  if (shim && spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `the moto fidelity shim needs python3 to import moto (the Python that runs moto_server); it cannot. ${MOTO_INSTALL_HINT}`,
    );
  }
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
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early (code ${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  return {
    endpoint,
    credentials,
    clientConfig: (region) => ({ endpoint, region, credentials }),
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
