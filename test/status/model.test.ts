import { settingsFromConfig } from '../../lib/drill/settings';
import { unplannedRto } from '../../lib/failover/timing';
import { pageInfo } from '../../lib/status/cli';
import { pageWeightBytes, renderSite } from '../../lib/status/documents';
import { checkWebhookUrl } from '../../lib/status/notify';
import { RENDER_SCENARIOS, scenarioState } from '../../lib/status/scenarios';
import { recoveryEstimate } from '../../lib/status/estimate';
import {
  applyFacts,
  attachPostmortem,
  openIncident,
  resolveIncident,
  updateIncident,
  Who,
} from '../../lib/status/incidents';
import {
  automaticStates,
  componentStates,
  initialState,
  OPERATIONAL_FACTS,
  overallStatus,
  parseAffected,
  StatusInputError,
} from '../../lib/status/model';
import { draftPostmortem } from '../../lib/status/postmortem';
import { statuspageDocuments, statuspageProblems } from '../../lib/status/statuspage';
import { fillTemplate, incidentMessage, USER_ADVICE } from '../../lib/status/templates';
import { testConfig } from '../helpers/config';

const config = testConfig();
const settings = settingsFromConfig(config);
const page = pageInfo(config);
const T = '2026-12-01T10:00:00.000Z';
const who = (now = T, actor = 'operator:alice'): Who => ({ actor, reason: 'test', now });
const fresh = () => initialState(page, T);

describe('component states and the overall indicator', () => {
  test.each([
    ['all well', {}, 'none'],
    ['standby region impaired (not serving): minor', { regionImpaired: { primary: false, standby: true } }, 'minor'],
    [
      'primary impaired while serving (signing down): major',
      { regionImpaired: { primary: true, standby: false } },
      'major',
    ],
    ['one public-name canary failing: major', { publicNameFailing: { primary: true, standby: false } }, 'major'],
    [
      'both public-name canaries failing: critical',
      { publicNameFailing: { primary: true, standby: true } },
      'critical',
    ],
    ['withdrawals paused where we serve: major', { degraded: { primary: true, standby: false } }, 'major'],
    ['lease moved, switch not yet: minor (withdrawals wait)', { leaseRegion: 'standby' }, 'minor'],
  ] as const)('%s', (_name, patch, indicator) => {
    const states = automaticStates({ ...OPERATIONAL_FACTS, ...patch });
    expect(overallStatus(states).indicator).toBe(indicator);
  });

  test('an open published incident worsens, never improves, the facts', () => {
    let s = openIncident(fresh(), { scenario: 'maintenance', settings, publish: true }, who()).state;
    expect(componentStates(s)['public-api']).toBe('under_maintenance');
    s = applyFacts(
      s,
      { ...OPERATIONAL_FACTS, publicNameFailing: { primary: true, standby: true } },
      { settings, mode: 'auto' },
      who(),
    ).state;
    expect(componentStates(s)['public-api']).toBe('major_outage');
  });

  test('fails an unknown component or state, naming each and the choices', () => {
    expect(() => parseAffected(['public-api=down', 'ledger=operational'])).toThrow(StatusInputError);
    try {
      parseAffected(['public-api=down', 'ledger=operational']);
    } catch (err) {
      expect((err as StatusInputError).problems).toEqual([
        expect.stringContaining(
          'unknown state "down" in "public-api=down"; use one of operational, degraded_performance',
        ),
        expect.stringContaining('unknown component "ledger"'),
      ]);
    }
  });
});

describe('templates', () => {
  test('fails a placeholder with no value: every missing one is named, nothing is filled', () => {
    expect(() => fillTemplate('back by {estimate} in {standbyRegion}', { estimate: ' ' })).toThrow(
      /placeholder \{estimate\} has no value[\s\S]*placeholder \{standbyRegion\} has no value/,
    );
  });

  test('every incident message carries the advice to users', () => {
    expect(incidentMessage('Since {startedAt}', { startedAt: '10:00 UTC' })).toBe(`Since 10:00 UTC\n\n${USER_ADVICE}`);
    expect(USER_ADVICE).toMatch(/Do not send the same transaction again/);
    expect(USER_ADVICE).toMatch(/never ask for your recovery phrase or keys/);
  });

  test('the failover estimate is the unplanned RTO worst case of lib/drill/model.ts, rounded up to a minute', () => {
    const e = recoveryEstimate('region-failover', settings);
    expect(e.seconds).toBe(Math.ceil(unplannedRto(settings).worstSeconds / 60) * 60);
    const s = openIncident(fresh(), { scenario: 'region-failover', settings, publish: true }, who()).state;
    expect(s.incidents[0].updates[0].body).toContain(
      `expect service back by ${new Date(Date.parse(T) + e.seconds * 1000).toISOString().slice(11, 16)} UTC`,
    );
  });
});

describe('incident lifecycle', () => {
  test('investigating -> identified -> monitoring -> resolved -> postmortem keeps every update, with who and why', () => {
    let s = openIncident(fresh(), { scenario: 'withdrawals-paused', settings, publish: true }, who()).state;
    const id = s.incidents[0].id;
    s = updateIncident(
      s,
      { id, status: 'identified', body: 'A database node is slow.' },
      who('2026-12-01T10:05:00.000Z'),
    ).state;
    s = updateIncident(
      s,
      { id, status: 'monitoring', body: 'Withdrawals resume.' },
      who('2026-12-01T10:20:00.000Z', 'operator:bob'),
    ).state;
    s = resolveIncident(s, id, undefined, who('2026-12-01T10:50:00.000Z')).state;
    const incident = s.incidents[0];
    expect(incident.updates.map((u) => u.status)).toEqual(['investigating', 'identified', 'monitoring', 'resolved']);
    expect(incident.monitoringAt).toBe('2026-12-01T10:20:00.000Z');
    expect(incident.resolvedAt).toBe('2026-12-01T10:50:00.000Z');
    expect(s.audit.map((a) => [a.actor, a.action])).toEqual([
      ['operator:alice', 'open withdrawals-paused'],
      ['operator:alice', 'update -> identified'],
      ['operator:bob', 'update -> monitoring'],
      ['operator:alice', 'resolve -> resolved'],
    ]);
    expect(componentStates(s)['transaction-intake']).toBe('operational');

    const draft = draftPostmortem(s, id);
    expect(draft).toMatch(/## Impact[\s\S]*Transaction intake: major outage for 20 min/);
    expect(draft).toMatch(/Time to recover \(problem start to service back, the first monitoring update\): 20 min/);
    expect(() => attachPostmortem(s, id, draft, who())).toThrow(/still has 2 TODO item/);
    const done = draft.replace(/TODO\([^)]*\)/g, 'completed by a human');
    s = attachPostmortem(s, id, done, who()).state;
    expect(s.incidents[0].status).toBe('postmortem');
    expect(renderSite(s).find((d) => d.path === `incidents/${id}.html`)?.body).toContain('Postmortem');
  });

  test('fails a resolved incident update and an empty reason', () => {
    let s = openIncident(fresh(), { scenario: 'maintenance', settings, publish: true }, who()).state;
    const id = s.incidents[0].id;
    s = resolveIncident(s, id, undefined, who()).state;
    expect(() => updateIncident(s, { id, status: 'monitoring', body: 'x' }, who())).toThrow(
      /is resolved; open a new incident/,
    );
    expect(() =>
      openIncident(fresh(), { scenario: 'maintenance', settings, publish: true }, { ...who(), reason: ' ' }),
    ).toThrow(/reason is empty/);
  });

  test('notify-only drafts the automatic incident: not on the page, nothing sent; auto publishes it', () => {
    const facts = { ...OPERATIONAL_FACTS, degraded: { primary: true, standby: false } };
    const drafted = applyFacts(fresh(), facts, { settings, mode: 'notify-only' }, who());
    expect(drafted.notifications).toEqual([]);
    expect(drafted.state.incidents[0].published).toBe(false);
    expect(statuspageDocuments(drafted.state).incidents.incidents).toEqual([]);
    // The facts themselves are on the page in both modes.
    expect(componentStates(drafted.state)['transaction-intake']).toBe('major_outage');
    const published = applyFacts(fresh(), facts, { settings, mode: 'auto' }, who());
    expect(published.notifications.map((n) => n.kind)).toEqual(['incident-opened']);
  });
});

describe('Statuspage documents', () => {
  test('validate against the schema written from the public API docs, for every lifecycle state', () => {
    let s = applyFacts(
      fresh(),
      { ...OPERATIONAL_FACTS, regionImpaired: { primary: true, standby: false }, switchOn: true },
      { settings, mode: 'auto' },
      who(),
    ).state;
    expect(statuspageProblems(statuspageDocuments(s))).toEqual([]);
    s = resolveIncident(s, s.incidents[0].id, undefined, who()).state;
    expect(statuspageProblems(statuspageDocuments(s))).toEqual([]);
  });

  test('fails a document with a state outside the documented enum', () => {
    const docs = statuspageDocuments(fresh());
    const bad = {
      ...docs,
      components: { ...docs.components, components: [{ ...docs.components.components[0], status: 'down' }] },
    };
    expect(statuspageProblems(bad)).toEqual([expect.stringMatching(/^components\.json components\.0\.status/)]);
  });

  test('the page, the feed and the JSON come from one state and agree', () => {
    const s = applyFacts(
      fresh(),
      { ...OPERATIONAL_FACTS, degraded: { primary: true, standby: false } },
      { settings, mode: 'auto' },
      who(),
    ).state;
    const docs = Object.fromEntries(renderSite(s).map((d) => [d.path, d.body]));
    const id = s.incidents[0].id;
    expect(docs['index.html']).toContain(`data-incident="${id}"`);
    expect(docs['history.atom']).toContain(`${id}-1</id>`);
    expect(JSON.parse(docs['api/v2/incidents/unresolved.json']).incidents[0].id).toBe(id);
    expect(JSON.parse(docs['banner.json']).incident_id).toBe(id);
  });
});

describe('page weight', () => {
  test.each(RENDER_SCENARIOS)('%s: a first visit (index.html, status.css, the icon) is under 50 KB', (scenario) => {
    const docs = renderSite(scenarioState(scenario, page, settings));
    const bytes = pageWeightBytes(docs);
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThan(50 * 1024);
  });
});

describe('webhook secrets', () => {
  test.each([
    ['missing', undefined, /has no URL; put it with `aws secretsmanager put-secret-value --secret-id s1/],
    ['empty', '  ', /has no URL/],
    ['not a URL', 'hooks.slack.com/x', /is not a URL \(received 17 characters\)/],
    ['not https', 'http://hooks.slack.com/x', /is not https \(received http:\)/],
  ])('fails a %s secret, naming the secret and the fix, never echoing it', (_name, value, message) => {
    const attempt = () => checkWebhookUrl('slack', 's1', value);
    expect(attempt).toThrow(StatusInputError);
    expect(attempt).toThrow(message);
    if (value?.trim()) expect(() => attempt()).not.toThrow(value.trim());
  });

  test('accepts an https URL', () => {
    expect(checkWebhookUrl('discord', 's1', ' https://discord.com/api/webhooks/1/x ')).toBe(
      'https://discord.com/api/webhooks/1/x',
    );
  });
});
