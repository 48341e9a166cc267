import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { canaryName, CanaryKind } from '../contract/canary';
import { COMPONENT_IDS, ComponentId, STATUS_HISTORY_DAYS } from '../contract/status';
import { Change } from './incidents';
import { initialState, INLINE_AUDIT_ENTRIES, StatusState, UptimeDay } from './model';
import { commitChange, CommitResult } from './publish';
import { UpdaterDeps } from './updater';

/**
 * 90 days of daily uptime per component, from the canaries' `SuccessPercent` (CloudWatch
 * Synthetics publishes it per canary, namespace `CloudWatchSynthetics`, dimension `CanaryName`),
 * daily averages. Which canary measures which component:
 * - Public API: the public-name canary (api.<zone> as users see it), both regions averaged;
 * - Transaction intake, Signing: the canary transaction (accepted and signed within its bound), both regions;
 * - each region: its own deep-health canary.
 * A day without data is `null` (shown as "no data"), never 100 %.
 */
export const COMPONENT_CANARIES: Record<
  ComponentId,
  { readonly kind: CanaryKind; readonly regions: 'both' | 'primary' | 'standby' }
> = {
  'public-api': { kind: 'public-name', regions: 'both' },
  'transaction-intake': { kind: 'transaction', regions: 'both' },
  signing: { kind: 'transaction', regions: 'both' },
  'region-primary': { kind: 'deep-health', regions: 'primary' },
  'region-standby': { kind: 'deep-health', regions: 'standby' },
};

export interface HistorySource {
  /** Daily average SuccessPercent of a canary in a region, by UTC date (YYYY-MM-DD). */
  daily(kind: CanaryKind, region: string, end: Date, days: number): Promise<Map<string, number>>;
}

export function cloudWatchHistorySource(
  client: (region: string) => CloudWatchClient,
  envName: string,
  _regions: readonly string[],
): HistorySource {
  return {
    async daily(kind, region, end, days) {
      const endDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate()));
      const out = await client(region).send(
        new GetMetricDataCommand({
          StartTime: new Date(endDay.getTime() - days * 86_400_000),
          EndTime: endDay,
          MetricDataQueries: [
            {
              Id: 'success',
              MetricStat: {
                Metric: {
                  Namespace: 'CloudWatchSynthetics',
                  MetricName: 'SuccessPercent',
                  Dimensions: [{ Name: 'CanaryName', Value: canaryName(envName, kind) }],
                },
                Period: 86_400,
                Stat: 'Average',
              },
            },
          ],
        }),
      );
      const r = out.MetricDataResults?.[0];
      const map = new Map<string, number>();
      (r?.Timestamps ?? []).forEach((t, i) => map.set(new Date(t).toISOString().slice(0, 10), r!.Values![i]));
      return map;
    },
  };
}

/** The history as of `end` (the days before it), from the source. */
export async function computeHistory(
  source: HistorySource,
  regions: { primary: string; standby: string },
  end: Date,
  days = STATUS_HISTORY_DAYS,
): Promise<Record<ComponentId, UptimeDay[]>> {
  const cache = new Map<string, Promise<Map<string, number>>>();
  const series = (kind: CanaryKind, region: string) => {
    const key = `${kind}@${region}`;
    if (!cache.has(key)) cache.set(key, source.daily(kind, region, end, days));
    return cache.get(key)!;
  };
  const endDay = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
  const dates = Array.from({ length: days }, (_, k) =>
    new Date(endDay - (days - k) * 86_400_000).toISOString().slice(0, 10),
  );
  const result = {} as Record<ComponentId, UptimeDay[]>;
  for (const id of COMPONENT_IDS) {
    const c = COMPONENT_CANARIES[id];
    const regionList = c.regions === 'both' ? [regions.primary, regions.standby] : [regions[c.regions]];
    const maps = await Promise.all(regionList.map((r) => series(c.kind, r)));
    result[id] = dates.map((date) => {
      const values = maps.map((m) => m.get(date)).filter((v): v is number => v !== undefined);
      return {
        date,
        uptimePercent:
          values.length === 0 ? null : Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 100) / 100,
      };
    });
  }
  return result;
}

/** The daily job: recompute the history and commit it (both regions run it; the second changes nothing). */
export async function refreshHistory(deps: UpdaterDeps, source: HistorySource): Promise<CommitResult> {
  const now = deps.now();
  const history = await computeHistory(source, deps.page.regions, now);
  return commitChange(
    deps.replicas,
    () => initialState(deps.page, now.toISOString()),
    (state): Change => {
      if (JSON.stringify(state.history) === JSON.stringify(history)) return { state, notifications: [] };
      const next: StatusState = {
        ...state,
        history,
        revision: state.revision + 1,
        updatedAt: now.toISOString(),
        audit: [
          ...state.audit,
          { at: now.toISOString(), actor: deps.actor, reason: 'daily uptime from canary metrics', action: 'history' },
        ].slice(-INLINE_AUDIT_ENTRIES),
      };
      return { state: next, notifications: [] };
    },
    deps.notifier,
    { key: `history-${now.toISOString().slice(0, 10)}`, now: deps.now },
  );
}
