import { createHash, createHmac, Hash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from './transport';

/** AWS credentials (the canary role's, from the SDK's default provider chain). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 / HMAC-SHA-256 from node:crypto, in the shape @smithy/signature-v4 expects. */
class NodeSha256 {
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

/** Signs a request for API Gateway's IAM authorization (service `execute-api`) in `region`. */
export type RequestSigner = (request: HttpRequest, region: string) => Promise<HttpRequest>;

type SmithyRequest = Parameters<SignatureV4['presign']>[0];

export interface SigV4SignerOptions {
  /** @default 'execute-api' (API Gateway IAM authorization) */
  readonly service?: string;
  /** @default - the current time */
  readonly now?: () => Date;
}

export function sigV4Signer(credentials: CredentialsProvider, options: SigV4SignerOptions = {}): RequestSigner {
  const service = options.service ?? 'execute-api';
  const now = options.now ?? (() => new Date());
  return async (request, region) => {
    const url = new URL(request.url);
    // applyChecksum false: API Gateway needs no x-amz-content-sha256 header (S3 does).
    const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256, applyChecksum: false });
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const unsigned: SmithyRequest = {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...request.headers, host: url.host },
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
    const signed = await signer.sign(unsigned, { signingDate: now() });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
    return { ...request, headers };
  };
}
