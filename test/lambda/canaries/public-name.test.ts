import { runPublicName } from '../../../lambda/canaries/public-name/check';
import { CommonCanaryConfig } from '../../../lambda/canaries/shared/config';
import { CanaryFailure } from '../../../lambda/canaries/shared/failure';
import { systemClock } from '../../../lambda/canaries/shared/transport';
import { HEALTH_PATH } from '../../../lib/contract/health';
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

let cert: TestCert;
let server: TestServer;

beforeAll(async () => {
  cert = makeTestCert();
  server = await startTestServer(cert);
});
afterAll(() => server.close());

beforeEach(() => {
  server.requests.length = 0;
});

function config(patch: Partial<CommonCanaryConfig> = {}): CommonCanaryConfig {
  return {
    envName: 'test',
    vantageRegion: 'us-west-2',
    baseUrl: server.baseUrl('api.wallet.test'),
    expectedRegions: ['us-east-2', 'us-west-2'],
    maxLatencyMs: 1000,
    requestTimeoutMs: 2000,
    ...patch,
  };
}

function deps(rec: Recorder) {
  return { transport: testTransport(cert), clock: systemClock, metrics: rec.sink, log: rec.log, step: rec.step };
}

test.each(['us-east-2', 'us-west-2'])(
  'records which region answered the public name (%s): log line and AnsweredBy metric',
  async (answering) => {
    // Prepare: DNS for api.<zone> currently leads to `answering`.
    server.route = (_req, _body, res) => json(res, 200, { healthy: true, region: answering });
    const rec = recorder();

    // Act
    const answer = await runPublicName(config(), deps(rec));

    // Assess
    expect(answer.region).toBe(answering);
    expect(server.requests).toEqual([
      expect.objectContaining({ url: HEALTH_PATH, host: `api.wallet.test:${server.port}` }),
    ]);
    expect(rec.steps).toEqual(['public-name-health']);
    expect(rec.logs).toContainEqual({
      event: 'public-name-answered',
      fields: expect.objectContaining({ vantage: 'us-west-2', answeredBy: answering }),
    });
    expect(rec.metrics).toEqual([
      {
        name: 'PublicNameAnswer',
        value: 1,
        unit: 'Count',
        dimensions: { Environment: 'test', Vantage: 'us-west-2', AnsweredBy: answering },
      },
    ]);
  },
);

test('fails as wrong-region when a region outside the pair answers the public name', async () => {
  // Prepare
  server.route = (_req, _body, res) => json(res, 200, { healthy: true, region: 'eu-west-1' });
  const rec = recorder();

  // Act
  const err = await runPublicName(config(), deps(rec)).catch((e: unknown) => e);

  // Assess
  expect(err).toBeInstanceOf(CanaryFailure);
  expect((err as CanaryFailure).reason).toBe('wrong-region');
  expect((err as CanaryFailure).message).toContain('was answered by eu-west-1, expected us-east-2 or us-west-2');
  expect(rec.metrics).toEqual([]);
});

test('fails as http-status when users get a 503 at the public name', async () => {
  // Prepare
  server.route = (_req, _body, res) => json(res, 503, { message: 'Service Unavailable' });
  const rec = recorder();

  // Act
  const err = await runPublicName(config(), deps(rec)).catch((e: unknown) => e);

  // Assess
  expect((err as CanaryFailure).reason).toBe('http-status');
  expect((err as CanaryFailure).message).toContain(`GET ${server.baseUrl('api.wallet.test')}/health answered HTTP 503`);
});
