import { runDeepHealth } from '../../../lambda/canaries/deep-health/check';
import { DeepHealthConfig } from '../../../lambda/canaries/shared/config';
import { CanaryFailure } from '../../../lambda/canaries/shared/failure';
import { nodeTransport, systemClock } from '../../../lambda/canaries/shared/transport';
import { CANARY_METRICS } from '../../../lib/contract/canary';
import { DEEP_HEALTH_PATH } from '../../../lib/contract/health';
import {
  json,
  loopbackLookup,
  makeTestCert,
  recorder,
  Recorder,
  regionOfHost,
  startTestServer,
  TestCert,
  TestServer,
  testTransport,
} from './helpers';

let cert: TestCert;
let server: TestServer;

beforeAll(async () => {
  cert = makeTestCert();
  server = await startTestServer(cert);
});
afterAll(() => server.close());

/** A healthy regional API: answers for the region its host name names. */
function healthyApi(delayMs = 0): TestServer['route'] {
  return (req, _body, res) =>
    json(
      res,
      200,
      { healthy: true, region: regionOfHost(String(req.headers.host)), checks: { ledger: { ok: true } } },
      delayMs,
    );
}

function config(patch: Partial<DeepHealthConfig> = {}): DeepHealthConfig {
  return {
    envName: 'test',
    vantageRegion: 'us-east-2',
    baseUrl: server.baseUrl('us-east-2.api.wallet.test'),
    expectedRegions: ['us-east-2'],
    maxLatencyMs: 1000,
    requestTimeoutMs: 2000,
    ...patch,
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

function deps(rec: Recorder) {
  return { transport: testTransport(cert), clock: systemClock, metrics: rec.sink, log: rec.log, step: rec.step };
}

beforeEach(() => {
  server.requests.length = 0;
  server.route = healthyApi();
});

test('healthy: own region answers /health/deep correctly; one named step; the request went to the regional name', async () => {
  // Prepare
  const rec = recorder();

  // Act
  const result = await runDeepHealth(config(), deps(rec));

  // Assess
  expect(result.own.region).toBe('us-east-2');
  expect(rec.steps).toEqual(['deep-health-us-east-2']);
  expect(server.requests).toEqual([
    expect.objectContaining({
      method: 'GET',
      url: DEEP_HEALTH_PATH,
      host: expect.stringMatching(/^us-east-2\.api\.wallet\.test:/),
    }),
  ]);
  expect(String(server.requests[0].headers['user-agent'])).toBe('wallet-canary/deep-health (test; us-east-2)');
});

test('fails on 503 and names the failing dependency checks', async () => {
  // Prepare
  server.route = (_req, _body, res) =>
    json(res, 503, {
      healthy: false,
      region: 'us-east-2',
      checks: { ledger: { ok: true }, signingKey: { ok: false, detail: 'KMS throttled' } },
    });
  const rec = recorder();

  // Act
  const failure = await failureOf(runDeepHealth(config(), deps(rec)));

  // Assess
  expect(failure.reason).toBe('http-status');
  expect(failure.message).toContain('answered HTTP 503, expected 2xx; failing checks: signingKey (KMS throttled)');
});

test('fails as slow when a correct answer exceeds the latency bound', async () => {
  // Prepare
  server.route = healthyApi(300);
  const rec = recorder();

  // Act
  const failure = await failureOf(runDeepHealth(config({ maxLatencyMs: 100 }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('slow');
  expect(failure.message).toMatch(/answered correctly from us-east-2 but took \d+ ms, over the 100 ms bound/);
});

test('fails as timeout when no answer arrives within the request timeout', async () => {
  // Prepare
  server.route = healthyApi(1500);
  const rec = recorder();

  // Act
  const failure = await failureOf(runDeepHealth(config({ requestTimeoutMs: 200 }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('timeout');
  expect(failure.message).toContain('no complete answer within 200 ms');
});

test.each([
  ['an HTML page', 'text/html', '<html>maintenance</html>', 'the body is not a JSON object: <html>maintenance</html>'],
  [
    'healthy false with 200',
    'application/json',
    JSON.stringify({ healthy: false, region: 'us-east-2' }),
    'without "healthy":true in its first 5120 bytes, so Route 53 would see it unhealthy',
  ],
  [
    'the marker beyond the first 5120 bytes',
    'application/json',
    JSON.stringify({ padding: 'x'.repeat(6000), healthy: true, region: 'us-east-2' }),
    'without "healthy":true in its first 5120 bytes',
  ],
  ['no region', 'application/json', JSON.stringify({ healthy: true }), 'the body has no "region" (received undefined)'],
])('fails as bad-body on %s', async (_name, contentType, body, message) => {
  // Prepare
  server.route = (_req, _body, res) => {
    res.writeHead(200, { 'content-type': contentType }).end(body);
  };
  const rec = recorder();

  // Act
  const failure = await failureOf(runDeepHealth(config(), deps(rec)));

  // Assess
  expect(failure.reason).toBe('bad-body');
  expect(failure.message).toContain(message);
});

test('fails as wrong-region when the regional name is answered by the other region', async () => {
  // Prepare
  server.route = (_req, _body, res) => json(res, 200, { healthy: true, region: 'us-west-2' });
  const rec = recorder();

  // Act
  const failure = await failureOf(runDeepHealth(config(), deps(rec)));

  // Assess
  expect(failure.reason).toBe('wrong-region');
  expect(failure.message).toContain('was answered by us-west-2, expected us-east-2');
});

test('fails as tls when the certificate does not match the host name', async () => {
  // Prepare: the certificate covers us-east-2/us-west-2/api, not eu-west-1.
  const rec = recorder();

  // Act
  const failure = await failureOf(
    runDeepHealth(
      config({ baseUrl: server.baseUrl('eu-west-1.api.wallet.test'), expectedRegions: ['eu-west-1'] }),
      deps(rec),
    ),
  );

  // Assess
  expect(failure.reason).toBe('tls');
  expect(failure.message).toContain('the certificate does not match the host name (ERR_TLS_CERT_ALTNAME_INVALID');
  expect(failure.message).toContain('check the API custom domain and ACM certificate for eu-west-1.api.wallet.test');
  expect(server.requests).toEqual([]);
});

test('fails as tls when the certificate is not trusted', async () => {
  // Prepare: the system trust store does not know the throwaway certificate.
  const rec = recorder();
  const untrusting = nodeTransport({ lookup: loopbackLookup });

  // Act
  const failure = await failureOf(
    runDeepHealth(config(), {
      transport: untrusting,
      clock: systemClock,
      metrics: rec.sink,
      log: rec.log,
      step: rec.step,
    }),
  );

  // Assess
  expect(failure.reason).toBe('tls');
  expect(failure.message).toContain('the certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('fails as connection when nothing listens', async () => {
  // Prepare: a port that was just closed.
  const closed = await startTestServer(cert);
  const url = closed.baseUrl('us-east-2.api.wallet.test');
  await closed.close();
  const rec = recorder();

  // Act
  const failure = await failureOf(runDeepHealth(config({ baseUrl: url }), deps(rec)));

  // Assess
  expect(failure.reason).toBe('connection');
  expect(failure.message).toContain('ECONNREFUSED');
});

describe('peer probe', () => {
  const withPeer = () =>
    config({ peer: { baseUrl: server.baseUrl('us-west-2.api.wallet.test'), region: 'us-west-2' } });

  test('publishes PeerDeepHealth = 1 with Environment, Vantage and Target when the peer is healthy', async () => {
    // Prepare
    const rec = recorder();

    // Act
    const result = await runDeepHealth(withPeer(), deps(rec));

    // Assess
    expect(result.peer).toEqual({ region: 'us-west-2', ok: true });
    expect(rec.metrics).toEqual([
      {
        name: CANARY_METRICS.peerDeepHealth,
        value: 1,
        unit: 'None',
        dimensions: { Environment: 'test', Vantage: 'us-east-2', Target: 'us-west-2' },
      },
    ]);
  });

  test('a failing peer publishes 0 and does NOT fail this region canary', async () => {
    // Prepare: the peer region answers 503.
    server.route = (req, _body, res) =>
      regionOfHost(String(req.headers.host)) === 'us-west-2'
        ? json(res, 503, { healthy: false, region: 'us-west-2' })
        : json(res, 200, { healthy: true, region: 'us-east-2' });
    const rec = recorder();

    // Act
    const result = await runDeepHealth(withPeer(), deps(rec));

    // Assess
    expect(result.own.region).toBe('us-east-2');
    expect(result.peer).toEqual(
      expect.objectContaining({ region: 'us-west-2', ok: false, failure: expect.stringContaining('HTTP 503') }),
    );
    expect(rec.metrics.map((m) => m.value)).toEqual([0]);
  });

  test('when its own region fails, it still probes the peer, then fails with its own reason', async () => {
    // Prepare: own region 503, peer healthy.
    server.route = (req, _body, res) =>
      regionOfHost(String(req.headers.host)) === 'us-east-2'
        ? json(res, 503, { healthy: false, region: 'us-east-2' })
        : json(res, 200, { healthy: true, region: 'us-west-2' });
    const rec = recorder();

    // Act
    const failure = await failureOf(runDeepHealth(withPeer(), deps(rec)));

    // Assess
    expect(failure.reason).toBe('http-status');
    expect(rec.metrics).toEqual([expect.objectContaining({ name: CANARY_METRICS.peerDeepHealth, value: 1 })]);
  });

  test('a metric that cannot be published is logged, not a canary failure', async () => {
    // Prepare
    const rec = recorder({ failMetrics: true });

    // Act
    const result = await runDeepHealth(withPeer(), deps(rec));

    // Assess
    expect(result.own.region).toBe('us-east-2');
    expect(rec.logs).toContainEqual({
      event: 'metric-publish-failed',
      fields: { metric: 'PeerDeepHealth', error: 'Error: PutMetricData throttled' },
    });
  });
});
