import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DisabledException, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DEEP_HEALTH_PATH,
  HEALTH_PATH,
  HEALTH_SEARCH_STRING,
  LEASE_HELD_QUERY,
  PRIMARY_HEALTH_RESOURCE_PATH,
} from '../../../lib/contract/health';
import { ledgerKeys } from '../../../lib/contract/ledger';
import { validateHealthResponse } from '../../../lambda/canaries/shared/health-check';
import { createHealthHandler } from '../../../lambda/health/handler';
import type { HealthEnv } from '../../../lambda/shared/env';
import { KmsSigningKey } from '../../../lambda/shared/kms-signer';
import { silentLogger } from '../../../lambda/shared/logger';
import { LocalKey, newLocalKey } from '../../helpers/local-key';
import { apiEvent, parseBody } from '../helpers';

const ddbMock = mockClient(DynamoDBDocumentClient);
const kmsMock = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef';
const NOW = new Date('2025-03-01T12:00:00.000Z');

let key: LocalKey;
let address: string;

function handlerFor(env: Partial<HealthEnv> = {}) {
  return createHealthHandler({
    env: {
      region: 'us-east-2',
      tableName: 'ledger',
      signingKeyArn: KEY_ARN,
      regionRole: 'primary',
      consistency: 'MRSC',
      ...env,
    },
    ledger: { ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' },
    key: new KmsSigningKey(new KMSClient({}), KEY_ARN, { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }),
    logger: silentLogger(),
    now: () => NOW,
  });
}

const shallow = () => apiEvent({ method: 'GET', resource: HEALTH_PATH, path: HEALTH_PATH });
const deep = () => apiEvent({ method: 'GET', resource: DEEP_HEALTH_PATH, path: DEEP_HEALTH_PATH });

const lease = (over: Record<string, unknown> = {}) => ({
  ...ledgerKeys.lease(address),
  address,
  activeRegion: 'us-east-2',
  epoch: 2,
  nextNonce: 5,
  updatedAt: '2025-01-01T00:00:00.000Z',
  updatedBy: 't',
  reason: 't',
  reconciledEpoch: 2,
  ...over,
});

beforeAll(() => {
  key = newLocalKey();
  address = key.address.toLowerCase();
});
beforeEach(() => {
  ddbMock.reset();
  kmsMock.reset();
  kmsMock
    .on(GetPublicKeyCommand)
    .resolves({ PublicKey: key.spki, KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
  ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl('us-east-2') }).resolves({});
  ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({ Item: lease() });
});

describe('GET /health', () => {
  test('is 200 with the Route 53 marker at the start of the body and role active for the lease holder', async () => {
    // Act
    const res = await handlerFor()(shallow());
    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith(`{${HEALTH_SEARCH_STRING},`)).toBe(true);
    expect(parseBody(res)).toEqual({
      healthy: true,
      region: 'us-east-2',
      role: 'active',
      configuredRole: 'primary',
      leaseEpoch: 2,
      checkedAt: NOW.toISOString(),
    });
  });

  test('reports standby in the region that does not hold the lease, still healthy', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({ Item: lease({ activeRegion: 'us-west-2' }) });
    const res = await handlerFor()(shallow());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(HEALTH_SEARCH_STRING);
    expect(parseBody(res).role).toBe('standby');
  });

  test('reports degraded while the region’s flag is on, and stays healthy for Route 53', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl('us-east-2') }).resolves({ Item: { degraded: true } });
    const res = await handlerFor()(shallow());
    expect(res.statusCode).toBe(200);
    expect(parseBody(res).role).toBe('degraded');
  });

  test('is 503 without the marker when the table cannot be read', async () => {
    // Prepare
    ddbMock
      .on(GetCommand, { Key: ledgerKeys.regionControl('us-east-2') })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    // Act
    const res = await handlerFor()(shallow());
    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain(HEALTH_SEARCH_STRING);
    expect(parseBody(res)).toEqual({
      healthy: false,
      region: 'us-east-2',
      reasons: ['ProvisionedThroughputExceededException: slow down'],
      checkedAt: NOW.toISOString(),
    });
  });

  test('calls GetPublicKey once per execution environment, not per request', async () => {
    const handler = handlerFor();
    await handler(shallow());
    await handler(shallow());
    expect(kmsMock).toHaveReceivedCommandTimes(GetPublicKeyCommand, 1);
  });
});

describe('GET /health?lease=held (the PRIMARY record check)', () => {
  const leaseHeld = () =>
    apiEvent({
      method: 'GET',
      resource: HEALTH_PATH,
      path: HEALTH_PATH,
      queryStringParameters: { [LEASE_HELD_QUERY.name]: LEASE_HELD_QUERY.value },
    });

  test('the contract path is /health with the lease query, as Route 53 will request it', () => {
    expect(PRIMARY_HEALTH_RESOURCE_PATH).toBe('/health?lease=held');
  });

  test('is 200 with the marker while this region holds the lease', async () => {
    const res = await handlerFor()(leaseHeld());
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith(`{${HEALTH_SEARCH_STRING},`)).toBe(true);
    expect(parseBody(res).role).toBe('active');
  });

  test('fails (503, no marker) once the replica shows the lease held by another region, naming holder and epoch', async () => {
    ddbMock
      .on(GetCommand, { Key: ledgerKeys.lease(address) })
      .resolves({ Item: lease({ activeRegion: 'us-west-2', epoch: 3 }) });
    const res = await handlerFor()(leaseHeld());
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain(HEALTH_SEARCH_STRING);
    expect(parseBody(res)).toMatchObject({
      healthy: false,
      region: 'us-east-2',
      role: 'standby',
      leaseEpoch: 3,
      reasons: ['the signer lease is held by us-west-2 at epoch 3, not by us-east-2'],
    });
  });

  test('plain /health in the same state stays healthy (the SECONDARY check must not follow the lease)', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({ Item: lease({ activeRegion: 'us-west-2' }) });
    const res = await handlerFor()(shallow());
    expect(res.statusCode).toBe(200);
  });

  test('any other query value is plain /health (only lease=held follows the lease)', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({ Item: lease({ activeRegion: 'us-west-2' }) });
    const res = await handlerFor()(
      apiEvent({ method: 'GET', resource: HEALTH_PATH, path: HEALTH_PATH, queryStringParameters: { lease: 'x' } }),
    );
    expect(res.statusCode).toBe(200);
  });

  test('fails when the lease cannot be read (as plain /health does)', async () => {
    ddbMock
      .on(GetCommand, { Key: ledgerKeys.lease(address) })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const res = await handlerFor()(leaseHeld());
    expect(res.statusCode).toBe(503);
    expect(parseBody(res).reasons).toEqual(['ProvisionedThroughputExceededException: slow down']);
  });

  test('stays healthy before initLease (no lease item: nothing to follow, nobody signs)', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({});
    const res = await handlerFor()(leaseHeld());
    expect(res.statusCode).toBe(200);
  });
});

describe('GET /health/deep', () => {
  test('is 200 when table, signing key and lease are fine, with each check listed', async () => {
    // Act
    const res = await handlerFor()(deep());
    // Assess
    expect(res.statusCode).toBe(200);
    const body = parseBody(res);
    expect(body).toMatchObject({
      healthy: true,
      region: 'us-east-2',
      role: 'active',
      configuredRole: 'primary',
      consistency: 'MRSC',
      checks: {
        table: { ok: true, detail: 'read ledger' },
        signingKey: { ok: true, detail: `address ${address}` },
        lease: { ok: true, detail: 'held by us-east-2 at epoch 2' },
        degradedMode: { ok: true, detail: 'off' },
      },
    });
    expect(body.reasons).toBeUndefined();
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      Key: ledgerKeys.regionControl('us-east-2'),
      ConsistentRead: true,
    });
    expect(kmsMock).toHaveReceivedCommandWith(GetPublicKeyCommand, { KeyId: KEY_ARN });
  });

  test('is 503 with a reason when the signing key is disabled', async () => {
    // Prepare
    kmsMock.on(GetPublicKeyCommand).rejects(new DisabledException({ message: 'key is disabled', $metadata: {} }));
    // Act
    const res = await handlerFor()(deep());
    // Assess
    expect(res.statusCode).toBe(503);
    expect(parseBody(res).reasons).toEqual([
      `signing key ${KEY_ARN} is not usable (DisabledException: key is disabled)`,
    ]);
    expect(parseBody(res).checks.signingKey.ok).toBe(false);
  });

  test('is 503 when the key is not a signing key', async () => {
    kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: key.spki, KeyUsage: 'ENCRYPT_DECRYPT' });
    const res = await handlerFor()(deep());
    expect(res.statusCode).toBe(503);
    expect(parseBody(res).reasons).toEqual([`signing key ${KEY_ARN}: key usage is ENCRYPT_DECRYPT, not SIGN_VERIFY`]);
  });

  test('is 503 when no lease exists for the key’s address', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({});
    const res = await handlerFor()(deep());
    expect(res.statusCode).toBe(503);
    expect(parseBody(res).reasons).toEqual([
      `no signer lease exists for ${address}; create it (initLease) before taking traffic`,
    ]);
  });

  test('stays 200 in degraded mode, reporting it in role and checks (a deliberate posture, not a failure)', async () => {
    // Prepare
    ddbMock.on(GetCommand, { Key: ledgerKeys.regionControl('us-east-2') }).resolves({
      Item: { degraded: true, updatedAt: '2025-03-01T11:00:00.000Z', reason: 'manual', setBy: 'ops' },
    });
    // Act
    const res = await handlerFor()(deep());
    // Assess: failing here would alarm the deep-health canary and feed region-impaired and the
    // standby's failover rule, so suspending withdrawals would fail the region over
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith(`{${HEALTH_SEARCH_STRING},`)).toBe(true);
    expect(parseBody(res).role).toBe('degraded');
    expect(parseBody(res).checks.degradedMode).toEqual({
      ok: true,
      ms: 0,
      detail: 'ON since 2025-03-01T11:00:00.000Z (set by ops): manual; new transactions are refused',
    });
  });

  test('is 503 under MREC when this region holds the lease but has not reconciled nonces since it moved', async () => {
    ddbMock
      .on(GetCommand, { Key: ledgerKeys.lease(address) })
      .resolves({ Item: lease({ epoch: 3, reconciledEpoch: 2 }) });
    const res = await handlerFor({ consistency: 'MREC' })(deep());
    expect(res.statusCode).toBe(503);
    expect(parseBody(res).reasons[0]).toContain('its nonces were not reconciled with the chain (MREC)');
  });

  test('is 200 for a healthy standby under MREC (it does not sign, so nothing to reconcile)', async () => {
    ddbMock.on(GetCommand, { Key: ledgerKeys.lease(address) }).resolves({
      Item: lease({ activeRegion: 'us-west-2', epoch: 3, reconciledEpoch: 2 }),
    });
    const res = await handlerFor({ consistency: 'MREC' })(deep());
    expect(res.statusCode).toBe(200);
    expect(parseBody(res).role).toBe('standby');
  });

  test('is 503 with every reason when both the table and the key fail', async () => {
    ddbMock.on(GetCommand).rejects(new Error('network down'));
    kmsMock.on(GetPublicKeyCommand).rejects(new Error('network down'));
    const res = await handlerFor()(deep());
    expect(res.statusCode).toBe(503);
    expect(parseBody(res).reasons).toHaveLength(2);
  });
});

test.each([
  ['/health', HEALTH_PATH],
  ['/health/deep', DEEP_HEALTH_PATH],
])('%s passes the canaries’ own check of the health contract, and fails it when impaired', async (_name, path) => {
  // Prepare
  const handler = handlerFor();
  const event = apiEvent({ method: 'GET', resource: path, path });
  const check = (res: { statusCode: number; body: string }) =>
    validateHealthResponse(
      { url: `https://us-east-2.api.example.com${path}`, expectedRegions: ['us-east-2'], maxLatencyMs: 2000 },
      { status: res.statusCode, headers: {}, body: res.body },
      10,
    );
  // Act
  const healthy = await handler(event);
  ddbMock.on(GetCommand).rejects(new Error('table unreachable'));
  const impaired = await handlerFor()(event);
  // Assess
  expect(check(healthy).region).toBe('us-east-2');
  expect(() => check(impaired)).toThrow('expected 2xx');
});

test('answers 404 on other paths', async () => {
  const res = await handlerFor()(apiEvent({ method: 'GET', resource: '/healthz', path: '/healthz' }));
  expect(res.statusCode).toBe(404);
});
