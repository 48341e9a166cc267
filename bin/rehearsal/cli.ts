import { startEvmNode } from '../../lib/chain/devnet/evm-node';
import { MOTO_CREDENTIALS, startMotoServer } from '../../lib/chain/devnet/moto-server';
import { ALL_INJECTIONS, type Failover, type Injection, type RehearsalReport, runRehearsal } from './run';

/**
 * `npm run chain-rehearsal [-- --json] [--requests N] [--wallets N] [--no-faults]`: starts a Hardhat
 * node and a moto_server of its own, runs the rehearsal (bin/rehearsal/run.ts) with a fee spike, a
 * dropped transaction, a reorg and a provider failure injected and the lease moved twice (planned,
 * then with the holder partitioned), and prints the counts. Exit 1 when a safety count (duplicates,
 * nonce gaps, unmined accepted requests, bad signatures) is not zero; 2 on bad arguments.
 */
export interface CliOptions {
  readonly json: boolean;
  readonly requests: number;
  readonly wallets: number;
  readonly injections: readonly Injection[];
  readonly failovers: readonly Failover[];
}

export function parseArgs(argv: readonly string[]): CliOptions | { problems: string[] } {
  const problems: string[] = [];
  let json = false;
  let requests = 24;
  let wallets = 1;
  let injections: readonly Injection[] = ALL_INJECTIONS;
  const whole = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min || n > max) {
      problems.push(`${flag} must be a whole number from ${min} to ${max}; received ${v ?? 'nothing'}`);
      return min;
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--no-faults') injections = [];
    else if (arg === '--requests') requests = whole('--requests', argv[++i], 8, 10000);
    else if (arg === '--wallets') wallets = whole('--wallets', argv[++i], 1, 20);
    else problems.push(`unknown argument ${JSON.stringify(arg)}; use --json, --requests N, --wallets N, --no-faults`);
  }
  return problems.length > 0
    ? { problems }
    : { json, requests, wallets, injections, failovers: ['planned', 'partitioned'] };
}

export const SAFETY_COUNTS = ['duplicates', 'nonceGaps', 'unminedAccepted', 'badSignatures'] as const;

/** 0 when every safety count is zero, else 1. */
export function exitCodeFor(r: Pick<RehearsalReport, (typeof SAFETY_COUNTS)[number]>): number {
  return SAFETY_COUNTS.every((k) => r[k] === 0) ? 0 : 1;
}

export function formatReport(r: RehearsalReport): string {
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${v} ms`);
  return [
    `chain rehearsal: ${r.ok ? 'PASS' : 'FAIL'} (${r.durationMs} ms, ${r.blocks} blocks, ${r.addresses.length} address(es))`,
    `  requests ${r.requests}, accepted ${r.accepted}, mined ${r.mined}, confirmed ${r.confirmed}`,
    `  duplicates ${r.duplicates}, nonce gaps ${r.nonceGaps}, unmined accepted ${r.unminedAccepted}, bad signatures ${r.badSignatures}`,
    `  replacements ${r.replacements}, reorg recoveries ${r.reorgRecoveries}, rebroadcasts ${r.rebroadcasts}, provider failovers ${r.providerFailovers}`,
    `  request-to-mined p50 ${ms(r.requestToMinedMs.p50)}, p95 ${ms(r.requestToMinedMs.p95)}, max ${ms(r.requestToMinedMs.max)}`,
    ...r.leaseMoves.map((m) => `  lease ${m.from} -> ${m.to} (${m.kind}) at request ${m.atRequest}`),
    ...r.replaced.map(
      (t) =>
        `  replaced ${t.txId}: ${t.variants.map((v) => `#${v.index} ${v.transactionHash}${v.replaced ? ' (replaced)' : ''}`).join(', ')}` +
        (t.minedTxHash !== undefined ? `; mined ${t.minedTxHash}` : ''),
    ),
    ...r.injections.map((i) => `  injected ${i.name}: ${i.active ? 'active' : 'INACTIVE'} - ${i.note}`),
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if ('problems' in parsed) {
    process.stderr.write(`chain-rehearsal: ${parsed.problems.join('; ')}\n`);
    return 2;
  }
  const [node, moto] = await Promise.all([startEvmNode({ automine: false }), startMotoServer()]);
  try {
    const report = await runRehearsal({
      moto: { endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS },
      node,
      requests: parsed.requests,
      wallets: parsed.wallets,
      injections: parsed.injections,
      failovers: parsed.failovers,
      log: parsed.json ? undefined : (line) => process.stderr.write(`  . ${line}\n`),
    });
    process.stdout.write(
      parsed.json
        ? `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
        : `${formatReport(report)}\n`,
    );
    return exitCodeFor(report);
  } finally {
    await Promise.all([node.stop(), moto.stop()]);
  }
}
