import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { applyUpdate, evaluateCondition, Item, Names, Values } from '../../lib/drill/sim/expressions';

/**
 * The ledger table in memory, answering the document client's commands (GetItem, PutItem,
 * UpdateItem, Query on the table or gsi1) on plain items, with the expressions of
 * lib/drill/sim/expressions.ts.
 *
 * MRSC: one replica every region reads and writes (strong consistency everywhere).
 * MREC: one replica per region and a replicator the schedule controls: each applied write is copied
 * to the other replica after a lag, held while the regions are partitioned, and applied last writer
 * wins per item ("Global tables use a last writer wins reconciliation between concurrent updates",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html),
 * item by item, in no promised order across items.
 */
export interface Stamp {
  readonly at: number;
  readonly region: string;
  readonly seq: number;
}

interface Stored {
  readonly item: Item;
  readonly stamp: Stamp;
}

export interface WriteEvent {
  readonly replica: string;
  readonly key: string;
  readonly before: Item | undefined;
  readonly after: Item;
  readonly actorRegion: string;
  readonly command: string;
}

const newer = (a: Stamp, b: Stamp): boolean =>
  a.at !== b.at ? a.at > b.at : a.region !== b.region ? a.region > b.region : a.seq > b.seq;

const keyOf = (k: Record<string, unknown>): string => `${String(k.pk)}\u0000${String(k.sk)}`;

export class Replica {
  readonly items = new Map<string, Stored>();
  constructor(readonly name: string) {}

  get(key: Record<string, unknown>): Item | undefined {
    const s = this.items.get(keyOf(key));
    return s === undefined ? undefined : structuredClone(s.item);
  }
}

export class SimDynamo {
  readonly replicas: Record<string, Replica>;
  private seq = 0;
  /** Replication held while true (MREC only). */
  partitioned = false;
  private readonly inFlight: Array<{ to: string; key: string; stored: Stored; dueAt: number }> = [];
  readonly observers: Array<(e: WriteEvent) => void> = [];

  constructor(
    readonly mode: 'MRSC' | 'MREC',
    readonly regions: readonly string[],
    readonly tableName: string,
    private readonly clock: () => number,
    /** Replication lag for the next copy (ms). */
    private readonly lag: () => number,
  ) {
    const one = new Replica('global');
    this.replicas = Object.fromEntries(regions.map((r) => [r, mode === 'MRSC' ? one : new Replica(r)]));
  }

  replica(region: string): Replica {
    const r = this.replicas[region];
    if (r === undefined) throw new Error(`no replica in ${region}`);
    return r;
  }

  /** Copies due writes to their destination, last writer wins. `all` flushes everything (heal). */
  deliver(all = false): number {
    if (this.partitioned && !all) return 0;
    const now = this.clock();
    let n = 0;
    for (let i = 0; i < this.inFlight.length;) {
      const c = this.inFlight[i];
      if (!all && c.dueAt > now) {
        i++;
        continue;
      }
      this.inFlight.splice(i, 1);
      const dest = this.replica(c.to);
      const current = dest.items.get(c.key);
      if (current === undefined || newer(c.stored.stamp, current.stamp)) dest.items.set(c.key, c.stored);
      n++;
    }
    return n;
  }

  pendingReplication(): number {
    return this.inFlight.length;
  }

  private write(region: string, key: string, item: Item, before: Item | undefined, command: string, actor: string) {
    const stamp: Stamp = { at: this.clock(), region, seq: ++this.seq };
    const stored: Stored = { item: structuredClone(item), stamp };
    this.replica(region).items.set(key, stored);
    if (this.mode === 'MREC') {
      for (const other of this.regions) {
        if (other !== region) this.inFlight.push({ to: other, key, stored, dueAt: stamp.at + this.lag() });
      }
    }
    for (const o of this.observers)
      o({ replica: this.replica(region).name, key, before, after: item, actorRegion: actor, command });
  }

  private table(input: Record<string, unknown>): void {
    if (input.TableName !== this.tableName) {
      throw Object.assign(new Error(`Requested resource not found: Table: ${String(input.TableName)} not found`), {
        name: 'ResourceNotFoundException',
      });
    }
  }

  /** Answers one command in `region`'s replica, for an actor in `actorRegion`. */
  handle(
    region: string,
    actorRegion: string,
    command: string,
    input: Record<string, unknown>,
  ): Record<string, unknown> {
    this.table(input);
    const replica = this.replica(region);
    const values = (input.ExpressionAttributeValues ?? {}) as Values;
    const names = (input.ExpressionAttributeNames ?? {}) as Names;
    const failed = () =>
      new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    switch (command) {
      case 'GetItemCommand': {
        const item = replica.get(input.Key as Item);
        return item === undefined ? {} : { Item: item };
      }
      case 'PutItemCommand': {
        const item = input.Item as Item;
        const key = keyOf(item);
        const before = replica.get(item);
        if (
          typeof input.ConditionExpression === 'string' &&
          !evaluateCondition(input.ConditionExpression, before, values, names)
        )
          throw failed();
        this.write(region, key, item, before, command, actorRegion);
        return {};
      }
      case 'UpdateItemCommand': {
        const k = input.Key as Item;
        const key = keyOf(k);
        const before = replica.get(k);
        if (
          typeof input.ConditionExpression === 'string' &&
          !evaluateCondition(input.ConditionExpression, before, values, names)
        )
          throw failed();
        const after = applyUpdate(String(input.UpdateExpression), before ?? { ...k }, values, names);
        this.write(region, key, after, before, command, actorRegion);
        return {};
      }
      case 'QueryCommand': {
        const index = input.IndexName as string | undefined;
        const expr = String(input.KeyConditionExpression);
        const out: Item[] = [];
        for (const { item } of replica.items.values()) {
          if (index !== undefined && item.gsi1pk === undefined) continue;
          // Key conditions name their key attributes (pk/sk, or gsi1pk/gsi1sk on the index).
          if (evaluateCondition(expr, item, values, names)) out.push(structuredClone(item));
        }
        const sortKey = index === undefined ? 'sk' : 'gsi1sk';
        out.sort((a, b) => String(a[sortKey]).localeCompare(String(b[sortKey])));
        return { Items: out, Count: out.length };
      }
      default:
        throw new Error(`the torture harness's DynamoDB does not answer ${command}; extend torture/sim/dynamo.ts`);
    }
  }
}
