import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { Hex } from 'viem';
import { SigningKeyMismatchError } from './errors';
import { KMS_RETRY_POLICY, RetryHooks, RetryPolicy, withRetry } from './retry';
import { addressFromPublicKey, hexToBytes, parseSpkiPublicKey } from './signing';

/** KMS errors worth retrying: throttling and transient service-side failures. */
const RETRYABLE_KMS_ERRORS = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
]);

export function isRetryableKmsError(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $retryable?: unknown } | undefined;
  if (e === undefined || e === null) return false;
  if (e.name !== undefined && RETRYABLE_KMS_ERRORS.has(e.name)) return true;
  if (e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT' || e.code === 'EPIPE') return true;
  return e.$retryable !== undefined;
}

export interface SigningKeyInfo {
  readonly keyArn: string;
  /** Uncompressed secp256k1 point, 65 bytes. */
  readonly publicKey: Uint8Array;
  /** Lower-case Ethereum address of the key. */
  readonly address: string;
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly fetchedAt: number;
}

export interface KmsSignerOptions {
  /**
   * How long a fetched public key is reused. The signer caches forever (a key's public key never
   * changes); deep health uses a short TTL so a disabled or deleted key is noticed.
   * @default Infinity
   */
  readonly publicKeyTtlMs?: number;
  /** @default KMS_RETRY_POLICY (5 attempts, 100 ms base, 2 s cap, full jitter) */
  readonly retry?: RetryPolicy;
  readonly hooks?: RetryHooks;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * This region's copy of the signing key. `publicKey()` is GetPublicKey, cached in the instance
 * (create the instance at module scope so the cache lives as long as the execution environment).
 * `signDigest()` is KMS Sign with `MessageType: DIGEST` and `ECDSA_SHA_256`, retried with bounded
 * backoff on throttling.
 */
export class KmsSigningKey {
  private cached?: SigningKeyInfo;
  private inflight?: Promise<SigningKeyInfo>;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    private readonly kms: KMSClient,
    readonly keyArn: string,
    private readonly options: KmsSignerOptions = {},
  ) {
    this.ttl = options.publicKeyTtlMs ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? Date.now;
  }

  async publicKey(): Promise<SigningKeyInfo> {
    const cached = this.cached;
    if (cached !== undefined && this.now() - cached.fetchedAt < this.ttl) return cached;
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetch(): Promise<SigningKeyInfo> {
    const res = await withRetry(
      `KMS GetPublicKey ${this.keyArn}`,
      () => this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyArn })),
      isRetryableKmsError,
      this.options.retry ?? KMS_RETRY_POLICY,
      this.options.hooks,
    );
    if (res.PublicKey === undefined) throw new Error(`KMS GetPublicKey ${this.keyArn} returned no PublicKey`);
    if (res.KeySpec !== undefined && res.KeySpec !== 'ECC_SECG_P256K1') {
      throw new SigningKeyMismatchError(
        `KMS key ${this.keyArn} has key spec ${res.KeySpec}; an Ethereum signing key must be ECC_SECG_P256K1`,
      );
    }
    const publicKey = parseSpkiPublicKey(res.PublicKey);
    const info: SigningKeyInfo = {
      keyArn: this.keyArn,
      publicKey,
      address: addressFromPublicKey(publicKey),
      keySpec: res.KeySpec,
      keyUsage: res.KeyUsage,
      fetchedAt: this.now(),
    };
    this.cached = info;
    return info;
  }

  /** Signs a 32-byte digest; returns KMS's DER signature. */
  async signDigest(digest: Hex): Promise<Uint8Array> {
    const message = hexToBytes(digest);
    if (message.length !== 32) throw new Error(`signDigest: a digest is 32 bytes; received ${message.length}`);
    const res = await withRetry(
      `KMS Sign ${this.keyArn}`,
      () =>
        this.kms.send(
          new SignCommand({
            KeyId: this.keyArn,
            Message: message,
            MessageType: 'DIGEST',
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
      isRetryableKmsError,
      this.options.retry ?? KMS_RETRY_POLICY,
      this.options.hooks,
    );
    if (res.Signature === undefined) throw new Error(`KMS Sign ${this.keyArn} returned no Signature`);
    return res.Signature;
  }
}
