import { ComponentId, ComponentState, Indicator } from '../contract/status';
import { StatusInputError } from './model';

/**
 * Incident templates, one per scenario: the words users read, with placeholders filled from live
 * facts (affected components, start time, the recovery estimate of lib/status/estimate.ts). A
 * placeholder without a value is refused, never printed as `{estimate}` or an empty string.
 *
 * The advice to users is part of every template: what to do and not to do with their funds.
 */

/** Advice that goes into every incident message (the part users act on). */
export const USER_ADVICE =
  'Your funds are safe. Do not send the same transaction again: a transaction you already submitted ' +
  'is kept and will be processed once, and a repeat could be processed too. ' +
  'We will never ask for your recovery phrase or keys; support will never contact you first about this incident.';

export const SCENARIOS = [
  'region-failover',
  'region-impaired',
  'withdrawals-paused',
  'planned-drill',
  'maintenance',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface IncidentTemplate {
  readonly scenario: Scenario;
  readonly name: string;
  readonly impact: Indicator;
  /** The component states an incident of this scenario declares. */
  readonly affected: ReadonlyArray<{ readonly id: ComponentId; readonly status: ComponentState }>;
  /** Body of the first update; `{placeholders}` are filled by {@link fillTemplate}. */
  readonly body: string;
  /** Body when the facts say service is back (the incident moves to monitoring). */
  readonly recovered: string;
}

export const TEMPLATES: Readonly<Record<Scenario, IncidentTemplate>> = {
  'region-failover': {
    scenario: 'region-failover',
    name: 'Moving service to our standby region',
    impact: 'major',
    affected: [
      { id: 'public-api', status: 'partial_outage' },
      { id: 'signing', status: 'degraded_performance' },
      { id: 'region-primary', status: 'major_outage' },
    ],
    body:
      'Since {startedAt} our primary region ({primaryRegion}) is not serving. We are moving the service to the ' +
      'standby region ({standbyRegion}); affected: {components}. We expect service back by {estimate}. ' +
      'Withdrawals you already submitted wait and are sent once the move completes.',
    recovered:
      'The service now runs in the standby region ({standbyRegion}) and {components} work again. We are monitoring.',
  },
  'region-impaired': {
    scenario: 'region-impaired',
    name: 'A region is impaired',
    impact: 'minor',
    affected: [],
    body:
      'Since {startedAt} one of our regions reports problems; affected: {components}. The other region keeps ' +
      'serving. We are investigating and expect the next update by {estimate}.',
    recovered: 'The impaired region recovered; {components} are back to normal. We are monitoring.',
  },
  'withdrawals-paused': {
    scenario: 'withdrawals-paused',
    name: 'New withdrawals are paused',
    impact: 'major',
    affected: [{ id: 'transaction-intake', status: 'major_outage' }],
    body:
      'Since {startedAt} we are not accepting new withdrawals while we check our systems; affected: {components}. ' +
      'Balances and history stay available. We expect the next update by {estimate}.',
    recovered: 'New withdrawals are accepted again; affected: {components}. We are monitoring.',
  },
  'planned-drill': {
    scenario: 'planned-drill',
    name: 'Planned failover drill',
    impact: 'maintenance',
    affected: [{ id: 'public-api', status: 'under_maintenance' }],
    body:
      'From {startedAt} we rehearse moving the service between regions ({primaryRegion} and {standbyRegion}). ' +
      'Affected: {components}; requests may be slower for up to {estimate}.',
    recovered: 'The drill is complete and {components} are back to normal.',
  },
  maintenance: {
    scenario: 'maintenance',
    name: 'Planned maintenance',
    impact: 'maintenance',
    affected: [{ id: 'public-api', status: 'under_maintenance' }],
    body: 'From {startedAt} we carry out planned maintenance; affected: {components}. We expect it to end by {estimate}.',
    recovered: 'The maintenance is complete and {components} are back to normal.',
  },
};

/** The values a template may name. */
export interface TemplateValues {
  readonly startedAt?: string;
  readonly components?: string;
  readonly estimate?: string;
  readonly primaryRegion?: string;
  readonly standbyRegion?: string;
}

const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;

/** The placeholders a text names. */
export const placeholders = (text: string): string[] => [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];

/**
 * Fills every `{placeholder}`; refuses (with every missing one named) when a value is missing or
 * blank, so no message ever reaches a user with a hole in it.
 */
export function fillTemplate(text: string, values: TemplateValues, what = 'template'): string {
  const record = values as Record<string, string | undefined>;
  const missing = placeholders(text).filter((p) => record[p] === undefined || record[p]!.trim() === '');
  if (missing.length > 0) {
    throw new StatusInputError(
      missing.map(
        (p) =>
          `placeholder {${p}} has no value (received ${JSON.stringify(record[p])}); ` +
          `pass it (CLI: --${p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}) or remove it from the message`,
      ),
      `${what} cannot be filled`,
    );
  }
  return text.replace(PLACEHOLDER, (_m, p: string) => record[p]!);
}

/** Fills and returns the text with the user advice appended (every incident message carries it). */
export function incidentMessage(text: string, values: TemplateValues, what?: string): string {
  return `${fillTemplate(text, values, what)}\n\n${USER_ADVICE}`;
}

export function parseScenario(value: string): Scenario {
  if ((SCENARIOS as readonly string[]).includes(value)) return value as Scenario;
  throw new StatusInputError([`unknown scenario ${JSON.stringify(value)}; use one of ${SCENARIOS.join(', ')}`]);
}
