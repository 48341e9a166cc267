import * as tls from 'node:tls';

/** TLS versions as node:tls names them. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Where to connect for a host name (real AWS: the name itself on 443; simulated: a loopback port). */
export interface TlsEndpoint {
  readonly host: string;
  readonly connectTo: string;
  readonly port: number;
  /** Verify the certificate chain (true against AWS; the simulated servers are self-signed). */
  readonly verifyCertificate: boolean;
}

/**
 * One real handshake pinned to exactly one protocol version (minVersion = maxVersion). For TLS 1.0
 * and 1.1 the client lowers OpenSSL's security level so that a refusal is the server's answer, not
 * this client's own policy. Resolves true when the server completes the handshake at that version.
 */
export function handshake(endpoint: TlsEndpoint, version: TlsVersion, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const legacy = version === 'TLSv1' || version === 'TLSv1.1';
    const socket = tls.connect({
      host: endpoint.connectTo,
      port: endpoint.port,
      servername: endpoint.host,
      minVersion: version,
      maxVersion: version,
      rejectUnauthorized: endpoint.verifyCertificate,
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(socket.getProtocol() === version));
    socket.once('error', () => done(false));
  });
}
