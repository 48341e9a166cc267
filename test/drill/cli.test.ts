import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../lib/drill/cli';
import { EXIT } from '../../lib/drill/exit-codes';
import { fakeIo, START } from './helpers';

/** The CLI driven in-process: arguments, exit codes, output, prompts, Ctrl-C. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'drill-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ESC = String.fromCharCode(27);
const hasAnsi = (s: string) => s.includes(`${ESC}[`);
const sim = ['--target', 'simulated'];
const exec = (direction: string, ...more: string[]) => [
  direction,
  '--execute',
  '--yes',
  ...sim,
  '--report-dir',
  dir,
  ...more,
];

describe('plan', () => {
  test('plan --target simulated: ready, both steps, exit 0, no colour off a TTY', async () => {
    const f = fakeIo();
    const code = await runCli(['plan', ...sim], f.io);
    expect(code).toBe(EXIT.ok);
    expect(f.stdout()).toContain('Plan: failover example from us-east-2 (primary) to us-west-2 (standby)');
    expect(f.stdout()).toContain('1. move the signer lease');
    expect(f.stdout()).toContain('2. throw the failover switch (value 1)');
    expect(f.stdout()).toContain('Ready. Run it with: wallet-drill failover --execute');
    expect(hasAnsi(f.stdout())).toBe(false);
  });

  test('plan is the default command', async () => {
    const f = fakeIo();
    expect(await runCli([...sim], f.io)).toBe(EXIT.ok);
    expect(f.stdout()).toContain('Plan: failover example');
  });

  test('a failed pre-check exits 1 and says what to fix', async () => {
    const f = fakeIo();
    expect(await runCli(['plan', ...sim, '--scenario', 'standby-unhealthy'], f.io)).toBe(EXIT.checkFailed);
    expect(f.stdout()).toContain('FAIL standby region healthy');
    expect(f.stdout()).toContain('fix: do not move traffic to an unhealthy region');
    expect(f.stdout()).toContain('Not ready: 3 pre-check(s) failed. Nothing was changed.');
  });

  test('failover without --execute is a dry run', async () => {
    const f = fakeIo();
    expect(await runCli(['failover', ...sim], f.io)).toBe(EXIT.ok);
    expect(f.stdout()).toContain('Dry run. Add --execute to failover.');
    expect(f.targets[0].calls.filter((c) => c.kind === 'write')).toEqual([]);
  });

  test('--json prints one JSON document and nothing on stderr', async () => {
    const f = fakeIo();
    expect(await runCli(['plan', 'failback', ...sim, '--json'], f.io)).toBe(EXIT.ok);
    const doc = JSON.parse(f.stdout());
    expect(doc).toMatchObject({ command: 'plan', dryRun: true, direction: 'failback', ready: true, exitCode: 0 });
    expect(f.stderr()).toBe('');
  });
});

describe('colour', () => {
  test('on a TTY the output is coloured', async () => {
    const f = fakeIo({ tty: true });
    await runCli(['plan', ...sim], f.io);
    expect(hasAnsi(f.stdout())).toBe(true);
  });

  test.each([
    ['NO_COLOR', { NO_COLOR: '1' }, []],
    ['--no-color', {}, ['--no-color']],
  ])('%s turns colour off on a TTY', async (_name, env, flags) => {
    const f = fakeIo({ tty: true, env });
    await runCli(['plan', ...sim, ...flags], f.io);
    expect(hasAnsi(f.stdout())).toBe(false);
  });
});

describe('help', () => {
  test.each([
    [
      [],
      ['status', 'plan', 'failover', 'failback', 'report', 'simulate', 'Exit codes:', '4  aborted and NOT restored'],
    ],
    [['status'], ['--target <target>', '--endpoint <url>', '--json']],
    [['plan'], ['[direction]', '--allow-alarm <name...>', 'never changes anything']],
    [
      ['failover'],
      [
        '--execute',
        '--yes',
        '--phase-timeout <seconds>',
        '--keep-on-timeout',
        '--report-dir <dir>',
        'Ctrl-C stops and restores (exit 3)',
      ],
    ],
    [['failback'], ['--execute', '--restore-timeout <seconds>', '--no-publish']],
    [['report'], ['[file]', '--publish']],
    [['simulate'], ['--runs <n>', '--seed <n>', '--interval <seconds>', '--threshold <n>', '--ttl <seconds>']],
  ])('--help %j documents its options', async (cmd, expected) => {
    const f = fakeIo();
    expect(await runCli([...cmd, '--help'], f.io)).toBe(EXIT.ok);
    for (const text of expected) expect(f.stdout()).toContain(text);
  });
});

describe('bad usage exits 2 with what was wrong, the value and the fix', () => {
  test.each([
    [['plan', '--bogus'], "error: unknown option '--bogus'"],
    [['simulate', '--runs', '0'], '--runs must be a whole number from 1 to 100000; received "0".'],
    [['simulate', '--interval', '20'], '--interval must be one of 10, 30; received "20".'],
    [['plan', ...sim, '--scenario', 'meteor'], "argument 'meteor' is invalid. Allowed choices are planned-drill"],
    [
      ['plan', '--scenario', 'primary-down'],
      '--scenario and --speed apply to --target simulated only; received --target aws with --scenario primary-down. Add --target simulated, or drop the option.',
    ],
    [['plan', ...sim, '--endpoint', 'http://127.0.0.1:5000'], '--endpoint applies to --target aws only'],
    [['plan', 'sideways', ...sim], 'plan takes "failover" or "failback"; received "sideways".'],
    [['plan', ...sim, '--address', '0x12'], '--address must be a 0x-prefixed 20-byte hex address; received "0x12".'],
    [['plan', ...sim, '-c', 'nope'], 'does not exist'],
    [
      ['plan', ...sim, '--scenario', 'replication-lag-high'],
      'scenario replication-lag-high needs data.consistency "MREC"',
    ],
  ])('%j', async (argv, message) => {
    const f = fakeIo();
    expect(await runCli(argv, f.io)).toBe(EXIT.usage);
    expect(f.stderr()).toContain(message);
  });

  test('an invalid config lists its problems', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ envName: 'X' }));
    const f = fakeIo();
    expect(await runCli(['plan', ...sim, '-c', file], f.io)).toBe(EXIT.usage);
    expect(f.stderr()).toContain(`Invalid wallet config ${file}`);
    expect(f.stderr()).toContain('envName: must start with a letter');
  });

  test('--execute without a TTY and without --yes is refused before anything is read or changed', async () => {
    const f = fakeIo();
    expect(await runCli(['failover', '--execute', ...sim], f.io)).toBe(EXIT.usage);
    expect(f.stderr()).toContain(
      'refusing to failover without confirmation: stdin is not a terminal and --yes was not given. Add --yes to run unattended, or run it from a terminal.',
    );
    expect(f.targets).toEqual([]);
  });
});

describe('failover --execute', () => {
  test('--json: the record with the timeline of phases and the measured RTO; reports written; KPI published', async () => {
    const f = fakeIo();
    const code = await runCli(exec('failover', '--json'), f.io);
    expect(code).toBe(EXIT.ok);
    expect(f.stderr()).toBe('');
    const doc = JSON.parse(f.stdout());
    expect(doc.outcome).toBe('completed');
    expect(doc.timeline.map((e: { id: string }) => e.id)).toEqual([
      'lease-moved',
      'switch-thrown',
      'route53-changed',
      'dns-changed',
      'canary-green',
    ]);
    expect(doc.measurements.rtoSeconds).toBeGreaterThan(0);
    expect(doc.kpi).toEqual({ published: true });
    for (const file of Object.values(doc.reports as Record<string, string>)) expect(existsSync(file)).toBe(true);
    const kpi = f.targets[0].calls.filter((c) => c.command === 'PutMetricDataCommand').at(-1);
    expect(kpi?.input).toMatchObject({
      Namespace: 'Wallet/Drill',
      MetricData: expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'MeasuredRtoSeconds',
          Value: doc.measurements.rtoSeconds,
          Unit: 'Seconds',
        }),
        expect.objectContaining({ MetricName: 'DrillPassed', Value: 1 }),
      ]),
    });
  });

  test('--no-publish skips the KPI metrics', async () => {
    const f = fakeIo();
    await runCli(exec('failover', '--json', '--no-publish'), f.io);
    expect(f.targets[0].calls.filter((c) => c.command === 'PutMetricDataCommand')).toHaveLength(1); // the switch only
  });

  test('progress off a TTY: plain phase lines on stderr, no spinner or carriage returns', async () => {
    const f = fakeIo();
    expect(await runCli(exec('failover'), f.io)).toBe(EXIT.ok);
    expect(f.stderr()).toContain('switch thrown (value 1)');
    expect(f.stderr()).toContain('authoritative DNS answer names standby (us-west-2)');
    expect(f.stderr()).not.toContain('\r');
    expect(f.stderr()).not.toContain('waiting:');
    expect(f.stdout()).toContain('PASS  failover completed');
  });

  test('progress on a TTY: a self-updating waiting line', async () => {
    const f = fakeIo({ tty: true });
    await runCli(exec('failover'), f.io);
    expect(f.stderr()).toContain(`\r${ESC}[2K`);
    expect(f.stderr()).toMatch(/[|/\\-] waiting: Route 53 marks the primary record unhealthy \(\d+ s, timeout \d+ s\)/);
  });

  test('asks for confirmation on a TTY: the environment name goes ahead', async () => {
    const f = fakeIo({ stdinTty: true });
    f.stdin.write('example\n');
    expect(await runCli(['failover', '--execute', ...sim, '--report-dir', dir], f.io)).toBe(EXIT.ok);
    expect(f.stderr()).toContain('Type the environment name (example) to go ahead, anything else cancels:');
  });

  test('anything else cancels: nothing changed, exit 3', async () => {
    const f = fakeIo({ stdinTty: true });
    f.stdin.write('yes\n');
    expect(await runCli(['failover', '--execute', ...sim, '--report-dir', dir], f.io)).toBe(EXIT.abortedRestored);
    expect(f.stdout()).toContain('cancelled at the confirmation prompt; nothing was changed');
    expect(f.targets[0].calls.filter((c) => c.kind === 'write')).toEqual([]);
  });

  test('failback --execute --yes --target simulated exits 0', async () => {
    const f = fakeIo();
    expect(await runCli(exec('failback'), f.io)).toBe(EXIT.ok);
    expect(f.stdout()).toContain('PASS  failback completed');
  });
});

describe('abort and restore', () => {
  test('Ctrl-C mid-way stops, restores the switch and the lease, verifies, exits 3', async () => {
    const f = fakeIo({ onTarget: (t) => t.world.at(START + 30_000, () => f.interrupt()) });
    const code = await runCli(exec('failover', '--json'), f.io);
    expect(code).toBe(EXIT.abortedRestored);
    const doc = JSON.parse(f.stdout());
    expect(doc.outcome).toBe('aborted-restored');
    expect(doc.message).toMatch(/^interrupted \(Ctrl-C\) while waiting/);
    expect(doc.timeline.map((e: { id: string }) => e.id)).toEqual(
      expect.arrayContaining(['switch-thrown', 'aborted', 'switch-restored', 'lease-restored', 'restore-verified']),
    );
    expect(doc.restore.succeeded).toBe(true);
    // Released in the same minute it was thrown: the period's Maximum stayed 1, so the restore
    // published 0 again once the alarm had not agreed (see the world test of the same rule).
    expect(doc.restore.actions.some((a: string) => a.includes('published again'))).toBe(true);
    const world = f.targets[0].world;
    expect(world.leaseItem()).toMatchObject({ activeRegion: 'us-east-2', epoch: 9 });
    expect(world.healthCheckStatus('failoverSwitch')).toBe(true);
    expect(world.authoritativeAnswer()).toBe('primary');
  });

  test('a phase timeout restores and exits 3', async () => {
    const f = fakeIo();
    const code = await runCli(exec('failover', '--phase-timeout', '20'), f.io);
    expect(code).toBe(EXIT.abortedRestored);
    expect(f.stdout()).toContain(
      'phase timeout: "Route 53 marks the primary record unhealthy" not observed within 20 s; everything the drill changed was put back and verified',
    );
    expect(f.targets[0].world.leaseItem()).toMatchObject({ activeRegion: 'us-east-2' });
  });

  test('a guard failing mid-way (the standby goes down) restores and exits 3', async () => {
    const f = fakeIo({ onTarget: (t) => t.world.at(START + 20_000, () => t.world.setEndpointUp('standby', false)) });
    const code = await runCli(exec('failover'), f.io);
    expect(code).toBe(EXIT.abortedRestored);
    expect(f.stdout()).toMatch(/guard failed: us-west-2 became unhealthy \(\d of 6 checkers report healthy\)/);
  });

  test('a failed restore exits 4 and prints the manual steps', async () => {
    const f = fakeIo({
      onTarget: (t) => {
        t.world.at(START + 30_000, () => f.interrupt());
        // CloudWatch refuses every release of the switch.
        t.world.failCommand('PutMetricDataCommand', () => new Error('ServiceUnavailable: simulated'), {
          times: 100,
          when: (input) => (input.MetricData as Array<{ Value: number }>)[0].Value === 0,
        });
      },
    });
    const code = await runCli(exec('failover'), f.io);
    expect(code).toBe(EXIT.abortedNotRestored);
    const out = f.stdout();
    expect(out).toContain('ABORTED (NOT restored)');
    expect(out).toContain('putting the switch back to off failed: ServiceUnavailable: simulated');
    expect(out).toContain('MANUAL ACTION NEEDED:');
    expect(out).toContain(
      `aws cloudwatch put-metric-data --region us-west-2 --namespace Wallet/Failover --metric-data '[{"MetricName":"FailoverSwitch","Dimensions":[{"Name":"Environment","Value":"example"}],"Value":0,"Unit":"None","StorageResolution":60}]'`,
    );
    // The lease restore worked, so its steps are not listed.
    expect(out).not.toContain('aws dynamodb update-item');
  });

  test('--json still prints the manual steps for a person, on stderr', async () => {
    const f = fakeIo({
      onTarget: (t) => {
        t.world.at(START + 30_000, () => f.interrupt());
        t.world.failCommand('PutMetricDataCommand', () => new Error('ServiceUnavailable: simulated'), {
          times: 100,
          when: (input) => (input.MetricData as Array<{ Value: number }>)[0].Value === 0,
        });
      },
    });
    expect(await runCli(exec('failover', '--json'), f.io)).toBe(EXIT.abortedNotRestored);
    expect(JSON.parse(f.stdout()).restore.manualSteps.length).toBeGreaterThan(2);
    expect(f.stderr()).toContain('MANUAL ACTION NEEDED:');
  });

  test('primary down: Ctrl-C cannot move the lease back to the dead primary, exits 4 with the lease steps', async () => {
    // Alias records (60 s TTL): with the example's 5 s CNAME TTL this drill completes before any wait,
    // leaving no moment to press Ctrl-C.
    const file = path.join(dir, 'alias.json');
    const raw = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'config', 'example.json'), 'utf8'));
    raw.dns.recordType = 'ALIAS';
    delete raw.dns.recordTtlSeconds;
    writeFileSync(file, JSON.stringify(raw));
    const f = fakeIo({ onTarget: (t) => t.world.at(START + 5_000, () => f.interrupt()) });
    const code = await runCli(exec('failover', '--scenario', 'primary-down', '-c', file), f.io);
    expect(code).toBe(EXIT.abortedNotRestored);
    expect(f.stdout()).toContain('moving the lease back to us-east-2 failed');
    expect(f.stdout()).toContain('aws dynamodb update-item --region us-east-2 --table-name example-wallet-ledger');
    expect(f.stdout()).toContain('If us-east-2 is not healthy, leave the lease where it is');
  });

  test('a second Ctrl-C stops the restore verification: exit 4 with the switch steps', async () => {
    const f = fakeIo({
      onTarget: (t) => {
        t.world.at(START + 30_000, () => f.interrupt());
        t.world.at(START + 40_000, () => f.interrupt());
      },
    });
    expect(await runCli(exec('failover'), f.io)).toBe(EXIT.abortedNotRestored);
    expect(f.stdout()).toContain('verifying the switch was interrupted (second Ctrl-C)');
  });

  test('--keep-on-timeout leaves the failover in place on a timeout: exit 1, not restored', async () => {
    const f = fakeIo();
    expect(await runCli(exec('failover', '--phase-timeout', '20', '--keep-on-timeout'), f.io)).toBe(EXIT.checkFailed);
    expect(f.stdout()).toContain('--keep-on-timeout: the failover was left in place');
    expect(f.targets[0].world.leaseItem()).toMatchObject({ activeRegion: 'us-west-2' });
  });
});

describe('report', () => {
  test('re-renders the newest record as Markdown and HTML and prints its summary', async () => {
    const f = fakeIo();
    await runCli(exec('failover', '--json'), f.io);
    const reports = JSON.parse(f.stdout()).reports as { json: string; markdown: string; html: string };
    rmSync(reports.markdown);
    rmSync(reports.html);
    const g = fakeIo();
    expect(await runCli(['report', '--report-dir', dir, '--json'], g.io)).toBe(EXIT.ok);
    const doc = JSON.parse(g.stdout());
    expect(doc).toMatchObject({ command: 'report', outcome: 'completed', published: false });
    expect(readFileSync(reports.markdown, 'utf8')).toContain('## Timeline');
    expect(readFileSync(reports.html, 'utf8')).toContain('<svg');
  });

  test('--publish publishes the KPI metrics through the target', async () => {
    const f = fakeIo();
    await runCli(exec('failover', '--json', '--no-publish'), f.io);
    const g = fakeIo();
    expect(await runCli(['report', '--report-dir', dir, '--publish', ...sim, '--json'], g.io)).toBe(EXIT.ok);
    expect(JSON.parse(g.stdout()).published).toBe(true);
    expect(g.targets[0].calls.map((c) => c.command)).toEqual(['PutMetricDataCommand']);
  });

  test.each([
    [['report', '--report-dir', '/nonexistent/drills'], 'no drill records: /nonexistent/drills does not exist'],
    [['report', 'package.json'], 'is not a wallet-drill record (tool undefined, schemaVersion undefined, missing'],
  ])('fails clearly: %j', async (argv, message) => {
    const f = fakeIo();
    expect(await runCli(argv, f.io)).toBe(EXIT.usage);
    expect(f.stderr()).toContain(message);
  });
});

describe('simulate', () => {
  test('--runs 60 --json: percentiles per path, reproducible with the seed', async () => {
    const a = fakeIo();
    const b = fakeIo();
    expect(await runCli(['simulate', '--runs', '60', '--seed', '5', '--json'], a.io)).toBe(EXIT.ok);
    await runCli(['simulate', '--runs', '60', '--seed', '5', '--json'], b.io);
    const doc = JSON.parse(a.stdout());
    expect(Object.keys(doc.unplanned.rto)).toEqual(['count', 'min', 'mean', 'p50', 'p90', 'p95', 'p99', 'max']);
    expect(doc.unplanned.rto.count).toBe(60);
    expect(a.stdout()).toBe(b.stdout());
  });

  test('prints the false-failover chance beside the RTO, from --blip-seconds and --blips-per-month', async () => {
    const f = fakeIo();
    const args = ['simulate', '--runs', '20', '--threshold', '2', '--blip-seconds', '15', '--blips-per-month', '4'];
    expect(await runCli([...args, '--json'], f.io)).toBe(EXIT.ok);
    const doc = JSON.parse(f.stdout());
    // 15 s blips at 10 s x 2: p = 0.5 per checker; 5 of 6 checkers: 7/64 per blip; 4 a month.
    expect(doc.falseFailover.perBlipProbability).toBeCloseTo(7 / 64, 12);
    expect(doc.falseFailover.perMonthProbability).toBeCloseTo(1 - Math.exp((-4 * 7) / 64), 12);
    expect(doc.leaseFollowingCheck).toBe(true);
    const text = fakeIo();
    await runCli(args, text.io);
    expect(text.stdout()).toContain('False failover: 35.44% chance a month');
  });

  test('--switch-only models the planned path without the lease check (slower)', async () => {
    const a = fakeIo();
    const b = fakeIo();
    await runCli(['simulate', '--runs', '30', '--json'], a.io);
    await runCli(['simulate', '--runs', '30', '--json', '--switch-only'], b.io);
    const [lease, switchOnly] = [JSON.parse(a.stdout()), JSON.parse(b.stdout())];
    expect(switchOnly.leaseFollowingCheck).toBe(false);
    expect(switchOnly.planned.modelWorstCaseSeconds).toBe(60 + 15 + 5 + 5);
    expect(switchOnly.planned.rto.p95).toBeGreaterThan(lease.planned.rto.p95);
  });

  test('exits 1 when the slowest run misses the RTO target', async () => {
    const file = path.join(dir, 'tight.json');
    const raw = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'config', 'example.json'), 'utf8'));
    raw.targets.rtoSeconds = 30;
    writeFileSync(file, JSON.stringify(raw));
    const f = fakeIo();
    expect(await runCli(['simulate', '--runs', '30', '-c', file], f.io)).toBe(EXIT.checkFailed);
    expect(f.stdout()).toContain('(over the 30 s target)');
  });
});
