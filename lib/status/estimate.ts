import { plannedRto, ResilienceSettings, unplannedRto } from '../failover/timing';
import { Scenario } from './templates';

/**
 * The recovery estimate an incident quotes, from the failover-timing model the drill and the
 * resilience report use (lib/drill/model.ts), so what users are told matches what the blueprint
 * measures. Scenarios without a model (withdrawals paused, an impaired region that does not fail
 * over) quote the time of the next update instead of a recovery time: an honest "we do not know yet".
 */

/** Minutes until the next update when no model gives a recovery time. */
export const NEXT_UPDATE_MINUTES = 30;

export interface RecoveryEstimate {
  /** Seconds from the incident's start. */
  readonly seconds: number;
  /** What the number is: a modelled recovery, or the time of the next update. */
  readonly kind: 'recovery' | 'next-update';
  /** How it was computed, for the postmortem and the operator's preview. */
  readonly basis: string;
}

export function recoveryEstimate(scenario: Scenario, settings: ResilienceSettings): RecoveryEstimate {
  switch (scenario) {
    case 'region-failover': {
      // Unplanned: Route 53 detects the primary, then resolvers' caches expire; worst case, rounded up to a minute.
      const rto = unplannedRto(settings);
      return {
        seconds: ceilMinute(rto.worstSeconds),
        kind: 'recovery',
        basis: `unplanned failover worst case: ${rto.arithmetic}`,
      };
    }
    case 'planned-drill':
    case 'maintenance': {
      const rto = plannedRto(settings);
      return {
        seconds: ceilMinute(rto.worstSeconds),
        kind: 'recovery',
        basis: `planned switch worst case: ${rto.arithmetic}`,
      };
    }
    case 'region-impaired':
    case 'withdrawals-paused':
      return {
        seconds: NEXT_UPDATE_MINUTES * 60,
        kind: 'next-update',
        basis: `no recovery model for ${scenario}; the next update is promised within ${NEXT_UPDATE_MINUTES} minutes`,
      };
  }
}

const ceilMinute = (seconds: number): number => Math.ceil(seconds / 60) * 60;

/** "14:32 UTC" for a time on the incident's day; the date is added when it differs. */
export function formatUtc(iso: string, relativeTo?: string): string {
  const d = new Date(iso);
  const time = `${d.toISOString().slice(11, 16)} UTC`;
  if (relativeTo !== undefined && new Date(relativeTo).toISOString().slice(0, 10) === d.toISOString().slice(0, 10)) {
    return time;
  }
  return `${d.toISOString().slice(0, 10)} ${time}`;
}

export const addSeconds = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();
