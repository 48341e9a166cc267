/**
 * The chain watcher's tick under load (a section of `npm run bench:chain`): N open transactions of
 * one address in the ledger (moto DynamoDB) and on a real EVM node (Hardhat's EDR, automine off),
 * and the real watcher (lambda/chain-watcher/handler.ts) walking them through the provider pool,
 * reached through the fault proxy with an added per-request delay that stands in for a hosted
 * provider's round trip. Each walk is timed, with its JSON-RPC and DynamoDB calls counted:
 *
 *   pending  - every transaction broadcast, none mined (receipt + "known?" per transaction);
 *   mined    - one block mined them all (receipt + canonical hash + a fenced write each);
 *   confirm  - two more blocks (receipt + canonical hash + the confirmed write each).
 *
 * The function's budget (lambda/chain-watcher/index.ts): a walk starts only before 40 s of the
 * 55 s timeout, so one that starts at 40 s must end within 15 s. A walk visits transactions one by
 * one, so its time is N x (per-transaction time): the largest N whose slowest walk fits 15 s is what
 * one region can track per run without a walk cut off by the timeout. A measurement, not an assertion.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keccak256, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createTable } from '../bin/rehearsal/world';
import { createChainWatcher } from '../lambda/chain-watcher/handler';
import { poolChain } from '../lambda/chain-watcher/pool-chain';
import { createTransaction, type Ledger } from '../lambda/shared/ledger';
import { silentLogger } from '../lambda/shared/logger';
import { startEvmNode } from '../lib/chain/devnet/evm-node';
import { startFaultProxy } from '../lib/chain/devnet/fault-proxy';
import { MOTO_CREDENTIALS } from '../lib/chain/devnet/moto-server';
import { ProviderPool } from '../lib/chain/pool';
import { initLease } from '../lib/failover/lease';

/** Hardhat's first default account (a public test key, funded by the node). */
const ACCOUNT = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const REGION = 'us-east-2';
/** A walk that starts at the last moment (40 s) must end before the 55 s timeout. */
export const WALK_BUDGET_MS = 15_000;

export interface WalkFigure {
  readonly walk: 'pending' | 'mined' | 'confirm';
  readonly ms: number;
  readonly perTxMs: number;
  readonly rpcPerTx: number;
  readonly ddbPerTx: number;
  /** What the walk did, by step and outcome (e.g. "mined/applied": 100). */
  readonly steps: Record<string, number>;
}

export interface WatcherScenario {
  readonly transactions: number;
  readonly rpcDelayMs: number;
  readonly walks: readonly WalkFigure[];
  /** The largest N whose slowest walk would fit WALK_BUDGET_MS at the per-transaction time measured. */
  readonly maxTrackedPerWalk: number;
}

export async function benchWatcherTick(o: {
  readonly motoEndpoint: string;
  readonly transactions: number;
  readonly rpcDelayMs: number;
}): Promise<WatcherScenario> {
  const node = await startEvmNode({ automine: false });
  const proxy = await startFaultProxy(node.url);
  try {
    await proxy.setFaults(o.rpcDelayMs > 0 ? { delayMs: o.rpcDelayMs } : {});
    const cfg = { endpoint: o.motoEndpoint, region: REGION, credentials: MOTO_CREDENTIALS };
    const tableName = `bench-watcher-${Date.now().toString(36)}-${o.transactions}-${o.rpcDelayMs}`;
    await createTable(cfg, tableName);
    const raw = new DynamoDBClient(cfg);
    let ddbCalls = 0;
    raw.middlewareStack.add(
      (next) => async (args) => {
        ddbCalls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const ledger: Ledger = {
      ddb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    };
    const address = ACCOUNT.address.toLowerCase();
    await initLease(ledger, { address, region: REGION, actor: 'bench' });
    const base = Number(await node.rpc<string>('eth_getTransactionCount', [ACCOUNT.address, 'pending']));
    const at = new Date().toISOString();
    // N signed transfers in the node's mempool, each its own ledger item in `broadcast`
    for (let start = 0; start < o.transactions; start += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, o.transactions - start) }, async (_, k) => {
          const i = start + k;
          const signedRaw = await ACCOUNT.signTransaction({
            chainId: node.chainId,
            type: 'eip1559',
            nonce: base + i,
            to: '0x5555555555555555555555555555555555555555',
            value: BigInt(1000 + i),
            gas: 21000n,
            maxFeePerGas: 50_000_000_000n,
            maxPriorityFeePerGas: 1_000_000_000n,
          });
          const txHash = keccak256(signedRaw as Hex);
          await node.rpc('eth_sendRawTransaction', [signedRaw]);
          await createTransaction(ledger, {
            walletId: 'w-1',
            txId: `bench-${String(i).padStart(5, '0')}`,
            address,
            status: 'broadcast',
            request: {
              to: '0x5555555555555555555555555555555555555555',
              value: String(1000 + i),
              gasLimit: '21000',
              maxFeePerGas: '50000000000',
              maxPriorityFeePerGas: '1000000000',
              chainId: node.chainId,
            },
            requestHash: `h-${i}`,
            idempotencyKey: `k-${i}`,
            intakeRegion: REGION,
            intakeEpoch: 1,
            createdAt: at,
            updatedAt: at,
            nonce: base + i,
            txHash,
            signedRaw,
            signedAt: at,
            broadcastAt: at,
          });
        }),
      );
    }
    const pool = new ProviderPool({
      chainId: node.chainId,
      providers: [{ name: 'provider', url: proxy.url }],
      // as in a Lambda (lambda/shared/chain-env.ts): probe again when the last probe is 10 s old
      limits: {
        maxLagBlocks: 5,
        maxLagSeconds: 86_400,
        maxErrorRate: 0.5,
        requestTimeoutMs: 5000,
        refreshIntervalMs: 10_000,
      },
    });
    const watcher = createChainWatcher({
      region: REGION,
      envName: 'bench',
      ledger,
      address: async () => address,
      chain: poolChain(pool),
      settings: { confirmations: 3, resubmitAfterSeconds: 3600, receiptPollSeconds: 4 },
      sqs: new SQSClient(cfg),
      signingQueueUrl: 'unused: nothing waits past the resubmit interval',
      logger: silentLogger(),
      emitMetrics: () => undefined,
    });
    await pool.refresh();
    const walks: WalkFigure[] = [];
    const timed = async (walk: WalkFigure['walk']) => {
      proxy.resetCounts();
      ddbCalls = 0;
      const t0 = performance.now();
      const report = await watcher.walk(address, 1);
      const ms = performance.now() - t0;
      const rpc = Object.values(proxy.counts()).reduce((s, c) => s + c, 0);
      const steps: Record<string, number> = {};
      for (const s of report.steps) steps[`${s.step}/${s.outcome}`] = (steps[`${s.step}/${s.outcome}`] ?? 0) + 1;
      walks.push({
        walk,
        ms: Math.round(ms),
        perTxMs: +(ms / o.transactions).toFixed(2),
        rpcPerTx: +(rpc / o.transactions).toFixed(2),
        ddbPerTx: +(ddbCalls / o.transactions).toFixed(2),
        steps,
      });
    };
    await timed('pending');
    await node.mine(1);
    await timed('mined');
    await node.mine(2);
    await timed('confirm');
    raw.destroy();
    const slowest = Math.max(...walks.map((w) => w.perTxMs));
    return {
      transactions: o.transactions,
      rpcDelayMs: o.rpcDelayMs,
      walks,
      maxTrackedPerWalk: Math.floor(WALK_BUDGET_MS / slowest),
    };
  } finally {
    await proxy.stop();
    await node.stop();
  }
}
