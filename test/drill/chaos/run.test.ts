import { EXPERIMENT_NAMES, ExperimentName } from '../../../lib/contract/chaos';
import { CallRecord } from '../../../lib/drill/clients';
import { simulatedFisApi } from '../../../lib/drill/chaos/fis';
import { chaosUsageProblems, runChaos } from '../../../lib/drill/chaos/run';
import { EXIT } from '../../../lib/drill/exit-codes';
import { SimulatedTarget } from '../../../lib/drill/simulated-target';
import { testConfig } from '../../helpers/config';
import { mrecConfig, simTarget, START } from '../helpers';

function run(target: SimulatedTarget, experiment: ExperimentName, signal = new AbortController().signal, extra = {}) {
  return runChaos({
    target,
    fis: simulatedFisApi(target.world, target.calls as CallRecord[]),
    config: target.world.config,
    experiment,
    actor: 'test',
    signal,
    ...extra,
  });
}

const fisCalls = (t: SimulatedTarget, command: string) =>
  t.calls.filter((c) => c.service === 'fis' && c.command === command);

describe('primary-down (unplanned failover through FIS)', () => {
  test('measures detection, DNS cut-over and RTO, stops the experiment and sees the primary recover', async () => {
    const target = simTarget();
    const record = await run(target, 'primary-down');
    expect(record.outcome).toBe('completed');
    expect(record.exitCode).toBe(EXIT.ok);
    const m = record.measurements;
    expect(m.detectionSeconds).toBeGreaterThan(0);
    expect(m.dnsCutoverSeconds).toBeGreaterThanOrEqual(m.detectionSeconds!);
    expect(m.rtoSeconds).toBeGreaterThanOrEqual(m.dnsCutoverSeconds!);
    expect(m.rtoMet).toBe(true);
    expect(m.timeToRecoverSeconds).toBeGreaterThan(m.rtoSeconds!);
    expect(record.timeline.map((e) => e.id)).toEqual([
      'experiment-started',
      'fault-active',
      'route53-changed',
      'dns-changed',
      'canary-green',
      'experiment-stopped',
      'recovered',
    ]);
    expect(fisCalls(target, 'StartExperimentCommand')).toHaveLength(1);
    expect(fisCalls(target, 'StopExperimentCommand')).toHaveLength(1);
    expect(target.world.fis.experimentsOf('primary-down').map((e) => e.status)).toEqual(['stopped']);
    expect(target.world.authoritativeAnswer()).toBe('primary');
    expect(record.kind).toBe('chaos');
    expect(record.experiment).toMatchObject({ name: 'primary-down', finalStatus: 'stopped' });
    // The unplanned path never touches the switch or the lease.
    expect(
      target.calls
        .filter((c) => c.kind === 'write')
        .map((c) => c.command)
        .sort(),
    ).toEqual(['StartExperimentCommand', 'StopExperimentCommand']);
  });

  test('Ctrl-C stops the experiment and verifies the recovery (exit 3)', async () => {
    const target = simTarget();
    const ctl = new AbortController();
    target.world.at(START + 90_000, () => ctl.abort());
    const record = await run(target, 'primary-down', ctl.signal);
    expect(record.outcome).toBe('aborted-restored');
    expect(record.exitCode).toBe(EXIT.abortedRestored);
    expect(fisCalls(target, 'StopExperimentCommand')).toHaveLength(1);
    expect(target.world.fis.experimentsOf('primary-down')[0].status).toBe('stopped');
    expect(target.world.isEndpointUp('primary')).toBe(true);
    expect(record.timeline.map((e) => e.id)).toEqual(
      expect.arrayContaining(['aborted', 'experiment-stopped', 'recovered']),
    );
  });

  test('a phase timeout stops the experiment (exit 3)', async () => {
    const target = simTarget();
    const record = await run(target, 'primary-down', undefined, { phaseTimeoutSeconds: 5 });
    expect(record.outcome).toBe('aborted-restored');
    expect(record.message).toContain('phase timeout');
    expect(fisCalls(target, 'StopExperimentCommand')).toHaveLength(1);
  });

  test('the primary stays down after the stop (a real outage meanwhile): exit 4 with manual steps', async () => {
    const target = simTarget();
    const ctl = new AbortController();
    target.world.at(START + 90_000, () => ctl.abort());
    // FIS ends the experiment (and its fault) 2 s after StopExperiment; the primary fails again for good.
    target.world.at(START + 100_000, () => target.world.setEndpointUp('primary', false));
    const record = await run(target, 'primary-down', ctl.signal, { restoreTimeoutSeconds: 120 });
    expect(record.outcome).toBe('aborted-not-restored');
    expect(record.exitCode).toBe(EXIT.abortedNotRestored);
    expect(record.restore?.problems).toEqual(
      expect.arrayContaining(['not within 120 s: the primary is healthy again (Route 53)']),
    );
    expect(record.restore?.manualSteps.join('\n')).toContain('wallet-drill status');
    expect(target.world.fis.experimentsOf('primary-down')[0].status).toBe('stopped');
  });
});

describe('the degraded experiments: an alarm fires, DNS stays on the primary', () => {
  test.each([
    ['signer-failing', 'signer-errors'],
    ['api-latency', 'api-latency-p99'],
  ] as const)('%s: the %s alarm fires, the experiment stops, the alarm clears (exit 0)', async (name, suffix) => {
    const target = simTarget();
    const record = await run(target, name);
    expect(record.outcome).toBe('completed');
    expect(record.exitCode).toBe(EXIT.ok);
    const fired = record.timeline.find((e) => e.id === 'alarm-fired');
    expect(fired?.evidence).toContain(`-${suffix}`);
    expect(record.measurements.detectionSeconds).toBeGreaterThan(60);
    expect(record.measurements.dnsCutoverSeconds).toBeUndefined();
    expect(record.timeline.map((e) => e.id)).toEqual([
      'experiment-started',
      'fault-active',
      'alarm-fired',
      'experiment-stopped',
      'recovered',
    ]);
    expect(target.world.authoritativeAnswer()).toBe('primary');
    expect(target.world.fis.experimentsOf(name)[0].status).toBe('stopped');
  });

  test('fails the expectation when DNS moves during a degraded experiment (guard: stop, exit 3)', async () => {
    const target = simTarget();
    target.world.at(START + 30_000, () => target.world.setEndpointUp('primary', false));
    target.world.at(START + 400_000, () => target.world.setEndpointUp('primary', true));
    const record = await run(target, 'api-latency', undefined, { restoreTimeoutSeconds: 900 });
    expect(record.message).toContain('DNS moved to the standby');
    expect(record.outcome).toBe('aborted-restored');
    expect(fisCalls(target, 'StopExperimentCommand')).toHaveLength(1);
  });
});

describe('replication-paused (MREC): the lag passes the RPO target and a failover pre-check refuses', () => {
  test('measures the lag, sees the failover refused, and the lag returns after the stop', async () => {
    const target = simTarget({ config: mrecConfig() });
    const record = await run(target, 'replication-paused');
    expect(record.exitCode).toBe(EXIT.ok);
    expect(record.timeline.map((e) => e.id)).toEqual([
      'experiment-started',
      'fault-active',
      'alarm-fired',
      'failover-refused',
      'experiment-stopped',
      'recovered',
    ]);
    expect(record.timeline.find((e) => e.id === 'failover-refused')?.evidence).toContain('replication');
    expect(record.experiment?.region).toBe(target.world.config.regions.standby);
  });
});

describe('refused, nothing started', () => {
  test('an unknown experiment is bad usage, naming the choices', () => {
    expect(chaosUsageProblems(testConfig(), 'region-down')).toEqual([
      `unknown experiment "region-down": choose one of ${EXPERIMENT_NAMES.join(', ')} (lib/contract/chaos.ts; docs/runbooks/chaos.md)`,
    ]);
    expect(chaosUsageProblems(testConfig(), 'primary-down')).toEqual([]);
  });

  test('replication-paused under MRSC is bad usage (FIS pauses only eventually consistent tables)', () => {
    expect(chaosUsageProblems(testConfig(), 'replication-paused')[0]).toContain('needs data.consistency "MREC"');
  });

  test('an experiment on the standby while the primary is down', async () => {
    const target = simTarget({ config: mrecConfig(), scenario: 'primary-down' });
    const record = await run(target, 'replication-paused');
    expect(record.outcome).toBe('refused');
    expect(record.exitCode).toBe(EXIT.checkFailed);
    expect(record.checks.find((c) => c.id === 'peer-region-healthy')).toMatchObject({ ok: false });
    expect(record.message).toContain('peer-region-healthy');
    expect(fisCalls(target, 'StartExperimentCommand')).toEqual([]);
  });

  test('while a drill is in progress (the switch is thrown)', async () => {
    const target = simTarget();
    await target.throwSwitch('on', 'a drill in progress');
    target.world.events.runUntil(START + 180_000);
    const record = await run(target, 'primary-down');
    expect(record.outcome).toBe('refused');
    expect(record.checks.find((c) => c.id === 'no-drill-in-progress')).toMatchObject({ ok: false });
    expect(fisCalls(target, 'StartExperimentCommand')).toEqual([]);
  });

  test('while another experiment of this environment runs', async () => {
    const target = simTarget();
    const fis = simulatedFisApi(target.world, []);
    const [template] = (await fis.listExperimentTemplates(target.world.config.regions.primary)).filter(
      (t) => t.tags['wallet:experiment'] === 'signer-failing',
    );
    await fis.startExperiment(target.world.config.regions.primary, {
      templateId: template.id,
      clientToken: 'other',
      tags: { 'wallet:environment': target.world.config.envName },
    });
    const record = await run(target, 'primary-down');
    expect(record.outcome).toBe('refused');
    expect(record.checks.find((c) => c.id === 'no-experiment-running')).toMatchObject({ ok: false });
    expect(record.checks.find((c) => c.id === 'no-experiment-running')?.detail).toContain('signer-failing');
    expect(fisCalls(target, 'StartExperimentCommand')).toEqual([]);
  });

  test('every pre-check can pass (the refusals above are not vacuous)', async () => {
    const target = simTarget();
    const record = await run(target, 'signer-failing', undefined, { confirm: async () => false });
    expect(record.outcome).toBe('cancelled');
    expect(record.checks.every((c) => c.ok)).toBe(true);
    expect(record.checks.map((c) => c.id)).toEqual([
      'template-deployed',
      'no-experiment-running',
      'no-drill-in-progress',
      'peer-region-healthy',
      'target-region-serving',
      'alarms-quiet',
    ]);
    expect(fisCalls(target, 'StartExperimentCommand')).toEqual([]);
  });
});
