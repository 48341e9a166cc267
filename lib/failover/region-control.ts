import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../contract/ledger';

/**
 * The region-control item (ledger `REGION#<region>` / `CONTROL`): the per-region degraded-mode
 * flag that makes the wallet API refuse NEW transactions with 503 (fail closed) while reads,
 * signing of already accepted transactions and health keep working.
 *
 * This module is its ONLY reader and writer. Operators and tooling call {@link setDegradedMode};
 * the remediation Lambda calls {@link changeRegionControl} through its port adapter
 * (lambda/remediation/adapters/ledger.ts); the API and health handlers call
 * {@link readRegionControl}. Every change follows one rule, {@link changeRegionControl}:
 *
 * 1. read the item with a strongly consistent read;
 * 2. decide on what was read: already in the wanted state, or (remediation) not ours to lift,
 *    means no write and no audit record;
 * 3. write as a compare-and-set on exactly what was read ({@link compareAndSetCondition}), and
 *    stamp the write with a fresh `changeId`;
 * 4. if the condition fails, read again: when the item carries OUR `changeId`, our write landed
 *    and only its response was lost (the SDK retried, and the retry met our own write), so it is
 *    a success; otherwise someone else changed the item in between: a conflict, nothing written;
 * 5. write the audit record (who, when, why, before) under a key that names the `changeId`, so
 *    a retried audit write after a lost response finds its own record and is not a second one.
 */
export interface RegionControl {
  readonly region: string;
  readonly degraded: boolean;
  readonly reason?: string;
  /** Who set it: an operator ARN, or `remediation:<region>:<alarm>` (lib/contract/remediation.ts). */
  readonly setBy?: string;
  /** When it last changed (so, while degraded: since when). */
  readonly updatedAt?: string;
  /** The id of the write that last changed the item (absent on items written before it existed). */
  readonly changeId?: string;
  /** false: the item does not exist (never set). */
  readonly exists: boolean;
}

/** The ledger table, as this module needs it. */
export interface RegionControlStore {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
}

const optionalString = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));

/** Reads the region-control item; a missing item reads as "not degraded, never set". */
export async function readRegionControl(
  store: RegionControlStore,
  region: string,
  consistent = false,
): Promise<RegionControl> {
  const res = await store.ddb.send(
    new GetCommand({ TableName: store.tableName, Key: ledgerKeys.regionControl(region), ConsistentRead: consistent }),
  );
  if (res.Item === undefined) return { region, degraded: false, exists: false };
  const item = res.Item;
  const reason = optionalString(item.reason);
  const setBy = optionalString(item.setBy);
  const updatedAt = optionalString(item.updatedAt);
  const changeId = optionalString(item.changeId);
  return {
    region,
    degraded: item.degraded === true,
    ...(reason !== undefined ? { reason } : {}),
    ...(setBy !== undefined ? { setBy } : {}),
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    ...(changeId !== undefined ? { changeId } : {}),
    exists: true,
  };
}

/**
 * The compare-and-set condition of a change that read `before`: the item's absence, its last
 * `changeId`, or (items written before `changeId` existed) its `degraded` flag and `updatedAt`.
 */
export function compareAndSetCondition(before: RegionControl): {
  readonly ConditionExpression: string;
  readonly values: Record<string, unknown>;
} {
  if (!before.exists) return { ConditionExpression: 'attribute_not_exists(pk)', values: {} };
  if (before.changeId !== undefined) {
    return { ConditionExpression: 'changeId = :seenChange', values: { ':seenChange': before.changeId } };
  }
  const seenAt = before.updatedAt === undefined ? 'attribute_not_exists(updatedAt)' : 'updatedAt = :seenAt';
  return {
    ConditionExpression: `attribute_not_exists(changeId) AND degraded = :seenDegraded AND ${seenAt}`,
    values: {
      ':seenDegraded': before.degraded,
      ...(before.updatedAt !== undefined ? { ':seenAt': before.updatedAt } : {}),
    },
  };
}

export interface ChangeRegionControlOptions {
  readonly region: string;
  /** The wanted state: true suspends intake, false resumes it. */
  readonly degraded: boolean;
  /** Who: operator ARN, `remediation:<region>:<alarm>`, `drill`. */
  readonly actor: string;
  /** Why, in words an incident review can use. */
  readonly reason: string;
  /**
   * Change only if the item's `setBy` starts with this (remediation lifts only what remediation set).
   * @default - no condition on who set it
   */
  readonly onlyIfSetByPrefix?: string;
  /**
   * The audit record's subject (its partition is `AUDIT#<subject>`).
   * @default `region#<region>`
   */
  readonly auditSubject?: string;
  /** @default - now */
  readonly now?: Date;
  /** @default - a random UUID */
  readonly changeId?: string;
}

export type RegionControlChange =
  | {
      readonly outcome: 'changed';
      readonly before: RegionControl;
      readonly after: RegionControl;
      readonly auditKey: { pk: string; sk: string };
    }
  | {
      /** Nothing written: already in the wanted state, or not set by `onlyIfSetByPrefix`. */
      readonly outcome: 'unchanged';
      readonly why: 'already' | 'set-by-someone-else';
      readonly before: RegionControl;
    }
  | {
      /** Nothing written: someone changed the item between our read and our write. */
      readonly outcome: 'conflict';
      readonly before: RegionControl;
      readonly current: RegionControl;
    };

/** Changes the region-control item by THE rule of this module (see the module comment). */
export async function changeRegionControl(
  store: RegionControlStore,
  options: ChangeRegionControlOptions,
): Promise<RegionControlChange> {
  const before = await readRegionControl(store, options.region, true);
  if (before.degraded === options.degraded) return { outcome: 'unchanged', why: 'already', before };
  if (options.onlyIfSetByPrefix !== undefined && !(before.setBy ?? '').startsWith(options.onlyIfSetByPrefix)) {
    return { outcome: 'unchanged', why: 'set-by-someone-else', before };
  }

  const at = (options.now ?? new Date()).toISOString();
  const changeId = options.changeId ?? randomUUID();
  const after: RegionControl = {
    region: options.region,
    degraded: options.degraded,
    reason: options.reason,
    setBy: options.actor,
    updatedAt: at,
    changeId,
    exists: true,
  };
  const cas = compareAndSetCondition(before);
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: ledgerKeys.regionControl(options.region),
        UpdateExpression:
          'SET degraded = :degraded, reason = :reason, setBy = :by, updatedAt = :at, changeId = :change',
        ConditionExpression: cas.ConditionExpression,
        ExpressionAttributeValues: {
          ':degraded': options.degraded,
          ':reason': options.reason,
          ':by': options.actor,
          ':at': at,
          ':change': changeId,
          ...cas.values,
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const current = await readRegionControl(store, options.region, true);
    // Our own write, whose response was lost and whose SDK retry then failed the condition.
    if (current.changeId !== changeId) return { outcome: 'conflict', before, current };
  }

  const action = options.degraded ? 'enter' : 'leave';
  const auditKey = ledgerKeys.audit(
    options.auditSubject ?? `region#${options.region}`,
    at,
    `degraded-${action}#${changeId}`,
  );
  try {
    await store.ddb.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...auditKey,
          kind: `degraded-mode-${action}`,
          region: options.region,
          actor: options.actor,
          reason: options.reason,
          changeId,
          before: {
            degraded: before.degraded,
            setBy: before.setBy,
            reason: before.reason,
            updatedAt: before.updatedAt,
          },
          at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    // The key names our changeId: an existing record is ours (a retry after a lost response).
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
  return { outcome: 'changed', before, after, auditKey };
}

// ---------------------------------------------------------------------------------------------
// The operator's API: argument checks, and a conflict is an error the operator must look at.

export interface SetDegradedModeOptions {
  readonly region: string;
  /** `enter` suspends intake; `leave` resumes it. */
  readonly action: 'enter' | 'leave';
  /** Who: operator ARN, `remediation:<alarm>`, `drill`. */
  readonly actor: string;
  /** Why, in words an incident review can use. Required. */
  readonly reason: string;
  readonly now?: Date;
}

export interface DegradedModeChange {
  readonly changed: boolean;
  readonly before: RegionControl;
  readonly after: RegionControl;
  readonly auditKey?: { pk: string; sk: string };
}

export class DegradedModeConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DegradedModeConflictError';
  }
}

export async function setDegradedMode(
  store: RegionControlStore,
  options: SetDegradedModeOptions,
): Promise<DegradedModeChange> {
  const problems: string[] = [];
  if (options.action !== 'enter' && options.action !== 'leave') {
    problems.push(`action must be "enter" or "leave"; received ${JSON.stringify(options.action)}`);
  }
  if (options.reason.trim() === '') problems.push('reason is empty; say why (it goes into the audit record)');
  if (options.actor.trim() === '') problems.push('actor is empty; say who is acting');
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(options.region)) {
    problems.push(`region ${JSON.stringify(options.region)} is not an AWS region code such as "us-east-2"`);
  }
  if (problems.length > 0) throw new Error(`setDegradedMode: ${problems.join('; ')}.`);

  const change = await changeRegionControl(store, {
    region: options.region,
    degraded: options.action === 'enter',
    actor: options.actor,
    reason: options.reason,
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  switch (change.outcome) {
    case 'changed':
      return { changed: true, before: change.before, after: change.after, auditKey: change.auditKey };
    case 'unchanged':
      return { changed: false, before: change.before, after: change.before };
    case 'conflict': {
      const { before } = change;
      throw new DegradedModeConflictError(
        `degraded mode of ${options.region} changed while setting it (it was ${before.degraded ? 'on' : 'off'}` +
          `${before.setBy ? `, set by ${before.setBy}` : ''}); read it again`,
      );
    }
  }
}

export const enterDegradedMode = (store: RegionControlStore, options: Omit<SetDegradedModeOptions, 'action'>) =>
  setDegradedMode(store, { ...options, action: 'enter' });

export const leaveDegradedMode = (store: RegionControlStore, options: Omit<SetDegradedModeOptions, 'action'>) =>
  setDegradedMode(store, { ...options, action: 'leave' });
