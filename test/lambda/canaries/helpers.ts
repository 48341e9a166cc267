import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AddressInfo } from 'node:net';
import { MetricDatum, MetricSink } from '../../../lambda/canaries/shared/metrics';
import { CanaryLog, StepRunner } from '../../../lambda/canaries/shared/synthetics';
import { nodeTransport, Transport } from '../../../lambda/canaries/shared/transport';
import { makeThrowawayCert, ThrowawayCert } from '../../../lib/verify/sim/cert';

/** Names the throwaway certificate covers; anything else is a TLS host mismatch. */
export const CERT_NAMES = ['us-east-2.api.wallet.test', 'us-west-2.api.wallet.test', 'api.wallet.test'];

export type TestCert = ThrowawayCert;

/** A throwaway self-signed certificate for {@link CERT_NAMES} (lib/verify/sim/cert.ts). */
export function makeTestCert(): TestCert {
  return makeThrowawayCert(CERT_NAMES);
}

/** Every name resolves to loopback: the tests never leave the machine. */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all) {
    (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  } else {
    callback(null, '127.0.0.1', 4);
  }
};

export type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  readonly port: number;
  /** `https://<name>:<port>` */
  baseUrl(name: string): string;
  /** The handler for the next requests (replace it per test). */
  route: Route;
  readonly requests: Array<{
    method: string;
    url: string;
    host: string;
    headers: IncomingMessage['headers'];
    body: string;
  }>;
  close(): Promise<void>;
}

export async function startTestServer(cert: TestCert): Promise<TestServer> {
  const state: { route: Route } = {
    route: (_req, _body, res) => {
      res.writeHead(500).end('no route set');
    },
  };
  const requests: TestServer['requests'] = [];
  const server: Server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: String(req.headers.host ?? ''),
        headers: req.headers,
        body,
      });
      Promise.resolve(state.route(req, body, res)).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: (name) => `https://${name}:${port}`,
    get route() {
      return state.route;
    },
    set route(r: Route) {
      state.route = r;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The production transport, trusting the test certificate and resolving every name to loopback. */
export function testTransport(cert: TestCert): Transport {
  return nodeTransport({ ca: cert.cert, lookup: loopbackLookup });
}

/** The region a host name stands for in these tests (`us-east-2.api.wallet.test` -> `us-east-2`). */
export function regionOfHost(host: string): string {
  return host.split('.')[0];
}

export function json(res: ServerResponse, status: number, body: unknown, delayMs = 0): Promise<void> {
  return new Promise((resolve) => {
    // unref: a slow answer the client gave up on must not keep the test process alive.
    setTimeout(() => {
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      resolve();
    }, delayMs).unref();
  });
}

export interface Recorder {
  readonly steps: string[];
  readonly logs: Array<{ event: string; fields: Record<string, unknown> }>;
  readonly metrics: MetricDatum[];
  readonly step: StepRunner;
  readonly log: CanaryLog;
  readonly sink: MetricSink;
}

/** Records steps, log lines and metrics the way Synthetics and CloudWatch would receive them. */
export function recorder(options: { failMetrics?: boolean } = {}): Recorder {
  const steps: string[] = [];
  const logs: Recorder['logs'] = [];
  const metrics: MetricDatum[] = [];
  return {
    steps,
    logs,
    metrics,
    step: async (name, fn) => {
      steps.push(name);
      return fn();
    },
    log: (event, fields) => {
      logs.push({ event, fields });
    },
    sink: {
      put: async (data) => {
        if (options.failMetrics) throw new Error('PutMetricData throttled');
        metrics.push(...data);
      },
    },
  };
}
