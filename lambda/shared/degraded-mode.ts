import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../../lib/contract/ledger';
import { getRegionControl, Ledger, putAudit, RegionControl } from './ledger';

/**
 * Degraded mode: a per-region flag (ledger item `REGION#<region>` / `CONTROL`) that makes the
 * wallet API refuse NEW transactions with 503 (fail closed) while reads, signing of already
 * accepted transactions and health keep working. Remediation (and operators) call these setters;
 * every change writes an audit item.
 */
export interface SetDegradedModeOptions {
  readonly region: string;
  /** `enter` suspends intake; `leave` resumes it. */
  readonly action: 'enter' | 'leave';
  /** Who: operator ARN, `remediation:<alarm>`, `drill`. */
  readonly actor: string;
  /** Why, in words an incident review can use. Required. */
  readonly reason: string;
  /** Refuse unless the control item is still at this version (what the caller saw). @default - the version read just before */
  readonly expectedVersion?: number;
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
  if (options.expectedVersion !== undefined && before.version !== options.expectedVersion) {
    throw new DegradedModeConflictError(
      `degraded mode of ${options.region} is at version ${before.version}, not the expected ${options.expectedVersion}; read it again`,
    );
  }
  const degraded = options.action === 'enter';
  if (before.degraded === degraded) return { changed: false, before, after: before };

  const at = (options.now ?? new Date()).toISOString();
  const after: RegionControl = {
    region: options.region,
    degraded,
    since: at,
    reason: options.reason,
    updatedBy: options.actor,
    version: before.version + 1,
  };
  try {
    await ledger.ddb.send(
      new PutCommand({
        TableName: ledger.tableName,
        Item: { ...ledgerKeys.regionControl(options.region), ...after },
        ConditionExpression: before.version === 0 ? 'attribute_not_exists(pk)' : 'version = :seen',
        ...(before.version === 0 ? {} : { ExpressionAttributeValues: { ':seen': before.version } }),
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      throw new DegradedModeConflictError(
        `degraded mode of ${options.region} changed while setting it (was version ${before.version}); read it again`,
      );
    }
    throw err;
  }
  const auditKey = await putAudit(ledger, `region#${options.region}`, at, `degraded-v${after.version}`, {
    kind: degraded ? 'degraded-mode-enter' : 'degraded-mode-leave',
    region: options.region,
    actor: options.actor,
    reason: options.reason,
    fromVersion: before.version,
    toVersion: after.version,
  });
  return { changed: true, before, after, auditKey };
}

export const enterDegradedMode = (ledger: Ledger, options: Omit<SetDegradedModeOptions, 'action'>) =>
  setDegradedMode(ledger, { ...options, action: 'enter' });

export const leaveDegradedMode = (ledger: Ledger, options: Omit<SetDegradedModeOptions, 'action'>) =>
  setDegradedMode(ledger, { ...options, action: 'leave' });
