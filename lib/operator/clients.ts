import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The SDK clients wallet-ops uses: the ledger table and the signing queues of a region, and STS for
 * the caller's identity (the audit records' `actor`). No KMS client: wallet-ops never signs; a gap is
 * filled by the signer, from a message wallet-ops puts on the holder's queue.
 */
export interface OpsClients {
  dynamodb(region: string): DynamoDBDocumentClient;
  sqs(region: string): SQSClient;
  readonly sts: STSClient;
}

export interface OpsClientOptions {
  /** Send every call to this endpoint (moto_server, LocalStack). @default - the AWS endpoints */
  readonly endpoint?: string;
  /** @default - the standard credential provider chain */
  readonly credentials?: NonNullable<ConstructorParameters<typeof STSClient>[0]>['credentials'];
  /** @default - the standard region chain */
  readonly defaultRegion?: string;
}

export function createOpsClients(options: OpsClientOptions = {}): OpsClients {
  const base = {
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: 3,
  };
  const perRegion = <T>(make: (region: string) => T) => {
    const cache = new Map<string, T>();
    return (region: string): T => {
      const client = cache.get(region) ?? make(region);
      cache.set(region, client);
      return client;
    };
  };
  return {
    dynamodb: perRegion((region) =>
      DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, region }), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    ),
    sqs: perRegion((region) => new SQSClient({ ...base, region })),
    sts: new STSClient({ ...base, ...(options.defaultRegion === undefined ? {} : { region: options.defaultRegion }) }),
  };
}
