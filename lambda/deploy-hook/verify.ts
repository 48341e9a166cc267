import { createPublicKey } from 'node:crypto';
import { type Hex } from 'viem';
import { fromRlp, hexToBigInt, keccak256, numberToHex, publicKeyToAddress, recoverAddress, toRlp } from 'viem/utils';
import { CANARY_SIGNING_NONCE, CANARY_SINK_ADDRESS } from '../../lib/contract/canary';
import { DEPLOY_CHECK_KIND, type DeployCheckResponse } from '../../lib/contract/deployment';

/**
 * The pre-traffic verdict on a signer version's deploy-check answer, computed with libraries the
 * signer does not use for these steps: Node's crypto for the key (SPKI -> point), viem's transaction
 * parser and `recoverTransactionAddress` for the signature (the signer parses KMS's DER itself and
 * finds the recovery id against the key). Every difference is reported, not only the first.
 */

/** Order of secp256k1 / 2: an s above it is "high-s", which EIP-2 makes invalid on Ethereum. */
const HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n >> 1n;

/** The Ethereum address of a DER SubjectPublicKeyInfo (KMS GetPublicKey), lower-case. */
export function addressFromSpki(spki: Uint8Array): string {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  if (jwk.crv !== 'secp256k1' || jwk.x === undefined || jwk.y === undefined) {
    throw new Error(`the signing key is not a secp256k1 key (curve ${String(jwk.crv)}); check WALLET_SIGNING_KEY_ARN`);
  }
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return publicKeyToAddress(`0x${point.toString('hex')}`).toLowerCase();
}

export interface Expected {
  /** From the key itself (GetPublicKey), never from the version's answer. */
  readonly address: string;
  readonly chainId: number;
  /** The challenge the hook sent: the signed transaction's data. */
  readonly challenge: Hex;
}

/** Every way the answer differs from what a correct signer version signs; empty means it passes. */
export async function deployCheckProblems(answer: unknown, expected: Expected): Promise<string[]> {
  const a = answer as Partial<DeployCheckResponse> | null;
  if (a === null || typeof a !== 'object' || a.kind !== DEPLOY_CHECK_KIND || typeof a.raw !== 'string') {
    return [`the version did not answer a deploy check (received ${JSON.stringify(answer)?.slice(0, 200)})`];
  }
  const problems: string[] = [];
  let tx: DecodedEip1559;
  try {
    tx = decodeEip1559(a.raw as Hex);
  } catch (err) {
    return [
      `the signed transaction does not decode as an EIP-1559 transaction: ${(err as Error).message.split('\n')[0]}`,
    ];
  }
  if (tx.chainId !== BigInt(expected.chainId)) {
    problems.push(`the transaction is signed for chain id ${tx.chainId}, expected ${expected.chainId}`);
  }
  if (a.chainId !== expected.chainId)
    problems.push(`the version reports chain id ${a.chainId}, expected ${expected.chainId}`);
  if (tx.nonce !== CANARY_SIGNING_NONCE) {
    problems.push(`nonce is ${tx.nonce}, not the canary nonce 2^64-1: this transaction could be valid on chain`);
  }
  if (tx.to.toLowerCase() !== CANARY_SINK_ADDRESS.toLowerCase()) {
    problems.push(`the transaction pays ${tx.to}, not the canary sink ${CANARY_SINK_ADDRESS}`);
  }
  if (tx.value !== 0n) problems.push(`the transaction moves ${tx.value} wei, expected 0`);
  if (tx.data.toLowerCase() !== expected.challenge.toLowerCase()) {
    problems.push('the transaction does not carry the challenge as its data: it is not a fresh signature');
  }
  if (tx.s > HALF_N) {
    problems.push(
      `the signature is high-s (s = 0x${tx.s.toString(16)}); EIP-2 rejects it, the signer must normalize to low-s`,
    );
  }
  let recovered: string | undefined;
  try {
    recovered = (
      await recoverAddress({
        hash: tx.signingHash,
        signature: { r: numberToHex(tx.r, { size: 32 }), s: numberToHex(tx.s, { size: 32 }), yParity: tx.yParity },
      })
    ).toLowerCase();
  } catch (err) {
    problems.push(`no address recovers from the signature: ${(err as Error).message.split('\n')[0]}`);
  }
  if (recovered !== undefined && recovered !== expected.address.toLowerCase()) {
    problems.push(`the signature recovers to ${recovered}, not to the signing key's address ${expected.address}`);
  }
  if (typeof a.address === 'string' && a.address.toLowerCase() !== expected.address.toLowerCase()) {
    problems.push(`the version believes it signs for ${a.address}, not for the key's address ${expected.address}`);
  }
  return problems;
}

interface DecodedEip1559 {
  readonly chainId: bigint;
  readonly nonce: bigint;
  readonly to: string;
  readonly value: bigint;
  readonly data: string;
  readonly yParity: 0 | 1;
  readonly r: bigint;
  readonly s: bigint;
  /** keccak256(0x02 || rlp(the nine unsigned fields)): what the signature must be over. */
  readonly signingHash: Hex;
}

/**
 * Decodes `0x02 || rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data, accessList,
 * yParity, r, s])` (EIP-1559) with viem's RLP codec. Not viem's parseTransaction: it refuses the
 * canary nonce 2^64-1, which is above JavaScript's safe integers.
 */
function decodeEip1559(raw: Hex): DecodedEip1559 {
  if (!raw.startsWith('0x02')) throw new Error(`type byte is 0x${raw.slice(2, 4)}, expected 0x02`);
  const fields = fromRlp(`0x${raw.slice(4)}` as Hex, 'hex');
  if (!Array.isArray(fields) || fields.length !== 12)
    throw new Error(`expected 12 RLP fields, found ${Array.isArray(fields) ? fields.length : 'a string'}`);
  const num = (i: number): bigint => {
    const f = fields[i];
    if (typeof f !== 'string') throw new Error(`field ${i} is a list, expected a number`);
    return f === '0x' ? 0n : hexToBigInt(f as Hex);
  };
  const yParity = num(9);
  if (yParity !== 0n && yParity !== 1n) throw new Error(`yParity is ${yParity}, expected 0 or 1`);
  return {
    chainId: num(0),
    nonce: num(1),
    to: String(fields[5]),
    value: num(6),
    data: String(fields[7]),
    yParity: Number(yParity) as 0 | 1,
    r: num(10),
    s: num(11),
    signingHash: keccak256(`0x02${toRlp(fields.slice(0, 9) as never).slice(2)}`),
  };
}
