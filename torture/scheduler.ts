import type { Rng } from '../lib/failover/random';

/**
 * A deterministic cooperative scheduler in virtual time. Every actor (a client, a signer poller, the
 * operator, the replicator) is an async function; each SDK call and each sleep is a yield point
 * (`gate`). The driver lets exactly one waiting actor proceed at a time, chosen by the seeded
 * generator, and runs it until its next yield point. So every interleaving of calls - including a
 * pause of any length between any two calls of one actor - is reachable, and a seed replays one
 * interleaving exactly. Actors are told apart by their own SDK clients (torture/aws.ts), not by
 * async context (AsyncLocalStorage would cost more than the whole simulated AWS). Nothing here waits on a real timer (except to let a stray one fire).
 */
export interface ActorContext {
  readonly name: string;
  readonly region: string;
  /** Free-form per-invocation state (the fault layer's bug seams keep what they hid here). */
  readonly scratch: Map<string, unknown>;
}

interface Waiter {
  readonly notBefore: number;
  readonly resolve: () => void;
}

export class Scheduler {
  /** Virtual time, ms since the schedule started. */
  now = 0;
  private readonly waiting: Waiter[] = [];
  private running = 0;
  private readonly timers: Array<{ at: number; fire: () => void }> = [];
  steps = 0;
  static slowWaits = 0;

  constructor(private readonly rng: Rng) {}

  /** Starts an actor; it runs only when the driver picks it. */
  spawn(body: () => Promise<void>): Promise<void> {
    this.running += 1;
    return (async () => {
      try {
        await this.gate();
        await body();
      } finally {
        this.running -= 1;
      }
    })();
  }

  /** A yield point: the caller proceeds when the driver picks it (not before `now + delayMs`). */
  gate(delayMs = 0): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ notBefore: this.now + delayMs, resolve });
    });
  }

  sleep(ms: number): Promise<void> {
    return this.gate(ms);
  }

  /** Runs `fire` when virtual time reaches `at` (replication deliveries, visibility timeouts). */
  at(at: number, fire: () => void): void {
    this.timers.push({ at, fire });
  }

  /** Called whenever virtual time advances (the replicator delivers what is due). */
  onTick?: () => void;

  /** Drives until every actor finished or `until` (virtual ms) is reached. Returns false on timeout. */
  async drive(until: number, stepMs: number): Promise<boolean> {
    for (;;) {
      await this.quiesce();
      if (this.running === 0) return true;
      this.fireTimers();
      const eligible = this.waiting.filter((w) => w.notBefore <= this.now);
      if (eligible.length === 0) {
        const next = Math.min(
          ...this.waiting.map((w) => w.notBefore),
          ...this.timers.map((t) => t.at),
          Number.POSITIVE_INFINITY,
        );
        if (!Number.isFinite(next)) return false;
        this.now = Math.max(this.now, next);
        if (this.now > until) return false;
        continue;
      }
      this.onTick?.();
      const pick = eligible[Math.floor(this.rng.next() * eligible.length)];
      this.waiting.splice(this.waiting.indexOf(pick), 1);
      this.now += stepMs;
      this.steps += 1;
      if (this.now > until) return false;
      pick.resolve();
    }
  }

  private fireTimers(): void {
    const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at);
    for (const t of due) {
      this.timers.splice(this.timers.indexOf(t), 1);
      t.fire();
    }
  }

  /** Waits until every running actor is parked at a gate (their microtasks have drained). */
  private async quiesce(): Promise<void> {
    for (let spins = 0; this.waiting.length < this.running; spins++) {
      // A real timer (a library's own backoff) is the only thing that is not a gate: let it fire.
      if (spins === 50) Scheduler.slowWaits += 1;
      await new Promise<void>((resolve) => (spins < 50 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
}
