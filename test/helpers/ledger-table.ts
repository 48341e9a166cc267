import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { LEDGER_ATTRIBUTES, LEDGER_GSI1, TxStatus } from '../../lib/contract/ledger';
import { createTransaction, type Ledger } from '../../lambda/shared/ledger';

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

/** A plain 1000-wei transfer on Sepolia, as the API stores a request. */
export const TEST_TX_REQUEST = {
  to: '0x7777777777777777777777777777777777777777',
  value: '1000',
  gasLimit: '21000',
  maxFeePerGas: '20000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 11155111,
} as const;

/**
 * Writes a transaction of wallet `w-1` as intake does (request, idempotency key `key-<txId>`,
 * accepted in `intakeRegion` at epoch 1), in `status` (default `queued`). Returns its txId.
 */
export async function putTestTransaction(
  ledger: Ledger,
  o: {
    readonly address: string;
    readonly intakeRegion: string;
    readonly txId?: string;
    readonly status?: TxStatus;
    readonly at?: string;
  },
): Promise<string> {
  const txId = o.txId ?? randomUUID();
  const at = o.at ?? new Date().toISOString();
  await createTransaction(ledger, {
    walletId: 'w-1',
    txId,
    address: o.address,
    status: o.status ?? 'queued',
    request: { ...TEST_TX_REQUEST },
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: o.intakeRegion,
    intakeEpoch: 1,
    createdAt: at,
    updatedAt: at,
  });
  return txId;
}
