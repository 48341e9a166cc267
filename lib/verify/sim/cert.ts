import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A throwaway certificate and its key, PEM. */
export interface ThrowawayCert {
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed P-256 certificate for `names` (CN = the first, every name a SAN), valid one day,
 * made with openssl in a temp dir that is removed again. For loopback TLS servers only: the
 * simulated AWS of `npm run verify` and the canary tests.
 */
export function makeThrowawayCert(names: readonly string[]): ThrowawayCert {
  const dir = mkdtempSync(path.join(tmpdir(), 'wallet-throwaway-cert-'));
  try {
    const res = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      ],
      { encoding: 'utf8' },
    );
    if (res.error !== undefined || res.status !== 0) {
      throw new Error(
        `openssl could not make a throwaway TLS certificate (${res.error?.message ?? `exit ${res.status}: ${res.stderr}`}); ` +
          'install it (apt-get install -y openssl)',
      );
    }
    return {
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
