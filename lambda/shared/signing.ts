import type { Hex, TransactionSerializableEIP1559 } from 'viem';
import { keccak256, recoverPublicKey, serializeTransaction } from 'viem/utils';
import type { TransactionRequest } from '../../lib/contract/api-wire';
import { SignatureRecoveryError } from './errors';

/**
 * The signing library: plain functions, no KMS, no AWS. KMS returns an ASN.1 DER ECDSA signature
 * over the digest we send (`MessageType: DIGEST`) and its public key as DER SubjectPublicKeyInfo;
 * Ethereum wants (r, low s, yParity) and an address. Everything here is testable with a local key.
 */

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

const OID_EC_PUBLIC_KEY = '2a8648ce3d0201'; // 1.2.840.10045.2.1
const OID_SECP256K1 = '2b8104000a'; // 1.3.132.0.10

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
}

export interface RecoverableSignature extends EcdsaSignature {
  readonly yParity: 0 | 1;
}

/**
 * The fields of a wallet transaction request, as stored: the API's request body
 * (lib/contract/api-wire.ts TransactionRequest, decimal strings for big numbers) plus the canary mark.
 */
export interface TxRequest extends TransactionRequest {
  /**
   * A canary transaction (lib/contract/canary.ts): signed at CANARY_SIGNING_NONCE, never with a
   * real nonce, never broadcast.
   */
  readonly canary?: true;
}

export class DerError extends Error {
  constructor(what: string, problem: string, bytes: Uint8Array) {
    super(`${what}: ${problem}; received ${bytes.length} bytes ${shortHex(bytes)}`);
    this.name = 'DerError';
  }
}

function shortHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return hex.length > 48 ? `${hex.slice(0, 48)}…` : hex || '(empty)';
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Reads one DER TLV at `offset`, enforcing definite, minimal length encoding. */
function readTlv(buf: Uint8Array, offset: number, what: string): Tlv {
  if (offset + 2 > buf.length) throw new DerError(what, `truncated at byte ${offset}`, buf);
  const tag = buf[offset];
  let length = buf[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 2) throw new DerError(what, `unsupported length form 0x${length.toString(16)}`, buf);
    if (start + n > buf.length) throw new DerError(what, 'truncated length', buf);
    length = 0;
    for (let i = 0; i < n; i++) length = (length << 8) | buf[start + i];
    if (length < 0x80 || (n === 2 && length < 0x100)) throw new DerError(what, 'non-minimal length encoding', buf);
    start += n;
  }
  const end = start + length;
  if (end > buf.length) throw new DerError(what, `element at byte ${offset} runs past the end`, buf);
  return { tag, start, end };
}

function readDerUint(buf: Uint8Array, tlv: Tlv, what: string, name: string): bigint {
  if (tlv.tag !== 0x02) throw new DerError(what, `${name} is not an INTEGER (tag 0x${tlv.tag.toString(16)})`, buf);
  const len = tlv.end - tlv.start;
  if (len === 0 || len > 33) throw new DerError(what, `${name} has length ${len}`, buf);
  const first = buf[tlv.start];
  if (first & 0x80) throw new DerError(what, `${name} is negative`, buf);
  if (first === 0 && len > 1 && !(buf[tlv.start + 1] & 0x80)) {
    throw new DerError(what, `${name} has a non-minimal leading zero`, buf);
  }
  let value = 0n;
  for (let i = tlv.start; i < tlv.end; i++) value = (value << 8n) | BigInt(buf[i]);
  return value;
}

/**
 * Parses a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` strictly (no trailing
 * bytes, minimal encodings) and checks 0 < r, s < n.
 */
export function parseDerSignature(der: Uint8Array): EcdsaSignature {
  const what = 'DER ECDSA signature';
  const seq = readTlv(der, 0, what);
  if (seq.tag !== 0x30) throw new DerError(what, `expected a SEQUENCE (0x30), found 0x${seq.tag.toString(16)}`, der);
  if (seq.end !== der.length) throw new DerError(what, `${der.length - seq.end} trailing bytes`, der);
  const rTlv = readTlv(der, seq.start, what);
  const r = readDerUint(der, rTlv, what, 'r');
  const sTlv = readTlv(der, rTlv.end, what);
  const s = readDerUint(der, sTlv, what, 's');
  if (sTlv.end !== seq.end) throw new DerError(what, 'extra elements inside the SEQUENCE', der);
  if (r <= 0n || r >= SECP256K1_N) throw new DerError(what, 'r is outside [1, n-1]', der);
  if (s <= 0n || s >= SECP256K1_N) throw new DerError(what, 's is outside [1, n-1]', der);
  return { r, s };
}

/** EIP-2: Ethereum accepts only s <= n/2. (r, s) and (r, n - s) are both valid ECDSA signatures. */
export function normalizeLowS(sig: EcdsaSignature): EcdsaSignature & { readonly flipped: boolean } {
  return sig.s > SECP256K1_HALF_N ? { r: sig.r, s: SECP256K1_N - sig.s, flipped: true } : { ...sig, flipped: false };
}

/**
 * Extracts the uncompressed public key (65 bytes, 0x04 || X || Y) from a DER SubjectPublicKeyInfo
 * of a secp256k1 key (what KMS GetPublicKey returns for ECC_SECG_P256K1).
 */
export function parseSpkiPublicKey(spki: Uint8Array): Uint8Array {
  const what = 'DER SubjectPublicKeyInfo';
  const outer = readTlv(spki, 0, what);
  if (outer.tag !== 0x30 || outer.end !== spki.length) throw new DerError(what, 'not one SEQUENCE', spki);
  const algo = readTlv(spki, outer.start, what);
  if (algo.tag !== 0x30) throw new DerError(what, 'missing AlgorithmIdentifier', spki);
  const oid1 = readTlv(spki, algo.start, what);
  const oid2 = readTlv(spki, oid1.end, what);
  const hex = (t: Tlv) => Buffer.from(spki.subarray(t.start, t.end)).toString('hex');
  if (oid1.tag !== 0x06 || hex(oid1) !== OID_EC_PUBLIC_KEY) throw new DerError(what, 'not an EC public key', spki);
  if (oid2.tag !== 0x06 || hex(oid2) !== OID_SECP256K1) {
    throw new DerError(what, 'curve is not secp256k1 (KMS key spec must be ECC_SECG_P256K1)', spki);
  }
  const bits = readTlv(spki, algo.end, what);
  if (bits.tag !== 0x03 || bits.end !== outer.end) throw new DerError(what, 'missing BIT STRING', spki);
  if (spki[bits.start] !== 0x00) throw new DerError(what, 'BIT STRING has unused bits', spki);
  const point = spki.subarray(bits.start + 1, bits.end);
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new DerError(what, `expected an uncompressed point (65 bytes, 0x04…), found ${point.length} bytes`, spki);
  }
  return Uint8Array.from(point);
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex'));
}

const hex32 = (n: bigint): Hex => `0x${n.toString(16).padStart(64, '0')}`;

/** The Ethereum address (lower-case) of an uncompressed secp256k1 public key. */
export function addressFromPublicKey(uncompressed: Uint8Array): string {
  if (uncompressed.length !== 65 || uncompressed[0] !== 0x04) {
    throw new Error(`addressFromPublicKey: expected 65 bytes starting 0x04; received ${uncompressed.length} bytes`);
  }
  return `0x${keccak256(uncompressed.subarray(1), 'hex').slice(-40)}`;
}

/**
 * The EIP-1559 transaction for a request at a nonce (no access list). A bigint nonce is for the
 * canary nonce 2^64-1, above JavaScript's safe integers; viem's RLP encoding takes it as is.
 */
export function buildEip1559(request: TxRequest, nonce: number | bigint): TransactionSerializableEIP1559 {
  return {
    type: 'eip1559',
    chainId: request.chainId,
    nonce: nonce as number,
    to: request.to as Hex,
    value: BigInt(request.value),
    data: request.data === undefined || request.data === '0x' ? undefined : (request.data as Hex),
    gas: BigInt(request.gasLimit),
    maxFeePerGas: BigInt(request.maxFeePerGas),
    maxPriorityFeePerGas: BigInt(request.maxPriorityFeePerGas),
    accessList: [],
  };
}

/** keccak256 of the unsigned EIP-2718 serialization: the 32 bytes KMS signs. */
export function signingDigest(tx: TransactionSerializableEIP1559): Hex {
  return keccak256(serializeTransaction(tx));
}

/**
 * Finds yParity by recovering the public key from (digest, r, s) with each recovery id and
 * comparing with the key's own public key. Throws if neither matches (wrong key, wrong digest, or
 * a corrupted signature): we never guess.
 */
export async function recoverYParity(digest: Hex, sig: EcdsaSignature, publicKey: Uint8Array): Promise<0 | 1> {
  const expected = toHex(publicKey).toLowerCase();
  for (const yParity of [0, 1] as const) {
    let recovered: string;
    try {
      recovered = await recoverPublicKey({ hash: digest, signature: { r: hex32(sig.r), s: hex32(sig.s), yParity } });
    } catch {
      continue; // not a valid point for this recovery id
    }
    if (recovered.toLowerCase() === expected) return yParity;
  }
  throw new SignatureRecoveryError(
    `the signature (r=${hex32(sig.r)}) does not recover to the signing key's public key for digest ${digest} ` +
      'with either recovery id: the signature is not from this key over this digest. Check that KMS signed with ' +
      'MessageType DIGEST and the key ARN is this region’s copy of the signing key',
  );
}

export interface SignedTransaction {
  /** EIP-2718 typed transaction, 0x02 || rlp(...), ready for eth_sendRawTransaction. */
  readonly raw: Hex;
  /** keccak256(raw): the transaction hash on chain. */
  readonly hash: Hex;
  readonly signature: { readonly r: Hex; readonly s: Hex; readonly yParity: 0 | 1 };
}

export function assembleSignedTransaction(
  tx: TransactionSerializableEIP1559,
  sig: RecoverableSignature,
): SignedTransaction {
  const signature = { r: hex32(sig.r), s: hex32(sig.s), yParity: sig.yParity };
  const raw = serializeTransaction(tx, signature);
  return { raw, hash: keccak256(raw), signature };
}

/**
 * The whole local path after KMS: DER -> (r, s) -> low-s -> yParity by recovery -> signed tx.
 */
export async function finishSignature(
  tx: TransactionSerializableEIP1559,
  digest: Hex,
  der: Uint8Array,
  publicKey: Uint8Array,
): Promise<SignedTransaction> {
  const low = normalizeLowS(parseDerSignature(der));
  const yParity = await recoverYParity(digest, low, publicKey);
  return assembleSignedTransaction(tx, { r: low.r, s: low.s, yParity });
}
