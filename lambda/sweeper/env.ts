import type { Consistency } from '../../lib/contract/ledger';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';
import { SWEEP_SETTINGS_ENV, type SweeperSettings } from '../../lib/contract/sweep';
import { AWS_REGION_VAR, Reader } from '../shared/env';
import { ConfigurationError } from '../shared/errors';

/** The sweeper's environment, read once at module load (lambda/sweeper/index.ts). */
export interface SweeperEnv {
  readonly region: string;
  readonly envName: string;
  readonly tableName: string;
  /** This region's FIFO signing queue: where intake queues the sweep. */
  readonly signingQueueUrl: string;
  readonly chainId: number;
  readonly consistency: Consistency;
  readonly settings: SweeperSettings;
}

const WEI = /^[1-9][0-9]{0,77}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;

/** Parses WALLET_SWEEP_SETTINGS (set by lib/constructs/sweeper.ts from spending.cold); every problem at once. */
export function parseSweeperSettings(text: string | undefined): SweeperSettings {
  if (text === undefined) {
    throw new ConfigurationError(
      `${SWEEP_SETTINGS_ENV} is missing: the sweeper exists only with spending.cold; redeploy the stack`,
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ConfigurationError(
      `${SWEEP_SETTINGS_ENV} is not JSON; received ${text.slice(0, 80)}. Fix: redeploy the stack`,
    );
  }
  const problems: string[] = [];
  const check = (name: keyof SweeperSettings, ok: (v: unknown) => boolean, want: string) => {
    if (!ok(raw[name])) problems.push(`${name} must be ${want}; received ${JSON.stringify(raw[name])}`);
  };
  check('coldAddress', (v) => typeof v === 'string' && ADDRESS.test(v), 'a lower-case 0x address');
  check('floatCeilingWei', (v) => typeof v === 'string' && WEI.test(v), 'a positive wei decimal string');
  check('minimumSweepWei', (v) => typeof v === 'string' && WEI.test(v), 'a positive wei decimal string');
  check('sweepWalletId', (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v), 'a wallet id');
  if (problems.length > 0) {
    throw new ConfigurationError(
      `${SWEEP_SETTINGS_ENV}: ${problems.join('; ')}. Fix: redeploy the stack (spending.cold)`,
    );
  }
  return {
    coldAddress: raw.coldAddress as string,
    floatCeilingWei: raw.floatCeilingWei as string,
    minimumSweepWei: raw.minimumSweepWei as string,
    sweepWalletId: raw.sweepWalletId as string,
  };
}

export function loadSweeperEnv(source: Readonly<Record<string, string | undefined>> = process.env): SweeperEnv {
  const r = new Reader(source, 'sweeper');
  const env = {
    region: r.string(AWS_REGION_VAR, 'this function’s region, set by Lambda'),
    envName: r.string(RUNTIME_ENV.envName, 'the environment name (metric namespace)'),
    tableName: r.string(RUNTIME_ENV.tableName, 'the ledger table name'),
    signingQueueUrl: r.string(RUNTIME_ENV.signingQueueUrl, 'this region’s FIFO signing queue URL'),
    chainId: r.positiveInt(RUNTIME_ENV.chainId, 'the EIP-155 chain id'),
    consistency: r.oneOf(RUNTIME_ENV.consistency, 'the table’s multi-region consistency', ['MRSC', 'MREC'] as const),
  };
  r.done();
  return { ...env, settings: parseSweeperSettings(source[SWEEP_SETTINGS_ENV]) };
}
