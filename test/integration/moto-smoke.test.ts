import {
  CreateKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ReplicateKeyCommand,
  SignCommand,
} from '@aws-sdk/client-kms';
import { MotoServer, startMoto } from '../helpers/moto';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());

test('moto: multi-region secp256k1 key replicates and signs in both regions with the same public key', async () => {
  const primary = new KMSClient(moto.clientConfig('us-east-2'));
  const standby = new KMSClient(moto.clientConfig('us-west-2'));
  const created = await primary.send(
    new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }),
  );
  const keyId = created.KeyMetadata!.KeyId!;
  expect(keyId).toMatch(/^mrk-/);
  await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
  const pubA = await primary.send(new GetPublicKeyCommand({ KeyId: keyId }));
  const pubB = await standby.send(new GetPublicKeyCommand({ KeyId: keyId }));
  expect(Buffer.from(pubA.PublicKey!).toString('hex')).toBe(Buffer.from(pubB.PublicKey!).toString('hex'));
  const sig = await standby.send(
    new SignCommand({
      KeyId: keyId,
      Message: new Uint8Array(32).fill(7),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    }),
  );
  expect(sig.Signature?.length).toBeGreaterThan(60);
});
