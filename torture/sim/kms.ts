import type { Hex } from 'viem';
import { privateKeyToAccount, sign } from 'viem/accounts';

/**
 * The multi-region signing key in memory: GetPublicKey answers the DER SubjectPublicKeyInfo KMS
 * returns, Sign (MessageType DIGEST, ECDSA_SHA_256) a DER `SEQUENCE { r, s }` over the digest as
 * given, with high or low s (KMS does not normalise s; the signer must). Replicas of a multi-region
 * key share the key material, so both regions sign as one address.
 */
const SPKI_PREFIX = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function derInt(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

export class SimKms {
  readonly address: string;
  readonly spki: Uint8Array;
  signs = 0;
  private readonly rByDigest = new Map<string, Set<bigint>>();
  /** Every Sign answered: the digest and the region whose key signed it. */
  readonly log: Array<{ digest: string; region: string; at: number }> = [];

  constructor(
    private readonly privateKey: Hex,
    private readonly clock: () => number,
    /** Whether the next signature is returned with high s. */
    private readonly highS: () => boolean,
  ) {
    const account = privateKeyToAccount(privateKey);
    this.address = account.address.toLowerCase();
    this.spki = Uint8Array.from(Buffer.concat([SPKI_PREFIX, Buffer.from(account.publicKey.slice(2), 'hex')]));
  }

  /** The r values of the signatures made over `digest` (the chain's signature check). */
  signedR(digest: string): ReadonlySet<bigint> | undefined {
    return this.rByDigest.get(digest.toLowerCase());
  }

  keyArn(region: string): string {
    return `arn:aws:kms:${region}:111122223333:key/mrk-torture`;
  }

  async handle(region: string, command: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (input.KeyId !== this.keyArn(region)) {
      throw Object.assign(new Error(`Key ${String(input.KeyId)} does not exist in ${region}`), {
        name: 'NotFoundException',
      });
    }
    if (command === 'GetPublicKeyCommand') {
      return { KeyId: input.KeyId, PublicKey: this.spki, KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' };
    }
    if (command === 'SignCommand') {
      if (input.MessageType !== 'DIGEST' || input.SigningAlgorithm !== 'ECDSA_SHA_256') {
        throw Object.assign(new Error('only DIGEST / ECDSA_SHA_256 is simulated'), { name: 'ValidationException' });
      }
      const digest = `0x${Buffer.from(input.Message as Uint8Array).toString('hex')}` as Hex;
      const sig = await sign({ hash: digest, privateKey: this.privateKey });
      const r = BigInt(sig.r);
      let s = BigInt(sig.s);
      if (this.highS()) s = N - s;
      const body = Buffer.concat([derInt(r), derInt(s)]);
      this.signs += 1;
      const rs = this.rByDigest.get(digest) ?? new Set<bigint>();
      rs.add(r);
      this.rByDigest.set(digest, rs);
      this.log.push({ digest, region, at: this.clock() });
      return {
        KeyId: input.KeyId,
        Signature: Uint8Array.from(Buffer.concat([Buffer.from([0x30, body.length]), body])),
        SigningAlgorithm: 'ECDSA_SHA_256',
      };
    }
    throw new Error(`the torture harness's KMS does not answer ${command}; extend torture/sim/kms.ts`);
  }
}
