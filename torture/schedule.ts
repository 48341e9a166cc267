import { createRng } from '../lib/failover/random';

/**
 * A schedule: everything one torture run does, derived from a seed and replayable as data (the
 * shrinker removes parts of it; `--replay` runs exactly one). Times are virtual milliseconds.
 */
export const FAULT_KINDS = ['lost-response', 'timeout', 'throttle', 'pause', 'duplicate'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const OPS = ['failover', 'reconcile', 'gaps', 'partition', 'heal-partition', 'isolate', 'restore'] as const;
/**
 * `remediate`: one delivery of an alarm transition to the standby's remediation handler (its own
 * actor, racing the operator's drill steps). Not in OPS: remediations are drawn after everything
 * else, so a seed's requests, drill steps and faults are the same as before remediation was added.
 */
export type OpKind = (typeof OPS)[number] | 'remediate';

export interface Fault {
  /**
   * The n-th SDK call of the run (every actor's calls counted in the order they are made), or with
   * `command`, the n-th call of that command (so faults land on the writes that matter).
   */
  readonly call: number;
  readonly command?: string;
  readonly kind: FaultKind;
  /** For `pause`: how long the caller stops before the call. */
  readonly ms?: number;
}

/** The commands a targeted fault aims at: the safety writes, KMS Sign and the queue send. */
export const TARGETED_COMMANDS = ['UpdateItemCommand', 'PutItemCommand', 'SignCommand', 'SendMessageCommand'] as const;

export interface Op {
  readonly at: number;
  readonly op: OpKind;
  /** For `isolate`/`restore`: which region (0 primary, 1 standby). */
  readonly region?: 0 | 1;
  /**
   * For `remediate`: which alarm transition is delivered (the standby's peer-deep-health probe going
   * ALARM). Two deliveries of one transition are EventBridge's at-least-once duplicate; each
   * delivery is its own invocation (own request id) and Lambda retries a failed one twice.
   */
  readonly transition?: number;
}

/**
 * Faults of the chain's RPC providers (torture/sim/providers.ts), each over a window of virtual time:
 * - `down`: refuses connections; `slow`: answers after the request timeout (the client gives up; a
 *   send may still have reached the node: `reaches`);
 * - `head-stuck`: stops syncing (its head and its nonce answers freeze where the window starts);
 * - `stale-nonce`: answers eth_getTransactionCount `behind` lower than the network;
 * - `swallow`: answers eth_sendRawTransaction with the hash and forwards nothing (a mempool drop);
 * - `wrong-chain-id`: answers another chain id (the pool refuses it for good).
 */
export const CHAIN_FAULT_KINDS = ['down', 'slow', 'head-stuck', 'stale-nonce', 'swallow', 'wrong-chain-id'] as const;
export type ChainFaultKind = (typeof CHAIN_FAULT_KINDS)[number];
/** The providers in front of the simulated chain, in config order. */
export const CHAIN_PROVIDERS = ['rpc-a', 'rpc-b', 'rpc-c'] as const;

export interface ChainFault {
  /** Index into CHAIN_PROVIDERS. */
  readonly provider: number;
  readonly kind: ChainFaultKind;
  /** Virtual ms: active from `from` (inclusive) to `to` (exclusive); may outlast `healAt`. */
  readonly from: number;
  readonly to: number;
  /** For `stale-nonce`: how many nonces behind the network it answers. */
  readonly behind?: number;
  /** For `slow`: whether a send reached the node although the reply came too late. */
  readonly reaches?: boolean;
}

export interface ClientRequest {
  /** The idempotency key's number (one payload per key). */
  readonly key: number;
  readonly at: number;
  /** Where the client sends it: the API name (follows the switch) or a regional name. */
  readonly via: 'dns' | 0 | 1;
}

export interface Schedule {
  readonly seed: number;
  readonly consistency: 'MRSC' | 'MREC';
  readonly requests: readonly ClientRequest[];
  readonly ops: readonly Op[];
  readonly faults: readonly Fault[];
  /** Clock skew of each region's functions (ms). */
  readonly skewMs: readonly [number, number];
  /** MREC replication lag (ms). */
  readonly lagMs: number;
  /** The fault window: every AWS fault heals at this time (provider faults may last longer). */
  readonly healAt: number;
  /**
   * Provider faults, all on ONE provider of the three (the single-fault model the pool's
   * agreement-of-two nonce read is built for; docs/chain.md "Tortured").
   * @default none - a schedule recorded before provider faults joined the harness
   */
  readonly chainFaults?: readonly ChainFault[];
  /**
   * Scheduled runs of the sweeper (lambda/sweeper: the hot-to-cold sweep). With any, the hot address
   * starts funded with `SWEEP_CEILING_WEI + sweepExcessWei` and the sweep wallet is registered.
   * @default none - a schedule recorded before the sweeper joined the harness
   */
  readonly sweeps?: readonly SweepRunOp[];
  /** The wei above the float ceiling the hot address starts with (decimal string). */
  readonly sweepExcessWei?: string;
  /**
   * Faults on the sweeper's own SDK calls, counted over its calls only (`call`: the n-th sweeper
   * call, or with `command` the n-th of that command), so a seed's other faults land where they did.
   */
  readonly sweepFaults?: readonly Fault[];
}

/**
 * One scheduled invocation of a region's sweeper. `copies: 2`: EventBridge Scheduler's at-least-once
 * duplicate (or an overlapping run), two invocations at once, each its own container.
 */
export interface SweepRunOp {
  readonly at: number;
  readonly region: 0 | 1;
  readonly copies?: 1 | 2;
}

/** The torture float ceiling (wei): far above what the clients' withdrawals (about 1000 wei + fees) move. */
export const SWEEP_CEILING_WEI = 10_000_000_000_000_000n;
/** The smallest sweep (wei): above the worst-case fee of a transfer (21000 x 20 gwei). */
export const SWEEP_MINIMUM_WEI = 1_000_000_000_000_000n;

export function generateSchedule(seed: number, consistency: 'MRSC' | 'MREC'): Schedule {
  const rng = createRng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
  const healAt = 30_000;
  const requests: ClientRequest[] = [];
  const nRequests = int(2, 5);
  for (let k = 0; k < nRequests; k++) {
    requests.push({ key: k, at: int(0, healAt - 5_000), via: rng.next() < 0.75 ? 'dns' : pick([0, 1] as const) });
  }
  const ops: Op[] = [];
  const nOps = int(0, 4);
  for (let i = 0; i < nOps; i++) {
    const op = pick(consistency === 'MREC' ? OPS : OPS.filter((o) => o !== 'partition' && o !== 'heal-partition'));
    ops.push({
      at: int(0, healAt),
      op,
      ...(op === 'isolate' || op === 'restore' ? { region: pick([0, 1] as const) } : {}),
    });
  }
  if (rng.next() < 0.6) ops.push({ at: int(0, healAt), op: 'failover' });
  ops.sort((a, b) => a.at - b.at);
  const faults: Fault[] = [];
  const nFaults = int(0, 16);
  for (let i = 0; i < nFaults; i++) {
    const kind = pick(FAULT_KINDS);
    const targeted = rng.next() < 0.5;
    faults.push({
      call: targeted ? int(1, 12) : int(1, 200),
      kind,
      ...(targeted ? { command: pick(TARGETED_COMMANDS) } : {}),
      ...(kind === 'pause' ? { ms: pick([50, 500, 5_000, 40_000]) } : {}),
    });
  }
  faults.sort((a, b) => a.call - b.call);
  const skewMs: [number, number] = [int(-120_000, 120_000), int(-120_000, 120_000)];
  const lagMs = pick([0, 200, 2_000, 10_000]);
  // Automatic failovers: drawn last (see OpKind), in about half the schedules, one to three
  // deliveries of one or two transitions, at random points of the fault window.
  if (rng.next() < 0.5) {
    const nRemediations = int(1, 3);
    for (let i = 0; i < nRemediations; i++) ops.push({ at: int(0, healAt), op: 'remediate', transition: int(0, 1) });
    ops.sort((a, b) => a.at - b.at);
  }
  // Provider faults: drawn after everything else (so a seed's AWS faults, operations and requests are
  // the same as before they were added), in about 70% of the schedules, one to three windows on one
  // provider. Unlike the AWS faults they may outlast the heal (a provider that lies is not fixed
  // because the operator starts the runbook; with one faulty provider of three the wallet must
  // settle anyway): a window starts in the fault window and lasts 3 s to the whole run.
  const chainFaults: ChainFault[] = [];
  if (rng.next() < 0.7) {
    const provider = int(0, CHAIN_PROVIDERS.length - 1);
    const nChainFaults = int(1, 3);
    for (let i = 0; i < nChainFaults; i++) {
      const kind = pick(CHAIN_FAULT_KINDS);
      const from = int(0, healAt);
      const to = from + pick([3_000, 10_000, 30_000, 100_000, 400_000]);
      chainFaults.push({
        provider,
        kind,
        from,
        to,
        ...(kind === 'stale-nonce' ? { behind: int(1, 3) } : {}),
        ...(kind === 'slow' ? { reaches: rng.next() < 0.5 } : {}),
      });
    }
    chainFaults.sort((a, b) => a.from - b.from);
  }
  // Sweeper runs: drawn after everything else (a seed's earlier draws are unchanged), in about 40% of
  // the schedules: two to four invocations spread over the fault window and the first 20 s of the
  // settle phase (after the heal, under MREC once the runbook reconciled), some duplicated.
  const sweeps: SweepRunOp[] = [];
  let sweepExcessWei: string | undefined;
  const sweepFaults: Fault[] = [];
  if (rng.next() < 0.4) {
    sweepExcessWei = (SWEEP_MINIMUM_WEI * BigInt(int(2, 40))).toString();
    const nSweeps = int(2, 4);
    for (let i = 0; i < nSweeps; i++) {
      sweeps.push({
        at: int(0, healAt + 20_000),
        region: rng.next() < 0.7 ? 0 : 1,
        ...(rng.next() < 0.3 ? { copies: 2 as const } : {}),
      });
    }
    sweeps.sort((a, b) => a.at - b.at);
    const nSweepFaults = int(0, 6);
    for (let i = 0; i < nSweepFaults; i++) {
      const kind = pick(FAULT_KINDS);
      const targeted = rng.next() < 0.6;
      sweepFaults.push({
        call: targeted ? int(1, 4) : int(1, 60),
        kind,
        ...(targeted ? { command: pick(['UpdateItemCommand', 'PutItemCommand', 'SendMessageCommand'] as const) } : {}),
        ...(kind === 'pause' ? { ms: pick([50, 500, 5_000, 40_000]) } : {}),
      });
    }
    sweepFaults.sort((a, b) => a.call - b.call);
  }
  return {
    seed,
    consistency,
    requests,
    ops,
    faults,
    skewMs,
    lagMs,
    healAt,
    chainFaults,
    ...(sweeps.length > 0 ? { sweeps, sweepExcessWei, sweepFaults } : {}),
  };
}

/**
 * The schedule as it was drawn before the sweeper joined the harness (its runs, funding and faults
 * left out): the sweep transactions the signers sign move the other actors' calls, so a scenario
 * recorded at a seed before then is replayed this way.
 */
export function withoutSweeper(schedule: Schedule): Schedule {
  const { sweeps, sweepExcessWei, sweepFaults, ...before } = schedule;
  void sweeps;
  void sweepExcessWei;
  void sweepFaults;
  return before;
}

/** The schedule as one argument for `--replay`. */
export const encodeSchedule = (s: Schedule): string => Buffer.from(JSON.stringify(s)).toString('base64url');

export function decodeSchedule(text: string): Schedule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new Error(
      `--replay takes the schedule the torture run printed (base64url JSON); received ${text.slice(0, 40)}...`,
    );
  }
  const s = parsed as Schedule;
  if (typeof s?.seed !== 'number' || !Array.isArray(s.requests) || !Array.isArray(s.faults) || !Array.isArray(s.ops)) {
    throw new Error(
      '--replay: the decoded schedule lacks seed, requests, ops or faults; copy the whole replay argument',
    );
  }
  return s;
}
