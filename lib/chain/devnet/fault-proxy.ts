import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Hex } from 'viem';
import { keccak256 } from 'viem/utils';

/**
 * A faulty RPC provider for tests and the chain rehearsal: a loopback JSON-RPC proxy in front of a
 * real node (evm-node.ts) whose faults can be switched at any time:
 *  - down: 'refused' stops listening (connection refused), 'http-503' answers 503;
 *  - delayMs: every answer waits this long (a slow provider; past the pool's timeout, a dead one);
 *  - headStuck: eth_blockNumber and eth_getBlockByNumber("latest") answer the head seen when the
 *    fault was switched on (a node that stopped syncing);
 *  - staleNonce: eth_getTransactionCount answers this number, or with 'freeze' the first answer
 *    per address after the fault was switched on;
 *  - swallowSends: eth_sendRawTransaction answers the transaction's hash and never forwards it
 *    (a provider that drops transactions from its mempool);
 *  - chainId: eth_chainId (and net_version) answer this chain id;
 *  - garbage: 'non-json' answers an HTML page, 'wrong-shape' answers `{"unexpected":true}` as
 *    every result, 'rpc-error' answers a JSON-RPC internal error to everything.
 */
export interface ProxyFaults {
  readonly down?: 'refused' | 'http-503';
  readonly delayMs?: number;
  readonly headStuck?: boolean;
  readonly staleNonce?: number | 'freeze';
  readonly swallowSends?: boolean;
  readonly chainId?: number;
  readonly garbage?: 'non-json' | 'wrong-shape' | 'rpc-error';
  /** Limit `garbage` 'wrong-shape' / 'rpc-error' to these methods (default: every method). */
  readonly garbageMethods?: readonly string[];
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, the same across down/up. */
  readonly url: string;
  /** Replaces every fault (pass {} to heal). */
  setFaults(faults: ProxyFaults): Promise<void>;
  faults(): ProxyFaults;
  /** Requests that reached the proxy per JSON-RPC method (while listening), since the last reset. */
  counts(): Readonly<Record<string, number>>;
  resetCounts(): void;
  /** Hashes of the transactions swallowed. */
  swallowed(): readonly string[];
  stop(): Promise<void>;
}

interface RpcRequest {
  readonly jsonrpc?: string;
  readonly id?: unknown;
  readonly method?: string;
  readonly params?: readonly unknown[];
}

async function forward(upstream: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(upstream, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, text: data }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

export async function startFaultProxy(upstream: string, initial: ProxyFaults = {}): Promise<FaultProxy> {
  let faults: ProxyFaults = {};
  let frozenHead: { number: string; block: unknown } | undefined;
  const frozenNonces = new Map<string, string>();
  const counts: Record<string, number> = {};
  const swallowed: string[] = [];
  const sockets = new Set<Socket>();

  const upstreamCall = async (method: string, params: readonly unknown[]): Promise<unknown> => {
    const { text } = await forward(upstream, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    return (JSON.parse(text) as { result?: unknown }).result;
  };

  /** The answer to one request, or undefined to forward it unchanged. */
  const intercept = async (r: RpcRequest): Promise<{ result?: unknown; error?: unknown } | undefined> => {
    const method = r.method ?? '';
    const params = r.params ?? [];
    const garbageHere = faults.garbageMethods === undefined || faults.garbageMethods.includes(method);
    if (faults.garbage === 'wrong-shape' && garbageHere) return { result: { unexpected: true } };
    if (faults.garbage === 'rpc-error' && garbageHere) {
      return { error: { code: -32603, message: 'internal error (fault proxy)' } };
    }
    if (faults.chainId !== undefined && method === 'eth_chainId') return { result: `0x${faults.chainId.toString(16)}` };
    if (faults.chainId !== undefined && method === 'net_version') return { result: String(faults.chainId) };
    if (faults.headStuck && frozenHead !== undefined) {
      if (method === 'eth_blockNumber') return { result: frozenHead.number };
      if (method === 'eth_getBlockByNumber' && params[0] === 'latest') return { result: frozenHead.block };
    }
    if (faults.staleNonce !== undefined && method === 'eth_getTransactionCount') {
      if (typeof faults.staleNonce === 'number') return { result: `0x${faults.staleNonce.toString(16)}` };
      const key = String(params[0]).toLowerCase();
      const known = frozenNonces.get(key);
      if (known !== undefined) return { result: known };
      const result = (await upstreamCall(method, params)) as string;
      frozenNonces.set(key, result);
      return { result };
    }
    if (faults.swallowSends && method === 'eth_sendRawTransaction') {
      const hash = keccak256(params[0] as Hex);
      swallowed.push(hash);
      return { result: hash };
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    let parsed: RpcRequest | RpcRequest[];
    try {
      parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}');
      return;
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const r of list) counts[r.method ?? '?'] = (counts[r.method ?? '?'] ?? 0) + 1;
    if (faults.delayMs !== undefined && faults.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    }
    if (faults.down === 'http-503') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable (fault proxy)');
      return;
    }
    if (faults.garbage === 'non-json') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    const answers = await Promise.all(
      list.map(async (r) => {
        const local = await intercept(r);
        if (local !== undefined) return { jsonrpc: '2.0', id: r.id ?? null, ...local };
        const { text } = await forward(upstream, JSON.stringify(r));
        return JSON.parse(text) as unknown;
      }),
    );
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream failed: ${(err as Error).message}`);
    });
  });
  server.keepAliveTimeout = 1000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let listening = false;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const setFaults = async (next: ProxyFaults): Promise<void> => {
    if (next.headStuck && !faults.headStuck) {
      const block = await upstreamCall('eth_getBlockByNumber', ['latest', false]);
      frozenHead = { number: (block as { number: string }).number, block };
    }
    if (!next.headStuck) frozenHead = undefined;
    if (next.staleNonce !== faults.staleNonce) frozenNonces.clear();
    faults = { ...next };
    if (next.down === 'refused' && listening) await close();
    if (next.down !== 'refused' && !listening) await listen(port);
  };
  await setFaults(initial);

  return {
    url: `http://127.0.0.1:${port}`,
    setFaults,
    faults: () => faults,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      for (const k of Object.keys(counts)) delete counts[k];
    },
    swallowed: () => [...swallowed],
    stop: close,
  };
}
