/**
 * Client failover benchmark (figures go to docs/benchmarks.md, never into test assertions): the
 * time from the home region going down to the first successful submit through the standby, with
 * the client's DEFAULT settings, against real HTTP servers on loopback.
 *
 * - `refused`: the home server is killed (its port refuses connections);
 * - `hanging`: the home server accepts and never answers (a black-holed or wedged region);
 * - `warm`: after the circuit opened, later requests go straight to the standby.
 *
 * Each cold run uses a fresh client (closed circuits), so it pays the full detection cost; runs go
 * `--concurrency` at a time.
 *
 *   npm run bench:client [-- --runs 200 --concurrency 20]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { CLIENT_DEFAULTS, WalletClient } from '../client/index';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const RUNS = arg('runs', 200);
const CONCURRENCY = arg('concurrency', 20);
const TARGET_P95_MS = 3000;

const WITHDRAWAL = {
  to: '0x52908400098527886E0F7030069857D2E4169EE7',
  value: '1',
  gasLimit: '21000',
  maxFeePerGas: '2',
  maxPriorityFeePerGas: '1',
  chainId: 11155111,
};

interface Region {
  readonly baseUrl: string;
  hang: boolean;
  kill(): Promise<void>;
}

/** A minimal wallet API: 202 for a submit (replay when the key is known), healthy /health. */
async function startRegion(name: string, keys: Map<string, string>): Promise<Region> {
  const sockets = new Set<Socket>();
  const state = { hang: false };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ healthy: true, region: name, role: 'active' }));
      }
      if (state.hang) return undefined;
      const key = String(req.headers['idempotency-key']);
      const known = keys.get(key);
      const txId = known ?? randomUUID();
      keys.set(key, txId);
      res.writeHead(202, { 'content-type': 'application/json', 'idempotent-replayed': String(known !== undefined) });
      return res.end(
        JSON.stringify({ txId, walletId: 'w-bench', status: 'queued', createdAt: new Date().toISOString() }),
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get hang() {
      return state.hang;
    },
    set hang(h: boolean) {
      state.hang = h;
    },
    kill: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Figures {
  readonly runs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly failures: number;
  readonly attemptsMax: number;
}

function figures(samples: Array<{ ms: number; ok: boolean; attempts: number }>): Figures {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    runs: samples.length,
    p50Ms: Math.round(percentile(ms, 50)),
    p95Ms: Math.round(percentile(ms, 95)),
    maxMs: Math.round(ms[ms.length - 1]),
    failures: samples.filter((s) => !s.ok).length,
    attemptsMax: Math.max(...samples.map((s) => s.attempts)),
  };
}

/** One cold run: a fresh home server goes down, then a fresh client submits. */
async function coldRun(mode: 'refused' | 'hanging', standby: Region, keys: Map<string, string>) {
  const home = await startRegion('us-east-2', keys);
  const client = new WalletClient({
    regions: [
      { region: 'us-east-2', baseUrl: home.baseUrl },
      { region: 'us-west-2', baseUrl: standby.baseUrl },
    ],
  });
  const killedAt = performance.now();
  if (mode === 'refused') await home.kill();
  else home.hang = true;
  const result = await client.submitTransaction('w-bench', WITHDRAWAL);
  const ms = performance.now() - killedAt;
  if (mode === 'hanging') await home.kill();
  return { ms, ok: result.kind === 'accepted' && result.region === 'us-west-2', attempts: result.attempts };
}

async function batches<T>(total: number, size: number, run: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  while (out.length < total) {
    const n = Math.min(size, total - out.length);
    out.push(...(await Promise.all(Array.from({ length: n }, run))));
  }
  return out;
}

async function main(): Promise<void> {
  const keys = new Map<string, string>();
  const standby = await startRegion('us-west-2', keys);
  const loadBefore = loadavg()[0];
  const started = Date.now();
  const results: Record<string, Figures> = {};

  for (const mode of ['refused', 'hanging'] as const) {
    results[mode] = figures(await batches(RUNS, CONCURRENCY, () => coldRun(mode, standby, keys)));
  }

  // Warm: one client whose home circuit opened; later requests skip the dead region.
  const home = await startRegion('us-east-2', keys);
  home.hang = true;
  const warm = new WalletClient({
    regions: [
      { region: 'us-east-2', baseUrl: home.baseUrl },
      { region: 'us-west-2', baseUrl: standby.baseUrl },
    ],
  });
  for (let i = 0; i < CLIENT_DEFAULTS.failureThreshold; i += 1) await warm.submitTransaction('w-bench', WITHDRAWAL);
  results.warm = figures(
    await batches(RUNS, CONCURRENCY, async () => {
      const t = performance.now();
      const r = await warm.submitTransaction('w-bench', WITHDRAWAL);
      return { ms: performance.now() - t, ok: r.kind === 'accepted' && r.region === 'us-west-2', attempts: r.attempts };
    }),
  );
  await home.kill();
  await standby.kill();

  const loadAfter = loadavg()[0];
  const report = {
    takenAt: new Date(started).toISOString(),
    node: process.version,
    defaults: CLIENT_DEFAULTS,
    runs: RUNS,
    concurrency: CONCURRENCY,
    loadAverageBefore: Number(loadBefore.toFixed(2)),
    loadAverageAfter: Number(loadAfter.toFixed(2)),
    targetP95Ms: TARGET_P95_MS,
    results,
  };
  console.log(
    `client failover, default settings (attempt timeout ${CLIENT_DEFAULTS.attemptTimeoutMs} ms), ${RUNS} runs, ${CONCURRENCY} at a time, load ${report.loadAverageBefore} -> ${report.loadAverageAfter}`,
  );
  for (const [mode, f] of Object.entries(results)) {
    console.log(
      `  ${mode.padEnd(8)} p50 ${f.p50Ms} ms  p95 ${f.p95Ms} ms  max ${f.maxMs} ms  attempts<=${f.attemptsMax}  failures ${f.failures}${mode !== 'warm' ? (f.p95Ms < TARGET_P95_MS ? '  (p95 < 3 s: ok)' : '  (p95 >= 3 s: MISSED)') : ''}`,
    );
  }
  const dir = path.join(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'client.json'), `${JSON.stringify(report, null, 2)}\n`);
  const missed = ['refused', 'hanging'].some((m) => results[m].p95Ms >= TARGET_P95_MS || results[m].failures > 0);
  process.exitCode = missed ? 1 : 0;
}

void main();
