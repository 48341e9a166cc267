import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * Real HTTP servers on loopback standing in for the two regional wallet APIs. They share one
 * idempotency store, as both regions share the MRSC global table: the same key gets the same
 * transaction in either region, and a replay says `Idempotent-Replayed: true` (docs/api.md).
 */
export interface Recorded {
  readonly region: string;
  readonly method: string;
  readonly url: string;
  readonly key?: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

/** What a region does with one request. */
export type Action =
  /** Process it like the API: claim the key (or replay), answer 202 or 200. */
  | 'serve'
  /** Accept the connection and the request, never answer. */
  | 'hang'
  /** Process it (the transaction is stored), then destroy the socket: the answer is lost. */
  | 'process-then-drop'
  /** Process it, send the headers and half the body, then destroy the socket (killed mid-stream). */
  | 'process-then-cut'
  /** Process it, answer after this many milliseconds (a slow region). */
  | { readonly slowMs: number }
  /** A fixed answer. */
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> };

export interface Store {
  /** Idempotency key -> transaction id. */
  readonly keys: Map<string, string>;
  /** Every transaction created, in order. */
  readonly created: string[];
}

export const newStore = (): Store => ({ keys: new Map(), created: [] });

export interface FakeRegion {
  readonly region: string;
  readonly baseUrl: string;
  /** Decides each request; `n` counts this region's requests from 1. */
  behave: (req: Recorded, n: number) => Action;
  /** `/health` role. */
  role: 'active' | 'standby' | 'degraded';
  readonly requests: Recorded[];
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** The API's own error shape. */
export const apiError = (code: string, message: string, details?: unknown) => ({
  error: { code, message, ...(details !== undefined ? { details } : {}) },
  requestId: 'test',
});

export const DEGRADED_503: Action = {
  status: 503,
  headers: { 'retry-after': '60' },
  body: apiError('WithdrawalsSuspended', 'new transactions are suspended in us-east-2 (degraded mode)'),
};

function serve(region: string, store: Store, rec: Recorded, res: ServerResponse): void {
  const get = /^\/v1\/wallets\/([^/]+)\/transactions\/([^/]+)$/.exec(rec.url);
  if (rec.method === 'GET' && get !== null) {
    if (!store.created.includes(get[2]))
      return json(res, 404, apiError('TransactionNotFound', `transaction ${get[2]} does not exist`));
    return json(res, 200, { txId: get[2], walletId: get[1], status: 'signed', servedBy: region });
  }
  const post = /^\/v1\/wallets\/([^/]+)\/transactions$/.exec(rec.url);
  if (rec.method === 'POST' && post !== null) {
    if (rec.key === undefined) return json(res, 400, apiError('ValidationFailed', 'header Idempotency-Key is missing'));
    const existing = store.keys.get(rec.key);
    const txId = existing ?? randomUUID();
    if (existing === undefined) {
      store.keys.set(rec.key, txId);
      store.created.push(txId);
    }
    return json(
      res,
      202,
      { txId, walletId: post[1], status: 'queued', createdAt: new Date(rec.at).toISOString() },
      { 'idempotent-replayed': String(existing !== undefined) },
    );
  }
  return json(res, 404, apiError('RouteNotFound', `no route for ${rec.method} ${rec.url}`));
}

export async function startRegion(region: string, store: Store): Promise<FakeRegion> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const state: Pick<FakeRegion, 'behave' | 'role'> = { behave: () => 'serve', role: 'active' };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      const rec: Recorded = {
        region,
        method: req.method ?? '',
        url: req.url ?? '',
        ...(typeof key === 'string' ? { key } : {}),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      if (rec.url === '/health') return json(res, 200, { healthy: true, region, role: state.role });
      requests.push(rec);
      const action = state.behave(rec, requests.length);
      if (action === 'hang') return;
      if (action === 'serve') return serve(region, store, rec, res);
      if (action === 'process-then-drop') {
        serve(region, store, rec, { writeHead: () => ({ end: () => undefined }) } as unknown as ServerResponse);
        req.socket.destroy();
        return;
      }
      if (action === 'process-then-cut') {
        const captured: { status?: number; headers?: Record<string, string>; body?: string } = {};
        serve(region, store, rec, {
          writeHead: (status: number, headers: Record<string, string>) => {
            captured.status = status;
            captured.headers = headers;
            return { end: (body: string) => (captured.body = body) };
          },
        } as unknown as ServerResponse);
        const body = captured.body ?? '';
        res.writeHead(captured.status ?? 500, { ...captured.headers, 'content-length': String(body.length) });
        res.write(body.slice(0, Math.floor(body.length / 2)), () => req.socket.destroy());
        return;
      }
      if ('slowMs' in action) {
        const timer = setTimeout(() => {
          if (!res.destroyed && !req.socket.destroyed) serve(region, store, rec, res);
        }, action.slowMs);
        timer.unref();
        // The transaction is stored now; only the answer is slow.
        serve(region, store, rec, { writeHead: () => ({ end: () => undefined }) } as unknown as ServerResponse);
        return;
      }
      res.writeHead(action.status, { 'content-type': 'application/json', ...(action.headers ?? {}) });
      res.end(action.body === undefined ? '' : JSON.stringify(action.body));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    region,
    baseUrl: `http://127.0.0.1:${port}`,
    get behave() {
      return state.behave;
    },
    set behave(b) {
      state.behave = b;
    },
    get role() {
      return state.role;
    },
    set role(r) {
      state.role = r;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens: connecting is refused at once (ECONNREFUSED). */
export async function refusedBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A withdrawal body of the API's shape (docs/api.md). */
export const WITHDRAWAL = {
  to: '0x52908400098527886E0F7030069857D2E4169EE7',
  value: '1000000000000000000',
  gasLimit: '21000',
  maxFeePerGas: '30000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 11155111,
} as const;
