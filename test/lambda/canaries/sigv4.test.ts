import { sigV4Signer } from '../../../lambda/canaries/shared/sigv4';

// AWS's published SigV4 test suite, case "get-vanilla" (credentials and date are the suite's examples).
const SUITE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_DATE = new Date('2015-08-30T12:36:00Z');

test('matches the AWS SigV4 test-suite signature for get-vanilla (proves the node:crypto SHA-256/HMAC wiring)', async () => {
  // Prepare
  const sign = sigV4Signer(async () => SUITE_CREDENTIALS, { service: 'service', now: () => SUITE_DATE });

  // Act
  const signed = await sign({ method: 'GET', url: 'https://example.amazonaws.com/', timeoutMs: 1000 }, 'us-east-1');

  // Assess
  expect(signed.headers?.authorization).toBe(
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  );
  expect(signed.headers?.['x-amz-date']).toBe('20150830T123600Z');
});

test('signs for execute-api in the given region, with the session token, and keeps the body and caller headers', async () => {
  // Prepare
  const sign = sigV4Signer(async () => ({ ...SUITE_CREDENTIALS, sessionToken: 'token' }), { now: () => SUITE_DATE });

  // Act
  const signed = await sign(
    {
      method: 'POST',
      url: 'https://api.wallet.test/v1/x',
      headers: { 'Idempotency-Key': 'k1' },
      body: '{}',
      timeoutMs: 1000,
    },
    'us-west-2',
  );

  // Assess
  expect(signed.headers?.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-west-2\/execute-api\/aws4_request, SignedHeaders=host;idempotency-key;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
  );
  expect(signed.headers).toEqual(
    expect.objectContaining({ 'Idempotency-Key': 'k1', 'x-amz-security-token': 'token', host: 'api.wallet.test' }),
  );
  expect(signed.body).toBe('{}');
});
