import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_WINDOW_SECONDS, type PolicyDecision, policyKeys } from '../../../lib/contract/policy';
import { schemaStamp } from '../../../lib/contract/ledger';
import type { Ledger } from '../ledger';
import type { Spend } from './engine';

/**
 * The velocity counter of a wallet (docs/spending-policy.md, "Atomic accounting"): ONE item with the
 * wallet's recent spends and a version. The signer commits a spend right before it signs with a
 * compare-and-set on the version (MRSC tables have no TransactWriteItems, and one item needs none):
 *
 *   read (strongly consistent) -> already holds this txId? committed (a redelivery, or our own write
 *   whose reply was lost) -> evaluate the policy against the spends read -> put spends + this one,
 *   version + 1, `ConditionExpression: version = :seen` (or `attribute_not_exists(pk)` for the first)
 *   -> on a condition failure read again and decide again.
 *
 * So N concurrent signers of one wallet are serialized on the version: each decides on the spends
 * every earlier winner committed, and together they never exceed a limit. A spend is recorded once
 * per txId whatever the number of deliveries. Under MRSC there is one counter per wallet (scope
 * "global"); under MREC one per wallet and region, written only by its own region (a sole writer
 * sees its own writes in its own replica, so compare-and-set holds whatever the replication lag),
 * each with its share of the budget.
 */
export interface VelocityCounter {
  readonly spends: readonly Spend[];
  /** 0 when the item does not exist yet. */
  readonly version: number;
}

/** Spends kept on one item at most (about 150 bytes each: well under DynamoDB's 400 KB item limit). */
export const MAX_TRACKED_SPENDS = 1000;

export async function readVelocity(ledger: Ledger, walletId: string, scope: string): Promise<VelocityCounter> {
  const res = await ledger.ddb.send(
    new GetCommand({ TableName: ledger.tableName, Key: policyKeys.velocity(walletId, scope), ConsistentRead: true }),
  );
  const item = res.Item;
  if (item === undefined) return { spends: [], version: 0 };
  return { spends: (item.spends as Spend[] | undefined) ?? [], version: Number(item.version ?? 0) };
}

/** Reads the counters of several scopes (the API's early check under MREC sums both regions' views). */
export async function readSpends(ledger: Ledger, walletId: string, scopes: readonly string[]): Promise<Spend[]> {
  const counters = await Promise.all(scopes.map((s) => readVelocity(ledger, walletId, s)));
  return counters.flatMap((c) => c.spends);
}

export type CommitOutcome =
  | { readonly committed: true; readonly alreadyCommitted: boolean; readonly version: number }
  | { readonly committed: false; readonly decision: Extract<PolicyDecision, { kind: 'refuse' }> };

export interface CommitInput {
  readonly walletId: string;
  readonly scope: string;
  readonly txId: string;
  readonly amountWei: string;
  readonly now: Date;
  /** The longest velocity window of the policy in force (seconds): spends inside it are never dropped. */
  readonly longestWindowSeconds: number;
  readonly policyVersion: string;
  /** Decides on the spends read: a refusal stops the commit (nothing is written). */
  readonly check: (spends: readonly Spend[]) => Extract<PolicyDecision, { kind: 'refuse' }> | undefined;
  /** Compare-and-set rounds before giving up (the message is then retried). @default 10 */
  readonly maxAttempts?: number;
}

/** Which spends the next version keeps: none older than the longest possible window, at most MAX_TRACKED_SPENDS. */
function retained(spends: readonly Spend[], nowMs: number, longestWindowSeconds: number): Spend[] | undefined {
  const kept = spends.filter((s) => s.at > nowMs - MAX_WINDOW_SECONDS * 1000);
  if (kept.length < MAX_TRACKED_SPENDS) return kept;
  // Full: drop the oldest that are outside every window of the policy in force.
  const inWindow = kept.filter((s) => s.at > nowMs - longestWindowSeconds * 1000);
  if (inWindow.length >= MAX_TRACKED_SPENDS) return undefined;
  return kept.slice(kept.length - (MAX_TRACKED_SPENDS - 1));
}

export async function commitSpend(ledger: Ledger, input: CommitInput): Promise<CommitOutcome> {
  const key = policyKeys.velocity(input.walletId, input.scope);
  const nowMs = input.now.getTime();
  const attempts = input.maxAttempts ?? 10;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const counter = await readVelocity(ledger, input.walletId, input.scope);
    if (counter.spends.some((s) => s.txId === input.txId)) {
      // A redelivery, or our own write whose reply was lost (the SDK's retry then failed its condition).
      return { committed: true, alreadyCommitted: true, version: counter.version };
    }
    const refused = input.check(counter.spends);
    if (refused !== undefined) return { committed: false, decision: refused };
    const kept = retained(counter.spends, nowMs, input.longestWindowSeconds);
    if (kept === undefined) {
      return {
        committed: false,
        decision: {
          kind: 'refuse',
          rule: 'velocity',
          limit: `${MAX_TRACKED_SPENDS} spends per counter`,
          message: `wallet ${input.walletId} has ${MAX_TRACKED_SPENDS} spends inside its longest velocity window; the counter cannot hold more`,
        },
      };
    }
    const spends = [...kept, { txId: input.txId, amountWei: input.amountWei, at: nowMs }];
    try {
      await ledger.ddb.send(
        new PutCommand({
          TableName: ledger.tableName,
          Item: {
            ...key,
            walletId: input.walletId,
            scope: input.scope,
            spends,
            version: counter.version + 1,
            updatedAt: input.now.toISOString(),
            policyVersion: input.policyVersion,
            ...schemaStamp(),
          },
          ...(counter.version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :seen', ExpressionAttributeValues: { ':seen': counter.version } }),
        }),
      );
      return { committed: true, alreadyCommitted: false, version: counter.version + 1 };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // Another signer committed first (or our own write applied and its reply was lost): read again.
    }
  }
  throw new Error(
    `velocity counter of wallet ${input.walletId} (${input.scope}) changed on each of ${attempts} attempts; retrying the message`,
  );
}
