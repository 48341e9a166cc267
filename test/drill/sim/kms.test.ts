import {
  DescribeKeyCommand,
  DisabledException,
  GetPublicKeyCommand,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { dataKeyAlias, signingKeyAlias } from '../../../lib/contract/names';
import { addressFromSpki } from '../../../lib/drill/address';
import { createDrillClients, ForbiddenCallError } from '../../../lib/drill/clients';
import { attachWorld } from '../../../lib/drill/sim/sdk';
import { SIM_TIMINGS } from '../../../lib/drill/sim/timings';
import { World } from '../../../lib/drill/sim/world';
import { testConfig } from '../../helpers/config';
import { START } from '../helpers';

/** The simulated KMS's multi-Region keys and UpdatePrimaryRegion, through real SDK clients. */
const config = testConfig();
const { primary: PRIMARY, standby: STANDBY } = config.regions;
const SIGNING = signingKeyAlias(config.envName);

function setUp(breakGlass = true) {
  const world = new World({ config, seed: 3, startMs: START });
  const clients = createDrillClients({
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    defaultRegion: STANDBY,
    decorate: (c, s, r) => attachWorld(c, s, r, world),
    breakGlass,
  });
  const describe = async (region: string, keyId = SIGNING) =>
    (await clients.kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  const update = (region: string, keyId: string, to: string) =>
    clients.kms(region).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: to }));
  return { world, clients, describe, update };
}

test('DescribeKey shows a multi-Region primary and its replica, same key id, per-region ARNs', async () => {
  const { describe } = setUp();
  const p = await describe(PRIMARY);
  const s = await describe(STANDBY);
  expect(p.KeyId).toBe(s.KeyId);
  expect(p.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
  expect(p.MultiRegionConfiguration).toEqual({
    MultiRegionKeyType: 'PRIMARY',
    PrimaryKey: { Arn: `arn:aws:kms:${PRIMARY}:111111111111:key/${p.KeyId}`, Region: PRIMARY },
    ReplicaKeys: [{ Arn: `arn:aws:kms:${STANDBY}:111111111111:key/${p.KeyId}`, Region: STANDBY }],
  });
  expect(s.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
  expect(s.Arn).toBe(`arn:aws:kms:${STANDBY}:111111111111:key/${p.KeyId}`);
});

test('GetPublicKey gives the same address in both regions; a symmetric key has no public key', async () => {
  const { clients, world } = setUp();
  const addr = async (r: string) =>
    addressFromSpki((await clients.kms(r).send(new GetPublicKeyCommand({ KeyId: SIGNING }))).PublicKey!).toLowerCase();
  expect(await addr(PRIMARY)).toBe(world.signingAddress());
  expect(await addr(STANDBY)).toBe(world.signingAddress());
  await expect(
    clients.kms(STANDBY).send(new GetPublicKeyCommand({ KeyId: dataKeyAlias(config.envName) })),
  ).rejects.toBeInstanceOf(UnsupportedOperationException);
});

test('UpdatePrimaryRegion: Updating on both copies (both shown as replicas), then the new primary, Enabled', async () => {
  const { world, describe, update } = setUp();
  const id = (await describe(PRIMARY)).KeyId!;
  await update(PRIMARY, id, STANDBY);
  for (const r of [PRIMARY, STANDBY]) {
    const m = await describe(r);
    expect([m.KeyState, m.MultiRegionConfiguration?.MultiRegionKeyType]).toEqual(['Updating', 'REPLICA']);
  }
  // Cryptographic reads keep working while Updating.
  expect(world.kmsKey(SIGNING).copies.get(STANDBY)!.enabled).toBe(true);
  world.events.runUntil(world.now + SIM_TIMINGS.kmsPrimaryUpdate.seconds.max * 1000);
  const s = await describe(STANDBY);
  expect([
    s.KeyState,
    s.MultiRegionConfiguration?.MultiRegionKeyType,
    s.MultiRegionConfiguration?.PrimaryKey?.Region,
  ]).toEqual(['Enabled', 'PRIMARY', STANDBY]);
  const p = await describe(PRIMARY);
  expect([p.KeyState, p.MultiRegionConfiguration?.MultiRegionKeyType]).toEqual(['Enabled', 'REPLICA']);
});

test('UpdatePrimaryRegion takes a few seconds, within the documented row of the timing table', async () => {
  const { world, describe, update } = setUp();
  const id = (await describe(PRIMARY)).KeyId!;
  const t0 = world.now;
  await update(PRIMARY, id, STANDBY);
  const { completesAt } = world.kmsKey(SIGNING).updating!;
  expect(completesAt - t0).toBeGreaterThanOrEqual(SIM_TIMINGS.kmsPrimaryUpdate.seconds.min * 1000);
  expect(completesAt - t0).toBeLessThanOrEqual(SIM_TIMINGS.kmsPrimaryUpdate.seconds.max * 1000);
  expect(SIM_TIMINGS.kmsPrimaryUpdate.basis).toBe('doc');
});

test.each<[string, (s: ReturnType<typeof setUp>, id: string) => Promise<unknown>, unknown]>([
  ['sent to the replica region', (s, id) => s.update(STANDBY, id, PRIMARY), UnsupportedOperationException],
  ['to a region without a replica', (s, id) => s.update(PRIMARY, id, 'eu-west-1'), NotFoundException],
  [
    'while an update runs (a retry meeting its own request)',
    async (s, id) => {
      await s.update(PRIMARY, id, STANDBY);
      return s.update(PRIMARY, id, STANDBY);
    },
    KMSInvalidStateException,
  ],
  [
    'with the replica disabled',
    (s, id) => {
      s.world.setKeyEnabled('standby', false);
      return s.update(PRIMARY, id, STANDBY);
    },
    DisabledException,
  ],
])('UpdatePrimaryRegion fails %s', async (_n, act, error) => {
  const s = setUp();
  const id = (await s.describe(PRIMARY)).KeyId!;
  await expect(act(s, id)).rejects.toBeInstanceOf(error);
});

test('a lost response: the update is applied, the caller sees a timeout', async () => {
  const { world, describe, update } = setUp();
  const id = (await describe(PRIMARY)).KeyId!;
  world.loseResponse('UpdatePrimaryRegionCommand');
  await expect(update(PRIMARY, id, STANDBY)).rejects.toMatchObject({ name: 'TimeoutError' });
  expect((await describe(STANDBY)).KeyState).toBe('Updating');
});

test('the call guard: only break-glass clients may send UpdatePrimaryRegion', async () => {
  const plain = setUp(false);
  const id = (await plain.describe(PRIMARY)).KeyId!;
  const before = plain.world.log.length;
  await expect(plain.update(PRIMARY, id, STANDBY)).rejects.toBeInstanceOf(ForbiddenCallError);
  expect(plain.world.log.length).toBe(before);
  expect(plain.clients.calls.at(-1)).toMatchObject({ command: 'UpdatePrimaryRegionCommand', kind: 'forbidden' });
  const glass = setUp(true);
  await glass.update(PRIMARY, id, STANDBY);
  expect(glass.clients.calls.at(-1)).toMatchObject({
    command: 'UpdatePrimaryRegionCommand',
    kind: 'write',
    region: PRIMARY,
  });
});

test('an unknown alias is NotFoundException', async () => {
  const { describe } = setUp();
  await expect(describe(STANDBY, 'alias/nope')).rejects.toBeInstanceOf(NotFoundException);
});
