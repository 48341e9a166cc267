import { loadDeepHealthConfig, loadHealthConfig, loadTransactionConfig } from '../../../lambda/canaries/shared/config';
import { CanaryFailure } from '../../../lambda/canaries/shared/failure';
import { CANARY_DEFAULTS, CANARY_ENV } from '../../../lib/contract/canary';

const BASE = {
  AWS_REGION: 'us-east-2',
  [CANARY_ENV.envName]: 'prod',
  [CANARY_ENV.baseUrl]: 'https://us-east-2.api.wallet.example.com',
  [CANARY_ENV.expectedRegions]: 'us-east-2',
};

function failure(fn: () => unknown): CanaryFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof CanaryFailure) return err;
    throw err;
  }
  throw new Error('expected a CanaryFailure');
}

test('reads a deep-health config with defaults for the bounds', () => {
  // Act
  const config = loadDeepHealthConfig({
    ...BASE,
    [CANARY_ENV.peerBaseUrl]: 'https://us-west-2.api.wallet.example.com',
    [CANARY_ENV.peerRegion]: 'us-west-2',
  });

  // Assess
  expect(config).toEqual({
    envName: 'prod',
    vantageRegion: 'us-east-2',
    baseUrl: 'https://us-east-2.api.wallet.example.com',
    expectedRegions: ['us-east-2'],
    maxLatencyMs: CANARY_DEFAULTS.maxLatencyMs,
    requestTimeoutMs: CANARY_DEFAULTS.requestTimeoutMs,
    peer: { baseUrl: 'https://us-west-2.api.wallet.example.com', region: 'us-west-2' },
  });
});

test('reads a transaction config with explicit bounds and a signing region', () => {
  // Act
  const config = loadTransactionConfig({
    ...BASE,
    [CANARY_ENV.baseUrl]: 'https://api.wallet.example.com',
    [CANARY_ENV.expectedRegions]: 'us-east-2, us-west-2',
    [CANARY_ENV.signBoundMs]: '20000',
    [CANARY_ENV.pollIntervalMs]: '500',
    [CANARY_ENV.signingRegion]: 'us-west-2',
  });

  // Assess
  expect(config).toEqual(
    expect.objectContaining({
      expectedRegions: ['us-east-2', 'us-west-2'],
      signBoundMs: 20000,
      pollIntervalMs: 500,
      signingRegion: 'us-west-2',
    }),
  );
});

test('fails listing every problem at once: what, the value received, and how to fix it', () => {
  // Act
  const err = failure(() =>
    loadHealthConfig(
      {
        AWS_REGION: 'us-east-2',
        [CANARY_ENV.baseUrl]: 'http://api.wallet.example.com/health',
        [CANARY_ENV.expectedRegions]: 'us-east-2,Ohio',
        [CANARY_ENV.maxLatencyMs]: 'fast',
      },
      'public-name',
    ),
  );

  // Assess
  expect(err.reason).toBe('config');
  expect(err.message).toContain("the public-name canary's environment is invalid");
  expect(err.message).toContain('WALLET_ENV_NAME is not set (received undefined)');
  expect(err.message).toContain(
    'WALLET_CANARY_BASE_URL must be an https URL without path or query (received "http://api.wallet.example.com/health")',
  );
  expect(err.message).toContain(
    'WALLET_CANARY_EXPECTED_REGIONS is not a comma-separated list of region codes (received "us-east-2,Ohio")',
  );
  expect(err.message).toContain(
    'WALLET_CANARY_MAX_LATENCY_MS must be a whole number of milliseconds, at least 1 (received "fast"); e.g. "2000"',
  );
});

test('fails when only half of the peer probe is configured', () => {
  // Act
  const err = failure(() => loadDeepHealthConfig({ ...BASE, [CANARY_ENV.peerRegion]: 'us-west-2' }));

  // Assess
  expect(err.message).toContain('WALLET_CANARY_PEER_BASE_URL must be set together with WALLET_CANARY_PEER_REGION');
});

test('fails when the deep-health canary would accept more than one region', () => {
  // Act
  const err = failure(() => loadDeepHealthConfig({ ...BASE, [CANARY_ENV.expectedRegions]: 'us-east-2,us-west-2' }));

  // Assess
  expect(err.message).toContain('must name exactly one region for the deep-health canary');
});

test('fails when the poll interval is not shorter than the sign bound', () => {
  // Act
  const err = failure(() =>
    loadTransactionConfig({ ...BASE, [CANARY_ENV.signBoundMs]: '1000', [CANARY_ENV.pollIntervalMs]: '1000' }),
  );

  // Assess
  expect(err.message).toContain(
    'WALLET_CANARY_POLL_INTERVAL_MS must be shorter than WALLET_CANARY_SIGN_BOUND_MS (1000)',
  );
});

test('fails a transaction config that names one region: the wallet client needs both', () => {
  // Act
  const err = failure(() => loadTransactionConfig(BASE));

  // Assess
  expect(err.reason).toBe('config');
  expect(err.message).toContain(
    'WALLET_CANARY_EXPECTED_REGIONS must name both regions for the transaction canary (it calls the API through the wallet client, which needs both regional names) (received "us-east-2"); set it to "<primary>,<standby>", as the canary construct does',
  );
});
