import { EXIT } from '../../lib/drill/exit-codes';
import { STATUS_KEYS, statusBucketName, WALLET_EVENT_SOURCE, WALLET_EVENTS } from '../../lib/contract/status';
import { parseState } from '../../lib/status/model';
import { simDrill, simTarget } from './helpers';

/**
 * The drill and the status page, on the simulated target: the drill's lease move and switch are
 * announced on both wallet regions' default buses (marked as a drill), and the drill keeps a
 * drill-marked incident from the planned-drill template on the page (investigating -> monitoring
 * -> resolved at the phases' own times), checking after each write that BOTH status buckets show it.
 */

const stateIn = (target: ReturnType<typeof simTarget>, region: string) => {
  const config = target.world.config;
  const stored = target.world.objects.get(
    `${statusBucketName(config.envName, config.account, region)}/${STATUS_KEYS.state}`,
  );
  return stored === undefined ? undefined : parseState(JSON.parse(stored.body));
};

test("a simulated failover announces the lease move and the switch, drill-marked, on both regions' default buses", async () => {
  // Prepare
  const target = simTarget();
  const { primary, standby } = target.world.config.regions;

  // Act
  const record = await simDrill(target);

  // Assess
  expect(record.outcome).toBe('completed');
  const events = target.world.walletEvents;
  expect(events.every((e) => e.source === WALLET_EVENT_SOURCE && e.detail.drill === true)).toBe(true);
  expect(events.map((e) => `${e.detailType} ${e.region}`)).toEqual([
    `${WALLET_EVENTS.leaseMoved} ${primary}`,
    `${WALLET_EVENTS.leaseMoved} ${standby}`,
    `${WALLET_EVENTS.switchChanged} ${primary}`,
    `${WALLET_EVENTS.switchChanged} ${standby}`,
  ]);
  expect(events[0].detail).toEqual(
    expect.objectContaining({
      fromRegion: primary,
      toRegion: standby,
      epoch: 8,
      actor: 'test',
      reason: 'quarterly drill',
    }),
  );
  expect(events[2].detail).toEqual(expect.objectContaining({ position: 'on', at: record.steps[1].at }));
  expect(record.statusEvents?.map((e) => e.delivered)).toEqual([true, true, true, true]);
});

test("the drill keeps a drill-marked planned-drill incident: investigating -> monitoring -> resolved at the phases' times, on both buckets", async () => {
  // Prepare
  const target = simTarget();
  const { primary, standby } = target.world.config.regions;

  // Act
  const record = await simDrill(target);

  // Assess: the incident, with every update and its timestamp.
  const state = stateIn(target, primary)!;
  expect(stateIn(target, standby)).toEqual(state);
  expect(state.incidents).toHaveLength(1);
  const incident = state.incidents[0];
  expect(incident).toEqual(
    expect.objectContaining({ scenario: 'planned-drill', drill: true, published: true, status: 'resolved' }),
  );
  const at = (id: string) => record.timeline.find((e) => e.id === id)!.at;
  expect(incident.updates.map((u) => [u.status, u.createdAt])).toEqual([
    ['investigating', at('lease-moved')],
    ['monitoring', at('dns-changed')],
    ['resolved', record.finishedAt],
  ]);
  expect(incident.updates[1].body).toContain(standby);
  // The page check, one per phase and bucket, among the drill's checks.
  const pageChecks = record.checks.filter((c) => c.id.startsWith('status-page-'));
  expect(pageChecks.map((c) => [c.id, c.ok])).toEqual([
    [`status-page-investigating-${primary}`, true],
    [`status-page-investigating-${standby}`, true],
    [`status-page-monitoring-${primary}`, true],
    [`status-page-monitoring-${standby}`, true],
    [`status-page-resolved-${primary}`, true],
    [`status-page-resolved-${standby}`, true],
  ]);
  // The published documents name it as a drill.
  const bucket = statusBucketName(target.world.config.envName, target.world.config.account, standby);
  expect(target.world.objects.get(`${bucket}/site/index.html`)?.body).toContain('Drill: Planned failover drill');
  const published = JSON.parse(target.world.objects.get(`${bucket}/site/api/v2/incidents.json`)!.body) as {
    incidents: Array<{ id: string; name: string; status: string }>;
  };
  expect(published.incidents).toEqual([
    expect.objectContaining({ id: incident.id, status: 'resolved', name: expect.stringMatching(/drill/i) }),
  ]);
});

test('fails the page check (and says so) when a status bucket is not written; the failover itself completes', async () => {
  // Prepare: every PutObject to the standby's status bucket is refused.
  const target = simTarget();
  const { standby } = target.world.config.regions;
  target.world.failCommand(
    'PutObjectCommand',
    () => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    { times: 1000, when: (_input, region) => region === standby },
  );

  // Act
  const record = await simDrill(target);

  // Assess
  expect(record.outcome).toBe('completed');
  expect(record.exitCode).toBe(EXIT.ok);
  expect(target.world.leaseItem()).toMatchObject({ activeRegion: standby });
  const failed = record.checks.filter((c) => c.id.startsWith('status-page-') && !c.ok).map((c) => c.id);
  expect(failed).toEqual([
    `status-page-investigating-${standby}`,
    `status-page-monitoring-${standby}`,
    `status-page-resolved-${standby}`,
  ]);
  expect(record.message).toMatch(/warning: the status page did not show the drill: status-page-investigating-/);
});

test('PutEvents refused everywhere: the drill completes, the events are retried, reported undelivered and counted', async () => {
  // Prepare
  const target = simTarget();
  target.world.failCommand(
    'PutEventsCommand',
    () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    { times: 1000 },
  );

  // Act
  const record = await simDrill(target);

  // Assess: the failover is unaffected.
  expect(record.outcome).toBe('completed');
  expect(record.passed).toBe(true);
  expect(target.world.authoritativeAnswer()).toBe('standby');
  expect(record.statusEvents).toHaveLength(4);
  expect(record.statusEvents?.every((e) => !e.delivered && e.attempts === 3)).toBe(true);
  expect(record.message).toMatch(/status events not delivered: leaseMoved to /);
  const counted = target.calls.filter(
    (c) => c.command === 'PutMetricDataCommand' && (c.input as { Namespace?: string }).Namespace === 'Wallet/Status',
  );
  expect(counted).toHaveLength(4);
});
