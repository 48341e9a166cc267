import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK client factories. Handlers call them once at module scope (so connections are reused across
 * invocations) and pass the clients to their handler factories (so tests can pass mocked ones).
 */
export function createDocumentClient(region: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSqsClient(region: string): SQSClient {
  return new SQSClient({ region });
}

/**
 * KMS client. `maxAttempts: 1` turns the SDK's own retries off so that the ONE bounded retry
 * policy in kms-signer.ts (backoff with jitter on throttling) is the only one: otherwise the SDK's
 * 3 attempts multiply ours and a throttled Sign could take 15 calls.
 */
export function createKmsClient(region: string, options: { sdkRetries?: boolean } = {}): KMSClient {
  return new KMSClient({ region, ...(options.sdkRetries ? {} : { maxAttempts: 1 }) });
}
