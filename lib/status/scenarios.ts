import { COMPONENT_IDS, ComponentId, STATUS_HISTORY_DAYS } from '../contract/status';
import { ResilienceSettings } from '../failover/timing';
import { applyFacts, attachPostmortem, openIncident, resolveIncident, updateIncident, Who } from './incidents';
import { Facts, initialState, OPERATIONAL_FACTS, PageInfo, StatusState, UptimeDay } from './model';
import { draftPostmortem } from './postmortem';

/**
 * The sample states `wallet-status render --scenario <name>` renders offline (and the browser test
 * opens). Each is built with the same functions the updater and the CLI use, from a fixed clock, so
 * a rendering is reproducible and exercises the real model.
 */
export const RENDER_SCENARIOS = ['operational', 'degraded', 'major-outage', 'maintenance', 'resolved'] as const;
export type RenderScenario = (typeof RENDER_SCENARIOS)[number];

/** The component states each rendering must show (the browser test checks them on the page). */
export const EXPECTED_INDICATOR: Record<RenderScenario, string> = {
  operational: 'none',
  degraded: 'minor',
  'major-outage': 'critical',
  maintenance: 'maintenance',
  resolved: 'none',
};

const T0 = Date.UTC(2026, 10, 30, 14, 2, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A deterministic 90-day uptime history (a bad day 12 days ago, no data for the first 3 days). */
export function sampleHistory(endIso: string): Record<ComponentId, UptimeDay[]> {
  const end = Date.parse(endIso.slice(0, 10));
  return Object.fromEntries(
    COMPONENT_IDS.map((id, c) => [
      id,
      Array.from({ length: STATUS_HISTORY_DAYS }, (_, k) => {
        const daysAgo = STATUS_HISTORY_DAYS - k;
        const date = new Date(end - daysAgo * 86_400_000).toISOString().slice(0, 10);
        const uptime = k < 3 ? null : daysAgo === 12 && c < 3 ? 97.9 : daysAgo % 29 === c ? 99.95 : 100;
        return { date, uptimePercent: uptime };
      }),
    ]),
  ) as Record<ComponentId, UptimeDay[]>;
}

export function scenarioState(scenario: RenderScenario, page: PageInfo, settings: ResilienceSettings): StatusState {
  const base: StatusState = { ...initialState(page, at(-60 * 24)), history: sampleHistory(at(0)) };
  const auto = (minutes: number, reason: string): Who => ({
    actor: 'status-updater:simulated',
    reason,
    now: at(minutes),
  });
  const operator = (minutes: number, reason: string): Who => ({ actor: 'operator:alice', reason, now: at(minutes) });
  const facts = (f: Partial<Facts>): Facts => ({ ...OPERATIONAL_FACTS, ...f });
  const mode = { settings, mode: 'auto' as const };
  switch (scenario) {
    case 'operational':
      return base;
    case 'degraded': {
      // The standby region is impaired; the primary keeps serving.
      return applyFacts(
        base,
        facts({ regionImpaired: { primary: false, standby: true } }),
        mode,
        auto(0, 'standby region-impaired ALARM'),
      ).state;
    }
    case 'major-outage': {
      let s = applyFacts(
        base,
        facts({
          regionImpaired: { primary: true, standby: false },
          publicNameFailing: { primary: true, standby: true },
        }),
        mode,
        auto(0, 'primary region-impaired ALARM; public-name canaries ALARM'),
      ).state;
      s = applyFacts(
        s,
        facts({
          regionImpaired: { primary: true, standby: false },
          publicNameFailing: { primary: true, standby: true },
          leaseRegion: 'standby',
          switchOn: true,
        }),
        mode,
        auto(1, 'signing lease moved to the standby; failover switch on'),
      ).state;
      return s;
    }
    case 'maintenance':
      return openIncident(
        base,
        { scenario: 'maintenance', settings, publish: true, startedAt: at(0) },
        operator(-30, 'scheduled ledger maintenance, change CHG-1234'),
      ).state;
    case 'resolved': {
      let s = applyFacts(
        base,
        facts({
          regionImpaired: { primary: true, standby: false },
          publicNameFailing: { primary: true, standby: false },
        }),
        mode,
        auto(0, 'primary region-impaired ALARM'),
      ).state;
      s = applyFacts(
        s,
        facts({
          regionImpaired: { primary: true, standby: false },
          publicNameFailing: { primary: true, standby: false },
          leaseRegion: 'standby',
          switchOn: true,
        }),
        mode,
        auto(1, 'lease moved; switch on'),
      ).state;
      s = applyFacts(
        s,
        facts({ leaseRegion: 'standby', switchOn: true }),
        mode,
        auto(4, 'canaries OK through the standby'),
      ).state;
      const id = s.incidents[0].id;
      s = updateIncident(
        s,
        {
          id,
          status: 'monitoring',
          body: 'All traffic is served from {standbyRegion}. Withdrawals that waited have been sent.',
        },
        operator(10, 'confirmed withdrawals drained'),
      ).state;
      s = resolveIncident(
        s,
        id,
        'Service has been normal for 30 minutes from {standbyRegion}. This incident is resolved.',
        operator(40, 'stable 30 minutes'),
      ).state;
      const draft = draftPostmortem(s, id);
      const completed = draft
        .replace(
          /TODO\(contributing factors[^)]*\)/,
          'A failed deployment of a network configuration in the primary region made its API unreachable.',
        )
        .replace(
          /TODO\(action items[^)]*\)/,
          'Stage network configuration changes region by region (owner: platform, due 2026-12-15).',
        );
      return attachPostmortem(s, id, completed, operator(60 * 24, 'postmortem reviewed')).state;
    }
  }
}
