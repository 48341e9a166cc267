import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

/**
 * An in-memory ledger table behind aws-sdk-client-mock: GetItem, PutItem and UpdateItem with the
 * condition and update grammar the remediation and lease code use (comparisons, AND/OR,
 * parentheses, attribute_(not_)exists, begins_with; SET a = :v [+ :n]). Anything else throws, so a
 * new expression cannot be silently mis-evaluated; the moto test checks the same code paths
 * against a real DynamoDB implementation.
 */
export class FakeLedger {
  readonly items = new Map<string, Item>();

  private static key(k: { pk: unknown; sk: unknown }): string {
    return `${String(k.pk)}|${String(k.sk)}`;
  }

  get(key: { pk: string; sk: string }): Item | undefined {
    return this.items.get(FakeLedger.key(key));
  }

  put(item: Item): void {
    this.items.set(FakeLedger.key(item as { pk: unknown; sk: unknown }), structuredClone(item));
  }

  /** Items whose pk starts with `prefix`. */
  query(prefix: string): Item[] {
    return [...this.items.values()].filter((i) => String(i.pk).startsWith(prefix));
  }

  install(mock: AwsClientStub<DynamoDBDocumentClient>): void {
    mock.on(GetCommand).callsFake((input: { Key: Item }) => {
      const item = this.items.get(FakeLedger.key(input.Key as { pk: unknown; sk: unknown }));
      return { Item: item === undefined ? undefined : structuredClone(item) };
    });
    mock
      .on(PutCommand)
      .callsFake(
        (input: {
          Item: Item;
          ConditionExpression?: string;
          ExpressionAttributeNames?: Names;
          ExpressionAttributeValues?: Values;
        }) => {
          const k = FakeLedger.key(input.Item as { pk: unknown; sk: unknown });
          this.check(
            this.items.get(k),
            input.ConditionExpression,
            input.ExpressionAttributeNames,
            input.ExpressionAttributeValues,
          );
          this.items.set(k, structuredClone(input.Item));
          return {};
        },
      );
    mock
      .on(UpdateCommand)
      .callsFake(
        (input: {
          Key: Item;
          UpdateExpression: string;
          ConditionExpression?: string;
          ExpressionAttributeNames?: Names;
          ExpressionAttributeValues?: Values;
          ReturnValues?: string;
        }) => {
          const k = FakeLedger.key(input.Key as { pk: unknown; sk: unknown });
          const before = this.items.get(k);
          this.check(
            before,
            input.ConditionExpression,
            input.ExpressionAttributeNames,
            input.ExpressionAttributeValues,
          );
          const after: Item = { ...(before ?? {}), ...input.Key };
          const m = /^SET (.+)$/.exec(input.UpdateExpression.trim());
          if (m === null) throw new Error(`FakeLedger: unsupported update ${input.UpdateExpression}`);
          for (const part of m[1].split(',')) {
            const a = /^\s*([#\w]+)\s*=\s*(?:([#\w]+)\s*\+\s*)?(:\w+)\s*$/.exec(part);
            if (a === null) throw new Error(`FakeLedger: unsupported assignment ${part}`);
            const name = this.name(a[1], input.ExpressionAttributeNames);
            const value = this.value(a[3], input.ExpressionAttributeValues);
            after[name] =
              a[2] !== undefined
                ? Number(after[this.name(a[2], input.ExpressionAttributeNames)]) + Number(value)
                : value;
          }
          this.items.set(k, after);
          return input.ReturnValues === 'UPDATED_OLD' ? { Attributes: before } : {};
        },
      );
  }

  private name(token: string, names: Names): string {
    if (!token.startsWith('#')) return token;
    const n = names?.[token];
    if (n === undefined) throw new Error(`FakeLedger: ${token} is not in ExpressionAttributeNames`);
    return n;
  }

  private value(token: string, values: Values): unknown {
    if (!(values !== undefined && token in values))
      throw new Error(`FakeLedger: ${token} is not in ExpressionAttributeValues`);
    return values[token];
  }

  private check(item: Item | undefined, condition: string | undefined, names: Names, values: Values): void {
    if (condition === undefined) return;
    const tokens = condition.match(/\(|\)|,|<=|>=|<>|=|<|>|[#:\w]+/g) ?? [];
    let pos = 0;
    const peek = () => tokens[pos];
    const next = () => tokens[pos++];
    const operand = (): unknown => {
      const t = next();
      if (t.startsWith(':')) return this.value(t, values);
      return item?.[this.name(t, names)];
    };
    const primary = (): boolean => {
      const t = peek();
      if (t === '(') {
        next();
        const v = or();
        if (next() !== ')') throw new Error(`FakeLedger: unbalanced ( in ${condition}`);
        return v;
      }
      if (t === 'attribute_not_exists' || t === 'attribute_exists' || t === 'begins_with') {
        next();
        next(); // (
        const a = operand();
        let result: boolean;
        if (t === 'begins_with') {
          next(); // ,
          const b = operand();
          result = typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
        } else {
          result = t === 'attribute_exists' ? a !== undefined : a === undefined;
        }
        next(); // )
        return result;
      }
      const left = operand();
      const op = next();
      const right = operand();
      switch (op) {
        case '=':
          return left === right;
        case '<>':
          return left !== right;
        case '<':
          return (left as number) < (right as number);
        case '<=':
          return (left as number) <= (right as number);
        case '>':
          return (left as number) > (right as number);
        case '>=':
          return (left as number) >= (right as number);
        default:
          throw new Error(`FakeLedger: unsupported operator ${op} in ${condition}`);
      }
    };
    const and = (): boolean => {
      let v = primary();
      while (peek() === 'AND') {
        next();
        v = primary() && v;
      }
      return v;
    };
    const or = (): boolean => {
      let v = and();
      while (peek() === 'OR') {
        next();
        v = and() || v;
      }
      return v;
    };
    const ok = or();
    if (pos !== tokens.length) throw new Error(`FakeLedger: could not parse ${condition}`);
    if (!ok) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  }
}
