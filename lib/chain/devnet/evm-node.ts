import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freeLoopbackPort } from './moto-server';

/**
 * A real EVM node on loopback: Hardhat 2.x's node (its JSON-RPC server runs on the Rust EDR
 * engine, `@nomicfoundation/edr`). Tests and `npm run chain-rehearsal` start one per suite, the way
 * test/helpers/moto.ts starts moto_server, and make the hard cases happen through its JSON-RPC
 * methods: `evm_setAutomine` / `evm_setIntervalMining` (congestion), `hardhat_setNextBlockBaseFeePerGas`
 * (a fee spike), `hardhat_dropTransaction` (a provider drops a transaction), `evm_snapshot` /
 * `evm_revert` (a reorg), `hardhat_setBalance` (fund the KMS-derived address).
 *
 * Why Hardhat 2 and not 3: Hardhat 3 needs Node 22; the machines run Node 20. It never silently
 * skips: if the node cannot start, `startEvmNode` throws with the reason and how to fix it.
 */
export interface EvmNode {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly chainId: number;
  /** One JSON-RPC call; throws `EvmNodeRpcError` with the node's error message. */
  rpc<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /** Mines `blocks` blocks at once (`hardhat_mine`). */
  mine(blocks?: number): Promise<void>;
  /** Sets the balance of `address` in wei (`hardhat_setBalance`). */
  setBalance(address: string, wei: bigint): Promise<void>;
  /** The last 4,000 characters the node wrote (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

export interface EvmNodeOptions {
  /** @default 31337 (Hardhat's default) */
  readonly chainId?: number;
  /**
   * Mine each transaction as it arrives. Off means transactions wait in the mempool until `mine`
   * or interval mining (`evm_setIntervalMining`).
   * @default true
   */
  readonly automine?: boolean;
  /** Base fee of the first block, in wei. @default Hardhat's (1 gwei) */
  readonly initialBaseFeePerGas?: bigint;
  /** How long to wait for the node to answer. @default 30000 */
  readonly startTimeoutMs?: number;
}

export class EvmNodeRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`${method}: ${message}`);
    this.name = 'EvmNodeRpcError';
  }
}

export const EVM_NODE_INSTALL_HINT =
  'The chain tests need Hardhat 2.x (a devDependency, with its EDR node packages for this platform, ' +
  '@nomicfoundation/edr-linux-x64-gnu on these machines). Run `npm ci` from the repository root, then re-run.';

function hardhatCli(): string {
  try {
    return require.resolve('hardhat/internal/cli/cli');
  } catch (err) {
    throw new Error(`Hardhat is not installed (${(err as Error).message}). ${EVM_NODE_INSTALL_HINT}`, { cause: err });
  }
}

/**
 * A JSON-RPC call (no library: this is the test rig, not the wallet's client). node:http without
 * keep-alive, so a stopped node leaves no pooled socket behind to hold the test process open.
 */
export async function jsonRpc<T>(url: string, method: string, params: readonly unknown[] = []): Promise<T> {
  const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve(data));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
  const body = JSON.parse(text) as { result?: T; error?: { code?: number; message?: string } };
  if (body.error !== undefined) {
    throw new EvmNodeRpcError(method, body.error.code, body.error.message ?? JSON.stringify(body.error));
  }
  return body.result as T;
}

/** Starts a Hardhat node on a free loopback port and waits until it answers `eth_chainId`. */
export async function startEvmNode(options: EvmNodeOptions = {}): Promise<EvmNode> {
  const chainId = options.chainId ?? 31337;
  const cli = hardhatCli();
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  // Hardhat 2 needs a config file; an empty project in a temp dir keeps it away from ours.
  const dir = mkdtempSync(path.join(tmpdir(), 'wallet-evm-node-'));
  const network: Record<string, unknown> = {
    chainId,
    mining: { auto: options.automine ?? true, interval: 0 },
    ...(options.initialBaseFeePerGas === undefined
      ? {}
      : { initialBaseFeePerGas: Number(options.initialBaseFeePerGas) }),
  };
  writeFileSync(
    path.join(dir, 'hardhat.config.js'),
    `module.exports = ${JSON.stringify({ networks: { hardhat: network } })};\n`,
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, 'node', '--hostname', '127.0.0.1', '--port', String(port), '--config', path.join(dir, 'hardhat.config.js')],
    {
      // Hardhat refuses to run from a directory that does not see it installed (HH12), so it runs
      // from the project that installed it, with the config in the temp dir.
      cwd: path.resolve(path.dirname(require.resolve('hardhat/package.json')), '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', HARDHAT_TELEMETRY_ENABLED: 'false' },
    },
  );
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // 'close': the process exited AND its output pipes closed (so jest sees no open handle).
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));

  const deadline = Date.now() + (options.startTimeoutMs ?? 30000);
  for (;;) {
    if (spawnError !== undefined) {
      await stop();
      throw new Error(`the EVM node could not start (${spawnError.message}). ${EVM_NODE_INSTALL_HINT}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `the EVM node exited early (code ${child.exitCode ?? child.signalCode}): ${output.trim()} ${EVM_NODE_INSTALL_HINT}`,
      );
    }
    try {
      const id = await jsonRpc<string>(url, 'eth_chainId');
      if (Number(id) !== chainId) {
        await stop();
        throw new Error(`the EVM node on ${url} answers chain id ${Number(id)}, expected ${chainId}`);
      }
      break;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('the EVM node on')) throw err;
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the EVM node did not answer on ${url} within ${options.startTimeoutMs ?? 30000} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    chainId,
    rpc: (method, params = []) => jsonRpc(url, method, params),
    mine: async (blocks = 1) => {
      await jsonRpc(url, 'hardhat_mine', [`0x${blocks.toString(16)}`]);
    },
    setBalance: async (address, wei) => {
      await jsonRpc(url, 'hardhat_setBalance', [address, `0x${wei.toString(16)}`]);
    },
    output: () => output,
    stop,
  };
}
