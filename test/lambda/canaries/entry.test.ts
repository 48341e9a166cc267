import { createHandler as deepHealthHandler, DeepHealthWiring } from '../../../lambda/canaries/deep-health/index';
import { createHandler as publicNameHandler } from '../../../lambda/canaries/public-name/index';
import { createHandler as transactionHandler } from '../../../lambda/canaries/transaction/index';
import { loadDeepHealthConfig } from '../../../lambda/canaries/shared/config';
import { CanaryFailure } from '../../../lambda/canaries/shared/failure';
import { Clock, Transport } from '../../../lambda/canaries/shared/transport';
import { recorder } from './helpers';

const clock: Clock = { now: () => 0, sleep: async () => undefined };
const healthy =
  (region: string): Transport =>
  async () => ({ status: 200, headers: {}, body: JSON.stringify({ healthy: true, region }) });

test('the deep-health entry wires once per container and runs each invocation through Synthetics steps', async () => {
  // Prepare
  const rec = recorder();
  let wired = 0;
  const handler = deepHealthHandler(() => {
    wired += 1;
    return {
      config: {
        envName: 't',
        vantageRegion: 'us-east-2',
        baseUrl: 'https://x',
        expectedRegions: ['us-east-2'],
        maxLatencyMs: 10,
        requestTimeoutMs: 10,
      },
      transport: healthy('us-east-2'),
      clock,
      metrics: rec.sink,
      log: rec.log,
      step: rec.step,
    };
  });

  // Act
  await handler();
  await handler();

  // Assess
  expect(wired).toBe(1);
  expect(rec.steps).toEqual(['deep-health-us-east-2', 'deep-health-us-east-2']);
});

test('a configuration error fails the run with the config reason, and the next run reads the environment again', async () => {
  // Prepare
  const envs = [
    {},
    {
      AWS_REGION: 'us-east-2',
      WALLET_ENV_NAME: 't',
      WALLET_CANARY_BASE_URL: 'https://x',
      WALLET_CANARY_EXPECTED_REGIONS: 'us-east-2',
    },
  ];
  const rec = recorder();
  const handler = deepHealthHandler((): DeepHealthWiring => ({
    config: loadDeepHealthConfig(envs.shift() ?? {}),
    transport: healthy('us-east-2'),
    clock,
    metrics: rec.sink,
    log: rec.log,
    step: rec.step,
  }));

  // Act
  const first = await handler().catch((e: unknown) => e);
  const second = await handler();

  // Assess
  expect(first).toBeInstanceOf(CanaryFailure);
  expect((first as CanaryFailure).reason).toBe('config');
  expect(second.own.region).toBe('us-east-2');
});

test('the public-name and transaction entries run their checks', async () => {
  // Prepare
  const rec = recorder();
  const common = {
    envName: 't',
    vantageRegion: 'us-east-2',
    baseUrl: 'https://x',
    expectedRegions: ['us-east-2'],
    maxLatencyMs: 10,
    requestTimeoutMs: 10,
  };
  const tx: Transport = async (req) =>
    req.url.endsWith('/health')
      ? { status: 200, headers: {}, body: JSON.stringify({ healthy: true, region: 'us-east-2' }) }
      : { status: 201, headers: {}, body: JSON.stringify({ txId: 'tx-9', status: 'signed' }) };

  // Act
  const publicAnswer = await publicNameHandler(() => ({
    config: common,
    transport: healthy('us-east-2'),
    clock,
    metrics: rec.sink,
    log: rec.log,
    step: rec.step,
  }))();
  const txResult = await transactionHandler(() => ({
    // Both regions and a key the API would accept: the canary calls the API through the wallet client (client/).
    config: { ...common, expectedRegions: ['us-east-2', 'us-west-2'], signBoundMs: 100, pollIntervalMs: 10 },
    transport: tx,
    clock,
    sign: async (r) => r,
    metrics: rec.sink,
    log: rec.log,
    step: rec.step,
    newIdempotencyKey: () => 'canary-key-1',
  }))();

  // Assess
  expect(publicAnswer.region).toBe('us-east-2');
  expect(txResult).toEqual(expect.objectContaining({ txId: 'tx-9', polls: 0, signingRegion: 'us-east-2' }));
});
