import { createHandler, parseUpdaterEnv } from '../../../lambda/status-updater/handler';
import { STATUS_UPDATER_ENV, WALLET_EVENT_SOURCE, WALLET_EVENTS } from '../../../lib/contract/status';
import { settingsFromConfig } from '../../../lib/drill/settings';
import { pageInfo } from '../../../lib/status/cli';
import { StatusNotification } from '../../../lib/status/incidents';
import { DirectoryStatusReplica } from '../../../lib/status/store';
import { UpdaterDeps } from '../../../lib/status/updater';
import { testConfig } from '../../helpers/config';
import { trackedTempDir } from '../../helpers/temp-dirs';

/**
 * The updater Lambda's shell (lambda/status-updater/handler.ts) over local replicas: what it does with
 * a wallet event, a malformed event (logged and dropped, never retried), the daily schedule, and its
 * environment. The wallet events' delivery and the S3 conditional writes are the moto tests'.
 */
const config = testConfig();
const { primary, standby } = config.regions;

function setup() {
  const sent: StatusNotification[] = [];
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const replicas = [
    new DirectoryStatusReplica(trackedTempDir('updater-a-')),
    new DirectoryStatusReplica(trackedTempDir('updater-b-')),
  ];
  const deps: UpdaterDeps = {
    replicas,
    notifier: { send: async (n) => void sent.push(...n) },
    topology: { envName: config.envName, primaryRegion: primary, standbyRegion: standby },
    page: pageInfo(config),
    settings: settingsFromConfig(config),
    mode: 'auto',
    actor: `status-updater:${standby}`,
    now: () => new Date('2026-12-01T12:00:30.000Z'),
  };
  const history = { daily: async () => new Map<string, number>([['2026-11-30', 100]]) };
  const handler = createHandler(deps, history, {
    info: (message, fields) => void logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => void logs.push({ level: 'warn', message, fields }),
  });
  return { handler, sent, logs, replicas };
}

const degraded = (at: string) => ({
  source: WALLET_EVENT_SOURCE,
  'detail-type': WALLET_EVENTS.degradedModeChanged,
  detail: {
    envName: config.envName,
    at,
    actor: `remediation:${primary}`,
    reason: 'impaired',
    region: primary,
    degraded: true,
  },
});

test("a wallet event changes the page once: a second delivery (the other region's copy) changes nothing", async () => {
  const { handler, sent, logs, replicas } = setup();
  await handler(degraded('2026-12-01T12:00:00.000Z'));
  await handler(degraded('2026-12-01T12:00:00.000Z'));
  const state = (await replicas[0].readState()).state!;
  expect(state.facts.degraded).toEqual({ primary: true, standby: false });
  expect(logs.map((l) => l.fields?.changed)).toEqual([true, false]);
  expect(sent).toHaveLength(1);
});

test('a malformed event is logged with what was wrong and dropped (not thrown, so not retried)', async () => {
  const { handler, logs } = setup();
  await expect(
    handler({ source: WALLET_EVENT_SOURCE, 'detail-type': WALLET_EVENTS.switchChanged, detail: { envName: 'x' } }),
  ).resolves.toBeUndefined();
  expect(logs).toEqual([
    expect.objectContaining({
      level: 'warn',
      message: 'status event refused (not retried)',
      fields: { problems: expect.arrayContaining([expect.stringContaining('detail.position')]) },
    }),
  ]);
  await expect(handler({ source: 'aws.ec2' })).resolves.toBeUndefined();
  expect(logs[1].fields?.problems).toEqual([expect.stringContaining('is not aws.cloudwatch or wallet.resilience')]);
});

test('the daily schedule refreshes the history', async () => {
  const { handler, logs, replicas } = setup();
  await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
  expect(logs[0]).toEqual(
    expect.objectContaining({ message: 'history refreshed', fields: expect.objectContaining({ changed: true }) }),
  );
  expect((await replicas[1].readState()).state).toBeDefined();
});

test('fails an environment that is missing or invalid, naming the variable and each problem', () => {
  expect(() => parseUpdaterEnv(undefined, STATUS_UPDATER_ENV)).toThrow(
    `${STATUS_UPDATER_ENV} is not set; the status stack sets it`,
  );
  expect(() => parseUpdaterEnv(JSON.stringify({ envName: '', mode: 'sometimes' }), STATUS_UPDATER_ENV)).toThrow(
    /WALLET_STATUS_CONFIG is invalid: envName: .*; .*mode: /,
  );
});
