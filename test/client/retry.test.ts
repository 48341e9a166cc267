import { regionalBaseUrl } from '../../client/options';
import { publicApiDomain, regionalApiDomain } from '../../lib/contract/health';
import { backoffDelayMs, classifyResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../client/retry';
import { networkErrorKind } from '../../client/transport';

const POLICY = { baseDelayMs: 100, maxDelayMs: 2000 };

test.each([
  [1, 0, 0],
  [1, 0.999, 99],
  [2, 0.5, 100],
  [3, 0.999, 399],
  [10, 0.999, 1998],
  [30, 0.5, 1000],
])('full jitter: retry %i with random %f waits %i ms', (retry, random, expected) => {
  expect(backoffDelayMs(retry, POLICY, () => random)).toBe(expected);
});

test('full jitter never exceeds the exponential ceiling or the cap', () => {
  for (let retry = 1; retry <= 12; retry += 1) {
    const ceiling = Math.min(2000, 100 * 2 ** (retry - 1));
    expect(backoffDelayMs(retry, POLICY, () => 0.9999999)).toBeLessThan(ceiling);
  }
});

test.each([
  ['30', 30000],
  ['0', 0],
  [' 2 ', 2000],
  ['Wed, 02 Dec 2026 12:00:10 GMT', 10000],
  ['Wed, 02 Dec 2026 11:59:00 GMT', 0],
  ['99999999', MAX_RETRY_AFTER_MS],
  ['soon', undefined],
  ['-5', undefined],
  [undefined, undefined],
])('Retry-After %p is %p ms', (value, expected) => {
  expect(parseRetryAfter(value, Date.parse('2026-12-02T12:00:00Z'))).toBe(expected);
});

const answer = (status: number, code?: string, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: code === undefined ? 'Service Unavailable' : JSON.stringify({ error: { code, message: `${code} text` } }),
});

test.each([
  [202, undefined, 'success'],
  [200, undefined, 'success'],
  [400, 'ValidationFailed', 'final'],
  [400, 'MalformedJson', 'final'],
  [403, undefined, 'final'],
  [404, 'WalletNotFound', 'final'],
  [409, 'IdempotencyKeyReused', 'final'],
  [409, 'WalletNotActive', 'final'],
  [413, 'PayloadTooLarge', 'final'],
  [415, 'UnsupportedMediaType', 'final'],
  [503, 'WithdrawalsSuspended', 'paused'],
  [503, 'IdempotencyNotProven', 'retry'],
  [429, undefined, 'retry'],
  [500, 'InternalError', 'retry'],
  [502, undefined, 'retry'],
  [503, undefined, 'retry'],
  [504, undefined, 'retry'],
])('HTTP %i %s is %s', (status, code, type) => {
  expect(classifyResponse(answer(status, code), 0).type).toBe(type);
});

test('a throttle is retried but is no fault of the region; not-proven and 5xx are', () => {
  expect(classifyResponse(answer(429), 0)).toEqual(expect.objectContaining({ regionFault: false }));
  expect(classifyResponse(answer(503, 'IdempotencyNotProven', { 'retry-after': '30' }), 0)).toEqual(
    expect.objectContaining({ regionFault: true, reason: 'not-proven', retryAfterMs: 30000 }),
  );
  expect(classifyResponse(answer(500, 'InternalError'), 0)).toEqual(expect.objectContaining({ regionFault: true }));
});

test.each([
  [{ code: 'ECONNREFUSED' }, 'refused'],
  [new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) }), 'reset'],
  [{ cause: { code: 'ECONNRESET' } }, 'reset'],
  [{ code: 'ENOTFOUND' }, 'dns'],
  [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls'],
  [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'timeout'],
  [new Error('weird'), 'other'],
])('network error %p is %s', (err, kind) => {
  expect(networkErrorKind(err)).toBe(kind);
});

test('regionalBaseUrl derives the regional name the way lib/contract/health.ts names it', () => {
  expect(regionalBaseUrl(`https://${publicApiDomain('api', 'wallet.example.com')}`, 'us-west-2')).toBe(
    `https://${regionalApiDomain('us-west-2', 'api', 'wallet.example.com')}`,
  );
  expect(regionalBaseUrl('https://api.wallet.test:8443', 'us-east-2')).toBe('https://us-east-2.api.wallet.test:8443');
});
