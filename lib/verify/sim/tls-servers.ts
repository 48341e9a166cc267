import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { TlsEndpoint } from '../tls';

/** Loopback TLS servers standing in for the API names, with a self-signed certificate made now. */
export interface SimulatedTls {
  readonly endpoint: (host: string) => TlsEndpoint;
  close(): Promise<void>;
}

function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-verify-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=wallet-verify.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } catch (err) {
    throw new Error(
      `the simulated target needs openssl to make a throwaway TLS certificate (${(err as Error).message}); install it (apt-get install -y openssl)`,
      { cause: err },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One server per host on 127.0.0.1: TLS 1.2-1.3 as the API's policy allows, or (fault
 * `tls10-accepted`) also TLS 1.0 for the hosts named in `legacyHosts`.
 */
export async function startSimulatedTls(
  hosts: readonly string[],
  legacyHosts: readonly string[],
): Promise<SimulatedTls> {
  const { key, cert } = selfSignedCert();
  const servers = new Map<string, { server: tls.Server; port: number }>();
  for (const host of hosts) {
    const legacy = legacyHosts.includes(host);
    const server = tls.createServer({
      key,
      cert,
      minVersion: legacy ? 'TLSv1' : 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    });
    server.on('secureConnection', (s) => s.end());
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.set(host, { server, port: (server.address() as net.AddressInfo).port });
  }
  return {
    endpoint: (host) => {
      const s = servers.get(host);
      if (s === undefined) throw new Error(`simulated TLS: no server for ${host}`);
      return { host, connectTo: '127.0.0.1', port: s.port, verifyCertificate: false };
    },
    close: async () => {
      await Promise.all([...servers.values()].map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
    },
  };
}
