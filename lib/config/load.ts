import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WalletConfig } from './schema';
import { ConfigError, validateConfig } from './validate';

/** The config used when `-c config=...` is not given. */
export const DEFAULT_CONFIG = 'config/example.json';

/**
 * Resolves a `-c config=` value: a path to a JSON file, or a bare name under `config/`
 * (`prod` -> `config/prod.json`).
 */
export function resolveConfigPath(value: string | undefined, cwd: string): string {
  const chosen = value === undefined || value === '' ? DEFAULT_CONFIG : value;
  const looksLikeName = !chosen.includes('/') && !chosen.includes('\\') && !chosen.endsWith('.json');
  return path.resolve(cwd, looksLikeName ? path.join('config', `${chosen}.json`) : chosen);
}

/** Reads, parses and validates one config file; every problem is reported in one ConfigError. */
export function loadConfigFile(file: string): WalletConfig {
  if (!existsSync(file)) {
    throw new ConfigError(file, [
      {
        path: '(file)',
        message: 'does not exist',
        received: file,
        fix: 'pass -c config=<name> for config/<name>.json, or -c config=<path to a .json file>; copy config/example.json to start',
      },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(file, [
      {
        path: '(file)',
        message: `is not valid JSON (${(err as Error).message})`,
        received: file,
        fix: 'fix the JSON syntax; a JSON validator or `node -e "require(\'./file.json\')"` shows the line',
      },
    ]);
  }
  return validateConfig(raw, file);
}
