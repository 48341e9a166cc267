import { createPublicClient, http, type Transaction } from 'viem';
import type { EvmNode } from '../../lib/chain/devnet/evm-node';
import { auditChain, percentile } from '../../lib/chain/rehearsal/audit';
import { handOffStrandedWork } from '../../lib/failover/handoff';
import { type AwsEndpoint, startWorld, type World } from './world';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getTransaction } from '../../lambda/shared/ledger';

/**
 * The chain rehearsal (issue 16): a stream of requests through the real API, queues, signers and
 * watchers of two regions against a real node, with the lease moved mid-stream (planned, and with
 * the holder partitioned) and chain faults injected along the way; then the chain itself is
 * audited with viem (lib/chain/rehearsal/audit.ts), not the ledger.
 */
export type Injection = 'fee-spike' | 'dropped-tx' | 'reorg' | 'provider-down';
export const ALL_INJECTIONS: readonly Injection[] = ['fee-spike', 'dropped-tx', 'reorg', 'provider-down'];
export type Failover = 'planned' | 'partitioned';

export interface RehearsalOptions {
  readonly moto: AwsEndpoint;
  readonly node: EvmNode;
  readonly requests: number;
  /** Lease moves in the stream, in order (each at an even share of it). @default both */
  readonly failovers?: readonly Failover[];
  readonly injections?: readonly Injection[];
  /** Signing addresses; requests are spread over them. @default 1 */
  readonly wallets?: number;
  /** Requests submitted between two blocks. @default 2 */
  readonly perBlock?: number;
  /** Give up waiting for the stream to settle after this many blocks past the last request. @default 60 */
  readonly settleBlocks?: number;
  readonly regions?: readonly [string, string];
  readonly log?: (line: string) => void;
}

export interface RehearsalReport {
  readonly requests: number;
  readonly accepted: number;
  readonly mined: number;
  readonly confirmed: number;
  readonly duplicates: number;
  readonly nonceGaps: number;
  readonly unminedAccepted: number;
  readonly badSignatures: number;
  readonly replacements: number;
  /**
   * Every transaction with more than one signed variant: its variants (the API's view) and the one
   * mined. A fee spike after broadcast makes the watcher ask for a bump, the signer replaces it.
   */
  readonly replaced: ReadonlyArray<{
    txId: string;
    minedTxHash?: string;
    variants: ReadonlyArray<{ index: number; transactionHash: string; replaced: boolean }>;
  }>;
  readonly reorgRecoveries: number;
  readonly rebroadcasts: number;
  readonly providerFailovers: number;
  readonly leaseMoves: ReadonlyArray<{
    kind: Failover;
    from: string;
    to: string;
    atRequest: number;
    /** Accepted requests still queued (unsigned) when the lease moved. */
    queuedAtMove: number;
  }>;
  readonly requestToMinedMs: { readonly p50?: number; readonly p95?: number; readonly max?: number };
  /** What was injected, and what each could show with the code on this branch. */
  readonly injections: ReadonlyArray<{ name: Injection; active: boolean; note: string }>;
  readonly addresses: readonly string[];
  readonly blocks: number;
  readonly durationMs: number;
  readonly ok: boolean;
}

const TO = '0x5555555555555555555555555555555555555555';
const BASE_MARKER = 1_000_000n;
/** The requests' own maxFeePerGas (the client's ceiling for every variant). */
const MAX_FEE = 20_000_000_000n;
/**
 * The fee spike's base fee: far above the first signatures' fees (2 x a calm base fee of at most
 * 1 gwei + the 1.5 gwei tip), low enough that a replacement at the market (2 x base + tip) still
 * fits under the client's ceiling, so the spike shows a replacement rather than a stuck request.
 */
const SPIKE_BASE_FEE = 8_000_000_000n;
/**
 * The rehearsal's resubmit interval, seconds (a deployment's `chain.resubmitAfterSeconds`, 60 in the
 * example config). Short, so the spike's transactions are replaced within the run; every block of
 * the rehearsal is mined on a tick right after the signers broadcast, so only a transaction that
 * really waits (the spike, a nonce behind one still queued) reaches it.
 */
export const REHEARSAL_RESUBMIT_SECONDS = 1;

export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const { node } = options;
  const injections = options.injections ?? [];
  const failovers = options.failovers ?? ['planned', 'partitioned'];
  const world: World = await startWorld({
    moto: options.moto,
    node,
    wallets: options.wallets ?? 1,
    confirmations: 2,
    resubmitAfterSeconds: REHEARSAL_RESUBMIT_SECONDS,
    ...(options.regions ? { regions: options.regions } : {}),
  });
  const [a, b] = world.regions.map((r) => r.region);
  const client = createPublicClient({ transport: http(node.url, { retryCount: 0 }) });
  const addresses = new Set(world.wallets.map((w) => w.address.toLowerCase()));
  const submittedAt = new Map<bigint, number>();
  const minedAt = new Map<bigint, number>();
  const accepted: Array<{ marker: bigint; walletId: string; txId: string }> = [];
  let scanned = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
  let blocks = 0;
  let providerFailovers = 0;
  const notes = new Map<Injection, { active: boolean; note: string }>();
  const leaseMoves: Array<RehearsalReport['leaseMoves'][number]> = [];
  let active = a;
  const partitioned = new Set<string>();

  async function scan() {
    const head = await client.getBlockNumber({ cacheTime: 0 });
    for (; scanned <= head; scanned++) {
      const block = await client.getBlock({ blockNumber: scanned, includeTransactions: true });
      for (const tx of block.transactions as Transaction[]) {
        if (addresses.has(tx.from.toLowerCase()) && !minedAt.has(tx.value)) minedAt.set(tx.value, Date.now());
      }
    }
  }
  async function mine(n = 1) {
    await node.mine(n);
    blocks += n;
    await scan();
  }
  async function tick() {
    for (const r of [a, b]) {
      if (partitioned.has(r)) continue;
      await world.pump(r).catch((err: Error) => log(`pump ${r}: ${err.message}`));
    }
    await mine();
    for (const r of [a, b]) {
      if (partitioned.has(r)) continue;
      await world.watch(r).catch((err: Error) => log(`watch ${r}: ${err.message}`));
    }
  }

  const n = options.requests;
  const perBlock = options.perBlock ?? 2;
  const moveAt = failovers.map((_, i) => Math.floor(((i + 1) * n) / (failovers.length + 1)));
  const injectAt = new Map<number, Injection>(
    injections.map((inj, i) => [Math.floor(((i + 0.5) * n) / Math.max(1, injections.length)), inj]),
  );

  try {
    for (let i = 0; i < n; i++) {
      const f = moveAt.indexOf(i);
      if (f >= 0) {
        const kind = failovers[f];
        const to = active === a ? b : a;
        // Accepted but not yet signed when the lease moves: work in flight the move must not lose.
        const inFlight = (
          await Promise.all(accepted.map(async (t) => (await world.get(active, t.walletId, t.txId)).status))
        ).filter((s) => s === 'queued').length;
        if (kind === 'partitioned') {
          // The holder is cut off (its DynamoDB, SQS and KMS calls fail); the drill moves the
          // lease from the surviving side and Route 53 sends clients there.
          partitioned.add(active);
          world.partition(active, true);
        }
        await world.moveLease(to, `rehearsal-${kind}`);
        leaseMoves.push({ kind, from: active, to, atRequest: i, queuedAtMove: inFlight });
        log(`lease moved ${active} -> ${to} (${kind}) at request ${i}`);
        active = to;
      }
      const w = world.wallets[i % world.wallets.length];
      const marker = BASE_MARKER + BigInt(i);
      const body = {
        to: TO,
        value: marker.toString(),
        gasLimit: '21000',
        maxFeePerGas: MAX_FEE.toString(),
        maxPriorityFeePerGas: '1000000000',
        chainId: node.chainId,
      };
      submittedAt.set(marker, Date.now());
      const key = `rehearsal-${i}`;
      let txId: string | undefined;
      for (const r of [active, active === a ? b : a]) {
        if (partitioned.has(r)) continue;
        try {
          txId = await world.submit(r, w.walletId, body, key);
          break;
        } catch (err) {
          log(`submit ${i} in ${r}: ${(err as Error).message}`);
        }
      }
      if (txId !== undefined) accepted.push({ marker, walletId: w.walletId, txId });
      // After the submit, so the fault meets a transaction in flight.
      const inj = injectAt.get(i);
      if (inj !== undefined) await inject(inj);
      if ((i + 1) % perBlock === 0) await tick();
    }
    // Heal what is still broken and let the stream settle: the partitioned region comes back, its
    // queue is forwarded to the holder (the signer's forward hook), the hand-off sweep runs.
    for (const r of partitioned) world.partition(r, false);
    partitioned.clear();
    for (const rw of world.regions) await rw.proxy.setFaults({});
    await node.rpc('hardhat_setNextBlockBaseFeePerGas', ['0x3b9aca00']);
    for (const w of world.wallets) {
      await handOffStrandedWork({
        ledger: world.ledger,
        sqs: new SQSClient({ endpoint: options.moto.endpoint, region: active, credentials: options.moto.credentials }),
        address: w.address,
        queueUrlFor: (r) => world.region(r).queueUrl,
        actor: 'rehearsal',
        includeLedger: true,
      }).catch((err: Error) => log(`hand-off: ${err.message}`));
    }
    const settle = options.settleBlocks ?? 60;
    for (let k = 0; k < settle; k++) {
      await tick();
      const done = await Promise.all(
        accepted.map(async (t) => (await world.get(active, t.walletId, t.txId)).status === 'confirmed'),
      );
      if (done.every(Boolean) && accepted.every((t) => minedAt.has(t.marker))) break;
    }

    // The verdict, from the chain (viem), not the ledger.
    const audit = await auditChain(
      node.url,
      [...addresses],
      accepted.map((t) => t.marker),
    );
    const views = await Promise.all(accepted.map((t) => world.get(active, t.walletId, t.txId)));
    const records = await Promise.all(
      accepted.map(
        async (t) =>
          (await getTransaction(world.ledger, t.walletId, t.txId, true)) as
            (Record<string, unknown> & { lastRebroadcastReason?: string }) | undefined,
      ),
    );
    const latencies = accepted
      .filter((t) => minedAt.has(t.marker))
      .map((t) => minedAt.get(t.marker)! - submittedAt.get(t.marker)!);
    const nonceGaps = Object.values(audit.nonceGaps).reduce((s, g) => s + g.length, 0);
    const report: RehearsalReport = {
      requests: n,
      accepted: accepted.length,
      mined: audit.mined.filter((t) => t.value >= BASE_MARKER).length,
      confirmed: views.filter((v) => v.status === 'confirmed').length,
      duplicates: audit.duplicates.length,
      nonceGaps,
      unminedAccepted: audit.unmined.length,
      badSignatures: audit.badSignatures.length,
      replacements: views.reduce(
        (s, v) => s + Math.max(0, ((v.variants as unknown[] | undefined)?.length ?? 1) - 1),
        0,
      ),
      replaced: views
        .filter((v) => ((v.variants as unknown[] | undefined)?.length ?? 1) > 1)
        .map((v) => ({
          txId: String(v.txId),
          ...(v.transactionHash !== undefined && v.status !== 'broadcast'
            ? { minedTxHash: String(v.transactionHash) }
            : {}),
          variants: (v.variants as Array<{ index: number; transactionHash: string; replaced: boolean }>).map((x) => ({
            index: x.index,
            transactionHash: x.transactionHash,
            replaced: x.replaced,
          })),
        })),
      reorgRecoveries: views.filter((v) => Number(v.reorgs ?? 0) > 0 && v.status === 'confirmed').length,
      rebroadcasts: records.filter((r) => r?.lastRebroadcastReason !== undefined).length,
      providerFailovers,
      leaseMoves,
      requestToMinedMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: percentile(latencies, 100),
      },
      injections: injections.map((name) => ({ name, ...(notes.get(name) ?? { active: false, note: 'not reached' }) })),
      addresses: [...addresses],
      blocks,
      durationMs: Date.now() - started,
      ok:
        audit.duplicates.length === 0 &&
        nonceGaps === 0 &&
        audit.unmined.length === 0 &&
        audit.badSignatures.length === 0,
    };
    return report;
  } finally {
    await world.stop();
  }

  /** Replacement variants signed so far over every accepted request (the API's view). */
  async function variantCount(): Promise<number> {
    const views = await Promise.all(accepted.map((t) => world.get(active, t.walletId, t.txId)));
    return views.reduce((s, v) => s + Math.max(0, ((v.variants as unknown[] | undefined)?.length ?? 1) - 1), 0);
  }

  // -- injections --------------------------------------------------------------------------------
  // (function declarations: hoisted, they share the run's state)
  async function inject(what: Injection): Promise<void> {
    log(`inject ${what}`);
    if (what === 'fee-spike') {
      // Fees spike AFTER the broadcast: the signers send what is queued at calm fees, then the base
      // fee jumps above those fees, so nothing of ours is mined; once the resubmit interval passes,
      // the watcher asks the signer for a bump, which re-signs the same nonce and intent at the
      // market (within the cap and the client's ceiling), and the replacement is mined.
      for (const r of [a, b]) if (!partitioned.has(r)) await world.pump(r).catch(() => undefined);
      const before = await variantCount();
      await node.rpc('hardhat_setNextBlockBaseFeePerGas', [`0x${SPIKE_BASE_FEE.toString(16)}`]);
      await tick(); // a block at the spiked base fee: the pending transactions are not included
      await new Promise((r) => setTimeout(r, REHEARSAL_RESUBMIT_SECONDS * 1000 + 100));
      await tick(); // the watcher: not mined within the resubmit interval -> a bump message
      await tick(); // the signer replaces (and broadcasts); the next block includes the replacement
      await tick();
      const replacedHere = (await variantCount()) - before;
      await node.rpc('hardhat_setNextBlockBaseFeePerGas', ['0x3b9aca00']);
      notes.set(what, {
        active: true,
        note:
          `base fee raised to ${SPIKE_BASE_FEE / 1_000_000_000n} gwei after the broadcast (above the signed fees); ` +
          `${replacedHere} replacement(s) signed at the market after ${REHEARSAL_RESUBMIT_SECONDS} s unmined, then back to 1 gwei`,
      });
    } else if (what === 'dropped-tx') {
      // The signer broadcasts, then the node forgets the transaction (a provider dropping it).
      for (const r of [a, b]) if (!partitioned.has(r)) await world.pump(r).catch(() => undefined);
      // Hardhat has no txpool_content: the hashes come from what the API says was broadcast.
      const views = await Promise.all(accepted.map((t) => world.get(active, t.walletId, t.txId)));
      const hashes = views.filter((v) => v.status === 'broadcast').map((v) => String(v.transactionHash));
      let dropped = 0;
      for (const h of hashes) if (await node.rpc<boolean>('hardhat_dropTransaction', [h])) dropped += 1;
      notes.set(what, {
        active: dropped > 0,
        note: `${dropped} pending transaction(s) dropped from the node's mempool`,
      });
    } else if (what === 'reorg') {
      // The snapshot is taken before the broadcast, so the reverted branch never saw our
      // transactions: they vanish with their block and only a rebroadcast brings them back.
      const height = await client.getBlockNumber({ cacheTime: 0 });
      const snapshot = await node.rpc<string>('evm_snapshot');
      await tick(); // broadcast, mined and seen mined by the watcher
      await node.rpc('evm_revert', [snapshot]);
      await node.mine(2); // a different branch, longer
      blocks += 2;
      scanned = height + 1n;
      await scan();
      notes.set(what, {
        active: true,
        note: 'a block with our transactions mined, seen by the watcher, then reverted (evm_revert) and outgrown',
      });
    } else if (what === 'provider-down') {
      const rw = world.region(active);
      await rw.proxy.setFaults({ down: 'refused' });
      const health = await rw.pool.refresh();
      const flaky = health.find((h) => h.name === 'flaky');
      const direct = health.find((h) => h.name === 'direct');
      if (flaky?.healthy === false && direct?.healthy === true) providerFailovers += 1;
      notes.set(what, {
        active: true,
        note: `provider "flaky" of ${active} refused connections from here on (${flaky?.reason ?? 'still healthy'}); the pool used "direct"`,
      });
    }
  }
}
