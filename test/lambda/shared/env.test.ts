import { RUNTIME_ENV } from '../../../lib/contract/runtime-env';
import { loadApiEnv, loadHealthEnv, loadSignerEnv } from '../../../lambda/shared/env';
import { ConfigurationError } from '../../../lambda/shared/errors';

const KEY_ARN = 'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef';

const full = {
  AWS_REGION: 'us-east-2',
  [RUNTIME_ENV.tableName]: 'example-wallet-ledger',
  [RUNTIME_ENV.signingQueueUrl]: 'https://sqs.us-east-2.amazonaws.com/111111111111/example-signing.fifo',
  [RUNTIME_ENV.chainId]: '11155111',
  [RUNTIME_ENV.signingKeyArn]: KEY_ARN,
  [RUNTIME_ENV.regionRole]: 'primary',
  [RUNTIME_ENV.consistency]: 'MRSC',
  [RUNTIME_ENV.peerRegion]: 'us-west-2',
  [RUNTIME_ENV.peerSigningQueueUrl]: 'https://sqs.us-west-2.amazonaws.com/111111111111/example-signing.fifo',
};

test('reads each handler’s variables by their contract names', () => {
  expect(loadApiEnv(full)).toEqual({
    region: 'us-east-2',
    tableName: 'example-wallet-ledger',
    signingQueueUrl: full[RUNTIME_ENV.signingQueueUrl],
    chainId: 11155111,
    consistency: 'MRSC',
  });
  expect(loadHealthEnv(full)).toEqual({
    region: 'us-east-2',
    tableName: 'example-wallet-ledger',
    signingKeyArn: KEY_ARN,
    regionRole: 'primary',
    consistency: 'MRSC',
  });
  expect(loadSignerEnv(full)).toEqual({
    region: 'us-east-2',
    tableName: 'example-wallet-ledger',
    signingKeyArn: KEY_ARN,
    chainId: 11155111,
    consistency: 'MRSC',
    peer: { region: 'us-west-2', signingQueueUrl: full[RUNTIME_ENV.peerSigningQueueUrl] },
  });
});

test('the signer refuses to start without its peer queue (it could not forward what it cannot sign)', () => {
  const rest: Record<string, string> = { ...full };
  delete rest[RUNTIME_ENV.peerSigningQueueUrl];
  expect(() => loadSignerEnv(rest)).toThrow(
    'WALLET_PEER_SIGNING_QUEUE_URL (the peer region’s FIFO signing queue URL) is missing',
  );
});

test('fails naming the missing variable and how to fix it', () => {
  // Prepare
  const rest: Record<string, string> = { ...full };
  delete rest[RUNTIME_ENV.tableName];
  // Act / Assess
  expect(() => loadApiEnv(rest)).toThrow(ConfigurationError);
  expect(() => loadApiEnv(rest)).toThrow(
    'wallet API: 1 environment problem: WALLET_TABLE_NAME (the ledger table name) is missing',
  );
  expect(() => loadApiEnv(rest)).toThrow('Fix: redeploy the stack');
});

test('fails listing every problem at once, with the values received', () => {
  // Prepare
  const bad = {
    ...full,
    [RUNTIME_ENV.chainId]: '0x1',
    [RUNTIME_ENV.consistency]: 'STRONG',
    [RUNTIME_ENV.signingKeyArn]: 'alias/example-wallet-signing',
    AWS_REGION: '',
  };
  // Act
  const err = (() => {
    try {
      loadSignerEnv(bad);
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected loadSignerEnv to throw');
  })();
  // Assess
  expect(err.message).toContain('wallet signer: 4 environment problems');
  expect(err.message).toContain('AWS_REGION (this function’s region, set by Lambda) is empty');
  expect(err.message).toContain(
    'WALLET_CHAIN_ID (the EIP-155 chain id) must be a positive whole number; received "0x1"',
  );
  expect(err.message).toContain(
    'WALLET_CONSISTENCY (the table’s multi-region consistency) must be one of MRSC, MREC; received "STRONG"',
  );
  expect(err.message).toContain('WALLET_SIGNING_KEY_ARN (this region’s signing key) must be a KMS key ARN');
});
