import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { schemaStamp } from '../../lib/contract/ledger';
import { sweepKeys } from '../../lib/contract/sweep';
import type { Ledger } from '../shared/ledger';
import type { TxRequest } from '../shared/signing';

/**
 * The sweep-control item: ONE per hot address (`SWEEP#<address>` / `CONTROL`), so at most one sweep
 * is ever in flight (docs/spending-policy.md "Hot/cold").
 *
 *   idle --claim--> claimed --markSubmitted--> submitted --close--> idle
 *                      `--------------close (lease lost, refused)------'
 *
 * Compare-and-set rules (single-item conditional updates: MRSC tables have no transactions):
 * - claim: `(attribute_not_exists(pk) OR state = idle) AND (attribute_not_exists(epoch) OR epoch <= :e)`.
 *   A new sweep id each time; a lost reply's SDK retry fails the condition and the read-back finds
 *   its own sweep id (ours). A lease holder of an older epoch can no longer claim once a newer
 *   holder wrote the item.
 * - adopt: a newer lease holder takes over a sweep claimed or submitted under an older epoch:
 *   `sweepId = :id AND epoch = :old` -> epoch = :e. It continues that sweep (same request, same
 *   idempotency key: the same one transaction), never starts a second one.
 * - markSubmitted: `sweepId = :id AND epoch = :e AND state IN (claimed, submitted)`: only the
 *   holder of the item's epoch sends the sweep to intake; an old holder that was adopted cannot.
 * - recordTx: `sweepId = :id AND state = submitted`.
 * - close: `sweepId = :id AND state <> idle` (and, for a release after a lost lease, `state = claimed
 *   AND epoch = :e`); the read-back after a lost reply finds `last.sweepId` = ours.
 */
export type SweepState = 'idle' | 'claimed' | 'submitted';

export type SweepOutcome = 'confirmed' | 'failed' | 'refused' | 'abandoned';

export interface SweepControl {
  readonly address: string;
  readonly state: SweepState;
  /** The lease epoch of the item's last writer. */
  readonly epoch: number;
  readonly region: string;
  readonly sweepId?: string;
  readonly walletId?: string;
  /** The sweep request exactly as submitted (a retry submits the same bytes: the same request hash). */
  readonly request?: TxRequest;
  readonly txId?: string;
  readonly claimedAt?: string;
  readonly submittedAt?: string;
  /** The previous sweep and how it ended. */
  readonly last?: {
    readonly sweepId: string;
    readonly txId?: string;
    readonly outcome: SweepOutcome;
    readonly reason?: string;
    readonly at: string;
    readonly amountWei?: string;
  };
}

const isConditionFailure = (err: unknown) => err instanceof ConditionalCheckFailedException;

export async function readControl(ledger: Ledger, address: string): Promise<SweepControl | undefined> {
  const res = await ledger.ddb.send(
    new GetCommand({ TableName: ledger.tableName, Key: sweepKeys.control(address), ConsistentRead: true }),
  );
  if (res.Item === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(res.Item).filter(([k]) => k !== 'pk' && k !== 'sk'),
  ) as unknown as SweepControl;
}

async function update(ledger: Ledger, input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
  try {
    await ledger.ddb.send(new UpdateCommand({ TableName: ledger.tableName, ...input }));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export interface ClaimInput {
  readonly address: string;
  readonly sweepId: string;
  readonly epoch: number;
  readonly region: string;
  readonly walletId: string;
  readonly request: TxRequest;
  readonly at: string;
}

/** Claims the control item for a new sweep. `claimed: false` with the item as it is when another sweep holds it. */
export async function claimSweep(
  ledger: Ledger,
  c: ClaimInput,
): Promise<{ claimed: true; control: SweepControl } | { claimed: false; control: SweepControl | undefined }> {
  const applied = await update(ledger, {
    Key: sweepKeys.control(c.address),
    UpdateExpression:
      'SET #state = :claimed, sweepId = :id, epoch = :e, #region = :r, walletId = :w, #request = :req, ' +
      'claimedAt = :at, #address = :a, schemaVersion = if_not_exists(schemaVersion, :sv) REMOVE txId, submittedAt',
    ConditionExpression:
      '(attribute_not_exists(pk) OR #state = :idle) AND (attribute_not_exists(epoch) OR epoch <= :e)',
    ExpressionAttributeNames: { '#state': 'state', '#region': 'region', '#request': 'request', '#address': 'address' },
    ExpressionAttributeValues: {
      ':claimed': 'claimed',
      ':idle': 'idle',
      ':id': c.sweepId,
      ':e': c.epoch,
      ':r': c.region,
      ':w': c.walletId,
      ':req': c.request,
      ':at': c.at,
      ':a': c.address.toLowerCase(),
      ':sv': schemaStamp().schemaVersion,
    },
  });
  const control = await readControl(ledger, c.address);
  if (applied) return { claimed: true, control: control as SweepControl };
  // A lost reply: the SDK's retry met our own write.
  if (control?.sweepId === c.sweepId && control.state !== 'idle') return { claimed: true, control };
  return { claimed: false, control };
}

/** A newer lease holder adopts the in-flight sweep of an older epoch. */
export async function adoptSweep(
  ledger: Ledger,
  control: SweepControl,
  epoch: number,
  region: string,
): Promise<boolean> {
  const applied = await update(ledger, {
    Key: sweepKeys.control(control.address),
    UpdateExpression: 'SET epoch = :e, #region = :r',
    ConditionExpression: 'sweepId = :id AND epoch = :old AND #state <> :idle',
    ExpressionAttributeNames: { '#state': 'state', '#region': 'region' },
    ExpressionAttributeValues: {
      ':e': epoch,
      ':r': region,
      ':id': control.sweepId,
      ':old': control.epoch,
      ':idle': 'idle',
    },
  });
  if (applied) return true;
  const now = await readControl(ledger, control.address);
  return now !== undefined && now.sweepId === control.sweepId && now.epoch === epoch && now.state !== 'idle';
}

/** Only the holder of the item's epoch submits; idempotent (submitted stays submitted). */
export async function markSubmitted(ledger: Ledger, control: SweepControl, epoch: number, at: string) {
  return update(ledger, {
    Key: sweepKeys.control(control.address),
    UpdateExpression: 'SET #state = :submitted, submittedAt = if_not_exists(submittedAt, :at)',
    ConditionExpression: 'sweepId = :id AND epoch = :e AND #state IN (:claimed, :submitted)',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':submitted': 'submitted',
      ':claimed': 'claimed',
      ':at': at,
      ':id': control.sweepId,
      ':e': epoch,
    },
  });
}

/** Records the transaction intake created for the sweep (the same txId on every retry). */
export async function recordSweepTx(ledger: Ledger, control: SweepControl, txId: string) {
  return update(ledger, {
    Key: sweepKeys.control(control.address),
    UpdateExpression: 'SET txId = :tx',
    ConditionExpression: 'sweepId = :id AND #state = :submitted',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':tx': txId, ':id': control.sweepId, ':submitted': 'submitted' },
  });
}

/**
 * Ends the sweep: the item goes back to idle with `last` describing it. `onlyClaimedAt`: release a
 * sweep never submitted (its claimer lost the lease), only while it is still claimed under that epoch.
 */
export async function closeSweep(
  ledger: Ledger,
  control: SweepControl,
  outcome: SweepOutcome,
  at: string,
  reason?: string,
  onlyClaimedAt?: number,
): Promise<boolean> {
  const last = {
    sweepId: control.sweepId,
    outcome,
    at,
    ...(control.txId !== undefined ? { txId: control.txId } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(control.request !== undefined ? { amountWei: control.request.value } : {}),
  };
  const applied = await update(ledger, {
    Key: sweepKeys.control(control.address),
    UpdateExpression: 'SET #state = :idle, #last = :last REMOVE #request, txId, claimedAt, submittedAt, walletId',
    ConditionExpression:
      onlyClaimedAt === undefined
        ? 'sweepId = :id AND #state <> :idle'
        : 'sweepId = :id AND #state = :claimed AND epoch = :e',
    ExpressionAttributeNames: { '#state': 'state', '#last': 'last', '#request': 'request' },
    ExpressionAttributeValues: {
      ':idle': 'idle',
      ':last': last,
      ':id': control.sweepId,
      ...(onlyClaimedAt === undefined ? {} : { ':claimed': 'claimed', ':e': onlyClaimedAt }),
    },
  });
  if (applied) return true;
  const now = await readControl(ledger, control.address);
  return now?.state === 'idle' && now.last?.sweepId === control.sweepId;
}
