import { createECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../lib/drill/cli';
import { EXIT } from '../../lib/drill/exit-codes';
import { KeyCopy, Read } from '../../lib/drill/promote/admin';
import {
  checkBreakGlassCaller,
  checkNoExperimentRunning,
  checkPrimaryRegionReachable,
  keyAction,
  KeySurvey,
  multiRegionWithStandbyReplica,
  notAlreadyPromoted,
  primaryEnabled,
  replicaEnabled,
  sameKeyMaterial,
} from '../../lib/drill/promote/checks';
import { PROMOTABLE_KEYS, PromotableKey } from '../../lib/drill/promote/keys';
import { PromotionRecord } from '../../lib/drill/promote/run';
import { SimulatedTarget } from '../../lib/drill/simulated-target';
import { testConfig } from '../helpers/config';
import { fakeIo, simTarget, START } from './helpers';

/**
 * `wallet-drill promote-keys` against the simulated AWS (the real adapter, the simulated KMS and STS
 * under it), and each pre-check on its own with a `fails` case.
 */
const config = testConfig();
const { primary: PRIMARY, standby: STANDBY } = config.regions;
const BREAK_GLASS = config.security.breakGlassRoleArn;
const OPERATOR_SESSION = 'arn:aws:sts::111111111111:assumed-role/WalletOperator/alice';
const KEY_ALIASES = PROMOTABLE_KEYS.map((k) => k.alias(config.envName));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'promote-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI against one given simulated target (so runs can follow each other on the same world). */
async function run(
  target: SimulatedTarget,
  args: string[],
  options: { json?: boolean; onIo?: (f: ReturnType<typeof fakeIo>) => void } = {},
) {
  const f = fakeIo();
  options.onIo?.(f);
  const io = { ...f.io, createTarget: () => target };
  const argv = ['promote-keys', '--target', 'simulated', '--report-dir', dir, ...args];
  if (options.json !== false) argv.push('--json');
  const code = await runCli(argv, io);
  const record =
    options.json === false ? undefined : (JSON.parse(f.stdout()) as PromotionRecord & { reports: { json: string } });
  return { code, record, stdout: f.stdout(), stderr: f.stderr() };
}

const updateCalls = (target: SimulatedTarget) =>
  target.world.log.filter((l) => l.service === 'kms' && l.command === 'UpdatePrimaryRegionCommand');

describe('promote-keys in the simulated AWS', () => {
  test('--execute --yes promotes every key to the standby, same address before and after, exit 0', async () => {
    const target = simTarget({ position: 'standby' });
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.ok);
    expect(record!.outcome).toBe('promoted');
    for (const alias of KEY_ALIASES) expect(target.world.kmsKey(alias).primaryRegion).toBe(STANDBY);
    const signing = record!.keys.find((k) => k.name === 'signing')!;
    expect(signing.addressBefore).toBe(target.world.signingAddress());
    expect(signing.addressAfter).toBe(signing.addressBefore);
    expect(signing.sameAddress).toBe(true);
    expect(signing.oldPrimaryNow).toBe('REPLICA Enabled');
    // Each request went to the CURRENT primary's region, naming the standby as the new primary.
    expect(updateCalls(target).map((c) => [c.region, c.input])).toEqual(
      KEY_ALIASES.map((a) => [PRIMARY, { KeyId: target.world.kmsKey(a).keyId, PrimaryRegion: STANDBY }]),
    );
    // The report files hold the same record.
    expect(JSON.parse(readFileSync(record!.reports.json, 'utf8')).outcome).toBe('promoted');
    const md = readFileSync(record!.reports.json.replace(/\.json$/, '.md'), 'utf8');
    expect(md).toContain('# Promote keys: example us-east-2 -> us-west-2: PROMOTED');
    expect(md).toContain(`| signing | alias/example-wallet-signing | ${target.world.kmsKey(KEY_ALIASES[0]).keyId}`);
  });

  test('a second run reports nothing to do and exits 0, sending no request', async () => {
    const target = simTarget({ position: 'standby' });
    expect((await run(target, ['--execute', '--yes'])).code).toBe(EXIT.ok);
    const before = updateCalls(target).length;
    const second = await run(target, ['--execute', '--yes']);
    expect(second.code).toBe(EXIT.ok);
    expect(second.record!.outcome).toBe('nothing-to-do');
    expect(second.record!.keys.map((k) => k.action)).toEqual(PROMOTABLE_KEYS.map(() => 'already-promoted'));
    expect(updateCalls(target).length).toBe(before);
  });

  test('nothing to do even when the old primary region is down afterwards', async () => {
    const target = simTarget({ position: 'standby' });
    await run(target, ['--execute', '--yes']);
    target.world.setRegionReachable(PRIMARY, false);
    const again = await run(target, []);
    expect(again.code).toBe(EXIT.ok);
    expect(again.record!.outcome).toBe('nothing-to-do');
  });

  test('the dry run (default) prints the plan and changes nothing', async () => {
    const target = simTarget({ position: 'standby' });
    const { code, record } = await run(target, []);
    expect(code).toBe(EXIT.ok);
    expect(record!.outcome).toBe('planned');
    expect(record!.plan[0]).toContain(
      `kms:UpdatePrimaryRegion KeyId=${target.world.kmsKey(KEY_ALIASES[0]).keyId} PrimaryRegion=${STANDBY}, sent to ${PRIMARY}`,
    );
    expect(updateCalls(target)).toEqual([]);
    expect(record!.calls.filter((c) => c.kind !== 'read')).toEqual([]);
    for (const alias of KEY_ALIASES) expect(target.world.kmsKey(alias).primaryRegion).toBe(PRIMARY);
  });

  test('fails without break-glass credentials: refused with the role to assume and how, exit 1, no KMS call', async () => {
    const target = simTarget({ position: 'standby' });
    const { code, record, stderr } = await run(target, ['--execute', '--yes', '--sim-caller', OPERATOR_SESSION]);
    expect(code).toBe(EXIT.checkFailed);
    expect(record!.outcome).toBe('refused');
    const check = record!.checks.find((c) => c.id === 'break-glass-caller')!;
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(
      `the caller is ${OPERATOR_SESSION}, not a session of the break-glass role ${BREAK_GLASS}`,
    );
    expect(check.fix).toContain(`aws sts assume-role --role-arn ${BREAK_GLASS} --role-session-name`);
    expect(target.world.log.filter((l) => l.service === 'kms')).toEqual([]);
    expect(stderr).toBe('');
  });

  test('the refusal reads in plain text too', async () => {
    const target = simTarget({ position: 'standby' });
    const { code, stdout } = await run(target, ['--sim-caller', OPERATOR_SESSION], { json: false });
    expect(code).toBe(EXIT.checkFailed);
    expect(stdout).toContain('REFUSED');
    expect(stdout).toContain(`fix: assume the break-glass role ${BREAK_GLASS}`);
  });

  test('fails while KMS in the primary region does not answer: refused, the replicas keep signing', async () => {
    const target = simTarget({ position: 'standby', scenario: 'primary-down' });
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.checkFailed);
    const check = record!.checks.find((c) => c.id === 'primary-region-reachable')!;
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('UpdatePrimaryRegion is a call on the CURRENT primary key in us-east-2');
    expect(check.fix).toContain('the replicas in us-west-2 keep signing and decrypting without promotion');
    expect(updateCalls(target)).toEqual([]);
    // The replica still answers GetPublicKey in the standby: the address is known without the primary.
    expect(record!.keys[0].addressBefore).toBe(target.world.signingAddress());
  });

  test('a lost UpdatePrimaryRegion response is not repeated: the keys are read again and the run completes', async () => {
    const target = simTarget({ position: 'standby' });
    target.world.loseResponse('UpdatePrimaryRegionCommand');
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.ok);
    expect(record!.keys[0].request).toBe('response-lost-but-applied');
    expect(record!.keys[0].error).toContain('simulated lost response');
    expect(updateCalls(target).length).toBe(KEY_ALIASES.length);
    expect(record!.keys[0].sameAddress).toBe(true);
  });

  test('a retry meeting its own accepted request (KMS: Updating) counts as sent, not as a failure', async () => {
    const target = simTarget({ position: 'standby' });
    // The first request lands; its response is lost and the "retry" is refused because the key is Updating.
    target.world.loseResponse('UpdatePrimaryRegionCommand');
    const first = await run(target, ['--execute', '--yes', '--timeout', '1', '--poll', '1']);
    expect(first.code).toBe(EXIT.abortedNotRestored);
    expect(first.record!.outcome).toBe('timed-out');
    expect(first.record!.manualSteps.join('\n')).toContain('aws kms describe-key --key-id');
    // Run again at once: the signing key is still Updating, so no new request for it; the rest go on.
    const second = await run(target, ['--execute', '--yes']);
    expect(second.code).toBe(EXIT.ok);
    expect(second.record!.keys[0]).toMatchObject({ action: 'in-progress', request: 'already-in-progress' });
    expect(
      updateCalls(target).filter(
        (c) => (c.input as { KeyId: string }).KeyId === target.world.kmsKey(KEY_ALIASES[0]).keyId,
      ),
    ).toHaveLength(1);
  });

  test('Ctrl-C during the wait: no further request, exit 4 with the manual steps; a re-run finishes', async () => {
    const target = simTarget({ position: 'standby' });
    const { code, record } = await run(target, ['--execute', '--yes', '--poll', '1'], {
      onIo: (f) => target.world.at(START + 1000, () => f.interrupt()),
    });
    expect(code).toBe(EXIT.abortedNotRestored);
    expect(record!.outcome).toBe('interrupted');
    // the example config has a cold key: signing, data, backup, cold
    expect(record!.keys.map((k) => k.request)).toEqual(['sent', 'not-sent', 'not-sent', 'not-sent']);
    expect(record!.manualSteps.join('\n')).toContain('not requested: data, backup, cold');
    expect(updateCalls(target)).toHaveLength(1);
    const again = await run(target, ['--execute', '--yes']);
    expect(again.code).toBe(EXIT.ok);
    for (const alias of KEY_ALIASES) expect(target.world.kmsKey(alias).primaryRegion).toBe(STANDBY);
  });

  test('fails when the address changes after promotion: exit 1 and STOP SIGNING', async () => {
    const target = simTarget({ position: 'standby' });
    const other = createECDH('secp256k1');
    other.generateKeys();
    const spki = Buffer.concat([
      Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'),
      other.getPublicKey(),
    ]);
    target.world.at(START + 1000, () => {
      target.world.kmsKey(KEY_ALIASES[0]).copies.get(STANDBY)!.publicKeySpki = spki;
    });
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.checkFailed);
    expect(record!.outcome).toBe('failed');
    expect(record!.keys[0].sameAddress).toBe(false);
    expect(record!.manualSteps[0]).toContain('STOP SIGNING');
  });

  test('fails when the replica is disabled: refused before any request', async () => {
    const target = simTarget({ position: 'standby' });
    target.world.setKeyEnabled('standby', false);
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.checkFailed);
    expect(record!.checks.find((c) => c.id === 'replica-enabled:signing')).toMatchObject({
      ok: false,
      level: 'blocker',
    });
    expect(updateCalls(target)).toEqual([]);
  });

  test('fails when the two copies give different addresses: refused', async () => {
    const target = simTarget({ position: 'standby' });
    const other = createECDH('secp256k1');
    other.generateKeys();
    target.world.kmsKey(KEY_ALIASES[0]).copies.get(STANDBY)!.publicKeySpki = Buffer.concat([
      Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'),
      other.getPublicKey(),
    ]);
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.checkFailed);
    expect(record!.checks.find((c) => c.id === 'same-address:signing')).toMatchObject({ ok: false });
    expect(updateCalls(target)).toEqual([]);
  });

  test('fails while a chaos experiment of the environment runs', async () => {
    const target = simTarget({ position: 'standby' });
    const fis = target.world.fis;
    const region = [PRIMARY, STANDBY].find(
      (r) => (fis.handle(r, 'ListExperimentTemplatesCommand', {}).experimentTemplates as unknown[]).length > 0,
    )!;
    const [template] = fis.handle(region, 'ListExperimentTemplatesCommand', {}).experimentTemplates as Array<{
      id: string;
    }>;
    fis.handle(region, 'StartExperimentCommand', { experimentTemplateId: template.id, clientToken: 't', tags: {} });
    const { code, record } = await run(target, ['--execute', '--yes']);
    expect(code).toBe(EXIT.checkFailed);
    expect(record!.checks.find((c) => c.id === 'no-experiment-running')).toMatchObject({ ok: false });
    expect(updateCalls(target)).toEqual([]);
  });

  test('without --yes and without a terminal: usage error (exit 2), nothing read', async () => {
    const target = simTarget({ position: 'standby' });
    const { code, stderr } = await run(target, ['--execute'], { json: false });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('refusing to promote keys without confirmation');
    expect(target.world.log.filter((l) => l.service === 'kms')).toEqual([]);
  });

  test('--sim-caller with --target aws is a usage error', async () => {
    const f = fakeIo();
    const code = await runCli(['promote-keys', '--target', 'aws', '--sim-caller', OPERATOR_SESSION], f.io);
    expect(code).toBe(EXIT.usage);
    expect(f.stderr()).toContain('--sim-caller applies to --target simulated only');
  });

  test('an optional key (the cold key) is promoted when present and skipped when absent', async () => {
    const cold: PromotableKey = {
      name: 'cold',
      alias: (env) => `alias/${env}-wallet-cold`,
      address: true,
      required: false,
      purpose: 'test',
    };
    const { runPromotion } = await import('../../lib/drill/promote/run');
    const { kmsKeyAdmin } = await import('../../lib/drill/promote/admin');
    const { createDrillClients } = await import('../../lib/drill/clients');
    const { attachWorld } = await import('../../lib/drill/sim/sdk');
    const go = async (target: SimulatedTarget) => {
      target.world.callerArn = `arn:aws:sts::111111111111:assumed-role/WalletBreakGlass/t`;
      const clients = createDrillClients({
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        defaultRegion: STANDBY,
        decorate: (c, s, r) => attachWorld(c, s, r, target.world),
        breakGlass: true,
      });
      return runPromotion({
        config,
        admin: kmsKeyAdmin(clients),
        clock: target.clock,
        target: 'simulated',
        execute: true,
        experiments: async () => ({ ok: true, value: [] }),
        keys: [PROMOTABLE_KEYS[0], cold],
      });
    };
    // The example config has security.coldKey, so its simulated world has the cold key.
    const withCold = simTarget({ position: 'standby' });
    const a = await go(withCold);
    expect(a.exitCode).toBe(EXIT.ok);
    expect(a.keys.map((k) => [k.name, k.action, k.sameAddress])).toEqual([
      ['signing', 'promote', true],
      ['cold', 'promote', true],
    ]);
    expect(withCold.world.kmsKey('alias/example-wallet-cold').primaryRegion).toBe(STANDBY);
    const b = await go(simTarget({ position: 'standby', config: testConfig({ security: { coldKey: undefined } }) }));
    expect(b.exitCode).toBe(EXIT.ok);
    expect(b.keys.map((k) => [k.name, k.action])).toEqual([
      ['signing', 'promote'],
      ['cold', 'absent'],
    ]);
  });
});

// ------------------------------------------------------------------ each pre-check on its own

const copy = (over: Partial<KeyCopy> = {}): KeyCopy => ({
  region: STANDBY,
  keyId: 'mrk-1',
  enabled: true,
  keyState: 'Enabled',
  keySpec: 'ECC_SECG_P256K1',
  multiRegion: true,
  type: 'REPLICA',
  primaryRegion: PRIMARY,
  replicaRegions: [STANDBY],
  ...over,
});
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const ADDR = '0x1111111111111111111111111111111111111111';
const survey = (over: Partial<KeySurvey> = {}): KeySurvey => ({
  key: PROMOTABLE_KEYS[0],
  alias: 'alias/example-wallet-signing',
  standby: ok(copy()),
  primary: ok(copy({ region: PRIMARY, type: 'PRIMARY' })),
  standbyAddress: ok(ADDR),
  primaryAddress: ok(ADDR),
  ...over,
});

describe('checkBreakGlassCaller', () => {
  test('passes for a session of the break-glass role', () => {
    expect(
      checkBreakGlassCaller(config, ok({ arn: 'arn:aws:sts::111111111111:assumed-role/WalletBreakGlass/bob' })).ok,
    ).toBe(true);
  });
  test('passes for a role with a path (an assumed-role ARN carries the name, not the path)', () => {
    const withPath = testConfig({
      security: { breakGlassRoleArn: 'arn:aws:iam::111111111111:role/ops/WalletBreakGlass' },
    });
    expect(
      checkBreakGlassCaller(withPath, ok({ arn: 'arn:aws:sts::111111111111:assumed-role/WalletBreakGlass/bob' })).ok,
    ).toBe(true);
  });
  test.each([
    ['another role', OPERATOR_SESSION],
    ['the same role name in another account', 'arn:aws:sts::222222222222:assumed-role/WalletBreakGlass/bob'],
    ['an IAM user', 'arn:aws:iam::111111111111:user/bob'],
    ['the account root', 'arn:aws:iam::111111111111:root'],
    ['a role whose name only starts like it', 'arn:aws:sts::111111111111:assumed-role/WalletBreakGlassX/bob'],
  ])('fails for %s', (_n, arn) => {
    const r = checkBreakGlassCaller(config, ok({ arn }));
    expect(r).toMatchObject({ ok: false, level: 'blocker' });
    expect(r.detail).toContain(arn);
    expect(r.fix).toContain(`--role-arn ${BREAK_GLASS}`);
  });
  test('fails when the identity cannot be read', () => {
    const r = checkBreakGlassCaller(config, { ok: false, failure: 'error', error: 'ExpiredToken: expired' });
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('ExpiredToken');
  });
});

describe('checkNoExperimentRunning', () => {
  test('passes with none', () => expect(checkNoExperimentRunning([PRIMARY], ok([])).ok).toBe(true));
  test('fails with one running', () => {
    const r = checkNoExperimentRunning([PRIMARY], ok(['EXP1 (primary-down, running, us-east-2)']));
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('EXP1');
  });
  test('fails when FIS cannot be listed', () =>
    expect(checkNoExperimentRunning([PRIMARY], { ok: false, failure: 'unreachable', error: 'x' }).ok).toBe(false));
});

describe('checkPrimaryRegionReachable', () => {
  test('passes when the primary answers', () =>
    expect(checkPrimaryRegionReachable(config, [{ survey: survey(), action: 'promote' }])!.ok).toBe(true));
  test('fails when the primary region does not answer', () => {
    const s = survey({ primary: { ok: false, failure: 'unreachable', error: 'TimeoutError: ETIMEDOUT' } });
    expect(checkPrimaryRegionReachable(config, [{ survey: s, action: 'promote' }])!.ok).toBe(false);
  });
  test('does not apply when nothing needs promotion', () => {
    const s = survey({ primary: { ok: false, failure: 'unreachable', error: 'x' } });
    expect(checkPrimaryRegionReachable(config, [{ survey: s, action: 'already-promoted' }])).toBeUndefined();
  });
});

describe('multiRegionWithStandbyReplica', () => {
  test('passes for a replica of the primary', () =>
    expect(multiRegionWithStandbyReplica.run(config, survey(), 'promote')!.ok).toBe(true));
  test.each<[string, Partial<KeySurvey>, string]>([
    ['a single-Region key', { standby: ok(copy({ keyId: '1234abcd', multiRegion: false })) }, 'single-Region key'],
    [
      'aliases naming different keys',
      { primary: ok(copy({ region: PRIMARY, type: 'PRIMARY', keyId: 'mrk-2' })) },
      'the aliases point at different keys',
    ],
    [
      'a primary without a replica in the standby',
      { primary: ok(copy({ region: PRIMARY, type: 'PRIMARY', replicaRegions: ['eu-west-1'] })) },
      'not us-west-2',
    ],
    [
      'no key in the standby',
      { standby: { ok: false, failure: 'not-found', error: 'NotFoundException: Alias' } },
      'DescribeKey',
    ],
    ['a primary elsewhere', { standby: ok(copy({ primaryRegion: 'eu-west-1' })) }, 'not in us-east-2'],
  ])('fails for %s', (_n, over, message) => {
    const r = multiRegionWithStandbyReplica.run(config, survey(over), 'promote')!;
    expect(r).toMatchObject({ ok: false, level: 'blocker' });
    expect(r.detail).toContain(message);
  });
});

describe('replicaEnabled and primaryEnabled', () => {
  test('pass when both are Enabled', () => {
    expect(replicaEnabled.run(config, survey(), 'promote')!.ok).toBe(true);
    expect(primaryEnabled.run(config, survey(), 'promote')!.ok).toBe(true);
  });
  test('replicaEnabled fails for a disabled replica', () => {
    const r = replicaEnabled.run(
      config,
      survey({ standby: ok(copy({ enabled: false, keyState: 'Disabled' })) }),
      'promote',
    )!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('aws kms enable-key --key-id mrk-1 --region us-west-2');
  });
  test('replicaEnabled fails for a replica pending deletion', () =>
    expect(
      replicaEnabled.run(
        config,
        survey({ standby: ok(copy({ enabled: false, keyState: 'PendingDeletion' })) }),
        'promote',
      )!.ok,
    ).toBe(false));
  test('primaryEnabled fails for a disabled primary', () =>
    expect(
      primaryEnabled.run(
        config,
        survey({ primary: ok(copy({ region: PRIMARY, type: 'PRIMARY', enabled: false, keyState: 'Disabled' })) }),
        'promote',
      )!.ok,
    ).toBe(false));
});

describe('sameKeyMaterial', () => {
  test('passes for the same address', () => expect(sameKeyMaterial.run(config, survey(), 'promote')!.ok).toBe(true));
  test('fails for different addresses', () => {
    const r = sameKeyMaterial.run(
      config,
      survey({ standbyAddress: ok('0x2222222222222222222222222222222222222222') }),
      'promote',
    )!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('do not promote');
  });
  test('fails when a public key cannot be read (names the missing permission)', () => {
    const r = sameKeyMaterial.run(
      config,
      survey({ primaryAddress: { ok: false, failure: 'error', error: 'AccessDeniedException' } }),
      'promote',
    )!;
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('kms:GetPublicKey');
  });
  test('fails for symmetric keys of different specs', () => {
    const data = survey({
      key: PROMOTABLE_KEYS[1],
      standby: ok(copy({ keySpec: 'SYMMETRIC_DEFAULT' })),
      primary: ok(copy({ region: PRIMARY, type: 'PRIMARY', keySpec: 'HMAC_256' })),
    });
    expect(sameKeyMaterial.run(config, data, 'promote')!.ok).toBe(false);
  });
});

describe('notAlreadyPromoted and keyAction', () => {
  test('a replica is to be promoted', () => {
    expect(keyAction(config, survey())).toBe('promote');
    expect(notAlreadyPromoted.run(config, survey(), 'promote')!.ok).toBe(true);
  });
  test('fails (warning: skipped) for a key already primary in the standby', () => {
    const s = survey({ standby: ok(copy({ type: 'PRIMARY', primaryRegion: STANDBY })) });
    expect(keyAction(config, s)).toBe('already-promoted');
    expect(notAlreadyPromoted.run(config, s, 'already-promoted')).toMatchObject({ ok: false, level: 'warning' });
  });
  test('an Updating key is in progress (waited for, not requested again)', () =>
    expect(keyAction(config, survey({ standby: ok(copy({ keyState: 'Updating' })) }))).toBe('in-progress'));
  test('a missing optional key is absent; a missing required key is not', () => {
    const missing = { ok: false as const, failure: 'not-found' as const, error: 'NotFoundException' };
    const cold = { ...PROMOTABLE_KEYS[0], name: 'cold', required: false };
    expect(keyAction(config, survey({ key: cold, standby: missing, primary: missing }))).toBe('absent');
    expect(keyAction(config, survey({ standby: missing, primary: missing }))).toBe('promote');
  });
});

test('the runbook lists every pre-check id (docs/runbooks/key-recovery.md)', () => {
  const runbook = readFileSync(path.join(__dirname, '..', '..', 'docs', 'runbooks', 'key-recovery.md'), 'utf8');
  const { KEY_CHECKS } = jest.requireActual<typeof import('../../lib/drill/promote/checks')>(
    '../../lib/drill/promote/checks',
  );
  const ids = [
    'break-glass-caller',
    'no-experiment-running',
    'primary-region-reachable',
    ...KEY_CHECKS.map((c) => `${c.id}:<key>`),
  ];
  for (const id of ids) expect(runbook).toContain(`| \`${id}\``);
});
