/**
 * A virtual-time event queue: events run in time order (ties in the order they were scheduled).
 * Nothing here sleeps; time only moves when the owner calls {@link EventQueue.runUntil}.
 */
interface QueuedEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: QueuedEvent[] = [];
  private seq = 0;
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  get now(): number {
    return this.current;
  }

  /** Schedules `run` at virtual time `at` (ms); a time in the past runs at the next step. */
  at(at: number, run: () => void): void {
    this.push({ at: Math.max(at, this.current), seq: this.seq++, run });
  }

  /** The time of the next event, if any. */
  peek(): number | undefined {
    return this.heap[0]?.at;
  }

  /**
   * Runs every event up to and including `until`, then sets the clock to `until`. Stops early (with
   * the clock at the last event run) when `stop()` turns true after an event.
   */
  runUntil(until: number, stop: () => boolean = () => false): void {
    while (this.heap.length > 0 && this.heap[0].at <= until) {
      const event = this.pop();
      this.current = event.at;
      event.run();
      if (stop()) return;
    }
    this.current = Math.max(this.current, until);
  }

  private push(e: QueuedEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): QueuedEvent {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: QueuedEvent, b: QueuedEvent): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
