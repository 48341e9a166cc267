import { randomUUID } from 'node:crypto';
import type { ChainNonceSource } from '../../lib/contract/chain-io';
import type { Consistency, TxStatus } from '../../lib/contract/ledger';
import {
  SWEEP_DIMENSIONS,
  SWEEP_DONE_STATUSES,
  SWEEP_FAILED_STATUSES,
  SWEEP_GAS_LIMIT,
  SWEEP_METRICS,
  sweepIdempotencyKey,
  sweepMetricNamespace,
  type SweeperSettings,
} from '../../lib/contract/sweep';
import { type Lease, readLease } from '../../lib/failover/lease';
import {
  getTransaction,
  getWallet,
  type Ledger,
  listTransactionsByStatus,
  type TransactionRecord,
} from '../shared/ledger';
import type { Logger } from '../shared/logger';
import type { TxRequest } from '../shared/signing';
import {
  adoptSweep,
  claimSweep,
  closeSweep,
  markSubmitted,
  readControl,
  recordSweepTx,
  type SweepControl,
} from './control';

/**
 * The sweeper (issue 21; docs/spending-policy.md "Hot/cold"): a scheduled function in both regions
 * that acts only in the region holding the signing lease. Above the float ceiling it requests ONE
 * transfer of the excess, from the cold-only sweep wallet to the cold address, through the API's own
 * intake code (validation, degraded mode, the MREC intake fence, idempotency, the spending policy at
 * intake) and so through the signer, which evaluates the policy again before it signs. It never signs
 * and holds no key permission: it reads the address from the sweep wallet's record.
 *
 *   excess = balance (latest block, through the provider pool)
 *            - sum over the hot address's transactions not yet mined (value + gasLimit x maxFeePerGas)
 *            - floatCeilingWei
 *
 * A sweep starts only when the excess is at least `minimumSweepWei` and no other sweep is in flight
 * (the sweep-control item, ./control.ts); it ends when its transaction is confirmed (or cancelled,
 * rejected, expired: failed). A quarantined sweep stays in flight until an operator resolves it.
 */

/** The API's intake as the sweeper calls it (./intake.ts runs the API handler in-process). */
export interface SweepIntake {
  submit(
    walletId: string,
    idempotencyKey: string,
    request: TxRequest,
  ): Promise<{ readonly statusCode: number; readonly txId?: string; readonly error?: string }>;
}

export interface SweeperDeps {
  readonly region: string;
  readonly envName: string;
  readonly ledger: Ledger;
  readonly settings: SweeperSettings;
  readonly chainId: number;
  /** @default 'MRSC' */
  readonly consistency?: Consistency;
  /** The hot address's balance at the latest block, through the provider pool. */
  readonly balance: (address: string) => Promise<bigint>;
  /**
   * The network's pending transaction count of the hot address (lib/chain/pool.ts
   * poolHighestNonceSource: the highest answer of any healthy provider, no agreement asked, because
   * this check only refuses; it fails when none answers). A count above the lease's nonce counter means a signer this
   * replica does not know of has used the key's nonces: the replica is behind (an MREC old holder
   * cut off from the new one), and what it counts as in flight is not all that is.
   */
  readonly chainNonce: ChainNonceSource;
  /** The first fees for a transfer now (lib/chain/fees.ts firstFees over eth_feeHistory): the sweep's fee ceilings. */
  readonly fees: () => Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>;
  readonly intake: SweepIntake;
  readonly logger: Logger;
  /** Receives each Embedded Metric Format document (index.ts writes it as one JSON line). */
  readonly emitMetrics: (emf: Record<string, unknown>) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newSweepId?: () => string;
  /** Test seam: called after the first lease read, before anything is written (a lease moving mid-run). */
  readonly afterLeaseRead?: () => Promise<void>;
}

export type SweepRun =
  | { readonly kind: 'not-holder'; readonly holder?: string }
  | { readonly kind: 'not-reconciled'; readonly epoch: number }
  | { readonly kind: 'in-flight'; readonly sweepId: string; readonly txId?: string; readonly status?: TxStatus }
  | { readonly kind: 'balance-unreadable'; readonly error: string }
  | { readonly kind: 'nonce-unreadable'; readonly error: string }
  | {
      readonly kind: 'replica-behind';
      readonly chainNonce: number;
      readonly ledgerNextNonce: number;
      readonly excessWei: bigint;
    }
  | {
      readonly kind: 'below-minimum';
      readonly excessWei: bigint;
      readonly balanceWei: bigint;
      readonly pendingWei: bigint;
    }
  | { readonly kind: 'busy'; readonly sweepId?: string }
  | { readonly kind: 'lease-lost'; readonly sweepId: string }
  | { readonly kind: 'submitted'; readonly sweepId: string; readonly txId: string; readonly amountWei: bigint }
  | { readonly kind: 'refused'; readonly sweepId: string; readonly reason: string }
  | { readonly kind: 'intake-failed'; readonly sweepId: string; readonly reason: string };

/** Not yet mined (or possibly signed and broadcast): their value and worst-case fee are still to leave the hot address. */
export const UNMINED_STATUSES: readonly TxStatus[] = [
  'pending-approval',
  'queued',
  'nonce-assigned',
  'signed',
  'broadcast',
  'stuck',
  // A quarantined transaction may have been signed and broadcast: counted until an operator resolves it.
  'quarantined',
];

/** What an unmined transaction may still take from the hot address: its value and gasLimit x its fee cap. */
export function outgoingWei(tx: TransactionRecord): bigint {
  if (tx.request.canary === true) return 0n;
  const feeCap = BigInt(tx.signedMaxFeePerGas ?? tx.request.maxFeePerGas);
  return BigInt(tx.request.value) + BigInt(tx.request.gasLimit) * feeCap;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createSweeper(deps: SweeperDeps) {
  const now = deps.now ?? (() => new Date());
  const newSweepId = deps.newSweepId ?? randomUUID;
  const { ledger, settings, logger } = deps;
  const ceiling = BigInt(settings.floatCeilingWei);
  const minimum = BigInt(settings.minimumSweepWei);

  function metrics(values: Partial<Record<keyof typeof SWEEP_METRICS, number>>) {
    const names = Object.keys(values) as Array<keyof typeof SWEEP_METRICS>;
    if (names.length === 0) return;
    deps.emitMetrics({
      _aws: {
        Timestamp: now().getTime(),
        CloudWatchMetrics: [
          {
            Namespace: sweepMetricNamespace(deps.envName),
            Dimensions: [[SWEEP_DIMENSIONS.region]],
            Metrics: names.map((n) => ({ Name: SWEEP_METRICS[n], Unit: n === 'excessWei' ? 'None' : 'Count' })),
          },
        ],
      },
      [SWEEP_DIMENSIONS.region]: deps.region,
      ...Object.fromEntries(names.map((n) => [SWEEP_METRICS[n], values[n]])),
    });
  }

  const holds = (lease: Lease | undefined): lease is Lease => lease !== undefined && lease.activeRegion === deps.region;

  /** Submits the control item's sweep through intake (idempotent: same key, same request). */
  async function submit(control: SweepControl, epoch: number): Promise<SweepRun> {
    const sweepId = control.sweepId as string;
    if (control.state === 'claimed' || control.txId === undefined) {
      if (!(await markSubmitted(ledger, control, epoch, now().toISOString()))) {
        return { kind: 'busy', sweepId };
      }
    }
    let answer;
    try {
      answer = await deps.intake.submit(
        control.walletId as string,
        sweepIdempotencyKey(sweepId),
        control.request as TxRequest,
      );
    } catch (err) {
      logger.error('sweep intake failed; the next run submits the same sweep again', { sweepId, error: err as Error });
      return { kind: 'intake-failed', sweepId, reason: errorText(err) };
    }
    if (answer.statusCode === 202 && answer.txId !== undefined) {
      await recordSweepTx(ledger, { ...control, state: 'submitted' }, answer.txId);
      if (control.txId === undefined) metrics({ sweepsStarted: 1 });
      logger.info('sweep submitted', { sweepId, txId: answer.txId, amountWei: control.request?.value });
      return { kind: 'submitted', sweepId, txId: answer.txId, amountWei: BigInt(control.request?.value ?? '0') };
    }
    if (answer.statusCode >= 400 && answer.statusCode < 500) {
      // Refused for good (the policy, a wrong wallet, a conflicting key): end it, so a new one can start.
      const reason = `intake answered ${answer.statusCode}: ${answer.error ?? 'no detail'}`;
      await closeSweep(ledger, control, 'refused', now().toISOString(), reason);
      metrics({ sweepsFailed: 1 });
      logger.error('sweep refused by intake', { sweepId, reason });
      return { kind: 'refused', sweepId, reason };
    }
    // 5xx (degraded mode, the MREC intake fence, a throttled table): the same sweep is submitted next run.
    const reason = `intake answered ${answer.statusCode}: ${answer.error ?? 'no detail'}`;
    logger.warn('sweep not accepted yet; the next run submits the same sweep again', { sweepId, reason });
    return { kind: 'intake-failed', sweepId, reason };
  }

  /** Follows the sweep in flight; returns undefined when it has ended (a new one may start). */
  async function follow(control: SweepControl, lease: Lease): Promise<SweepRun | undefined> {
    let current = control;
    if (current.epoch < lease.epoch) {
      // A sweep of an older lease holder: continue it (never a second one beside it).
      if (!(await adoptSweep(ledger, current, lease.epoch, deps.region)))
        return { kind: 'busy', sweepId: current.sweepId };
      current = { ...current, epoch: lease.epoch, region: deps.region };
      logger.info('adopted the sweep of an earlier lease epoch', { sweepId: current.sweepId, from: control.epoch });
    } else if (current.epoch > lease.epoch) {
      return { kind: 'not-holder', holder: current.region };
    }
    if (current.state === 'claimed' || current.txId === undefined) return submit(current, lease.epoch);
    const tx = await getTransaction(ledger, current.walletId as string, current.txId, true);
    const status = tx?.status;
    const at = now().toISOString();
    if (status !== undefined && (SWEEP_DONE_STATUSES as readonly string[]).includes(status)) {
      await closeSweep(ledger, current, 'confirmed', at);
      logger.info('sweep confirmed', {
        sweepId: current.sweepId,
        txId: current.txId,
        amountWei: current.request?.value,
      });
      return undefined;
    }
    if (status !== undefined && (SWEEP_FAILED_STATUSES as readonly string[]).includes(status)) {
      await closeSweep(ledger, current, 'failed', at, `transaction ${current.txId} is ${status}`);
      metrics({ sweepsFailed: 1 });
      logger.error('sweep failed', { sweepId: current.sweepId, txId: current.txId, status });
      return undefined;
    }
    return { kind: 'in-flight', sweepId: current.sweepId as string, txId: current.txId, ...(status ? { status } : {}) };
  }

  async function pendingOutgoing(address: string): Promise<bigint> {
    let sum = 0n;
    for (const status of UNMINED_STATUSES) {
      for (const tx of await listTransactionsByStatus(ledger, address, status)) sum += outgoingWei(tx);
    }
    return sum;
  }

  /** One scheduled run. */
  async function run(): Promise<SweepRun> {
    const wallet = await getWallet(ledger, settings.sweepWalletId, true);
    if (wallet === undefined) {
      throw new Error(
        `the sweep wallet ${settings.sweepWalletId} (spending.cold.sweepWalletId) is not registered in the ledger; register it with the hot address`,
      );
    }
    const address = wallet.address.toLowerCase();
    // The network's nonce count BEFORE the lease: the holder's own counter is raised before its
    // signer signs (docs/lease-and-nonce.md), so a count read earlier can never exceed a counter read
    // later in the holder's own replica; a larger one is a signer this replica has not heard from.
    let chainNonce: number | undefined;
    let chainNonceError: unknown;
    try {
      chainNonce = await deps.chainNonce.pendingNonce(address);
    } catch (err) {
      chainNonceError = err;
    }
    const lease = await readLease(ledger, address);
    if (!holds(lease)) {
      return { kind: 'not-holder', ...(lease !== undefined ? { holder: (lease as Lease).activeRegion } : {}) };
    }
    if (deps.consistency === 'MREC' && lease.intakeOpenEpoch !== lease.epoch) {
      return { kind: 'not-reconciled', epoch: lease.epoch };
    }
    await deps.afterLeaseRead?.();
    const control = await readControl(ledger, address);
    if (control !== undefined && control.state !== 'idle') {
      const followed = await follow(control, lease);
      if (followed !== undefined) return followed;
    }

    let balance: bigint;
    try {
      balance = await deps.balance(address);
    } catch (err) {
      metrics({ balanceUnreadable: 1 });
      logger.error('hot balance unreadable: nothing swept', { address, error: err as Error });
      return { kind: 'balance-unreadable', error: errorText(err) };
    }
    const pending = await pendingOutgoing(address);
    const available = balance - pending;
    const excess = available > ceiling ? available - ceiling : 0n;
    metrics({ excessWei: Number(excess), aboveCeiling: excess >= minimum ? 1 : 0 });
    if (excess < minimum) return { kind: 'below-minimum', excessWei: excess, balanceWei: balance, pendingWei: pending };
    if (chainNonce === undefined) {
      // Without the network's count the sweep cannot show its replica knows every transaction in
      // flight; the float alarm sees this run as one that could not read the chain.
      metrics({ balanceUnreadable: 1 });
      logger.error('pending nonce unreadable: nothing swept', { address, error: chainNonceError as Error });
      return { kind: 'nonce-unreadable', error: errorText(chainNonceError) };
    }
    if (chainNonce > lease.nextNonce) {
      // After a partition and a failover under MREC the old holder's replica still names it holder
      // and counts none of the new holder's transactions (the torture harness, MREC seed 1052). Once
      // one of those has reached the network, this count shows it and nothing is claimed. One not yet
      // broadcast cannot be seen from here at all: the old holder's stopped signer and the intake
      // fence keep that sweep from being signed (it ends quarantined, for an operator).
      logger.warn('the network has used nonces this replica does not know of: nothing swept', {
        address,
        chainNonce,
        ledgerNextNonce: lease.nextNonce,
        epoch: lease.epoch,
      });
      return { kind: 'replica-behind', chainNonce, ledgerNextNonce: lease.nextNonce, excessWei: excess };
    }

    const fees = await deps.fees();
    const request: TxRequest = {
      to: settings.coldAddress.toLowerCase(),
      value: excess.toString(),
      gasLimit: SWEEP_GAS_LIMIT,
      maxFeePerGas: fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
      chainId: deps.chainId,
    };
    const sweepId = newSweepId();
    const claim = await claimSweep(ledger, {
      address,
      sweepId,
      epoch: lease.epoch,
      region: deps.region,
      walletId: settings.sweepWalletId,
      request,
      at: now().toISOString(),
    });
    if (!claim.claimed) return { kind: 'busy', ...(claim.control?.sweepId ? { sweepId: claim.control.sweepId } : {}) };
    // The lease again, after the claim: a holder that lost it meanwhile releases its claim unsubmitted.
    const after = await readLease(ledger, address);
    if (!holds(after) || after.epoch !== lease.epoch) {
      await closeSweep(ledger, claim.control, 'abandoned', now().toISOString(), 'the lease moved', lease.epoch);
      logger.warn('lease moved during the sweep run: claim released, nothing submitted', {
        sweepId,
        epoch: lease.epoch,
        now: after === undefined ? undefined : { region: after.activeRegion, epoch: after.epoch },
      });
      return { kind: 'lease-lost', sweepId };
    }
    return submit(claim.control, lease.epoch);
  }

  return { run };
}
