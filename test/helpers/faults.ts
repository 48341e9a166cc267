import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Ledger } from '../../lambda/shared/ledger';

/**
 * Faults at the SDK boundary for integration tests against moto_server: a DynamoDB client whose
 * middleware lets chosen calls APPLY and then drops their reply with a retryable transport error,
 * inside the SDK's retry loop, so the SDK itself retries the call (what a lost response is on real
 * AWS: the write landed, the client never heard).
 */
export interface LoseRule {
  /** Low-level command name, e.g. `UpdateItemCommand`, `PutItemCommand`. */
  readonly command: string;
  /** Which calls (the marshalled input); @default every call of the command */
  readonly match?: (input: Record<string, unknown>) => boolean;
  /** How many matching replies to drop. @default 1 */
  readonly times?: number;
}

export interface FaultyLedger extends Ledger {
  /** Replies dropped so far. */
  lost(): number;
  /** Calls sent per command name (each SDK attempt counts). */
  calls(command: string): number;
}

export function faultyLedger(
  config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  tableName: string,
  rules: readonly LoseRule[],
): FaultyLedger {
  const raw = new DynamoDBClient({ ...config, maxAttempts: 3 });
  const remaining = rules.map((r) => r.times ?? 1);
  const calls = new Map<string, number>();
  let lost = 0;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      calls.set(command, (calls.get(command) ?? 0) + 1);
      const input = (args.input ?? {}) as Record<string, unknown>;
      const result = await next(args);
      const i = rules.findIndex(
        (r, n) => remaining[n] > 0 && r.command === command && (r.match === undefined || r.match(input)),
      );
      if (i >= 0) {
        remaining[i] -= 1;
        lost += 1;
        throw Object.assign(new Error('socket hang up after the write was applied'), { name: 'TimeoutError' });
      }
      return result;
    },
    // Inside the SDK's retry loop (retries run in finalizeRequest), so the SDK itself retries.
    { step: 'deserialize', name: 'loseResponse' },
  );
  return {
    ddb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    lost: () => lost,
    calls: (command) => calls.get(command) ?? 0,
  };
}

/** Matches an update whose expression mentions `text` (e.g. `signedRaw`). */
export const updateMentions =
  (text: string) =>
  (input: Record<string, unknown>): boolean =>
    `${String(input.UpdateExpression ?? '')} ${JSON.stringify(input.ExpressionAttributeNames ?? {})}`.includes(text);
