import { CreateKeyCommand, KMSClient, ReplicateKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { computeAddress, Signature, SigningKey, Transaction } from 'ethers';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import {
  buildEip1559,
  finishSignature,
  parseDerSignature,
  SECP256K1_HALF_N,
  signingDigest,
  TxRequest,
} from '../../lambda/shared/signing';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * Wire-level: a real secp256k1 multi-region key in moto's KMS, created in the primary region and
 * replicated to the standby, driven through the same KmsSigningKey + signing library the signer
 * Lambda uses. moto runs with the DIGEST shim (lib/chain/devnet/moto_server_shim.py, MOTO_SHIM_KMS_DIGEST) because
 * moto 5.2 re-hashes DIGEST messages, which real KMS does not.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const REQUEST: TxRequest = {
  to: '0x2222222222222222222222222222222222222222',
  value: '250000000000000000',
  gasLimit: '21000',
  maxFeePerGas: '40000000000',
  maxPriorityFeePerGas: '2000000000',
  chainId: 1,
};

let moto: MotoServer;
let keyId: string;
let primaryKms: KMSClient;
let standbyKms: KMSClient;

beforeAll(async () => {
  moto = await sharedMoto();
  primaryKms = new KMSClient(moto.clientConfig(PRIMARY));
  standbyKms = new KMSClient(moto.clientConfig(STANDBY));
  const created = await primaryKms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }),
  );
  keyId = created.KeyMetadata!.KeyId!;
  await primaryKms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: STANDBY }));
});

const keyArn = (region: string) => `arn:aws:kms:${region}:123456789012:key/${keyId}`;

test('the multi-region key is a secp256k1 key with the same address in both regions, derived from GetPublicKey', async () => {
  // Prepare
  const primary = new KmsSigningKey(primaryKms, keyArn(PRIMARY));
  const standby = new KmsSigningKey(standbyKms, keyArn(STANDBY));
  // Act
  const [a, b] = await Promise.all([primary.publicKey(), standby.publicKey()]);
  // Assess
  expect(keyId).toMatch(/^mrk-/);
  // moto 5.2's GetPublicKey omits KeySpec/KeyUsage (real KMS returns them; the unit tests cover
  // the check). The SPKI itself names secp256k1, and parsing it enforces that.
  expect(a.publicKey).toHaveLength(65);
  expect(b.address).toBe(a.address);
  expect(a.address).toBe(computeAddress(`0x${Buffer.from(a.publicKey).toString('hex')}`).toLowerCase());
});

test('a transaction signed in each region recovers, with ethers, to the same address', async () => {
  const senders: string[] = [];
  for (const [region, client] of [
    [PRIMARY, primaryKms],
    [STANDBY, standbyKms],
  ] as const) {
    // Prepare
    const key = new KmsSigningKey(client, keyArn(region));
    const info = await key.publicKey();
    const tx = buildEip1559(REQUEST, region === PRIMARY ? 0 : 1);
    const digest = signingDigest(tx);
    // Act
    const der = await key.signDigest(digest);
    const signed = await finishSignature(tx, digest, der, info.publicKey);
    // Assess: ethers parses the serialized EIP-1559 transaction and recovers the sender itself
    const parsed = Transaction.from(signed.raw);
    expect(parsed.unsignedHash).toBe(digest);
    expect(parsed.hash).toBe(signed.hash);
    expect(parsed.from!.toLowerCase()).toBe(info.address);
    expect(BigInt(parsed.signature!.s) <= SECP256K1_HALF_N).toBe(true);
    expect(SigningKey.recoverPublicKey(digest, Signature.from(signed.signature))).toBe(
      `0x${Buffer.from(info.publicKey).toString('hex')}`,
    );
    senders.push(parsed.from!);
  }
  expect(new Set(senders).size).toBe(1);
});

test('KMS returns high-s signatures about half the time, and every one is normalized', async () => {
  // Prepare
  const key = new KmsSigningKey(primaryKms, keyArn(PRIMARY));
  const info = await key.publicKey();
  let high = 0;
  // Act
  for (let nonce = 0; nonce < 24; nonce++) {
    const tx = buildEip1559(REQUEST, nonce);
    const digest = signingDigest(tx);
    const der = await key.signDigest(digest);
    if (parseDerSignature(der).s > SECP256K1_HALF_N) high++;
    const parsed = Transaction.from((await finishSignature(tx, digest, der, info.publicKey)).raw);
    // Assess
    expect(parsed.from!.toLowerCase()).toBe(info.address);
    expect(BigInt(parsed.signature!.s) <= SECP256K1_HALF_N).toBe(true);
  }
  // With 24 signatures the chance of none being high-s is 2^-24: the normalization path ran.
  expect(high).toBeGreaterThan(0);
});

test('fails like KMS when a DIGEST message is not 32 bytes', async () => {
  await expect(
    standbyKms.send(
      new SignCommand({
        KeyId: keyId,
        Message: new Uint8Array(31),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    ),
  ).rejects.toThrow('Digest is invalid length for algorithm ECDSA_SHA_256');
});
