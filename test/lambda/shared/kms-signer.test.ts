import 'aws-sdk-client-mock-jest';
import {
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidStateException,
  KMSServiceException,
  SignCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryExhaustedError, SigningKeyMismatchError } from '../../../lambda/shared/errors';
import { isRetryableKmsError, KmsSigningKey } from '../../../lambda/shared/kms-signer';
import { backoffDelay, KMS_RETRY_POLICY } from '../../../lambda/shared/retry';
import { LocalKey, newLocalKey } from '../../helpers/local-key';

const kmsMock = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:us-east-2:111111111111:key/mrk-1234abcd';
const DIGEST = `0x${'ab'.repeat(32)}` as const;
/** What the SDK throws when KMS throttles (KMS does not model the error; the SDK names it). */
const throttle = () =>
  new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });

let key: LocalKey;
let slept: number[];
const hooks = () => ({ sleep: async (ms: number) => void slept.push(ms), random: () => 0.5 });

beforeAll(() => {
  key = newLocalKey();
});
beforeEach(() => {
  kmsMock.reset();
  slept = [];
});

describe('publicKey', () => {
  test('calls GetPublicKey once and derives the address from the DER public key', async () => {
    // Prepare
    kmsMock
      .on(GetPublicKeyCommand)
      .resolves({ PublicKey: key.spki, KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const signingKey = new KmsSigningKey(new KMSClient({}), KEY_ARN);
    // Act
    const [a, b] = await Promise.all([signingKey.publicKey(), signingKey.publicKey()]);
    const c = await signingKey.publicKey();
    // Assess
    expect(a.address).toBe(key.address.toLowerCase());
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(kmsMock).toHaveReceivedCommandTimes(GetPublicKeyCommand, 1);
    expect(kmsMock).toHaveReceivedCommandWith(GetPublicKeyCommand, { KeyId: KEY_ARN });
  });

  test('fetches again after the TTL (deep health notices a disabled key)', async () => {
    // Prepare
    let clock = 0;
    kmsMock
      .on(GetPublicKeyCommand)
      .resolvesOnce({ PublicKey: key.spki })
      .rejectsOnce(new KMSInvalidStateException({ message: 'key is disabled', $metadata: {} }));
    const signingKey = new KmsSigningKey(new KMSClient({}), KEY_ARN, { publicKeyTtlMs: 60_000, now: () => clock });
    // Act
    await signingKey.publicKey();
    clock = 59_999;
    await signingKey.publicKey();
    clock = 60_000;
    // Assess
    await expect(signingKey.publicKey()).rejects.toThrow('key is disabled');
    expect(kmsMock).toHaveReceivedCommandTimes(GetPublicKeyCommand, 2);
  });

  test('fails on a key that is not secp256k1, naming the spec it needs', async () => {
    kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: key.spki, KeySpec: 'ECC_NIST_P256' });
    await expect(new KmsSigningKey(new KMSClient({}), KEY_ARN).publicKey()).rejects.toThrow(SigningKeyMismatchError);
    await expect(new KmsSigningKey(new KMSClient({}), KEY_ARN).publicKey()).rejects.toThrow(
      'has key spec ECC_NIST_P256; an Ethereum signing key must be ECC_SECG_P256K1',
    );
  });
});

describe('signDigest', () => {
  test('signs the digest itself: MessageType DIGEST, ECDSA_SHA_256, 32 bytes', async () => {
    // Prepare
    kmsMock.on(SignCommand).resolves({ Signature: key.signDigestDer(DIGEST) });
    // Act
    const der = await new KmsSigningKey(new KMSClient({}), KEY_ARN).signDigest(DIGEST);
    // Assess
    expect(der[0]).toBe(0x30);
    expect(kmsMock).toHaveReceivedCommandWith(SignCommand, {
      KeyId: KEY_ARN,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
      Message: Uint8Array.from(Buffer.from('ab'.repeat(32), 'hex')),
    });
  });

  test('retries KMS throttling with backoff and succeeds', async () => {
    // Prepare
    kmsMock
      .on(SignCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ Signature: key.signDigestDer(DIGEST) });
    // Act
    const der = await new KmsSigningKey(new KMSClient({}), KEY_ARN, { hooks: hooks() }).signDigest(DIGEST);
    // Assess
    expect(der.length).toBeGreaterThan(8);
    expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 3);
    expect(slept).toEqual([backoffDelay(KMS_RETRY_POLICY, 1, () => 0.5), backoffDelay(KMS_RETRY_POLICY, 2, () => 0.5)]);
    expect(slept).toEqual([50, 100]);
  });

  test('gives up after the bounded number of attempts, keeping the last error as the cause', async () => {
    // Prepare
    kmsMock.on(SignCommand).rejects(throttle());
    const signingKey = new KmsSigningKey(new KMSClient({}), KEY_ARN, { hooks: hooks() });
    // Act
    const err = await signingKey.signDigest(DIGEST).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as RetryExhaustedError).attempts).toBe(KMS_RETRY_POLICY.maxAttempts);
    expect((err as Error).message).toContain('still failed after 5 attempts (ThrottlingException: Rate exceeded)');
    expect(((err as Error).cause as Error).name).toBe('ThrottlingException');
    expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 5);
    expect(slept).toHaveLength(4);
    expect(Math.max(...slept)).toBeLessThanOrEqual(KMS_RETRY_POLICY.maxDelayMs);
  });

  test('does not retry an error that retrying cannot fix', async () => {
    // Prepare
    kmsMock.on(SignCommand).rejects(new KMSInvalidStateException({ message: 'pending deletion', $metadata: {} }));
    // Act / Assess
    await expect(new KmsSigningKey(new KMSClient({}), KEY_ARN, { hooks: hooks() }).signDigest(DIGEST)).rejects.toThrow(
      'pending deletion',
    );
    expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 1);
    expect(slept).toEqual([]);
  });

  test('fails on a digest that is not 32 bytes before calling KMS', async () => {
    await expect(new KmsSigningKey(new KMSClient({}), KEY_ARN).signDigest('0xabcd')).rejects.toThrow(
      'a digest is 32 bytes; received 2',
    );
    expect(kmsMock).toHaveReceivedCommandTimes(SignCommand, 0);
  });
});

test.each([
  ['ThrottlingException', { name: 'ThrottlingException' }, true],
  ['KMSInternalException', { name: 'KMSInternalException' }, true],
  ['a reset connection', { name: 'Error', code: 'ECONNRESET' }, true],
  ['an SDK-marked transient error', { name: 'Whatever', $retryable: {} }, true],
  ['AccessDeniedException', { name: 'AccessDeniedException' }, false],
  ['DisabledException', { name: 'DisabledException' }, false],
  ['undefined', undefined, false],
])('isRetryableKmsError(%s) is %s', (_name, err, expected) => {
  expect(isRetryableKmsError(err)).toBe(expected);
});
