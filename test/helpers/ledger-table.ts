import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEDGER_ATTRIBUTES, LEDGER_GSI1 } from '../../lib/contract/ledger';
import type { Ledger } from '../../lambda/shared/ledger';

/**
 * Creates a table shaped like the ledger (pk/sk, the gsi1 index; lib/constructs/wallet-table.ts)
 * in moto and returns a Ledger for it. moto has no global-table replication: tests that model two
 * regions share this one table, which is what MRSC's strongly consistent, linearizable conditional
 * writes give both regions.
 */
export async function createLedgerTable(
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  tableName: string,
): Promise<Ledger> {
  const client = new DynamoDBClient(config);
  const { partitionKey, sortKey, gsi1PartitionKey, gsi1SortKey } = LEDGER_ATTRIBUTES;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, gsi1PartitionKey, gsi1SortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: LEDGER_GSI1,
          KeySchema: [
            { AttributeName: gsi1PartitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1SortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return {
    ddb: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  };
}
