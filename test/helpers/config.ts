import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WalletConfig, WalletConfigInput } from '../../lib/config/schema';
import { validateConfig } from '../../lib/config/validate';

export const EXAMPLE_CONFIG_PATH = path.join(__dirname, '..', '..', 'config', 'example.json');

/** The example config as raw JSON (a fresh copy each call). */
export function exampleInput(): WalletConfigInput {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as WalletConfigInput;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/** The example config with `patch` deep-merged in (a key set to `undefined` is removed), unvalidated. */
export function rawConfig(patch: DeepPartial<WalletConfigInput> | Record<string, unknown> = {}): unknown {
  return merge(exampleInput(), patch);
}

/** The example config with `patch` applied, validated. */
export function testConfig(patch: DeepPartial<WalletConfigInput> | Record<string, unknown> = {}): WalletConfig {
  return validateConfig(rawConfig(patch), 'test config');
}
