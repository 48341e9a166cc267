import { createHash, createHmac, Hash, Hmac } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ApprovalDecisionBody } from '../../contract/approvals';

/**
 * The HTTP client of `wallet-approve`: SigV4-signed (service `execute-api`) calls to the wallet
 * API's approval routes, with the caller's own AWS credentials (the SDK's default provider chain).
 * The API's IAM authorization verifies the signature and names the caller; nothing the CLI sends
 * can choose the principal an approval is recorded under.
 *
 * (lambda/canaries/shared/sigv4.ts signs the canary's calls the same way; lib/ may not import
 * lambda/, hence this small second use of @smithy/signature-v4.)
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

type SourceData = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (d: SourceData): Buffer =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** SHA-256 / HMAC-SHA-256 from node:crypto, in the shape @smithy/signature-v4 expects. */
export class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The default credential chain (env, SSO, profile, instance/container role), resolved through the STS client. */
export function defaultCredentials(region: string): CredentialsProvider {
  const sts = new STSClient({ region });
  return async () => {
    const provider = sts.config.credentials as unknown as () => Promise<AwsCredentials>;
    return provider();
  };
}

/** An answer of the API: its status and JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The API could not be reached, or answered with no JSON (network, TLS, 5xx from the edge). */
export class ApiUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiUnavailableError';
  }
}

export interface ApprovalClient {
  list(walletId: string): Promise<ApiAnswer>;
  show(walletId: string, txId: string): Promise<ApiAnswer>;
  decide(walletId: string, txId: string, body: ApprovalDecisionBody): Promise<ApiAnswer>;
}

export function approvalClient(options: {
  readonly apiUrl: string;
  readonly region: string;
  readonly credentials: CredentialsProvider;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}): ApprovalClient {
  const doFetch = options.fetch ?? fetch;
  const base = new URL(options.apiUrl);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    let signed;
    try {
      signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port !== '' ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers: {
          host: url.host,
          accept: 'application/json',
          ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(text !== undefined ? { body: text } : {}),
      });
    } catch (err) {
      throw new ApiUnavailableError(
        `no AWS credentials to sign with (${(err as Error).message}). Fix: sign in (aws sso login, or set AWS_PROFILE) and try again`,
      );
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') headers[k] = String(v);
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, ...(text !== undefined ? { body: text } : {}) });
    } catch (err) {
      throw new ApiUnavailableError(`${method} ${url.href} failed: ${(err as Error).message}`);
    }
    const raw = await res.text();
    try {
      return { status: res.status, body: JSON.parse(raw) as Record<string, unknown> };
    } catch {
      throw new ApiUnavailableError(`${method} ${url.href} answered ${res.status} without JSON: ${raw.slice(0, 200)}`);
    }
  }
  const seg = encodeURIComponent;
  return {
    list: (walletId) => call('GET', `/v1/wallets/${seg(walletId)}/approvals`),
    show: (walletId, txId) => call('GET', `/v1/wallets/${seg(walletId)}/approvals/${seg(txId)}`),
    decide: (walletId, txId, body) => call('POST', `/v1/wallets/${seg(walletId)}/approvals/${seg(txId)}`, body),
  };
}
