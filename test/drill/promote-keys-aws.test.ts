import {
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidStateException,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { computeAddress } from 'ethers';
import { generateKeyPairSync } from 'node:crypto';
import { createDrillClients } from '../../lib/drill/clients';
import { EXIT } from '../../lib/drill/exit-codes';
import { kmsKeyAdmin } from '../../lib/drill/promote/admin';
import { PROMOTABLE_KEYS } from '../../lib/drill/promote/keys';
import { runPromotion } from '../../lib/drill/promote/run';
import { testConfig } from '../helpers/config';
import { START } from './helpers';

/**
 * The AWS adapter of promote-keys (lib/drill/promote/admin.ts) with aws-sdk-client-mock: the exact KMS
 * and STS commands, and the region each is sent to (UpdatePrimaryRegion to the CURRENT primary's region,
 * the reads and the verification in the standby), against a scripted KMS that completes each update
 * after two DescribeKey reads.
 */
const config = testConfig();
const { primary: PRIMARY, standby: STANDBY } = config.regions;
const kms = mockClient(KMSClient);
const sts = mockClient(STSClient);
const KEY = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const SPKI = KEY.publicKey.export({ format: 'der', type: 'spki' });
const JWK = KEY.publicKey.export({ format: 'jwk' });
const hex = (b64: string | undefined) => Buffer.from(b64!, 'base64url').toString('hex');
// An independent derivation (ethers) of the address the run must report.
const ADDRESS = computeAddress(`0x04${hex(JWK.x)}${hex(JWK.y)}`).toLowerCase();
const ids: Record<string, string> = Object.fromEntries(
  PROMOTABLE_KEYS.map((k, i) => [k.alias(config.envName), `mrk-${String(i).repeat(32)}`]),
);
const byId = (keyId: string) => Object.keys(ids).find((a) => a === keyId || ids[a] === keyId)!;

const clock = {
  t: START,
  now: () => clock.t,
  sleep: async (ms: number) => {
    clock.t += ms;
  },
};

/** Scripted KMS: per alias, where its primary is and how many reads an update still needs. */
let state: Record<string, { primary: string; updatingReads?: number }>;

function script() {
  state = Object.fromEntries(Object.keys(ids).map((a) => [a, { primary: PRIMARY }]));
  sts.on(GetCallerIdentityCommand).resolves({
    Account: '111111111111',
    Arn: 'arn:aws:sts::111111111111:assumed-role/WalletBreakGlass/alice-promote-keys',
  });
  kms.on(DescribeKeyCommand).callsFake(async (input: { KeyId: string }, getClient) => {
    const region = await getClient().config.region();
    const alias = byId(input.KeyId);
    const s = state[alias];
    let keyState = 'Enabled';
    let type = region === s.primary ? 'PRIMARY' : 'REPLICA';
    if (s.updatingReads !== undefined) {
      if (region === STANDBY) s.updatingReads--;
      if (s.updatingReads > 0) {
        keyState = 'Updating';
        type = 'REPLICA';
      } else {
        s.primary = STANDBY;
        s.updatingReads = undefined;
        type = region === s.primary ? 'PRIMARY' : 'REPLICA';
      }
    }
    return {
      KeyMetadata: {
        KeyId: ids[alias],
        Arn: `arn:aws:kms:${region}:111111111111:key/${ids[alias]}`,
        Enabled: true,
        KeyState: keyState,
        KeySpec: alias.endsWith('signing') ? 'ECC_SECG_P256K1' : 'SYMMETRIC_DEFAULT',
        MultiRegion: true,
        MultiRegionConfiguration: {
          MultiRegionKeyType: type,
          PrimaryKey: { Region: s.primary, Arn: `arn:aws:kms:${s.primary}:111111111111:key/${ids[alias]}` },
          ReplicaKeys: [s.primary === PRIMARY ? STANDBY : PRIMARY].map((r) => ({
            Region: r,
            Arn: `arn:aws:kms:${r}:111111111111:key/${ids[alias]}`,
          })),
        },
      },
    };
  });
  kms.on(GetPublicKeyCommand).resolves({ PublicKey: new Uint8Array(SPKI), KeySpec: 'ECC_SECG_P256K1' });
  kms.on(UpdatePrimaryRegionCommand).callsFake(async (input: { KeyId: string; PrimaryRegion: string }, getClient) => {
    const region = await getClient().config.region();
    const s = state[byId(input.KeyId)];
    if (region !== s.primary || s.updatingReads !== undefined) {
      throw new KMSInvalidStateException({ message: 'not the primary', $metadata: {} });
    }
    s.updatingReads = 2;
    return {};
  });
}

beforeEach(() => {
  kms.reset();
  sts.reset();
  clock.t = START;
  script();
});

const promote = (execute: boolean) => {
  const clients = createDrillClients({
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    defaultRegion: STANDBY,
    breakGlass: true,
  });
  return runPromotion({
    config,
    admin: kmsKeyAdmin(clients),
    clock,
    target: 'aws',
    execute,
    experiments: async () => ({ ok: true, value: [] }),
    pollSeconds: 1,
  });
};

/** Each KMS call as [command, region, KeyId, PrimaryRegion?]. */
async function kmsCalls() {
  return Promise.all(
    kms.calls().map(async (c) => {
      const cmd = c.args[0] as { constructor: { name: string }; input: { KeyId: string; PrimaryRegion?: string } };
      const region = await (c.thisValue as KMSClient).config.region();
      return [cmd.constructor.name, region, cmd.input.KeyId, cmd.input.PrimaryRegion].filter((x) => x !== undefined);
    }),
  );
}

test('execute: UpdatePrimaryRegion for each key in the primary region, the wait and the address read in the standby', async () => {
  const record = await promote(true);
  expect(record.exitCode).toBe(EXIT.ok);
  expect(record.keys[0]).toMatchObject({ addressBefore: ADDRESS, addressAfter: ADDRESS, sameAddress: true });
  expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  const calls = await kmsCalls();
  const signing = 'alias/example-wallet-signing';
  // Survey: every key read in the standby then the primary (aliases), signing keys' public keys in both.
  expect(calls.slice(0, 4)).toEqual([
    ['DescribeKeyCommand', STANDBY, signing],
    ['DescribeKeyCommand', PRIMARY, signing],
    ['GetPublicKeyCommand', STANDBY, signing],
    ['GetPublicKeyCommand', PRIMARY, signing],
  ]);
  const updates = calls.filter((c) => c[0] === 'UpdatePrimaryRegionCommand');
  expect(updates).toEqual(Object.values(ids).map((id) => ['UpdatePrimaryRegionCommand', PRIMARY, id, STANDBY]));
  // After the signing key's update: DescribeKey in the standby until PRIMARY, then GetPublicKey there by key id.
  const afterFirst = calls.slice(calls.indexOf(updates[0]) + 1, calls.indexOf(updates[1]));
  expect(afterFirst).toEqual([
    ['DescribeKeyCommand', STANDBY, ids[signing]],
    ['DescribeKeyCommand', STANDBY, ids[signing]],
    ['GetPublicKeyCommand', STANDBY, ids[signing]],
    ['DescribeKeyCommand', PRIMARY, ids[signing]],
  ]);
});

test('dry run: reads only, no UpdatePrimaryRegion', async () => {
  const record = await promote(false);
  expect(record.outcome).toBe('planned');
  expect(kms).toHaveReceivedCommandTimes(UpdatePrimaryRegionCommand, 0);
  expect(record.exitCode).toBe(EXIT.ok);
});

test('fails without break-glass credentials: no KMS call at all', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111111111111:assumed-role/WalletOperator/bob' });
  const record = await promote(true);
  expect(record.exitCode).toBe(EXIT.checkFailed);
  expect(kms.calls()).toHaveLength(0);
});

test('a KMSInvalidStateException on a key already updating is read as applied, not retried', async () => {
  state['alias/example-wallet-signing'].updatingReads = 5;
  const record = await promote(true);
  // The survey saw Updating: in progress, no request for it.
  expect(record.keys[0]).toMatchObject({ action: 'in-progress', request: 'already-in-progress' });
  expect(kms).not.toHaveReceivedCommandWith(UpdatePrimaryRegionCommand, { KeyId: ids['alias/example-wallet-signing'] });
  expect(record.exitCode).toBe(EXIT.ok);
});

test('fails with no credentials at all: refused with how to assume the break-glass role, nothing sent', async () => {
  sts
    .on(GetCallerIdentityCommand)
    .rejects(
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    );
  const record = await promote(true);
  expect(record.outcome).toBe('refused');
  expect(record.exitCode).toBe(EXIT.checkFailed);
  expect(record.checks[0].detail).toContain('Could not load credentials');
  expect(record.checks[0].fix).toContain(`aws sts assume-role --role-arn ${config.security.breakGlassRoleArn}`);
  expect(kms.calls()).toHaveLength(0);
});
