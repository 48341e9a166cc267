import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../lib/drill/cli';
import { EXIT } from '../../../lib/drill/exit-codes';
import { fakeIo, mrecConfig, START } from '../helpers';
import { testConfig } from '../../helpers/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chaos-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sim = ['--target', 'simulated'];
const started = (f: ReturnType<typeof fakeIo>) =>
  f.targets.flatMap((t) => t.calls).filter((c) => c.command === 'StartExperimentCommand');

test('chaos primary-down --execute --yes --target simulated --json measures detection, DNS cut-over and RTO (exit 0)', async () => {
  const f = fakeIo();
  const code = await runCli(
    ['chaos', 'primary-down', '--execute', '--yes', ...sim, '--json', '--report-dir', dir],
    f.io,
  );
  expect(code).toBe(EXIT.ok);
  const out = JSON.parse(f.stdout());
  expect(out).toMatchObject({ command: 'chaos', kind: 'chaos', outcome: 'completed', exitCode: 0, passed: true });
  expect(out.measurements.detectionSeconds).toBeGreaterThan(0);
  expect(out.measurements.dnsCutoverSeconds).toBeGreaterThan(0);
  expect(out.measurements.rtoSeconds).toBeLessThanOrEqual(out.measurements.rtoTargetSeconds);
  const files = readdirSync(dir).sort();
  expect(files.map((x) => path.extname(x))).toEqual(['.html', '.json', '.md']);
  const html = readFileSync(path.join(dir, files[0]), 'utf8');
  expect(html).toContain('Chaos primary-down');
  expect(html).toContain('<svg');
  expect(readFileSync(path.join(dir, files[2]), 'utf8')).toMatch(/^# Chaos primary-down: example us-east-2/);
});

test('Ctrl-C stops the experiment and restores: exit 3', async () => {
  const f = fakeIo({ onTarget: (t) => t.world.at(START + 60_000, () => f.interrupt()) });
  const code = await runCli(
    ['chaos', 'primary-down', '--execute', '--yes', ...sim, '--json', '--report-dir', dir],
    f.io,
  );
  expect(code).toBe(EXIT.abortedRestored);
  expect(JSON.parse(f.stdout()).outcome).toBe('aborted-restored');
  expect(f.targets[0].calls.filter((c) => c.command === 'StopExperimentCommand')).toHaveLength(1);
  expect(f.targets[0].world.fis.experimentsOf('primary-down')[0].status).toBe('stopped');
});

test('an unknown experiment is bad usage (exit 2), names the choices, starts nothing', async () => {
  const f = fakeIo();
  const code = await runCli(['chaos', 'region-down', '--execute', '--yes', ...sim], f.io);
  expect(code).toBe(EXIT.usage);
  expect(f.stderr()).toContain('unknown experiment "region-down": choose one of primary-down, signer-failing');
  expect(f.targets).toEqual([]);
});

test('an experiment on the standby while the primary is down is refused (exit 1), nothing started', async () => {
  const f = fakeIo();
  const file = path.join(dir, 'mrec.json');
  writeFileSync(file, JSON.stringify(mrecConfig()));
  const code = await runCli(
    [
      'chaos',
      'replication-paused',
      '-c',
      file,
      '--execute',
      '--yes',
      ...sim,
      '--scenario',
      'primary-down',
      '--report-dir',
      dir,
    ],
    f.io,
  );
  expect(code).toBe(EXIT.checkFailed);
  expect(f.stdout()).toContain('peer-region-healthy');
  expect(started(f)).toEqual([]);
});

test('without --execute only the pre-checks run (exit 0), nothing started', async () => {
  const f = fakeIo();
  const code = await runCli(['chaos', 'api-latency', ...sim], f.io);
  expect(code).toBe(EXIT.ok);
  expect(f.stdout()).toContain('Dry run: nothing was started');
  expect(started(f)).toEqual([]);
});

test('without a TTY and without --yes: bad usage (exit 2), nothing started', async () => {
  const f = fakeIo();
  const code = await runCli(['chaos', 'api-latency', '--execute', ...sim], f.io);
  expect(code).toBe(EXIT.usage);
  expect(f.stderr()).toContain('--yes');
  expect(started(f)).toEqual([]);
});

test('chaos primary-down with remediation in auto mode: the CLI reports who failed over and exits 0 (recovered on the standby)', async () => {
  const f = fakeIo();
  const file = path.join(dir, 'auto.json');
  writeFileSync(file, JSON.stringify(testConfig({ remediation: { mode: 'auto' } })));
  const code = await runCli(
    ['chaos', 'primary-down', '-c', file, '--execute', '--yes', ...sim, '--json', '--report-dir', dir],
    f.io,
  );
  expect(code).toBe(EXIT.ok);
  const out = JSON.parse(f.stdout());
  expect(out.experiment.failedOverBy).toMatch(/^remediation:us-west-2:/);
  expect(out.measurements.externalFailoverSeconds).toBeGreaterThan(0);
  expect(out.restore.manualSteps.join('\n')).toContain('wallet-drill failback --execute');
  expect(started(f)).toHaveLength(1);
});
