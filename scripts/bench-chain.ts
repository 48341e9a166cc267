/**
 * `npm run bench:chain [-- --requests N] [--section throughput|watcher|all] [--watcher-n 100,400]
 * [--rpc-delay-ms 0,50]`, two sections:
 * - throughput: sustained request-to-mined throughput on a local Hardhat node (interval-free: one
 *   block per pump round) through the real API, SQS queue (moto), signer (moto KMS) and provider
 *   pool, for one signing address and for 10. No faults, no lease move.
 * - watcher: the chain watcher's tick under load, N open transactions walked by the real watcher
 *   against a real node behind a provider delay (scripts/bench-chain-watcher.ts).
 * Writes bench-results/chain.json (gitignored); the figures go in docs/benchmarks.md by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runRehearsal } from '../bin/rehearsal/run';
import { startEvmNode } from '../lib/chain/devnet/evm-node';
import { MOTO_CREDENTIALS, startMotoServer } from '../lib/chain/devnet/moto-server';
import { benchWatcherTick, WALK_BUDGET_MS } from './bench-chain-watcher';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const list = (name: string, fallback: number[]): number[] =>
  arg(name) === undefined ? fallback : (arg(name) as string).split(',').map(Number);

async function main(): Promise<void> {
  const requests = arg('--requests') === undefined ? 100 : Number(arg('--requests'));
  if (!Number.isInteger(requests) || requests < 8) {
    console.error(`bench:chain: --requests must be a whole number of at least 8; received ${arg('--requests')}`);
    process.exit(2);
  }
  const section = arg('--section') ?? 'all';
  const watcherN = list('--watcher-n', [100, 400]);
  const delays = list('--rpc-delay-ms', [0, 50]);
  const problems = [
    ...(['throughput', 'watcher', 'all'].includes(section)
      ? []
      : [`--section must be throughput, watcher or all; received ${section}`]),
    ...watcherN
      .filter((x) => !Number.isInteger(x) || x < 1 || x > 1400)
      .map((x) => `--watcher-n: each must be a whole number from 1 to 1400 (one block holds them); received ${x}`),
    ...delays
      .filter((x) => !Number.isInteger(x) || x < 0 || x > 2000)
      .map((x) => `--rpc-delay-ms: each must be whole ms from 0 to 2000; received ${x}`),
  ];
  if (problems.length > 0) {
    console.error(`bench:chain: ${problems.join('; ')}`);
    process.exit(2);
  }
  const moto = await startMotoServer();
  const results: Record<string, unknown> = {};
  try {
    if (section !== 'throughput') {
      const scenarios = [];
      for (const rpcDelayMs of delays) {
        // With a provider delay, the largest N only takes longer to say the same per-transaction time.
        for (const transactions of rpcDelayMs > 0 ? watcherN.slice(0, 1) : watcherN) {
          const r = await benchWatcherTick({ motoEndpoint: moto.endpoint, transactions, rpcDelayMs });
          console.log(`bench:chain watcher N=${transactions} rpc delay ${rpcDelayMs} ms:`, JSON.stringify(r));
          scenarios.push(r);
        }
      }
      results.watcher = { walkBudgetMs: WALK_BUDGET_MS, scenarios };
    }
    for (const wallets of section === 'watcher' ? [] : [1, 10]) {
      const node = await startEvmNode({ automine: false });
      try {
        const r = await runRehearsal({
          moto: { endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS },
          node,
          requests,
          wallets,
          failovers: [],
          injections: [],
          perBlock: 10,
        });
        results[`${wallets}-address${wallets > 1 ? 'es' : ''}`] = {
          requests,
          mined: r.mined,
          ok: r.ok,
          durationMs: r.durationMs,
          minedPerSecond: +((r.mined * 1000) / r.durationMs).toFixed(2),
          requestToMinedMs: r.requestToMinedMs,
          blocks: r.blocks,
        };
        console.log(
          `bench:chain ${wallets} address(es):`,
          JSON.stringify(results[`${wallets}-address${wallets > 1 ? 'es' : ''}`]),
        );
      } finally {
        await node.stop();
      }
    }
  } finally {
    await moto.stop();
  }
  const out = {
    at: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    results,
  };
  const dir = path.join(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'chain.json'), JSON.stringify(out, null, 2) + '\n');
}

void main();
