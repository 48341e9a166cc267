import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { Signature, SigningKey, Transaction } from 'ethers';
import {
  addressFromPublicKey,
  buildEip1559,
  DerError,
  finishSignature,
  normalizeLowS,
  parseDerSignature,
  parseSpkiPublicKey,
  recoverYParity,
  SECP256K1_HALF_N,
  SECP256K1_N,
  signingDigest,
  toHex,
  TxRequest,
} from '../../../lambda/shared/signing';
import { SignatureRecoveryError } from '../../../lambda/shared/errors';
import { derEncodeSignature, LocalKey, newLocalKey } from '../../helpers/local-key';

const REQUEST: TxRequest = {
  to: '0x1111111111111111111111111111111111111111',
  value: '1000000000000000000',
  gasLimit: '21000',
  maxFeePerGas: '30000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 11155111,
};

let key: LocalKey;
beforeAll(() => {
  key = newLocalKey();
});

describe('parseDerSignature', () => {
  test('reads r and s from a DER signature', () => {
    // Prepare
    const der = derEncodeSignature(0x1234n, SECP256K1_N - 5n);
    // Act
    const sig = parseDerSignature(der);
    // Assess
    expect(sig).toEqual({ r: 0x1234n, s: SECP256K1_N - 5n });
  });

  test.each([
    ['not a SEQUENCE', Uint8Array.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), 'expected a SEQUENCE (0x30)'],
    ['trailing bytes', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]), '1 trailing bytes'],
    ['negative r', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]), 'r is negative'],
    [
      'non-minimal leading zero',
      Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]),
      'r has a non-minimal leading zero',
    ],
    ['zero s', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00]), 's is outside [1, n-1]'],
    ['truncated', Uint8Array.from([0x30, 0x06, 0x02, 0x01]), 'runs past the end'],
    ['empty', new Uint8Array(0), 'truncated at byte 0'],
  ])('fails on %s with a message naming the problem and the bytes', (_name, der, expected) => {
    expect(() => parseDerSignature(der)).toThrow(DerError);
    expect(() => parseDerSignature(der)).toThrow(expected);
    expect(() => parseDerSignature(der)).toThrow(`received ${der.length} bytes`);
  });

  test('fails when r is not below the group order', () => {
    expect(() => parseDerSignature(derEncodeSignature(SECP256K1_N, 1n))).toThrow('r is outside [1, n-1]');
  });
});

describe('normalizeLowS', () => {
  test('flips a high s to n - s and leaves a low s alone', () => {
    // Act
    const high = normalizeLowS({ r: 1n, s: SECP256K1_HALF_N + 1n });
    const low = normalizeLowS({ r: 1n, s: SECP256K1_HALF_N });
    // Assess
    expect(high).toEqual({ r: 1n, s: SECP256K1_N - (SECP256K1_HALF_N + 1n), flipped: true });
    expect(high.s <= SECP256K1_HALF_N).toBe(true);
    expect(low).toEqual({ r: 1n, s: SECP256K1_HALF_N, flipped: false });
  });
});

describe('parseSpkiPublicKey and addressFromPublicKey', () => {
  test('derive the same address as ethers from the DER public key KMS returns', () => {
    // Act
    const point = parseSpkiPublicKey(key.spki);
    const address = addressFromPublicKey(point);
    // Assess
    expect(toHex(point)).toBe(key.ethers.publicKey);
    expect(address).toBe(key.address.toLowerCase());
  });

  test('fails on a key of another curve with a message naming the key spec to use', () => {
    // Prepare: a P-256 key's SPKI
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const spki = createPublicKey(p256).export({ format: 'der', type: 'spki' });
    // Act / Assess
    expect(() => parseSpkiPublicKey(spki)).toThrow('curve is not secp256k1 (KMS key spec must be ECC_SECG_P256K1)');
  });

  test('fails on a truncated key', () => {
    expect(() => parseSpkiPublicKey(key.spki.subarray(0, 40))).toThrow(DerError);
  });
});

describe('recoverYParity', () => {
  test('finds the recovery id ethers computes, for many digests', async () => {
    for (let i = 0; i < 16; i++) {
      // Prepare
      const digest = signingDigest(buildEip1559(REQUEST, i));
      const reference = key.ethers.sign(digest);
      const parsed = normalizeLowS(parseDerSignature(key.signDigestDer(digest)));
      // Act
      const yParity = await recoverYParity(digest, parsed, parseSpkiPublicKey(key.spki));
      // Assess
      expect(yParity).toBe(reference.yParity);
    }
  });

  test('fails when the signature is from another key', async () => {
    // Prepare
    const digest = signingDigest(buildEip1559(REQUEST, 0));
    const other = newLocalKey();
    const sig = parseDerSignature(other.signDigestDer(digest));
    // Act / Assess
    await expect(recoverYParity(digest, sig, parseSpkiPublicKey(key.spki))).rejects.toThrow(SignatureRecoveryError);
    await expect(recoverYParity(digest, sig, parseSpkiPublicKey(key.spki))).rejects.toThrow(
      'does not recover to the signing key',
    );
  });
});

describe('finishSignature', () => {
  test.each([
    ['a low-s signature', false],
    ['a high-s signature (normalized to low s)', true],
  ])('turns %s into an EIP-1559 transaction ethers accepts and attributes to the key', async (_name, highS) => {
    // Prepare
    const tx = buildEip1559({ ...REQUEST, data: '0xa9059cbb' }, 7);
    const digest = signingDigest(tx);
    const der = key.signDigestDer(digest, { highS });
    expect(parseDerSignature(der).s > SECP256K1_HALF_N).toBe(highS);
    // Act
    const signed = await finishSignature(tx, digest, der, parseSpkiPublicKey(key.spki));
    // Assess: an independent library parses it, recovers the sender and agrees on every field
    const parsed = Transaction.from(signed.raw);
    expect(parsed.type).toBe(2);
    expect(parsed.from).toBe(key.address);
    expect(parsed.hash).toBe(signed.hash);
    expect(parsed.unsignedHash).toBe(digest);
    expect(parsed.nonce).toBe(7);
    expect(parsed.chainId).toBe(BigInt(REQUEST.chainId));
    expect(parsed.to?.toLowerCase()).toBe(REQUEST.to);
    expect(parsed.value).toBe(BigInt(REQUEST.value));
    expect(parsed.data).toBe('0xa9059cbb');
    expect(parsed.gasLimit).toBe(21000n);
    expect(parsed.maxFeePerGas).toBe(30000000000n);
    expect(parsed.maxPriorityFeePerGas).toBe(1000000000n);
    expect(BigInt(parsed.signature!.s) <= SECP256K1_HALF_N).toBe(true);
    expect(SigningKey.recoverPublicKey(digest, Signature.from(signed.signature))).toBe(key.ethers.publicKey);
  });
});
