import { signingDeadLetterQueueName } from '../../lib/contract/names';
import { PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PutKeyPolicyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { ChangeResourceRecordSetsCommand, UpdateHealthCheckCommand } from '@aws-sdk/client-route-53';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../lib/drill/cli';
import {
  CallRecord,
  classifyCommand,
  createDrillClients,
  DRILL_ALLOWED_COMMANDS,
  ForbiddenCallError,
  Service,
} from '../../lib/drill/clients';
import { attachWorld } from '../../lib/drill/sim/sdk';
import { World } from '../../lib/drill/sim/world';
import { testConfig } from '../helpers/config';
import { fakeIo, START } from './helpers';
import { sdkCommandImports } from '../../lib/failover/data-plane-guard';

/**
 * Every call the drill CLI can make is a read or a data-plane write from one allow-list: no Route 53
 * control-plane mutation, no IAM, no KMS key or key-policy change. Proven three ways: by recording
 * every command across every command path, by the runtime guard refusing anything else, and by
 * scanning the source for SDK command imports.
 */
const ROOT = path.join(__dirname, '..', '..');
const DATA_PLANE_WRITES = ['PutMetricDataCommand', 'PutItemCommand', 'UpdateItemCommand'];
/** The status page: wallet events on the default buses, and the drill incident's status objects. */
const STATUS_WRITES = ['PutEventsCommand', 'PutObjectCommand'];
/** `wallet-drill chaos` only: start and stop the experiments the stacks define (no template change). */
const FIS_WRITES = ['StartExperimentCommand', 'StopExperimentCommand'];
/** After each lease move, the hand-off of stranded work (lib/drill/work-handoff.ts): DLQs to the holder's queue. */
const HANDOFF_WRITES = ['ReceiveMessageCommand', 'DeleteMessageCommand', 'SendMessageCommand'];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'drill-allow-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sim = ['--target', 'simulated'];

describe('every command path, recorded', () => {
  const recorded: CallRecord[] = [];
  const paths: Array<[string, string[], boolean]> = [
    ['status', ['status', ...sim], false],
    ['status (primary down)', ['status', ...sim, '--scenario', 'primary-down'], false],
    ['plan failover', ['plan', ...sim], false],
    ['plan failback', ['plan', 'failback', ...sim], false],
    ['failover --execute', ['failover', '--execute', '--yes', ...sim, '--report-dir', '<dir>'], false],
    ['failback --execute', ['failback', '--execute', '--yes', ...sim, '--report-dir', '<dir>'], false],
    [
      'failover --execute, a message in the DLQ',
      ['failover', '--execute', '--yes', ...sim, '--report-dir', '<dir>'],
      false,
    ],
    [
      'failover refused',
      ['failover', '--execute', '--yes', ...sim, '--scenario', 'standby-unhealthy', '--report-dir', '<dir>'],
      false,
    ],
    ['failover, Ctrl-C, restored', ['failover', '--execute', '--yes', ...sim, '--report-dir', '<dir>'], true],
    [
      'failover, phase timeout, restored',
      ['failover', '--execute', '--yes', ...sim, '--phase-timeout', '10', '--report-dir', '<dir>'],
      false,
    ],
    [
      'failover, keep on timeout',
      ['failover', '--execute', '--yes', ...sim, '--phase-timeout', '10', '--keep-on-timeout', '--report-dir', '<dir>'],
      false,
    ],
    [
      'failback, primary down, refused',
      ['failback', '--execute', '--yes', ...sim, '--scenario', 'primary-down', '--report-dir', '<dir>'],
      false,
    ],
    ['report --publish', ['report', '--report-dir', '<dir>', '--publish', ...sim], false],
    ['chaos dry run', ['chaos', 'signer-failing', ...sim], false],
    ['chaos primary-down', ['chaos', 'primary-down', '--execute', '--yes', ...sim, '--report-dir', '<dir>'], false],
    ['chaos, Ctrl-C, stopped', ['chaos', 'api-latency', '--execute', '--yes', ...sim, '--report-dir', '<dir>'], true],
  ];

  test.each(paths)('%s sends only allowed commands', async (_name, argv, interrupt) => {
    const f = fakeIo({
      onTarget: (t) => {
        if (interrupt) t.world.at(START + 30_000, () => f.interrupt());
        if (_name.includes('DLQ')) {
          const { config } = t.world;
          t.world.sqs.seed(
            config.regions.primary,
            signingDeadLetterQueueName(config.envName),
            '{"walletId":"w","txId":"t"}',
          );
        }
      },
    });
    await runCli(
      argv.map((a) => (a === '<dir>' ? dir : a)),
      f.io,
    );
    const calls = f.targets.flatMap((t) => t.calls);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.kind === 'forbidden')).toEqual([]);
    for (const c of calls) expect(classifyCommand(c.service, c.command)).toBe(c.kind);
    recorded.push(...calls);
  });

  test('across all paths, the only writes are the data-plane ones (and each was exercised)', () => {
    const writes = [...new Set(recorded.filter((c) => c.kind === 'write').map((c) => c.command))].sort();
    expect(writes).toEqual([...DATA_PLANE_WRITES, ...FIS_WRITES, ...STATUS_WRITES, ...HANDOFF_WRITES].sort());
    // FIS writes come from the chaos command alone.
    expect(
      recorded.filter((c) => c.service === 'fis' && c.kind === 'write').every((c) => FIS_WRITES.includes(c.command)),
    ).toBe(true);
    const commands = new Set(recorded.map((c) => `${c.service}:${c.command}`));
    for (const [service, allowed] of Object.entries(DRILL_ALLOWED_COMMANDS)) {
      for (const command of [...allowed.read, ...allowed.write]) expect(commands).toContain(`${service}:${command}`);
    }
  });
});

test('the allow-list itself holds no control-plane mutation, IAM, or key change', () => {
  const all = Object.entries(DRILL_ALLOWED_COMMANDS).flatMap(([service, a]) =>
    [...a.read, ...a.write].map((c) => `${service}:${c}`),
  );
  expect(all.filter((c) => /^route53:(?!Get|List|TestDNSAnswer)/.test(c))).toEqual([]);
  expect(all.filter((c) => /^iam:/.test(c))).toEqual([]);
  expect(all.filter((c) => /^kms:(?!DescribeKey|GetPublicKey)/.test(c))).toEqual([]);
  expect(all.filter((c) => /SetAlarmState|PutMetricAlarm|DeleteAlarms/.test(c))).toEqual([]);
  expect(all.filter((c) => /^fis:(?!List|Get|StartExperimentCommand$|StopExperimentCommand$)/.test(c))).toEqual([]);
  expect(
    Object.values(DRILL_ALLOWED_COMMANDS)
      .flatMap((a) => a.write)
      .sort(),
  ).toEqual([...DATA_PLANE_WRITES, ...FIS_WRITES, ...STATUS_WRITES, ...HANDOFF_WRITES].sort());
});

describe('the runtime guard refuses anything else before it is sent', () => {
  const config = testConfig();
  const world = new World({ config, seed: 1, startMs: START });
  const clients = createDrillClients({
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    defaultRegion: 'us-west-2',
    decorate: (client, service, region) => attachWorld(client, service, region, world),
  });

  test.each([
    [
      'route53',
      () =>
        clients.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [] } })),
      'ChangeResourceRecordSetsCommand',
    ],
    [
      'route53',
      () => clients.route53.send(new UpdateHealthCheckCommand({ HealthCheckId: 'x', Inverted: true })),
      'UpdateHealthCheckCommand',
    ],
    [
      'cloudwatch',
      () =>
        clients
          .cloudwatch('us-west-2')
          .send(new SetAlarmStateCommand({ AlarmName: 'a', StateValue: 'ALARM', StateReason: 'x' })),
      'SetAlarmStateCommand',
    ],
    [
      'kms',
      () => clients.kms('us-west-2').send(new PutKeyPolicyCommand({ KeyId: 'k', Policy: '{}' })),
      'PutKeyPolicyCommand',
    ],
    [
      'kms',
      () => clients.kms('us-east-2').send(new ScheduleKeyDeletionCommand({ KeyId: 'k' })),
      'ScheduleKeyDeletionCommand',
    ],
  ])('refuses a %s control-plane or key change (case %#)', async (service, send, command) => {
    const before = world.log.length;
    await expect(send()).rejects.toBeInstanceOf(ForbiddenCallError);
    await expect(send()).rejects.toThrow(`refused ${service} ${command}: the drill may only send`);
    expect(world.log.length).toBe(before);
    expect(clients.calls.at(-1)).toMatchObject({ service, command, kind: 'forbidden' });
  });

  test('an allowed write goes through (the guard is not simply refusing everything)', async () => {
    await clients
      .cloudwatch('us-west-2')
      .send(new PutMetricDataCommand({ Namespace: 'Wallet/Test', MetricData: [{ MetricName: 'm', Value: 1 }] }));
    expect(world.log.at(-1)).toMatchObject({ command: 'PutMetricDataCommand', region: 'us-west-2' });
  });
});

describe('static scan: SDK commands imported by the drill and the failover library', () => {
  const DIRS = ['lib/drill', 'lib/failover'];
  const PACKAGES: Record<string, Service> = {
    '@aws-sdk/client-cloudwatch': 'cloudwatch',
    '@aws-sdk/client-dynamodb': 'dynamodb',
    '@aws-sdk/lib-dynamodb': 'dynamodb',
    '@aws-sdk/client-kms': 'kms',
    '@aws-sdk/client-route-53': 'route53',
    '@aws-sdk/client-sts': 'sts',
    '@aws-sdk/client-eventbridge': 'events',
    '@aws-sdk/client-s3': 's3',
    '@aws-sdk/client-sqs': 'sqs',
  };
  /** The document client's commands are sent as the low-level ones. */
  const DOCUMENT: Record<string, string> = {
    GetCommand: 'GetItemCommand',
    PutCommand: 'PutItemCommand',
    UpdateCommand: 'UpdateItemCommand',
    QueryCommand: 'QueryCommand',
  };

  const files = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((e) => {
      const rel = path.join(dir, e);
      if (statSync(path.join(ROOT, rel)).isDirectory()) return files(rel);
      return e.endsWith('.ts') ? [rel] : [];
    });
  const sources = DIRS.flatMap(files);
  /**
   * Imported by a shared module for a path the drill never takes, so left off the allow-list (the
   * runtime guard refuses it if the drill ever sends it). Each entry names why.
   */
  const NOT_SENT_BY_THE_DRILL: Record<string, string> = {
    'lib/failover/handoff.ts: GetQueueAttributesCommand':
      "the hand-off's dry run (wallet-ops --dry-run); lib/drill/work-handoff.ts never asks for one",
  };
  test('what is left off the allow-list is really not sent by the drill: no dry run in the drill hand-off', () => {
    expect(readFileSync(path.join(ROOT, 'lib/drill/work-handoff.ts'), 'utf8')).not.toMatch(/dryRun/);
  });

  const imports = sources.flatMap((file) => sdkCommandImports(file, readFileSync(path.join(ROOT, file), 'utf8')));

  test('the scan sees the files and commands it must (it would be vacuous otherwise)', () => {
    expect(sources).toEqual(
      expect.arrayContaining(['lib/drill/target.ts', 'lib/failover/switch.ts', 'lib/failover/lease.ts']),
    );
    expect(imports.map((i) => i.name)).toEqual(
      expect.arrayContaining(['PutMetricDataCommand', 'UpdateCommand', 'TestDNSAnswerCommand']),
    );
  });

  test('only allowed packages, and every imported command is on the allow-list', () => {
    const problems = imports.flatMap((i) => {
      const service = PACKAGES[i.pkg];
      if (service === undefined) return [`${i.file}: ${i.pkg} is not a package the drill may use`];
      const command = i.pkg === '@aws-sdk/lib-dynamodb' ? (DOCUMENT[i.name] ?? i.name) : i.name;
      if (NOT_SENT_BY_THE_DRILL[`${i.file}: ${i.name}`] !== undefined) return [];
      // The break-glass commands (UpdatePrimaryRegion) belong to promote-keys alone (lib/drill/promote/).
      const breakGlass = i.file.startsWith(path.join('lib', 'drill', 'promote') + path.sep);
      return classifyCommand(service, command, breakGlass) === 'forbidden' ? [`${i.file}: ${i.pkg} ${i.name}`] : [];
    });
    expect(problems).toEqual([]);
  });
});
