import { createPublicKey } from 'node:crypto';
import { getAddress, keccak256 } from 'viem/utils';

/** The Ethereum address of a secp256k1 public key in DER SubjectPublicKeyInfo form (KMS GetPublicKey). */
export function addressFromSpki(spki: Uint8Array): string {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  if (jwk.crv !== 'secp256k1' || jwk.x === undefined || jwk.y === undefined) {
    throw new Error(`the signing key is not secp256k1 (curve ${jwk.crv ?? 'unknown'}); check the key spec`);
  }
  const xy = Buffer.concat([Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  const hash = keccak256(xy);
  return getAddress(`0x${hash.slice(-40)}`);
}
