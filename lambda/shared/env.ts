import { CONSISTENCY_MODES, type Consistency } from '../../lib/contract/ledger';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';
import { ConfigurationError, showValue } from './errors';

/**
 * Runtime configuration, read ONCE at module load by each handler's index.ts. The names come from
 * lib/contract/runtime-env.ts (the CDK code sets them). Every problem is gathered and reported in
 * one error that names each variable, the value received and how to fix it.
 */
type Source = Readonly<Record<string, string | undefined>>;

/** Set by the Lambda service itself in every function. */
export const AWS_REGION_VAR = 'AWS_REGION';

export type { Consistency };
export type ConfiguredRole = 'primary' | 'standby';

export interface ApiEnv {
  readonly region: string;
  readonly tableName: string;
  readonly signingQueueUrl: string;
  readonly chainId: number;
  /** Under MREC intake is fenced by the lease (docs/api.md, "Idempotency across regions"). */
  readonly consistency: Consistency;
}

export interface HealthEnv {
  readonly region: string;
  readonly tableName: string;
  readonly signingKeyArn: string;
  readonly regionRole: ConfiguredRole;
  readonly consistency: Consistency;
}

export interface SignerEnv {
  readonly region: string;
  readonly tableName: string;
  readonly signingKeyArn: string;
  readonly chainId: number;
  readonly consistency: Consistency;
  /**
   * The other region of the pair and its signing queue: where a signer without the lease forwards
   * a message (lambda/signer/forward.ts). Always set by the deployed function; optional only so
   * library tests can build a signer without forwarding.
   */
  readonly peer?: { readonly region: string; readonly signingQueueUrl: string };
}

export class Reader {
  private readonly problems: string[] = [];
  constructor(
    private readonly source: Source,
    private readonly fn: string,
  ) {}

  string(name: string, what: string): string {
    const value = this.source[name];
    if (value === undefined || value.trim() === '') {
      this.problems.push(
        `${name} (${what}) is ${value === undefined ? 'missing' : 'empty'}; the CDK construct sets it from lib/contract/runtime-env.ts`,
      );
      return '';
    }
    return value.trim();
  }

  oneOf<T extends string>(name: string, what: string, allowed: readonly T[]): T {
    const value = this.string(name, what);
    if (value !== '' && !allowed.includes(value as T)) {
      this.problems.push(`${name} (${what}) must be one of ${allowed.join(', ')}; received ${showValue(value)}`);
    }
    return value as T;
  }

  positiveInt(name: string, what: string): number {
    const value = this.string(name, what);
    if (value !== '' && !/^[1-9][0-9]{0,15}$/.test(value)) {
      this.problems.push(`${name} (${what}) must be a positive whole number; received ${showValue(value)}`);
      return 0;
    }
    return Number(value);
  }

  kmsKeyArn(name: string, what: string): string {
    const value = this.string(name, what);
    if (value !== '' && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]+$/.test(value)) {
      this.problems.push(
        `${name} (${what}) must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/mrk-…); received ${showValue(value)}`,
      );
    }
    return value;
  }

  done(): void {
    if (this.problems.length > 0) {
      throw new ConfigurationError(
        `${this.fn}: ${this.problems.length} environment problem${this.problems.length === 1 ? '' : 's'}: ` +
          `${this.problems.join('; ')}. Fix: redeploy the stack (it sets these variables) or set them on the function.`,
      );
    }
  }
}

export function loadApiEnv(source: Source = process.env): ApiEnv {
  const r = new Reader(source, 'wallet API');
  const env: ApiEnv = {
    region: r.string(AWS_REGION_VAR, 'this function’s region, set by Lambda'),
    tableName: r.string(RUNTIME_ENV.tableName, 'the ledger table name'),
    signingQueueUrl: r.string(RUNTIME_ENV.signingQueueUrl, 'the FIFO signing queue URL'),
    chainId: r.positiveInt(RUNTIME_ENV.chainId, 'the EIP-155 chain id'),
    consistency: r.oneOf(RUNTIME_ENV.consistency, 'the table’s multi-region consistency', ['MRSC', 'MREC'] as const),
  };
  r.done();
  return env;
}

export function loadHealthEnv(source: Source = process.env): HealthEnv {
  const r = new Reader(source, 'wallet health');
  const env: HealthEnv = {
    region: r.string(AWS_REGION_VAR, 'this function’s region, set by Lambda'),
    tableName: r.string(RUNTIME_ENV.tableName, 'the ledger table name'),
    signingKeyArn: r.kmsKeyArn(RUNTIME_ENV.signingKeyArn, 'this region’s signing key'),
    regionRole: r.oneOf(RUNTIME_ENV.regionRole, 'the configured role of this region', ['primary', 'standby'] as const),
    consistency: r.oneOf(RUNTIME_ENV.consistency, 'the table’s multi-region consistency', CONSISTENCY_MODES),
  };
  r.done();
  return env;
}

export function loadSignerEnv(source: Source = process.env): SignerEnv {
  const r = new Reader(source, 'wallet signer');
  const env: SignerEnv = {
    region: r.string(AWS_REGION_VAR, 'this function’s region, set by Lambda'),
    tableName: r.string(RUNTIME_ENV.tableName, 'the ledger table name'),
    signingKeyArn: r.kmsKeyArn(RUNTIME_ENV.signingKeyArn, 'this region’s signing key'),
    chainId: r.positiveInt(RUNTIME_ENV.chainId, 'the EIP-155 chain id'),
    consistency: r.oneOf(RUNTIME_ENV.consistency, 'the table’s multi-region consistency', CONSISTENCY_MODES),
    peer: {
      region: r.string(RUNTIME_ENV.peerRegion, 'the other region of the pair'),
      signingQueueUrl: r.string(RUNTIME_ENV.peerSigningQueueUrl, 'the peer region’s FIFO signing queue URL'),
    },
  };
  r.done();
  return env;
}
