import { IncomingMessage, ServerResponse } from 'node:http';
import { CanaryFailure } from '../../../lambda/canaries/shared/failure';
import { TransactionConfig } from '../../../lambda/canaries/shared/config';
import { sigV4Signer } from '../../../lambda/canaries/shared/sigv4';
import { systemClock } from '../../../lambda/canaries/shared/transport';
import { runTransaction, TransactionDeps } from '../../../lambda/canaries/transaction/check';
import { CANARY_WALLET_ID, canaryRoutes, CANARY_TX_FLAG } from '../../../lib/contract/canary';
import {
  json,
  makeTestCert,
  recorder,
  Recorder,
  startTestServer,
  TestCert,
  TestServer,
  testTransport,
} from './helpers';

const CREDENTIALS = { accessKeyId: 'AKIDCANARY', secretAccessKey: 'canary-secret', sessionToken: 'canary-token' };
const SUBMIT = canaryRoutes.submit(CANARY_WALLET_ID);
const GET = canaryRoutes.get(CANARY_WALLET_ID, 'tx-1');

let cert: TestCert;
let server: TestServer;

beforeAll(async () => {
  cert = makeTestCert();
  server = await startTestServer(cert);
});
afterAll(() => server.close());

/**
 * Verifies a request's SigV4 signature the way API Gateway would: re-sign what arrived, with the
 * same credentials, date and region, and compare. Returns the region it was signed for.
 */
async function verifiedRegion(req: IncomingMessage, body: string): Promise<string> {
  const auth = String(req.headers.authorization ?? '');
  const scope = /Credential=AKIDCANARY\/(\d{8})\/([a-z0-9-]+)\/execute-api\/aws4_request, SignedHeaders=([^,]+),/.exec(
    auth,
  );
  if (scope === null) throw new Error(`not signed for execute-api by the canary: "${auth}"`);
  const amzDate = String(req.headers['x-amz-date']);
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const headers: Record<string, string> = {};
  for (const name of scope[3].split(';')) {
    if (!['host', 'x-amz-date', 'x-amz-security-token'].includes(name)) headers[name] = String(req.headers[name]);
  }
  const resigned = await sigV4Signer(async () => CREDENTIALS, { now: () => date })(
    {
      method: req.method as 'GET' | 'POST',
      url: `https://${String(req.headers.host)}${req.url}`,
      headers,
      ...(body !== '' ? { body } : {}),
      timeoutMs: 1,
    },
    scope[2],
  );
  if (resigned.headers?.authorization !== auth) throw new Error('signature mismatch');
  return scope[2];
}

interface FakeApi {
  servingRegion: string;
  /** Statuses the GET answers in turn (the last one repeats). */
  statuses: string[];
  getStatusCodes?: number[];
  submitStatus?: number;
  signedFor: string[];
}

function fakeApi(api: FakeApi): TestServer['route'] {
  let gets = 0;
  return async (req: IncomingMessage, body: string, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/health')
      return json(res, 200, { healthy: true, region: api.servingRegion });
    let region: string;
    try {
      region = await verifiedRegion(req, body);
    } catch (err) {
      return json(res, 403, { message: String(err) });
    }
    api.signedFor.push(region);
    if (region !== api.servingRegion)
      return json(res, 403, { message: `Credential should be scoped to a valid region: ${region}` });
    if (req.method === 'POST' && req.url === SUBMIT)
      return json(res, api.submitStatus ?? 201, { txId: 'tx-1', status: 'pending' });
    if (req.method === 'GET' && req.url === GET) {
      const code = api.getStatusCodes?.[gets] ?? 200;
      const status = api.statuses[Math.min(gets, api.statuses.length - 1)];
      gets += 1;
      return code === 200 ? json(res, 200, { txId: 'tx-1', status }) : json(res, code, { message: 'not found' });
    }
    return json(res, 404, { message: `no route ${req.method} ${req.url}` });
  };
}

function config(patch: Partial<TransactionConfig> = {}): TransactionConfig {
  return {
    envName: 'test',
    vantageRegion: 'us-east-2',
    baseUrl: server.baseUrl('api.wallet.test'),
    expectedRegions: ['us-east-2', 'us-west-2'],
    maxLatencyMs: 1000,
    requestTimeoutMs: 2000,
    signBoundMs: 600,
    pollIntervalMs: 25,
    ...patch,
  };
}

function deps(rec: Recorder): TransactionDeps {
  return {
    transport: testTransport(cert),
    clock: systemClock,
    sign: sigV4Signer(async () => CREDENTIALS),
    metrics: rec.sink,
    log: rec.log,
    step: rec.step,
    newIdempotencyKey: () => 'canary-us-east-2-run-1',
  };
}

async function failureOf(promise: Promise<unknown>): Promise<CanaryFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CanaryFailure)) throw new Error(`expected a CanaryFailure, got ${String(err)}`);
  return err;
}

beforeEach(() => {
  server.requests.length = 0;
});

test('submits a flagged canary transaction with an Idempotency-Key, polls until signed, and publishes the sign latency', async () => {
  // Prepare
  const api: FakeApi = { servingRegion: 'us-east-2', statuses: ['pending', 'signing', 'signed'], signedFor: [] };
  server.route = fakeApi(api);
  const rec = recorder();

  // Act
  const result = await runTransaction(config(), deps(rec));

  // Assess
  expect(result).toEqual(
    expect.objectContaining({
      txId: 'tx-1',
      signingRegion: 'us-east-2',
      idempotencyKey: 'canary-us-east-2-run-1',
      polls: 3,
    }),
  );
  const submit = server.requests.find((r) => r.method === 'POST');
  expect(submit?.url).toBe(`/v1/wallets/${CANARY_WALLET_ID}/transactions`);
  expect(submit?.headers['idempotency-key']).toBe('canary-us-east-2-run-1');
  expect(JSON.parse(submit?.body ?? '{}')).toEqual(expect.objectContaining({ [CANARY_TX_FLAG]: true, value: '0' }));
  expect(rec.steps).toEqual(['discover-serving-region', 'submit-canary-transaction', 'await-signature']);
  expect(rec.metrics).toEqual([
    {
      name: 'CanarySignLatency',
      value: result.signLatencyMs,
      unit: 'Milliseconds',
      dimensions: { Environment: 'test', Vantage: 'us-east-2' },
    },
  ]);
});

test('signs for the region that /health says serves the public name (after a failover: the standby)', async () => {
  // Prepare
  const api: FakeApi = { servingRegion: 'us-west-2', statuses: ['signed'], signedFor: [] };
  server.route = fakeApi(api);
  const rec = recorder();

  // Act
  const result = await runTransaction(config(), deps(rec));

  // Assess
  expect(result.signingRegion).toBe('us-west-2');
  // Submit and the one poll were both signed for the standby.
  expect(api.signedFor).toEqual(['us-west-2', 'us-west-2']);
});

test('a configured signing region skips discovery', async () => {
  // Prepare
  const api: FakeApi = { servingRegion: 'us-east-2', statuses: ['signed'], signedFor: [] };
  server.route = fakeApi(api);
  const rec = recorder();

  // Act
  await runTransaction(config({ signingRegion: 'us-east-2' }), deps(rec));

  // Assess
  expect(rec.steps).toEqual(['submit-canary-transaction', 'await-signature']);
  expect(server.requests.map((r) => r.url)).not.toContain('/health');
});

test('fails as not-signed-in-time when the transaction stays pending past the bound', async () => {
  // Prepare
  server.route = fakeApi({ servingRegion: 'us-east-2', statuses: ['pending'], signedFor: [] });
  const rec = recorder();

  // Act
  const failure = await failureOf(runTransaction(config({ signBoundMs: 200 }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('not-signed-in-time');
  expect(failure.message).toMatch(
    /canary transaction tx-1 is still "pending" 200 ms after submission \(\d+ polls, signing region us-east-2\)/,
  );
  expect(rec.metrics).toEqual([]);
});

test('fails at once as tx-failed on a terminal status', async () => {
  // Prepare
  server.route = fakeApi({ servingRegion: 'us-east-2', statuses: ['pending', 'quarantined'], signedFor: [] });
  const rec = recorder();

  // Act
  const failure = await failureOf(runTransaction(config({ signBoundMs: 5000 }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('tx-failed');
  expect(failure.message).toContain(
    'canary transaction tx-1 ended as "quarantined" before it was signed (idempotency key canary-us-east-2-run-1)',
  );
});

test('keeps polling through 404 (not yet readable where it landed) until signed', async () => {
  // Prepare
  server.route = fakeApi({
    servingRegion: 'us-east-2',
    statuses: ['signed'],
    getStatusCodes: [404, 404, 200],
    signedFor: [],
  });
  const rec = recorder();

  // Act
  const result = await runTransaction(config(), deps(rec));

  // Assess
  expect(result.polls).toBe(3);
});

test('fails as auth with a hint when the API refuses the signature (signed for the wrong region)', async () => {
  // Prepare: the canary is told to sign for us-east-2, but the name is served from us-west-2.
  server.route = fakeApi({ servingRegion: 'us-west-2', statuses: ['signed'], signedFor: [] });
  const rec = recorder();

  // Act
  const failure = await failureOf(runTransaction(config({ signingRegion: 'us-east-2' }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('auth');
  expect(failure.message).toContain("answered HTTP 403: the API refused the canary's SigV4 signature for us-east-2");
});

test('fails as http-status when intake answers 409 (idempotency conflict)', async () => {
  // Prepare
  server.route = fakeApi({ servingRegion: 'us-east-2', statuses: ['signed'], submitStatus: 409, signedFor: [] });
  const rec = recorder();

  // Act
  const failure = await failureOf(runTransaction(config(), deps(rec)));

  // Assess
  expect(failure.reason).toBe('http-status');
  expect(failure.message).toContain('answered HTTP 409, expected 2xx');
});

test('sends through the wallet client with one attempt on the public name: a 503 fails the run, never retried or routed to a region', async () => {
  // Prepare
  server.route = fakeApi({ servingRegion: 'us-east-2', statuses: ['signed'], submitStatus: 503, signedFor: [] });
  const rec = recorder();

  // Act
  const failure = await failureOf(runTransaction(config({ signingRegion: 'us-east-2' }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('http-status');
  expect(failure.message).toContain('answered HTTP 503, expected 2xx');
  const posts = server.requests.filter((r) => r.method === 'POST');
  expect(posts.map((r) => r.host)).toEqual([`api.wallet.test:${server.port}`]);
  expect(posts[0].headers['user-agent']).toBe('wallet-canary/transaction (test; us-east-2)');
});

test('a submit with no answer still fails with the transport reason (timeout), through the wallet client', async () => {
  // Prepare: the API never answers the submit within the request timeout.
  server.route = (req, _body, res) =>
    req.method === 'POST' ? json(res, 201, { txId: 'tx-1', status: 'pending' }, 5000) : json(res, 404, {});
  const rec = recorder();

  // Act
  const failure = await failureOf(
    runTransaction(config({ signingRegion: 'us-east-2', requestTimeoutMs: 200 }), deps(rec)),
  );

  // Assess
  expect(failure.reason).toBe('timeout');
  // the client waits what is left of the 200 ms budget when it sends (199 ms on a loaded machine)
  expect(failure.message).toMatch(/no complete answer within (19[0-9]|200) ms/);
  expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
});
