import { ClientEvent, WalletClient, WalletClientConfigError, WalletClientOptions } from '../../client/index';
import {
  apiError,
  DEGRADED_503,
  FakeRegion,
  newStore,
  refusedBaseUrl,
  startRegion,
  Store,
  WITHDRAWAL,
} from './helpers';

/**
 * The client against real HTTP servers on loopback: two "regions" sharing one idempotency store
 * (as under MRSC), a region that refuses connections, one that hangs, one that drops the answer.
 */
let store: Store;
let home: FakeRegion;
let standby: FakeRegion;

beforeAll(async () => {
  // Load the platform's fetch (undici) once, so the first test's first attempt is not a cold start.
  const warm = await startRegion('us-east-2', newStore());
  await fetch(`${warm.baseUrl}/health`).then((r) => r.text());
  await warm.close();
});

beforeEach(async () => {
  store = newStore();
  home = await startRegion('us-east-2', store);
  standby = await startRegion('us-west-2', store);
});
afterEach(async () => {
  await Promise.all([home.close(), standby.close()]);
});

function client(patch: Partial<WalletClientOptions> = {}, events: ClientEvent[] = []): WalletClient {
  return new WalletClient({
    regions: [
      { region: 'us-east-2', baseUrl: home.baseUrl },
      { region: 'us-west-2', baseUrl: standby.baseUrl },
    ],
    attemptTimeoutMs: 300,
    deadlineMs: 3000,
    baseDelayMs: 10,
    maxDelayMs: 50,
    onEvent: (e) => events.push(e),
    ...patch,
  });
}

const posts = (...regions: FakeRegion[]) => regions.flatMap((r) => r.requests.filter((q) => q.method === 'POST'));

test('serves from the home region when it answers, with one Idempotency-Key', async () => {
  // Act
  const result = await client().submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(
    expect.objectContaining({ kind: 'accepted', region: 'us-east-2', attempts: 1, replayed: false }),
  );
  expect(posts(home, standby).map((p) => p.key)).toEqual([result.idempotencyKey]);
  expect(result.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  expect(JSON.parse(posts(home)[0].body)).toEqual(WITHDRAWAL);
});

test('a region that refuses connections: the retry goes to the other region with the same key', async () => {
  // Prepare
  const events: ClientEvent[] = [];
  const c = new WalletClient({
    regions: [
      { region: 'us-east-2', baseUrl: await refusedBaseUrl() },
      { region: 'us-west-2', baseUrl: standby.baseUrl },
    ],
    baseDelayMs: 10,
    maxDelayMs: 50,
    onEvent: (e) => events.push(e),
  });

  // Act
  const started = Date.now();
  const result = await c.submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2', attempts: 2 }));
  expect(Date.now() - started).toBeLessThan(1000);
  expect(posts(standby).map((p) => p.key)).toEqual([result.idempotencyKey]);
  const attempts = events.filter((e) => e.type === 'attempt');
  expect(attempts.map((e) => [e.region, e.outcome])).toEqual([
    ['us-east-2', 'retry'],
    ['us-west-2', 'success'],
  ]);
  expect(attempts[0]).toEqual(expect.objectContaining({ detail: expect.stringMatching(/^refused: /) }));
  expect(store.created).toHaveLength(1);
});

test('a region that hangs: the attempt times out and the retry reaches the other region within the attempt timeout plus backoff', async () => {
  // Prepare
  home.behave = () => 'hang';
  const c = client({ attemptTimeoutMs: 400 });

  // Act
  const started = Date.now();
  const result = await c.submitTransaction('w-1', WITHDRAWAL);
  const took = Date.now() - started;

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2', attempts: 2 }));
  expect(took).toBeGreaterThanOrEqual(400);
  expect(took).toBeLessThan(400 + 50 + 500);
  expect(posts(home, standby).map((p) => [p.region, p.key])).toEqual([
    ['us-east-2', result.idempotencyKey],
    ['us-west-2', result.idempotencyKey],
  ]);
});

test('a lost response (processed, then the socket dropped) is retried with the same key and answered as a replay', async () => {
  // Prepare
  home.behave = () => 'process-then-drop';

  // Act
  const result = await client().submitTransaction('w-1', WITHDRAWAL);

  // Assess: exactly one transaction, the retry got it back.
  expect(result.kind).toBe('accepted');
  if (result.kind !== 'accepted') throw new Error('unreachable');
  expect(result.replayed).toBe(true);
  expect(store.created).toEqual([result.transaction.txId]);
  expect(posts(home, standby).map((p) => [p.region, p.key])).toEqual([
    ['us-east-2', result.idempotencyKey],
    ['us-west-2', result.idempotencyKey],
  ]);
});

test('a region killed mid-stream (headers and half the body sent): retried with the same key, replayed', async () => {
  // Prepare
  home.behave = () => 'process-then-cut';
  const events: ClientEvent[] = [];

  // Act
  const result = await client({}, events).submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2', replayed: true }));
  expect(store.created).toHaveLength(1);
  expect(events.find((e) => e.type === 'attempt')).toEqual(
    expect.objectContaining({
      region: 'us-east-2',
      outcome: 'retry',
      detail: expect.stringMatching(/^reset: /),
    }),
  );
  expect(new Set(posts(home, standby).map((p) => p.key))).toEqual(new Set([result.idempotencyKey]));
});

test('a slow region that processed the request: the timed-out attempt is retried elsewhere and answered as a replay', async () => {
  // Prepare
  home.behave = () => ({ slowMs: 1500 });

  // Act
  const result = await client({ attemptTimeoutMs: 300 }).submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2', replayed: true }));
  expect(store.created).toHaveLength(1);
  expect(posts(home, standby).map((p) => [p.region, p.key])).toEqual([
    ['us-east-2', result.idempotencyKey],
    ['us-west-2', result.idempotencyKey],
  ]);
});

test('no logical request is ever sent under two keys; two logical requests get two keys', async () => {
  // Prepare: every second request to home is lost after processing.
  home.behave = (_r, n) => (n % 2 === 1 ? 'process-then-drop' : 'serve');
  const c = client({ failureThreshold: 100 });

  // Act
  const results = await Promise.all([1, 2, 3, 4].map(() => c.submitTransaction('w-1', WITHDRAWAL)));

  // Assess
  const keys = results.map((r) => r.idempotencyKey);
  expect(new Set(keys).size).toBe(4);
  const sent = posts(home, standby);
  for (const p of sent) expect(keys).toContain(p.key);
  expect(store.created).toHaveLength(4);
  expect(results.every((r) => r.kind === 'accepted')).toBe(true);
});

test('honours Retry-After: a region that asked for 1 s is not asked again sooner', async () => {
  // Prepare: both regions say "not proven, retry after 1 s" once, then serve.
  const notProven = {
    status: 503,
    headers: { 'retry-after': '1' },
    body: apiError('IdempotencyNotProven', 'cannot prove this key unused'),
  };
  home.behave = (_r, n) => (n === 1 ? notProven : 'serve');
  standby.behave = (_r, n) => (n === 1 ? notProven : 'serve');

  // Act
  const result = await client().submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-east-2', attempts: 3 }));
  const [first, , third] = posts(home, standby).sort((a, b) => a.at - b.at);
  expect(third.region).toBe('us-east-2');
  expect(third.at - first.at).toBeGreaterThanOrEqual(1000);
  expect(new Set(posts(home, standby).map((p) => p.key)).size).toBe(1);
});

test('stops at once, saying how long to wait, when every region asks for longer than the deadline allows', async () => {
  // Prepare
  const notProven = {
    status: 503,
    headers: { 'retry-after': '30' },
    body: apiError('IdempotencyNotProven', 'cannot prove this key unused'),
  };
  home.behave = () => notProven;
  standby.behave = () => notProven;

  // Act
  const started = Date.now();
  const result = await client({ deadlineMs: 5000 }).submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(Date.now() - started).toBeLessThan(1000);
  expect(result).toEqual(expect.objectContaining({ kind: 'unavailable', reason: 'deadline', attempts: 2 }));
  if (result.kind !== 'unavailable') throw new Error('unreachable');
  expect(result.retryAfterMs).toBeGreaterThan(29000);
  expect(result.message).toContain('IdempotencyNotProven');
});

test('429 is retried after its Retry-After and does not count against the region', async () => {
  // Prepare
  home.behave = (_r, n) =>
    n === 1 ? { status: 429, headers: { 'retry-after': '0' }, body: { message: 'Too Many Requests' } } : 'serve';
  const events: ClientEvent[] = [];

  // Act
  const result = await client({ failureThreshold: 1 }, events).submitTransaction('w-1', WITHDRAWAL);

  // Assess: the retry stayed home (a throttle is not a fault) and no circuit opened.
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-east-2', attempts: 2 }));
  expect(events.filter((e) => e.type === 'circuit')).toEqual([]);
});

test.each([
  [400, 'ValidationFailed'],
  [409, 'IdempotencyKeyReused'],
  [404, 'WalletNotFound'],
  [413, 'PayloadTooLarge'],
  [403, undefined],
])('no retry on %s %s: one request, a typed rejection', async (status, code) => {
  // Prepare
  home.behave = () => ({
    status,
    body: code !== undefined ? apiError(code, `${code} message`, { txId: 't-1' }) : { message: 'Forbidden' },
  });

  // Act
  const result = await client().submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'rejected', status, attempts: 1, region: 'us-east-2' }));
  if (code !== undefined) expect(result).toEqual(expect.objectContaining({ code, details: { txId: 't-1' } }));
  expect(posts(home, standby)).toHaveLength(1);
});

test('a degraded-mode 503 surfaces as a typed withdrawals-paused answer: not retried, not routed around', async () => {
  // Prepare
  home.behave = () => DEGRADED_503;
  const events: ClientEvent[] = [];
  const c = client({ failureThreshold: 1 }, events);

  // Act
  const result = await c.submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(
    expect.objectContaining({
      kind: 'withdrawals-paused',
      region: 'us-east-2',
      attempts: 1,
      retryAfterMs: 60000,
      message: expect.stringContaining('degraded mode'),
    }),
  );
  expect(posts(home, standby)).toHaveLength(1);
  expect(events.filter((e) => e.type === 'circuit')).toEqual([]);
  expect(c.regionOrder()).toEqual(['us-east-2', 'us-west-2']);
});

test('5xx answers are retried in the other region with the same key', async () => {
  // Prepare
  home.behave = () => ({ status: 500, body: apiError('InternalError', 'internal error') });

  // Act
  const result = await client().submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2', attempts: 2 }));
  expect(new Set(posts(home, standby).map((p) => p.key)).size).toBe(1);
});

test('gives up at the deadline with the key to retry with when both regions hang', async () => {
  // Prepare
  home.behave = () => 'hang';
  standby.behave = () => 'hang';

  // Act
  const started = Date.now();
  const result = await client({ attemptTimeoutMs: 200, deadlineMs: 500 }).submitTransaction('w-1', WITHDRAWAL, {
    idempotencyKey: 'my-key-0001',
  });

  // Assess
  expect(Date.now() - started).toBeLessThan(800);
  expect(result).toEqual(
    expect.objectContaining({ kind: 'unavailable', reason: 'deadline', idempotencyKey: 'my-key-0001' }),
  );
  expect(posts(home, standby).every((p) => p.key === 'my-key-0001')).toBe(true);
});

test('gives up after maxAttempts, alternating regions', async () => {
  // Prepare
  home.behave = () => ({ status: 502, body: { message: 'Bad Gateway' } });
  standby.behave = () => ({ status: 502, body: { message: 'Bad Gateway' } });

  // Act
  const result = await client({ maxAttempts: 3 }).submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'unavailable', reason: 'attempts-exhausted', attempts: 3 }));
  expect(
    posts(home, standby)
      .sort((a, b) => a.at - b.at)
      .map((p) => p.region),
  ).toEqual(['us-east-2', 'us-west-2', 'us-east-2']);
});

test('circuit breaker: after consecutive failures new requests start in the other region; a passing probe fails back', async () => {
  // Prepare
  home.behave = () => 'hang';
  const events: ClientEvent[] = [];
  const c = client({ failureThreshold: 2, probeIntervalMs: 100_000 }, events);

  // Act: two requests each lose one attempt to the hanging home region; the circuit opens.
  await c.submitTransaction('w-1', WITHDRAWAL);
  await c.submitTransaction('w-1', WITHDRAWAL);
  const homeBefore = posts(home).length;
  const third = await c.submitTransaction('w-1', WITHDRAWAL);

  // Assess: the third went straight to the standby.
  expect(events.filter((e) => e.type === 'circuit')).toEqual([
    { type: 'circuit', region: 'us-east-2', state: 'open', failures: 2 },
  ]);
  expect(c.regionOrder()).toEqual(['us-west-2', 'us-east-2']);
  expect(third).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2', attempts: 1 }));
  expect(posts(home)).toHaveLength(homeBefore);

  // Act: home recovers but the lease is elsewhere (standby role): no failback yet.
  home.behave = () => 'serve';
  home.role = 'standby';
  expect(await c.probe()).toEqual([
    { region: 'us-east-2', ok: false, detail: 'healthy but role standby (the lease is elsewhere)' },
  ]);
  expect(c.regionOrder()).toEqual(['us-west-2', 'us-east-2']);

  // Act: the operators fail back (home holds the lease again).
  home.role = 'active';
  expect(await c.probe()).toEqual([{ region: 'us-east-2', ok: true, detail: 'healthy and active' }]);
  const fourth = await c.submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(c.regionOrder()).toEqual(['us-east-2', 'us-west-2']);
  expect(fourth).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-east-2', attempts: 1 }));
  expect(events.filter((e) => e.type === 'circuit').map((e) => e.type === 'circuit' && e.state)).toEqual([
    'open',
    'closed',
  ]);
});

test('probes an open region on its own once probeIntervalMs has passed', async () => {
  // Prepare
  home.behave = () => ({ status: 500, body: apiError('InternalError', 'internal') });
  const events: ClientEvent[] = [];
  const c = client({ failureThreshold: 1, probeIntervalMs: 50 }, events);
  await c.submitTransaction('w-1', WITHDRAWAL);
  expect(c.regionOrder()).toEqual(['us-west-2', 'us-east-2']);
  home.behave = () => 'serve';

  // Act: a request after the interval starts the probe (in the background).
  await new Promise((r) => setTimeout(r, 80));
  await c.submitTransaction('w-1', WITHDRAWAL);
  await new Promise((r) => setTimeout(r, 100));

  // Assess
  expect(events).toContainEqual({ type: 'probe', region: 'us-east-2', ok: true, detail: 'healthy and active' });
  expect(c.regionOrder()).toEqual(['us-east-2', 'us-west-2']);
});

test('signs each attempt for the region it goes to (SigV4 across failover)', async () => {
  // Prepare
  home.behave = () => 'process-then-drop';
  const signedFor: string[] = [];
  const c = client({
    sign: async (req, region) => {
      signedFor.push(region);
      return { ...req, headers: { ...req.headers, authorization: `signed-for ${region}` } };
    },
  });

  // Act
  await c.submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(signedFor).toEqual(['us-east-2', 'us-west-2']);
  expect(posts(home, standby).map((p) => p.headers.authorization)).toEqual([
    'signed-for us-east-2',
    'signed-for us-west-2',
  ]);
});

test('a signing failure stops the request without sending it or blaming the region', async () => {
  // Prepare
  const events: ClientEvent[] = [];
  const c = client(
    {
      failureThreshold: 1,
      sign: async () => {
        throw new Error('no credentials');
      },
    },
    events,
  );

  // Act
  const result = await c.submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result).toEqual(
    expect.objectContaining({
      kind: 'unavailable',
      reason: 'sign-failed',
      attempts: 1,
      message: 'signing for us-east-2 failed: no credentials',
    }),
  );
  expect(posts(home, standby)).toEqual([]);
  expect(events.filter((e) => e.type === 'circuit')).toEqual([]);
});

test('via failoverName sends only to the failover name, signed for the given region', async () => {
  // Prepare: the "failover name" is the standby's server; home must never be asked.
  const signedFor: string[] = [];
  const c = client({
    failoverUrl: standby.baseUrl.replace('127.0.0.1', 'localhost'),
    maxAttempts: 1,
    sign: async (req, region) => {
      signedFor.push(region);
      return req;
    },
  });

  // Act
  const result = await c.submitTransaction('w-1', WITHDRAWAL, { via: { failoverName: 'us-west-2' } });

  // Assess
  expect(result).toEqual(expect.objectContaining({ kind: 'accepted', region: 'us-west-2' }));
  expect(signedFor).toEqual(['us-west-2']);
  expect(posts(home)).toEqual([]);
});

test('getTransaction reads a transaction, retries a 5xx in the other region, and types a 404', async () => {
  // Prepare
  const c = client();
  const submitted = await c.submitTransaction('w-1', WITHDRAWAL);
  if (submitted.kind !== 'accepted') throw new Error('submit failed');
  home.behave = (r) => (r.method === 'GET' ? { status: 503, body: { message: 'Service Unavailable' } } : 'serve');

  // Act
  const found = await c.getTransaction('w-1', submitted.transaction.txId);
  const missing = await c.getTransaction('w-1', '00000000-0000-4000-8000-000000000000');

  // Assess
  expect(found).toEqual(expect.objectContaining({ kind: 'found', region: 'us-west-2', attempts: 2 }));
  expect(missing).toEqual(expect.objectContaining({ kind: 'not-found' }));
});

test('a telemetry hook that throws changes nothing', async () => {
  // Act
  const result = await client({
    onEvent: () => {
      throw new Error('metrics backend down');
    },
  }).submitTransaction('w-1', WITHDRAWAL);

  // Assess
  expect(result.kind).toBe('accepted');
});

test('a cancelled request stops waiting and says so', async () => {
  // Prepare
  home.behave = () => 'hang';
  standby.behave = () => 'hang';
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);

  // Act
  const started = Date.now();
  const result = await client({ attemptTimeoutMs: 2000, deadlineMs: 5000 }).submitTransaction('w-1', WITHDRAWAL, {
    signal: controller.signal,
  });

  // Assess
  expect(Date.now() - started).toBeLessThan(1000);
  expect(result).toEqual(expect.objectContaining({ kind: 'unavailable', reason: 'aborted' }));
});

describe('bad options', () => {
  test('fails an endpoint list without two regions, saying why and how to fix it', () => {
    expect(
      () => new WalletClient({ regions: [{ region: 'us-east-2', baseUrl: 'https://us-east-2.api.example.com' }] }),
    ).toThrow(
      /regions must list at least two regions \(home first\).*received \[\{"region":"us-east-2".*a client with one region cannot fail over/,
    );
  });

  test('fails the same region twice', () => {
    expect(
      () =>
        new WalletClient({
          regions: [
            { region: 'us-east-2', baseUrl: 'https://us-east-2.api.example.com' },
            { region: 'us-east-2', baseUrl: 'https://other.api.example.com' },
          ],
        }),
    ).toThrow('regions[1].region repeats "us-east-2"');
  });

  test('lists every problem at once', () => {
    let err: unknown;
    try {
      new WalletClient({
        regions: [
          { region: 'useast', baseUrl: 'http://api.example.com' },
          { region: 'us-west-2', baseUrl: 'https://us-west-2.api.example.com/v1' },
        ],
        failoverUrl: 'not a url',
        maxAttempts: 0,
        attemptTimeoutMs: 20000,
        deadlineMs: 10000,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WalletClientConfigError);
    expect((err as WalletClientConfigError).problems).toEqual([
      'regions[0].region must be a region code; received "useast". Fix: e.g. "us-east-2"',
      expect.stringMatching(
        /^regions\[0\]\.baseUrl must use https \(plain http only on loopback, for tests\); received "http:\/\/api.example.com"/,
      ),
      expect.stringMatching(/^regions\[1\]\.baseUrl must have no path, query, fragment or credentials; received/),
      expect.stringMatching(/^failoverUrl is not a URL; received "not a url"/),
      expect.stringMatching(/^maxAttempts must be a whole number of at least 1; received 0/),
      expect.stringMatching(/^attemptTimeoutMs \(20000\) must not exceed deadlineMs \(10000\)/),
    ]);
  });

  test('fails a malformed idempotency key before sending anything', async () => {
    await expect(client().submitTransaction('w-1', WITHDRAWAL, { idempotencyKey: 'short' })).rejects.toThrow(
      'idempotencyKey must be 8-128 characters of [A-Za-z0-9_.:-]; received "short"',
    );
    expect(posts(home, standby)).toEqual([]);
  });
});
