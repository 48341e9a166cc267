import { CallRecord } from '../../../lib/drill/clients';
import { simulatedFisApi } from '../../../lib/drill/chaos/fis';
import { runChaos } from '../../../lib/drill/chaos/run';
import { EXIT } from '../../../lib/drill/exit-codes';
import { SimulatedTarget } from '../../../lib/drill/simulated-target';
import { renderMarkdown } from '../../../lib/drill/report';
import { formatRecord, paint } from '../../../lib/drill/ui';
import { testConfig } from '../../helpers/config';
import { simTarget, START } from '../helpers';

/**
 * The standby's remediation in auto mode may fail over on its own while primary-down runs (the rule in
 * lib/contract/remediation.ts, modelled by lib/drill/sim/remediation.ts). The chaos command must see it,
 * say who did it and when, and judge recovery against the state remediation leaves (no automatic failback).
 */
const auto = () => testConfig({ remediation: { mode: 'auto' } });

function run(target: SimulatedTarget, extra = {}) {
  return runChaos({
    target,
    fis: simulatedFisApi(target.world, target.calls as CallRecord[]),
    config: target.world.config,
    experiment: 'primary-down',
    actor: 'test',
    signal: new AbortController().signal,
    ...extra,
  });
}

describe('primary-down while remediation is in auto mode', () => {
  let target: SimulatedTarget;
  let record: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    target = simTarget({ config: auto() });
    record = await run(target);
  });

  test('remediation failed over during the experiment, by the failover rule', () => {
    const failover = target.world.remediation.runs.filter((r) => r.verdict === 'fail-over');
    expect(failover).toHaveLength(1);
    expect(failover[0].actor).toBe('remediation:us-west-2:example-wallet-us-west-2-peer-deep-health');
    expect(failover[0].reasons).toEqual([
      'example-wallet-us-west-2-peer-deep-health (us-west-2) is ALARM',
      'example-wallet-us-east-2-region-impaired (us-east-2) is ALARM',
      'example-wallet-us-west-2-canary-deep-health (us-west-2) is OK',
      'example-wallet-us-west-2-region-impaired (us-west-2) is OK',
      'example-wallet-dns-standby-endpoint-unhealthy (us-east-1) is OK',
    ]);
    // Later triggers find it done: one failover, never a second epoch bump.
    expect(target.world.remediation.runs.slice(1).map((r) => r.verdict)).toEqual(
      expect.arrayContaining(['already-failed-over']),
    );
    expect(target.world.leaseItem()).toMatchObject({ activeRegion: 'us-west-2', epoch: 8 });
  });

  test('the chaos command measured it and says who and when', () => {
    const m = record.measurements;
    expect(m.externalFailoverSeconds).toBeGreaterThan(0);
    expect(m.detectionSeconds).toBeDefined();
    expect(record.timeline.map((e) => e.id)).toContain('lease-moved');
    expect(record.timeline.find((e) => e.id === 'lease-moved')?.evidence).toContain(
      'updatedBy remediation:us-west-2:example-wallet-us-west-2-peer-deep-health',
    );
    expect(record.experiment).toMatchObject({
      failedOverBy: 'remediation:us-west-2:example-wallet-us-west-2-peer-deep-health',
      failedOverEpoch: 8,
    });
    expect(formatRecord(record, paint(false))).toContain(
      `failed over  by remediation:us-west-2:example-wallet-us-west-2-peer-deep-health ${m.externalFailoverSeconds} s after the fault started`,
    );
  });

  test('the Markdown report names the failover, measured from the fault, and the failback as the next step', () => {
    const md = renderMarkdown(record);
    expect(md).toContain(
      `| Failover by remediation:us-west-2:example-wallet-us-west-2-peer-deep-health (fault active -> lease moved or switch thrown, first seen) | ${record.measurements.externalFailoverSeconds} s | | |`,
    );
    expect(md).toContain('| Detection (fault active -> Route 53 changed the primary record, upper bound) |');
    expect(md).toContain('wallet-drill failback --execute');
  });

  test('recovered on the standby (consistent, no automatic failback): exit 0 with the failback as next step', () => {
    expect(record.outcome).toBe('completed');
    expect(record.exitCode).toBe(EXIT.ok);
    expect(record.passed).toBe(true);
    expect(record.message).toContain('recovered ON THE STANDBY');
    expect(record.restore?.succeeded).toBe(true);
    expect(record.restore?.manualSteps.join('\n')).toContain('wallet-drill failback --execute');
    expect(record.timeline.find((e) => e.id === 'recovered')?.evidence).toContain(
      'the lease and the switch agree: both on the standby (us-west-2)',
    );
    expect(target.world.authoritativeAnswer()).toBe('standby');
    // The chaos command itself wrote nothing but the experiment's start and stop.
    expect(
      target.calls
        .filter((c) => c.kind === 'write')
        .map((c) => c.command)
        .sort(),
    ).toEqual(['StartExperimentCommand', 'StopExperimentCommand']);
  });
});

describe('the same run in notify-only mode (the example config)', () => {
  test('remediation only pages: nothing moves, the primary is back, no failover is reported', async () => {
    const target = simTarget();
    const record = await run(target);
    expect(target.world.remediation.runs.map((r) => r.verdict)).toContain('notify-only');
    expect(target.world.remediation.runs.map((r) => r.verdict)).not.toContain('fail-over');
    expect(target.world.leaseItem()).toMatchObject({ activeRegion: 'us-east-2', epoch: 7 });
    expect(record.exitCode).toBe(EXIT.ok);
    expect(record.measurements.externalFailoverSeconds).toBeUndefined();
    expect(record.experiment?.failedOverBy).toBeUndefined();
    expect(record.timeline.map((e) => e.id)).not.toContain('lease-moved');
    expect(target.world.authoritativeAnswer()).toBe('primary');
  });
});

describe('a half failover during the experiment (lease moved, switch not thrown)', () => {
  test('is NOT recovered: exit 4, and the manual steps say to make lease and switch agree first', async () => {
    const target = simTarget();
    target.world.at(START + 40_000, () => {
      void target.moveLease('standby', {
        actor: 'operator:alice',
        reason: 'by hand during the experiment',
        isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
      });
    });
    const record = await run(target, { restoreTimeoutSeconds: 120 });
    expect(record.outcome).toBe('aborted-not-restored');
    expect(record.exitCode).toBe(EXIT.abortedNotRestored);
    expect(record.restore?.problems).toEqual(
      expect.arrayContaining(['not within 120 s: the lease and the switch agree: both on the standby (us-west-2)']),
    );
    expect(record.restore?.manualSteps.join('\n')).toContain('Make lease and switch agree on ONE region');
    expect(record.experiment?.failedOverBy).toBe('operator:alice');
  });
});
