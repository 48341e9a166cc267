import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../../lib/contract/ledger';
import { getRegionControl, Ledger, putAudit, RegionControl } from './ledger';

/**
 * Degraded mode: a per-region flag (ledger item `REGION#<region>` / `CONTROL`) that makes the
 * wallet API refuse NEW transactions with 503 (fail closed) while reads, signing of already
 * accepted transactions and health keep working. Operators (and tooling) call these setters;
 * every change writes an audit item. The remediation Lambda writes the same item through its own
 * adapter (lambda/remediation/adapters/ledger.ts) with the same attributes: `degraded`, `reason`,
 * `setBy`, `updatedAt`.
 */
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

export async function setDegradedMode(ledger: Ledger, options: SetDegradedModeOptions): Promise<DegradedModeChange> {
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

  const before = await getRegionControl(ledger, options.region, true);
  const degraded = options.action === 'enter';
  if (before.degraded === degraded) return { changed: false, before, after: before };

  const at = (options.now ?? new Date()).toISOString();
  const after: RegionControl = {
    region: options.region,
    degraded,
    reason: options.reason,
    setBy: options.actor,
    updatedAt: at,
    exists: true,
  };
  // Compare-and-set against what we read: the item's absence, or its last change.
  const condition = !before.exists
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : before.updatedAt === undefined
      ? { ConditionExpression: 'degraded = :seenDegraded AND attribute_not_exists(updatedAt)' }
      : { ConditionExpression: 'degraded = :seenDegraded AND updatedAt = :seenAt' };
  try {
    await ledger.ddb.send(
      new UpdateCommand({
        TableName: ledger.tableName,
        Key: ledgerKeys.regionControl(options.region),
        UpdateExpression: 'SET degraded = :degraded, reason = :reason, setBy = :by, updatedAt = :at',
        ...condition,
        ExpressionAttributeValues: {
          ':degraded': degraded,
          ':reason': options.reason,
          ':by': options.actor,
          ':at': at,
          ...(before.exists ? { ':seenDegraded': before.degraded } : {}),
          ...(before.exists && before.updatedAt !== undefined ? { ':seenAt': before.updatedAt } : {}),
        },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      throw new DegradedModeConflictError(
        `degraded mode of ${options.region} changed while setting it (it was ${before.degraded ? 'on' : 'off'}` +
          `${before.setBy ? `, set by ${before.setBy}` : ''}); read it again`,
      );
    }
    throw err;
  }
  const auditKey = await putAudit(ledger, `region#${options.region}`, at, `degraded-${options.action}`, {
    kind: degraded ? 'degraded-mode-enter' : 'degraded-mode-leave',
    region: options.region,
    actor: options.actor,
    reason: options.reason,
    before: { degraded: before.degraded, setBy: before.setBy, reason: before.reason, updatedAt: before.updatedAt },
  });
  return { changed: true, before, after, auditKey };
}

export const enterDegradedMode = (ledger: Ledger, options: Omit<SetDegradedModeOptions, 'action'>) =>
  setDegradedMode(ledger, { ...options, action: 'enter' });

export const leaveDegradedMode = (ledger: Ledger, options: Omit<SetDegradedModeOptions, 'action'>) =>
  setDegradedMode(ledger, { ...options, action: 'leave' });
