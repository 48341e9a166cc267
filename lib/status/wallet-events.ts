import { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import {
  DegradedModeChangedDetail,
  LeaseMovedDetail,
  SwitchChangedDetail,
  WALLET_EVENT_SOURCE,
  WALLET_EVENTS,
  WalletEventKind,
} from '../contract/status';

/**
 * The one emitter of the wallet's own events (lease moved, failover switch changed, degraded mode
 * changed) for the status page. Remediation (lambda/remediation/wiring.ts) and the drill
 * (lib/drill/aws-target.ts, so also the simulated target) call it after a change succeeded.
 *
 * Where the events go: `PutEvents` with no `EventBusName` puts them on the caller region's default
 * bus (PutEventsRequestEntry, EventBusName: "Only the rules that are associated with this event bus
 * are used to match the event. If you omit this, the default event bus is used."), and a region's
 * status updater rule matches `source: wallet.resilience` with the
 * WALLET_EVENTS detail types on its own default bus (lib/constructs/status-updater.ts). So the
 * emitter calls PutEvents once in EACH wallet region (a client per region): no cross-region rule
 * whose source region could be the one that is down. Both updaters then see the same change; the
 * updater applies it once (its key is built from the detail, identical in both copies, and the
 * state object is written with If-Match), so the page and the subscribers see it once.
 *
 * Never blocks or fails the failover: {@link WalletEventEmitter.emit} returns at once and never
 * throws; the puts run in the background with bounded retries. PutEvents can succeed as a call and
 * still refuse an entry ("Sending events with PutEvents": "if an individual entry within a request
 * fails, EventBridge continues processing the rest ... You must detect unsuccessful entries and
 * include them in a subsequent call"), so a refused entry counts as a failure too; only the entry
 * codes PutEventsResultEntry lists as retryable (InternalFailure, ThrottlingException) are retried,
 * a refusal such as AccessDeniedException or NotAuthorizedForSourceException is not. A put still failing after the last attempt is
 * logged and counted ({@link WalletEventEmitterOptions.onUndelivered}, the metric
 * WALLET_EVENT_UNDELIVERED_METRIC). A retry after a lost response may deliver an event twice; the
 * updater's key makes the second a no-op.
 */

export type WalletEventDetail<K extends WalletEventKind> = K extends 'leaseMoved'
  ? LeaseMovedDetail
  : K extends 'switchChanged'
    ? SwitchChangedDetail
    : DegradedModeChangedDetail;

/** What happened to one event on one region's bus. */
export interface EmitOutcome {
  readonly kind: WalletEventKind;
  readonly region: string;
  readonly delivered: boolean;
  readonly attempts: number;
  readonly eventId?: string;
  readonly error?: string;
}

/** The part of an EventBridge client the emitter uses (the real client, guarded or simulated). */
export interface EventsSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

export interface WalletEventEmitterOptions {
  /** Every wallet region: the event goes to each region's default bus. */
  readonly regions: readonly string[];
  readonly client: (region: string) => EventsSender;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
  /** Called once per event and region that was not delivered after the last attempt (the metric). Errors are logged. */
  readonly onUndelivered?: (outcome: EmitOutcome) => void | Promise<void>;
  /** @default 3 */
  readonly attempts?: number;
  /** First backoff; doubled per retry. @default 200 */
  readonly backoffMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Entry error codes PutEventsResultEntry documents as retryable; any other refusal is final. */
const RETRYABLE_ENTRY_ERRORS = ['InternalFailure', 'ThrottlingException'];

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WalletEventEmitter {
  private readonly pending: Array<Promise<EmitOutcome[]>> = [];

  constructor(private readonly options: WalletEventEmitterOptions) {}

  /** Starts putting the event on every region's bus and returns at once; never throws. */
  emit<K extends WalletEventKind>(kind: K, detail: WalletEventDetail<K>): void {
    const started = Promise.all(this.options.regions.map((region) => this.put(kind, detail, region)));
    this.pending.push(started);
  }

  /** Waits for every event started so far (a Lambda must not return before them); never rejects. */
  async flush(): Promise<EmitOutcome[]> {
    const all = this.pending.splice(0);
    return (await Promise.all(all)).flat();
  }

  private async put<K extends WalletEventKind>(
    kind: K,
    detail: WalletEventDetail<K>,
    region: string,
  ): Promise<EmitOutcome> {
    const attempts = Math.max(1, this.options.attempts ?? 3);
    const sleep = this.options.sleep ?? defaultSleep;
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const out = await this.options.client(region).send(
          new PutEventsCommand({
            Entries: [
              {
                Source: WALLET_EVENT_SOURCE,
                DetailType: WALLET_EVENTS[kind],
                Detail: JSON.stringify(detail),
                Time: new Date(detail.at),
              },
            ],
          }),
        );
        const entry = out.Entries?.[0];
        if ((out.FailedEntryCount ?? 0) === 0 && entry?.ErrorCode === undefined) {
          return {
            kind,
            region,
            delivered: true,
            attempts: attempt,
            ...(entry?.EventId ? { eventId: entry.EventId } : {}),
          };
        }
        error = `entry refused: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`.trim();
        if (entry?.ErrorCode !== undefined && !RETRYABLE_ENTRY_ERRORS.includes(entry.ErrorCode)) {
          return this.undelivered({ kind, region, delivered: false, attempts: attempt, error }, detail);
        }
      } catch (err) {
        error = `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
      }
      if (attempt < attempts) await sleep((this.options.backoffMs ?? 200) * 2 ** (attempt - 1));
    }
    return this.undelivered({ kind, region, delivered: false, attempts, error }, detail);
  }

  private async undelivered<K extends WalletEventKind>(
    outcome: EmitOutcome,
    detail: WalletEventDetail<K>,
  ): Promise<EmitOutcome> {
    const { kind, region } = outcome;
    this.options.log('error', `status event not delivered to ${region}'s default bus; the failover goes on`, {
      ...outcome,
      detailType: WALLET_EVENTS[kind],
      detail,
    });
    try {
      await this.options.onUndelivered?.(outcome);
    } catch (err) {
      this.options.log('error', 'could not count the undelivered status event', { region, error: String(err) });
    }
    return outcome;
  }
}

/** The Embedded Metric Format fields for one undelivered event (a Lambda logs them; CloudWatch extracts the metric). */
export function undeliveredMetricLogFields(
  envName: string,
  outcome: EmitOutcome,
  now: Date,
  metric: { namespace: string; name: string; dimensions: { environment: string; region: string } },
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: metric.namespace,
          Dimensions: [[metric.dimensions.environment, metric.dimensions.region]],
          Metrics: [{ Name: metric.name, Unit: 'Count' }],
        },
      ],
    },
    [metric.dimensions.environment]: envName,
    [metric.dimensions.region]: outcome.region,
    [metric.name]: 1,
  };
}
