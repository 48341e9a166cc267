import { CreateAliasCommand, CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { createDrillClients } from '../../lib/drill/clients';
import { kmsKeyAdmin } from '../../lib/drill/promote/admin';
import { keyAction, primaryEnabled, replicaEnabled, sameKeyMaterial } from '../../lib/drill/promote/checks';
import { PROMOTABLE_KEYS } from '../../lib/drill/promote/keys';
import { surveyKey } from '../../lib/drill/promote/run';
import { testConfig } from '../helpers/config';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Wire level: promote-keys' KMS adapter (guarded break-glass clients) reading real multi-Region keys in
 * moto_server: DescribeKey of a primary and its replica, and GetPublicKey of a replicated secp256k1 key in
 * both regions (the same address). moto does not implement UpdatePrimaryRegion, so the write
 * and its asynchronous state are covered by the simulated KMS (test/drill/sim/kms.test.ts) and the
 * adapter's calls by aws-sdk-client-mock (test/drill/promote-keys-aws.test.ts).
 */
// Its own environment name: the shared moto holds the other suites' aliases.
const config = testConfig({ envName: `pk${randomBytes(3).toString('hex')}` });
const { primary: PRIMARY, standby: STANDBY } = config.regions;
let moto: MotoServer;

beforeAll(async () => {
  moto = await sharedMoto();
  const p = new KMSClient(moto.clientConfig(PRIMARY));
  const s = new KMSClient(moto.clientConfig(STANDBY));
  for (const key of PROMOTABLE_KEYS) {
    const created = await p.send(
      new CreateKeyCommand(
        key.address
          ? { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }
          : { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', MultiRegion: true },
      ),
    );
    const id = created.KeyMetadata!.KeyId!;
    await p.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: STANDBY }));
    // Aliases are regional: each keys stack creates its own. (moto 5.2 answers AlreadyExists in the
    // standby for an alias created in the primary: it resolves there already.)
    await p.send(new CreateAliasCommand({ AliasName: key.alias(config.envName), TargetKeyId: id }));
    await s
      .send(new CreateAliasCommand({ AliasName: key.alias(config.envName), TargetKeyId: id }))
      .catch((e: Error) => {
        if (e.name !== 'AlreadyExistsException') throw e;
      });
  }
});

const admin = () =>
  kmsKeyAdmin(
    createDrillClients({
      endpoint: moto.endpoint,
      credentials: moto.credentials,
      defaultRegion: STANDBY,
      breakGlass: true,
    }),
  );

test.each(PROMOTABLE_KEYS.map((k) => [k.name, k] as const))(
  'the %s key in moto: read in both regions, same key (and address), enabled',
  async (_name, key) => {
    const survey = await surveyKey(config, admin(), key);
    expect(survey.standby).toMatchObject({
      ok: true,
      value: { multiRegion: true, enabled: true, keyState: 'Enabled' },
    });
    expect(survey.primary).toMatchObject({ ok: true, value: { multiRegion: true, enabled: true } });
    const [p, s] = [survey.primary, survey.standby].map((r) => (r.ok ? r.value : undefined));
    expect(s!.keyId).toMatch(/^mrk-/);
    expect(s!.keyId).toBe(p!.keyId);
    expect(s!.arn).toContain(`:${STANDBY}:`);
    // moto 5.2 copies the primary's MultiRegionConfiguration into the replica by reference (its
    // replicate_key says so), so the PRIMARY/REPLICA type is not faithful there: the checks that do not
    // depend on it run here; the type is the simulated KMS's and the scripted mock's to prove.
    for (const check of [sameKeyMaterial, replicaEnabled, primaryEnabled]) {
      expect(check.run(config, survey, 'promote')).toMatchObject({ ok: true });
    }
    if (key.address) {
      expect(survey.standbyAddress).toMatchObject({ ok: true, value: expect.stringMatching(/^0x[0-9a-f]{40}$/) });
      expect(survey.standbyAddress).toEqual(survey.primaryAddress);
    }
  },
);

test('a key missing in moto is not-found (an optional key is then absent)', async () => {
  // Every PROMOTABLE_KEYS alias (the cold key's too) is created above; this optional key never is.
  const missing = {
    ...PROMOTABLE_KEYS[0],
    name: 'not-deployed',
    required: false,
    alias: (e: string) => `alias/${e}-wallet-not-deployed`,
  };
  const survey = await surveyKey(config, admin(), missing);
  expect(survey.standby).toMatchObject({ ok: false, failure: 'not-found' });
  expect(keyAction(config, survey)).toBe('absent');
});
