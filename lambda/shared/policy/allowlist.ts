import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { schemaStamp } from '../../../lib/contract/ledger';
import { type AllowlistEntry, allowlistAuditSubject, policyKeys } from '../../../lib/contract/policy';
import { type Ledger, putAudit } from '../ledger';

/**
 * The destination allowlist of a wallet (docs/spending-policy.md): one ledger item per (wallet,
 * destination), usable only from `usableAt` (added + the time lock in force then). Every change
 * writes an audit item (`putAudit`, subject `allowlist#<walletId>`); the caller (wallet-ops
 * allowlist) notifies the on-call topic. Re-adding a removed destination starts a new time lock.
 */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'schemaVersion', 'changeId']);

function entryOf(item: Record<string, unknown>): AllowlistEntry {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k))) as unknown as AllowlistEntry;
}

export async function getAllowlistEntry(
  ledger: Ledger,
  walletId: string,
  address: string,
): Promise<AllowlistEntry | undefined> {
  const res = await ledger.ddb.send(
    new GetCommand({ TableName: ledger.tableName, Key: policyKeys.allowlist(walletId, address), ConsistentRead: true }),
  );
  return res.Item === undefined ? undefined : entryOf(res.Item);
}

export async function listAllowlist(ledger: Ledger, walletId: string): Promise<AllowlistEntry[]> {
  const out: AllowlistEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ledger.ddb.send(
      new QueryCommand({
        TableName: ledger.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': policyKeys.allowlistPartition(walletId) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) out.push(entryOf(item));
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

export type AllowlistChange =
  | { readonly kind: 'added'; readonly entry: AllowlistEntry; readonly audit: { pk: string; sk: string } }
  | { readonly kind: 'removed'; readonly entry: AllowlistEntry; readonly audit: { pk: string; sk: string } };

export class AllowlistConflictError extends Error {
  constructor(
    message: string,
    readonly existing?: AllowlistEntry,
  ) {
    super(message);
    this.name = 'AllowlistConflictError';
  }
}

/**
 * Adds a destination: `attribute_not_exists(pk)`, so an entry is never overwritten (which would
 * reset nobody's time lock but hide who added it). A lost reply's retry fails its own condition and
 * is told apart by the write's `changeId`. Then the audit item.
 */
export async function addAllowlistEntry(
  ledger: Ledger,
  input: { walletId: string; address: string; label?: string; addedBy: string; now: Date; timeLockHours: number },
): Promise<AllowlistChange> {
  const address = input.address.toLowerCase();
  const entry: AllowlistEntry = {
    walletId: input.walletId,
    address,
    ...(input.label !== undefined ? { label: input.label } : {}),
    addedAt: input.now.toISOString(),
    usableAt: new Date(input.now.getTime() + input.timeLockHours * 3600_000).toISOString(),
    addedBy: input.addedBy,
  };
  const changeId = randomUUID();
  try {
    await ledger.ddb.send(
      new PutCommand({
        TableName: ledger.tableName,
        Item: { ...policyKeys.allowlist(input.walletId, address), ...entry, changeId, ...schemaStamp() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const res = await ledger.ddb.send(
      new GetCommand({
        TableName: ledger.tableName,
        Key: policyKeys.allowlist(input.walletId, address),
        ConsistentRead: true,
      }),
    );
    if (res.Item?.changeId !== changeId) {
      const existing = res.Item === undefined ? undefined : entryOf(res.Item);
      throw new AllowlistConflictError(
        `${address} is already on the allowlist of ${input.walletId}${existing ? ` (added ${existing.addedAt} by ${existing.addedBy}, usable from ${existing.usableAt})` : ''}; nothing was changed`,
        existing,
      );
    }
  }
  const audit = await putAudit(ledger, allowlistAuditSubject(input.walletId), entry.addedAt, changeId, {
    kind: 'allowlist-change',
    change: 'add',
    walletId: input.walletId,
    address,
    actor: input.addedBy,
    usableAt: entry.usableAt,
    timeLockHours: input.timeLockHours,
    ...(input.label !== undefined ? { label: input.label } : {}),
  });
  return { kind: 'added', entry, audit };
}

/** Removes a destination (effective at once, no time lock), only if it is there; then the audit item. */
export async function removeAllowlistEntry(
  ledger: Ledger,
  input: { walletId: string; address: string; removedBy: string; now: Date; reason: string },
): Promise<AllowlistChange> {
  const address = input.address.toLowerCase();
  const existing = await getAllowlistEntry(ledger, input.walletId, address);
  if (existing === undefined) {
    throw new AllowlistConflictError(`${address} is not on the allowlist of ${input.walletId}; nothing was changed`);
  }
  try {
    await ledger.ddb.send(
      new DeleteCommand({
        TableName: ledger.tableName,
        Key: policyKeys.allowlist(input.walletId, address),
        ConditionExpression: 'addedAt = :a',
        ExpressionAttributeValues: { ':a': existing.addedAt },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // Gone (our own delete whose reply was lost, or another operator's) or re-added meanwhile.
    const now = await getAllowlistEntry(ledger, input.walletId, address);
    if (now !== undefined) {
      throw new AllowlistConflictError(
        `${address} on the allowlist of ${input.walletId} changed meanwhile (now added ${now.addedAt} by ${now.addedBy}); nothing was changed`,
        now,
      );
    }
  }
  const at = input.now.toISOString();
  const audit = await putAudit(ledger, allowlistAuditSubject(input.walletId), at, randomUUID(), {
    kind: 'allowlist-change',
    change: 'remove',
    walletId: input.walletId,
    address,
    actor: input.removedBy,
    reason: input.reason,
    removedEntry: existing,
  });
  return { kind: 'removed', entry: existing, audit };
}
