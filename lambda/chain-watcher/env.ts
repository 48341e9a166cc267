import { CONSISTENCY_MODES, type Consistency } from '../../lib/contract/ledger';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';
import { AWS_REGION_VAR, Reader } from '../shared/env';

/** The chain watcher's environment, read once at module load (lambda/chain-watcher/index.ts). */
export interface WatcherEnv {
  readonly region: string;
  readonly envName: string;
  readonly tableName: string;
  /** This region's FIFO signing queue: where bump requests go. */
  readonly signingQueueUrl: string;
  /** This region's copy of the signing key: read with kms:GetPublicKey for the address, never signed with. */
  readonly signingKeyArn: string;
  /** The table's multi-region consistency (MREC: no broadcast or bump before reconciliation). */
  readonly consistency: Consistency;
}

export function loadWatcherEnv(source: Readonly<Record<string, string | undefined>> = process.env): WatcherEnv {
  const r = new Reader(source, 'chain watcher');
  const env: WatcherEnv = {
    region: r.string(AWS_REGION_VAR, 'this function’s region, set by Lambda'),
    envName: r.string(RUNTIME_ENV.envName, 'the environment name (metric namespace)'),
    tableName: r.string(RUNTIME_ENV.tableName, 'the ledger table name'),
    signingQueueUrl: r.string(RUNTIME_ENV.signingQueueUrl, 'this region’s FIFO signing queue URL'),
    signingKeyArn: r.kmsKeyArn(RUNTIME_ENV.signingKeyArn, 'this region’s signing key'),
    consistency: r.oneOf(RUNTIME_ENV.consistency, 'the table’s multi-region consistency', CONSISTENCY_MODES),
  };
  r.done();
  return env;
}
