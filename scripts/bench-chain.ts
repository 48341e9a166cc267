/**
 * `npm run bench:chain [-- --requests N]`: sustained request-to-mined throughput on a local Hardhat
 * node (interval-free: one block per pump round) through the real API, SQS queue (moto), signer
 * (moto KMS) and provider pool, for one signing address and for 10. No faults, no lease move.
 * Writes bench-results/chain.json (gitignored); the figures go in docs/benchmarks.md by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runRehearsal } from '../bin/rehearsal/run';
import { startEvmNode } from '../lib/chain/devnet/evm-node';
import { MOTO_CREDENTIALS, startMotoServer } from '../lib/chain/devnet/moto-server';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--requests');
  const requests = i >= 0 ? Number(process.argv[i + 1]) : 100;
  if (!Number.isInteger(requests) || requests < 8) {
    console.error(`bench:chain: --requests must be a whole number of at least 8; received ${process.argv[i + 1]}`);
    process.exit(2);
  }
  const moto = await startMotoServer();
  const results: Record<string, unknown> = {};
  try {
    for (const wallets of [1, 10]) {
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
