import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  type ChainObservation,
  type ConfirmationSettings,
  nextStep,
  type NextStep,
  type ObservedReceipt,
  type TrackedVariant,
} from '../../lib/chain/confirmations';
import {
  CHAIN_DIMENSIONS,
  CHAIN_METRICS,
  CHAIN_WATCHER_STEP_DEADLINE_MS,
  chainMetricNamespace,
} from '../../lib/contract/chain';
import type { Consistency, TxStatus } from '../../lib/contract/ledger';
import { readLease } from '../../lib/failover/lease';
import { getReservation, type Ledger, listTransactionsByStatus } from '../shared/ledger';
import {
  type ChainTransaction,
  type ChainWriteOutcome,
  markBroadcastByWatcher,
  markSuperseded,
  markConfirmed,
  markMined,
  markReorged,
  noteBumpRequested,
  noteRebroadcast,
  trackedVariants,
  trackedView,
} from '../shared/ledger-chain';
import type { Logger } from '../shared/logger';

/**
 * The chain watcher (issue 16): a scheduled function (every minute) that loops for about 50 s.
 * - Every run, in EVERY region: refreshes the provider pool and publishes the provider metrics
 *   (the standby's provider health is what its alarm and the drill's pre-check read).
 * - Then, every receiptPollSeconds and only while this region holds the lease of the signing
 *   address: walks the open transactions (signed, broadcast, mined, stuck), applies the rules of
 *   lib/chain/confirmations.ts, writes the result with fenced conditional writes
 *   (lambda/shared/ledger-chain.ts), broadcasts again through the pool what needs it (the SAME
 *   signed raw) and asks the signer for a bump on its signing queue. It never signs.
 * A region that does not hold the lease reads the lease and writes nothing.
 */

/** What the watcher needs of the chain: the pool's reads and broadcast (lib/chain/pool.ts). */
export interface WatcherChain {
  /** Probes every provider now. */
  refresh(): Promise<readonly WatcherProviderHealth[]>;
  blockNumber(): Promise<bigint>;
  /** Canonical block hash at `blockNumber`; undefined when the chain has no block there. */
  blockHash(blockNumber: bigint): Promise<string | undefined>;
  receipt(txHash: string): Promise<ObservedReceipt | undefined>;
  /** Whether any healthy provider knows the transaction (eth_getTransactionByHash). */
  knows(txHash: string): Promise<boolean>;
  broadcast(raw: string, meta: { address: string; nonce: number; txHash: string }): Promise<void>;
  /**
   * The hash of a transaction mined from `address` at `nonce`, in a block at or below `atOrBelow`
   * (so at least the confirmations deep), that is not `ours`; undefined when the nonce is not used
   * that deep, is used by `ours`, or the provider cannot tell (never a guess).
   */
  nonceHolder(address: string, nonce: number, atOrBelow: bigint, ours: readonly string[]): Promise<string | undefined>;
}

/** The fields of the pool's ProviderHealth the metrics read. */
export interface WatcherProviderHealth {
  readonly name: string;
  readonly healthy: boolean;
  readonly reason?: string;
  readonly headTimestamp?: number;
  readonly lagBlocks?: number;
  readonly latencyMs?: number;
}

export interface WatcherSettings extends ConfirmationSettings {
  /** Seconds between two walks (`chain.receiptPollSeconds`). */
  readonly receiptPollSeconds: number;
}

/** A bump request to the signer (CHAIN.md; the signer treats a stale fromTxHash as done). */
export interface BumpMessage {
  readonly kind: 'bump';
  readonly walletId: string;
  readonly txId: string;
  readonly fromTxHash: string;
}

export interface WatcherDeps {
  readonly region: string;
  readonly envName: string;
  readonly ledger: Ledger;
  /** The signing address (lower case). */
  readonly address: () => Promise<string>;
  readonly chain: WatcherChain;
  readonly settings: WatcherSettings;
  readonly sqs: SQSClient;
  /** This region's FIFO signing queue. */
  readonly signingQueueUrl: string;
  readonly logger: Logger;
  /**
   * Under MREC, right after a lease move the new holder's replica may lack the old holder's last
   * writes: until reconciliation (lease.reconciledEpoch === lease.epoch) the watcher records what
   * the chain shows (mined, confirmed, reorged) but neither broadcasts nor asks for a bump, as the
   * signer signs nothing then (docs/lease-and-nonce.md).
   * @default 'MRSC'
   */
  readonly consistency?: Consistency;
  /** Receives each Embedded Metric Format document (index.ts logs it as one JSON line). */
  readonly emitMetrics: (emf: Record<string, unknown>) => void;
  /** How long one run loops. @default 50000 */
  readonly runForMs?: number;
  /**
   * Milliseconds after the run's start when it stops taking steps (the rest are `deferred`).
   * @default max(runForMs, CHAIN_WATCHER_STEP_DEADLINE_MS)
   */
  readonly stepDeadlineMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WalkReport {
  readonly epoch: number;
  readonly steps: ReadonlyArray<{
    txId: string;
    step: NextStep['kind'];
    /** `deferred`: not reached before the run's step deadline; the next run takes it. */
    outcome: ChainWriteOutcome | 'skipped' | 'failed' | 'deferred';
  }>;
  readonly pending: number;
  readonly stuck: number;
  readonly oldestPendingSeconds: number;
}

export interface RunReport {
  readonly region: string;
  readonly holder: boolean;
  readonly providers: readonly WatcherProviderHealth[];
  readonly walks: readonly WalkReport[];
}

/** c-fees adds `stuck` to TX_STATUSES; until then its partition is simply empty. */
const STUCK = 'stuck' as TxStatus;
const WALKED: readonly TxStatus[] = ['signed', 'broadcast', 'mined', STUCK];

/** A canary transaction is signed at an invalid nonce and never broadcast (lib/contract/canary.ts). */
const isCanary = (tx: ChainTransaction) =>
  tx.request?.canary === true || (tx as { canaryNonce?: unknown }).canaryNonce !== undefined;

export function createChainWatcher(deps: WatcherDeps) {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { ledger, chain, settings, logger } = deps;
  const namespace = chainMetricNamespace(deps.envName);

  function emf(dimensions: Record<string, string>, metrics: Record<string, { value: number; unit: string }>) {
    const names = Object.keys(metrics);
    if (names.length === 0) return;
    deps.emitMetrics({
      _aws: {
        Timestamp: now(),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [Object.keys(dimensions)],
            Metrics: names.map((name) => ({ Name: name, Unit: metrics[name].unit })),
          },
        ],
      },
      ...dimensions,
      ...Object.fromEntries(names.map((name) => [name, metrics[name].value])),
    });
  }
  const regionDims = () => ({ [CHAIN_DIMENSIONS.region]: deps.region });

  function publishProviders(health: readonly WatcherProviderHealth[]) {
    emf(regionDims(), {
      [CHAIN_METRICS.healthyProviders]: { value: health.filter((h) => h.healthy).length, unit: 'Count' },
      ...(health.some((h) => h.healthy && h.headTimestamp !== undefined)
        ? {
            [CHAIN_METRICS.headAgeSeconds]: {
              value: Math.max(
                0,
                Math.round(
                  now() / 1000 - Math.max(...health.filter((h) => h.healthy).map((h) => h.headTimestamp ?? 0)),
                ),
              ),
              unit: 'Seconds',
            },
          }
        : {}),
    });
    for (const h of health) {
      emf(
        { ...regionDims(), [CHAIN_DIMENSIONS.provider]: h.name },
        {
          [CHAIN_METRICS.providerHealthy]: { value: h.healthy ? 1 : 0, unit: 'Count' },
          ...(h.lagBlocks !== undefined
            ? { [CHAIN_METRICS.providerHeadLagBlocks]: { value: h.lagBlocks, unit: 'Count' } }
            : {}),
          ...(h.latencyMs !== undefined
            ? { [CHAIN_METRICS.providerLatencyMs]: { value: h.latencyMs, unit: 'Milliseconds' } }
            : {}),
        },
      );
    }
  }

  async function observe(tx: ChainTransaction, variants: readonly TrackedVariant[], head: bigint) {
    const receipts = new Map<string, ObservedReceipt | undefined>();
    for (const v of variants) receipts.set(v.txHash.toLowerCase(), await chain.receipt(v.txHash));
    const heights = new Set<bigint>();
    if (tx.minedBlockNumber !== undefined) heights.add(BigInt(tx.minedBlockNumber));
    for (const r of receipts.values()) if (r !== undefined) heights.add(r.blockNumber);
    const canonicalHashes = new Map<bigint, string | undefined>();
    for (const n of heights) canonicalHashes.set(n, n > head ? undefined : await chain.blockHash(n));
    let known = true;
    if ([...receipts.values()].every((r) => r === undefined)) {
      known = false;
      for (const v of variants) {
        if (await chain.knows(v.txHash)) {
          known = true;
          break;
        }
      }
    }
    const observation: ChainObservation = { head, receipts, canonicalHashes, known };
    return observation;
  }

  async function rebroadcast(tx: ChainTransaction, v: TrackedVariant) {
    await chain.broadcast(v.signedRaw, { address: tx.address, nonce: tx.nonce ?? -1, txHash: v.txHash });
  }

  /** Applies one step; returns the write's outcome. */
  async function apply(
    tx: ChainTransaction,
    step: NextStep,
    epoch: number,
    mayBroadcast: boolean,
  ): Promise<ChainWriteOutcome | 'skipped'> {
    const at = new Date(now()).toISOString();
    // `superseded` waits too: under MREC before reconciliation this replica may lack a variant the
    // old holder signed and broadcast, and a mined variant of ours must never be taken for a stranger.
    if (
      !mayBroadcast &&
      (step.kind === 'broadcast' || step.kind === 'dropped' || step.kind === 'resubmit' || step.kind === 'superseded')
    ) {
      logger.info('not broadcasting or bumping before reconciliation (MREC)', { txId: tx.txId, step: step.kind });
      return 'skipped';
    }
    switch (step.kind) {
      case 'mined': {
        const outcome = await markMined(
          ledger,
          tx,
          {
            txHash: step.variant.txHash,
            blockNumber: step.blockNumber,
            blockHash: step.blockHash,
            receiptStatus: step.receiptStatus,
            replaced: step.replaced,
          },
          epoch,
          at,
        );
        if (outcome === 'applied' && step.moved === undefined && (tx.reorgs ?? 0) === 0) {
          const seconds = Math.max(0, (now() - Date.parse(tx.createdAt)) / 1000);
          emf(regionDims(), { [CHAIN_METRICS.requestToMinedSeconds]: { value: seconds, unit: 'Seconds' } });
        }
        logger.info('transaction mined', {
          txId: tx.txId,
          txHash: step.variant.txHash,
          block: step.blockNumber.toString(),
          moved: step.moved !== undefined,
          outcome,
        });
        return outcome;
      }
      case 'confirmed':
        return markConfirmed(ledger, tx, step.confirmations, epoch, at);
      case 'reorged': {
        const outcome = await markReorged(ledger, tx, epoch, at);
        logger.warn('mined block left the canonical chain; broadcasting the same transaction again', {
          txId: tx.txId,
          block: step.was.blockNumber.toString(),
          blockHash: step.was.blockHash,
          outcome,
        });
        if (outcome !== 'conflict' && mayBroadcast) await rebroadcast(tx, step.rebroadcast);
        return outcome;
      }
      case 'broadcast': {
        // What the signer does before broadcasting a stored transaction (lambda/signer/handler.ts):
        // only the payload its nonce is reserved for.
        const reservation = tx.nonce === undefined ? undefined : await getReservation(ledger, tx.address, tx.nonce);
        if (reservation?.kind !== 'tx' || reservation.txId !== tx.txId) {
          logger.warn('not broadcasting a signed transaction whose nonce is not reserved for it', {
            txId: tx.txId,
            nonce: tx.nonce,
            reservedFor: reservation?.txId,
          });
          return 'skipped';
        }
        await rebroadcast(tx, step.rebroadcast);
        return markBroadcastByWatcher(ledger, tx, epoch, at);
      }
      case 'dropped': {
        await rebroadcast(tx, step.rebroadcast);
        logger.warn('no provider knows the transaction; broadcast its stored raw again', {
          txId: tx.txId,
          txHash: step.rebroadcast.txHash,
        });
        return noteRebroadcast(ledger, tx, 'dropped', epoch, at);
      }
      case 'resubmit': {
        // Send first, then note it: a crash in between only sends it again (same deduplication id,
        // and the signer treats a bump of a variant that is no longer the latest as done).
        const message: BumpMessage = {
          kind: 'bump',
          walletId: tx.walletId,
          txId: tx.txId,
          fromTxHash: step.fromTxHash,
        };
        await deps.sqs.send(
          new SendMessageCommand({
            QueueUrl: deps.signingQueueUrl,
            MessageBody: JSON.stringify(message),
            MessageGroupId: tx.walletId,
            MessageDeduplicationId: `bump-${tx.txId}-${step.fromTxHash}`.slice(0, 128),
          }),
        );
        logger.info('asked the signer for a fee bump', {
          txId: tx.txId,
          fromTxHash: step.fromTxHash,
          waited: step.waitedSeconds,
        });
        return noteBumpRequested(ledger, tx, step.fromTxHash, epoch, at);
      }
      case 'superseded': {
        logger.error('the nonce was used on chain by another transaction; quarantined', {
          txId: tx.txId,
          nonce: tx.nonce,
          supersededBy: step.by,
        });
        return markSuperseded(ledger, tx, step.by, epoch, at);
      }
      case 'nothing':
        return 'skipped';
    }
  }

  /** One walk over the open transactions of `address` at `epoch`. */
  async function walk(
    address: string,
    epoch: number,
    mayBroadcast = true,
    deadline = Number.POSITIVE_INFINITY,
  ): Promise<WalkReport> {
    const head = await chain.blockNumber();
    const steps: Array<WalkReport['steps'][number]> = [];
    let pending = 0;
    let stuck = 0;
    let oldest = 0;
    // One step per transaction per walk: a transaction moved by this walk shows up in the next
    // status's partition, and is left for the next walk.
    const seen = new Set<string>();
    for (const status of WALKED) {
      const txs = (await listTransactionsByStatus(ledger, address, status)) as ChainTransaction[];
      for (const tx of txs) {
        if (isCanary(tx) || seen.has(tx.txId)) continue;
        seen.add(tx.txId);
        const variants = trackedVariants(tx);
        if (tx.status === STUCK) stuck += 1;
        if (tx.status === 'signed' || tx.status === 'broadcast') {
          pending += 1;
          const first = variants[0]?.signedAt ?? tx.broadcastAt ?? tx.signedAt;
          if (first !== undefined) oldest = Math.max(oldest, (now() - Date.parse(first)) / 1000);
        }
        if (now() > deadline) {
          // Counted above (the metrics stay whole); its step waits for the next run.
          steps.push({ txId: tx.txId, step: 'nothing', outcome: 'deferred' });
          continue;
        }
        try {
          const view = trackedView(tx);
          const observation = await observe(tx, variants, head);
          let step = nextStep(view, observation, settings, now());
          // Unmined and about to be broadcast again or bumped: first ask whether another transaction
          // already used its nonce, confirmations deep (then neither can ever help).
          if ((step.kind === 'dropped' || step.kind === 'resubmit') && tx.nonce !== undefined) {
            const depth = head - BigInt(settings.confirmations - 1);
            const by =
              depth < 0n
                ? undefined
                : await chain.nonceHolder(
                    address,
                    tx.nonce,
                    depth,
                    variants.map((v) => v.txHash),
                  );
            if (by !== undefined) step = nextStep(view, { ...observation, supersededBy: by }, settings, now());
          }
          const outcome = await apply(tx, step, epoch, mayBroadcast);
          steps.push({ txId: tx.txId, step: step.kind, outcome });
        } catch (err) {
          logger.error('could not track a transaction; trying again next poll', { txId: tx.txId, error: err as Error });
          steps.push({ txId: tx.txId, step: 'nothing', outcome: 'failed' });
        }
      }
    }
    emf(regionDims(), {
      [CHAIN_METRICS.pendingTransactions]: { value: pending, unit: 'Count' },
      [CHAIN_METRICS.stuckTransactions]: { value: stuck, unit: 'Count' },
      [CHAIN_METRICS.oldestPendingSeconds]: { value: Math.round(oldest), unit: 'Seconds' },
    });
    return { epoch, steps, pending, stuck, oldestPendingSeconds: Math.round(oldest) };
  }

  /** One scheduled run: provider metrics, then walks while this region holds the lease. */
  async function run(): Promise<RunReport> {
    const started = now();
    const runFor = deps.runForMs ?? 50_000;
    const deadline = started + (deps.stepDeadlineMs ?? Math.max(runFor, CHAIN_WATCHER_STEP_DEADLINE_MS));
    const providers = await chain.refresh();
    publishProviders(providers);
    const address = (await deps.address()).toLowerCase();
    const walks: WalkReport[] = [];
    for (;;) {
      const lease = await readLease(ledger, address);
      if (lease === undefined || lease.activeRegion !== deps.region) {
        if (walks.length === 0) {
          logger.info('not the lease holder: publishing provider metrics only', {
            region: deps.region,
            holder: lease?.activeRegion,
          });
        }
        break;
      }
      const reconciled = deps.consistency !== 'MREC' || lease.reconciledEpoch === lease.epoch;
      const walkStarted = now();
      walks.push(await walk(address, lease.epoch, reconciled, deadline));
      const lastWalkMs = now() - walkStarted;
      // Another walk only if one as long as the last still starts within runFor.
      if (now() - started + settings.receiptPollSeconds * 1000 + lastWalkMs > runFor) break;
      await sleep(settings.receiptPollSeconds * 1000);
    }
    return { region: deps.region, holder: walks.length > 0, providers, walks };
  }

  return { run, walk };
}
