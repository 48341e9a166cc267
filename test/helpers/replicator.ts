import { DynamoDBClient, PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * MREC as two moto tables and a replicator the test controls: nothing replicates unless the test
 * says so, and then only the items it picks (DynamoDB global tables replicate item by item, last
 * writer wins per item, in no promised order across items).
 */
export type Item = Record<string, AttributeValue>;

export async function replicate(
  client: DynamoDBClient,
  from: string,
  to: string,
  pick: (item: Item) => boolean = () => true,
): Promise<number> {
  let copied = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: from, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      if (!pick(item)) continue;
      await client.send(new PutItemCommand({ TableName: to, Item: item }));
      copied += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return copied;
}

/** Item pickers by key prefix (lib/contract/ledger.ts key shapes). */
export const pk = (prefix: string) => (item: Item) => String(item.pk?.S ?? '').startsWith(prefix);
