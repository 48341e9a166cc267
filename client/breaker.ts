/**
 * One region's circuit. `failureThreshold` consecutive region faults (network errors, 5xx,
 * IdempotencyNotProven; not throttles, not final answers) open it: new requests then start in the
 * other region, and the client probes this one's `/health` every probeIntervalMs. Any answer that
 * is not a region fault, or a passing probe, closes it. An open circuit orders regions; it never
 * refuses a request: when every circuit is open, requests still go, oldest-open region first.
 */
export class CircuitBreaker {
  private failures = 0;
  private opened: number | undefined;

  constructor(
    readonly region: string,
    private readonly threshold: number,
    private readonly onChange: (state: 'open' | 'closed', failures: number) => void,
  ) {}

  /** When the circuit opened; undefined while closed. */
  get openedAt(): number | undefined {
    return this.opened;
  }

  isOpen(): boolean {
    return this.opened !== undefined;
  }

  failure(now: number): void {
    this.failures += 1;
    if (this.opened === undefined && this.failures >= this.threshold) {
      this.opened = now;
      this.onChange('open', this.failures);
    }
  }

  success(): void {
    const wasOpen = this.opened !== undefined;
    this.failures = 0;
    this.opened = undefined;
    if (wasOpen) this.onChange('closed', 0);
  }
}
