import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { computeAddress, SigningKey } from 'ethers';

/**
 * A local secp256k1 key standing in for a KMS key in handler tests: its public key in the DER
 * SubjectPublicKeyInfo form KMS GetPublicKey returns, and DER signatures over a 32-byte digest in
 * the form KMS Sign returns (MessageType DIGEST). Signatures are made with ethers' SigningKey (an
 * implementation independent of the viem/noble code under test) and DER-encoded here; `highS`
 * returns the equally valid (r, n - s) twin that KMS may also return.
 */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface LocalKey {
  readonly privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo, as KMS GetPublicKey returns it. */
  readonly spki: Uint8Array;
  /** ethers' view of the key, for independent checks. */
  readonly ethers: SigningKey;
  /** 0x-prefixed checksummed address according to ethers. */
  readonly address: string;
  signDigestDer(digest: string | Uint8Array, options?: { highS?: boolean }): Uint8Array;
}

function derInt(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` (short-form lengths: always true for secp256k1). */
export function derEncodeSignature(r: bigint, s: bigint): Uint8Array {
  const body = Buffer.concat([derInt(r), derInt(s)]);
  return Uint8Array.from(Buffer.concat([Buffer.from([0x30, body.length]), body]));
}

export function newLocalKey(): LocalKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d as string, 'base64url')
    .toString('hex')
    .padStart(64, '0');
  const signer = new SigningKey(`0x${d}`);
  const spki = Uint8Array.from(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  return {
    privateKey,
    spki,
    ethers: signer,
    address: computeAddress(signer.publicKey),
    signDigestDer(digest, options = {}) {
      const hex = typeof digest === 'string' ? digest : `0x${Buffer.from(digest).toString('hex')}`;
      const sig = signer.sign(hex); // ethers always returns low s
      const r = BigInt(sig.r);
      const s = BigInt(sig.s);
      return derEncodeSignature(r, options.highS ? SECP256K1_N - s : s);
    },
  };
}
