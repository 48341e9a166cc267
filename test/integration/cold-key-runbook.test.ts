import { createPublicKey } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ReplicateKeyCommand,
  SignCommand,
} from '@aws-sdk/client-kms';
import { Transaction } from 'ethers';
import { coldKeyAlias } from '../../lib/contract/cold-key';
import { addressFromSpki } from '../../lib/drill/address';
import { buildEip1559, finishSignature, signingDigest } from '../../lambda/shared/signing';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The steps docs/cold-key.md gives a treasury officer, at wire level against moto's KMS (a real
 * secp256k1 multi-region key): read the cold public key by the contract's alias in both regions and
 * derive the cold address with lib/drill/address.ts; sign a prepared top-up's digest
 * (`kms sign --message-type DIGEST`) with the standby replica, as after the loss of the primary region;
 * the signature recovers, with ethers, to that same address. moto does not evaluate key policies or
 * MFA: those are tested request by request in test/constructs/cold-key.suite.ts.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
// A name of its own: the moto server is shared by the whole run.
const ALIAS = coldKeyAlias(`cold-runbook-${process.pid}`);

let moto: MotoServer;
const kms: Record<string, KMSClient> = {};

beforeAll(async () => {
  moto = await sharedMoto();
  for (const region of [PRIMARY, STANDBY]) kms[region] = new KMSClient(moto.clientConfig(region));
  const created = await kms[PRIMARY].send(
    new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }),
  );
  const keyId = created.KeyMetadata!.KeyId!;
  await kms[PRIMARY].send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: STANDBY }));
  // What the two keys stacks deploy: the same alias in each region. moto 5.2 answers the standby's
  // CreateAlias with AlreadyExists (it shares the alias with the replica); real KMS keeps aliases per region.
  for (const region of [PRIMARY, STANDBY]) {
    await kms[region].send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: keyId })).catch((err: Error) => {
      if (region === PRIMARY || err.name !== 'AlreadyExistsException') throw err;
    });
  }
});

const coldAddress = async (region: string): Promise<{ address: string; publicKey: Uint8Array }> => {
  const out = await kms[region].send(new GetPublicKeyCommand({ KeyId: ALIAS }));
  return { address: addressFromSpki(out.PublicKey!), publicKey: out.PublicKey! };
};

test('the cold address derived from GetPublicKey is the same in both regions', async () => {
  const [primary, standby] = await Promise.all([coldAddress(PRIMARY), coldAddress(STANDBY)]);
  expect(primary.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  expect(standby.address).toBe(primary.address);
});

test('a top-up digest signed with the standby replica (DIGEST) recovers to the cold address', async () => {
  const { address } = await coldAddress(STANDBY);
  const tx = buildEip1559(
    {
      to: '0x2222222222222222222222222222222222222222',
      value: '5000000000000000000',
      gasLimit: '21000',
      maxFeePerGas: '40000000000',
      maxPriorityFeePerGas: '2000000000',
      chainId: 11155111,
    },
    7,
  );
  const digest = signingDigest(tx);
  const signed = await kms[STANDBY].send(
    new SignCommand({
      KeyId: ALIAS,
      Message: Buffer.from(digest.slice(2), 'hex'),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    }),
  );
  const raw = await kms[STANDBY].send(new GetPublicKeyCommand({ KeyId: ALIAS }));
  const jwk = createPublicKey({ key: Buffer.from(raw.PublicKey!), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  const uncompressed = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  const finished = await finishSignature(tx, digest, signed.Signature!, uncompressed);
  expect(Transaction.from(finished.raw).from).toBe(address);
});
