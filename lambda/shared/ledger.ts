import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  LEDGER_GSI1,
  LEDGER_SCHEMA,
  ledgerIndexKeys,
  LedgerKey,
  ledgerKeys,
  schemaStamp,
  TxStatus,
  txStatusPartition,
} from '../../lib/contract/ledger';
import type { ApprovalRecord, RejectionRecord } from './approvals/types';
import type { TxRequest } from './signing';

/**
 * The ledger repository: every read and write of wallet, transaction, idempotency and nonce
 * reservation items. Every write that matters to safety is a single-item conditional write (MRSC
 * tables do not support TransactWriteItems), and each function documents its condition.
 */
export interface Ledger {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface WalletRecord {
  readonly walletId: string;
  /** Lower-case signing address (the signing key's address). */
  readonly address: string;
  readonly status: string;
  readonly createdAt: string;
}

export interface TransactionRecord {
  readonly walletId: string;
  readonly txId: string;
  readonly address: string;
  readonly status: TxStatus;
  readonly request: TxRequest;
  readonly requestHash: string;
  readonly idempotencyKey: string;
  readonly intakeRegion: string;
  /**
   * The lease epoch the accepting region saw (in its own replica) when it accepted the request.
   * Under MREC nothing accepted under another epoch, or by another region than the holder, is
   * signed without an operator's release (the intake fence; docs/lease-and-nonce.md).
   * Absent on items written before the fence existed (treated as "unknown epoch").
   */
  readonly intakeEpoch?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly nonce?: number;
  readonly nonceEpoch?: number;
  readonly nonceRegion?: string;
  /** keccak256 of the unsigned transaction at `nonce`: what was (or will be) signed. */
  readonly digest?: string;
  readonly signedRaw?: string;
  readonly txHash?: string;
  readonly signedAt?: string;
  readonly signedEpoch?: number;
  readonly signedRegion?: string;
  readonly broadcastAt?: string;
  /** The fees of the first signature when the signer chose them from the fee market (issue 16). */
  readonly signedMaxFeePerGas?: string;
  readonly signedMaxPriorityFeePerGas?: string;
  /** Write token of the markSigned that stored the signature (a lost reply's retry recognises it). */
  readonly signToken?: string;
  readonly quarantineReason?: string;
  readonly quarantinedAt?: string;
  readonly quarantinedFrom?: TxStatus;
  /** Set when an operator released it from quarantine in this epoch (reconciliation skips it). */
  readonly releasedEpoch?: number;
  /** Set when reconciliation examined it in this epoch and found its fate known (the intake fence lets it pass). */
  readonly keptEpoch?: number;
  /** The caller that submitted it: API Gateway's verified `requestContext.identity.userArn` (absent on old items). */
  readonly initiator?: string;
  /** Two-person approval state (pending-approval requests only; lambda/shared/approvals/). */
  readonly approvalRequired?: number;
  readonly approvalExpiresAt?: string;
  /** The initiator's principal key (lower-case ARN): the approve condition compares against it. */
  readonly approvalInitiator?: string;
  readonly approvalReasons?: readonly string[];
  readonly approvals?: Readonly<Record<string, ApprovalRecord>>;
  readonly rejection?: RejectionRecord;
}

export interface IdempotencyRecord {
  readonly walletId: string;
  readonly idempotencyKey: string;
  readonly txId: string;
  readonly requestHash: string;
  readonly createdAt: string;
}

export interface NonceReservation {
  readonly address: string;
  readonly nonce: number;
  /** `tx`: the nonce belongs to transaction `txId`. `void`: a gap filler (never a client payload). */
  readonly kind: 'tx' | 'void';
  readonly txId: string;
  /** For `tx`: the wallet of `txId` (so the transaction can be read from its reservation). */
  readonly walletId?: string;
  /** keccak256 of the one unsigned payload that may ever be signed at this nonce. */
  readonly digest: string;
  readonly epoch: number;
  readonly region: string;
  readonly reservedAt: string;
  /** For `void`: the signed filler transaction. */
  readonly signedRaw?: string;
  readonly txHash?: string;
  /** For `void`: the fees of the filler, so anyone can rebuild and sign exactly this payload. */
  readonly maxFeePerGas?: string;
  readonly maxPriorityFeePerGas?: string;
  /** For `void` replacing a cancelled transaction's reservation: that transaction. */
  readonly replaces?: string;
}

const isConditionFailure = (err: unknown): boolean => err instanceof ConditionalCheckFailedException;

/** Sends a conditional update: true if it applied, false if its condition did not hold. */
export async function conditionalUpdate(
  ledger: Ledger,
  input: ConstructorParameters<typeof UpdateCommand>[0],
): Promise<boolean> {
  try {
    await ledger.ddb.send(new UpdateCommand(input));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Keys and item metadata: never part of a record (the schema version is the item's, not the record's). */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', LEDGER_SCHEMA.attribute]);

/** The item without its key attributes. */
function strip<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name))) as T;
}

/** Reads one ledger item by key, without its key attributes. */
async function getItem<T>(ledger: Ledger, key: LedgerKey, consistent: boolean): Promise<T | undefined> {
  const res = await ledger.ddb.send(
    new GetCommand({ TableName: ledger.tableName, Key: key, ConsistentRead: consistent }),
  );
  return res.Item === undefined ? undefined : strip<T>(res.Item);
}

export async function getWallet(
  ledger: Ledger,
  walletId: string,
  consistent = false,
): Promise<WalletRecord | undefined> {
  return getItem<WalletRecord>(ledger, ledgerKeys.wallet(walletId), consistent);
}

/** Registers a wallet (operator tooling and tests). Fails if it exists. */
export async function putWallet(ledger: Ledger, wallet: WalletRecord): Promise<void> {
  await ledger.ddb.send(
    new PutCommand({
      TableName: ledger.tableName,
      Item: {
        ...ledgerKeys.wallet(wallet.walletId),
        ...wallet,
        address: wallet.address.toLowerCase(),
        ...schemaStamp(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getTransaction(
  ledger: Ledger,
  walletId: string,
  txId: string,
  consistent = true,
): Promise<TransactionRecord | undefined> {
  return getItem<TransactionRecord>(ledger, ledgerKeys.transaction(walletId, txId), consistent);
}

export type IdempotencyOutcome =
  | { readonly created: true; readonly record: IdempotencyRecord }
  | { readonly created: false; readonly record: IdempotencyRecord };

/**
 * Claims an idempotency key: `attribute_not_exists(pk)`. Of any number of concurrent requests
 * with the same key, exactly one creates the record; the others read the winner's record
 * (strongly consistent) and answer with its txId (or 409 if their body differs).
 */
export async function claimIdempotencyKey(ledger: Ledger, record: IdempotencyRecord): Promise<IdempotencyOutcome> {
  const key = ledgerKeys.idempotency(record.walletId, record.idempotencyKey);
  try {
    await ledger.ddb.send(
      new PutCommand({
        TableName: ledger.tableName,
        Item: { ...key, ...record, ...schemaStamp() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true, record };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
  const res = await ledger.ddb.send(new GetCommand({ TableName: ledger.tableName, Key: key, ConsistentRead: true }));
  if (res.Item === undefined) {
    throw new Error(
      `idempotency record ${key.pk} failed attribute_not_exists(pk) but cannot be read back; the request will be retried`,
    );
  }
  return { created: false, record: strip<IdempotencyRecord>(res.Item) };
}

/** Reads an idempotency record (strongly consistent within this region's replica). */
export async function getIdempotencyRecord(
  ledger: Ledger,
  walletId: string,
  idempotencyKey: string,
): Promise<IdempotencyRecord | undefined> {
  return getItem<IdempotencyRecord>(ledger, ledgerKeys.idempotency(walletId, idempotencyKey), true);
}

/** Creates the transaction item once: `attribute_not_exists(pk)`. Returns false if it existed. */
export async function createTransaction(ledger: Ledger, tx: TransactionRecord): Promise<boolean> {
  try {
    await ledger.ddb.send(
      new PutCommand({
        TableName: ledger.tableName,
        Item: {
          ...ledgerKeys.transaction(tx.walletId, tx.txId),
          ...ledgerIndexKeys.txByStatus(tx.address, tx.status, tx.createdAt, tx.txId),
          ...tx,
          ...schemaStamp(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Status change plus the matching gsi1 keys, in one update. */
export function statusUpdate(
  ledger: Ledger,
  tx: Pick<TransactionRecord, 'walletId' | 'txId' | 'address' | 'createdAt'>,
  status: TxStatus,
  at: string,
  set: Record<string, unknown>,
  condition: string,
  conditionValues: Record<string, unknown>,
  remove: readonly string[] = [],
): UpdateCommandInput {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':status': status,
    ':at': at,
    ':g1': txStatusPartition(tx.address, status),
  };
  const clauses = ['#status = :status', 'updatedAt = :at', 'gsi1pk = :g1'];
  for (const [i, [name, value]] of Object.entries(set).entries()) {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    clauses.push(`#s${i} = :s${i}`);
  }
  const removes = remove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  return {
    Key: ledgerKeys.transaction(tx.walletId, tx.txId),
    TableName: ledger.tableName,
    UpdateExpression: `SET ${clauses.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...values, ...conditionValues },
  };
}

export type AssignNonceOutcome =
  | { readonly assigned: true; readonly nonce: number }
  /** The transaction already had ANOTHER nonce: the nonce passed in is now an orphan. */
  | { readonly assigned: false; readonly nonce: number; readonly existing: TransactionRecord }
  | { readonly assigned: false; readonly nonce: undefined; readonly existing: TransactionRecord | undefined };

/**
 * Records the nonce on the transaction: `attribute_not_exists(nonce) OR nonce = :n`, and only
 * while the transaction is queued or already nonce-assigned at that nonce. So a transaction never
 * gets two different nonces; a retry with the same nonce is a no-op success.
 */
export async function assignNonce(
  ledger: Ledger,
  tx: TransactionRecord,
  nonce: number,
  epoch: number,
  region: string,
  at: string,
): Promise<AssignNonceOutcome> {
  const input = statusUpdate(
    ledger,
    tx,
    'nonce-assigned',
    at,
    { nonce, nonceEpoch: epoch, nonceRegion: region },
    '(attribute_not_exists(nonce) AND #status = :queued) OR (nonce = :n AND #status = :assigned)',
    { ':queued': 'queued', ':assigned': 'nonce-assigned', ':n': nonce },
  );
  try {
    await ledger.ddb.send(new UpdateCommand(input));
    return { assigned: true, nonce };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
  const existing = await getTransaction(ledger, tx.walletId, tx.txId, true);
  if (existing?.nonce !== undefined) return { assigned: false, nonce: existing.nonce, existing };
  return { assigned: false, nonce: undefined, existing };
}

export type ReserveOutcome =
  | { readonly reserved: true; readonly reservation: NonceReservation }
  | { readonly reserved: false; readonly reservation: NonceReservation | undefined };

/**
 * Pins ONE payload to (address, nonce): a put with `attribute_not_exists(pk)`. The first writer
 * wins and the item is never overwritten. If it exists, it is read back (strongly consistent): the
 * same transaction with the same payload and kind counts as reserved (a retry); anything else is
 * refused, so two different payloads are never signed at one nonce.
 */
export async function reserveNonce(ledger: Ledger, reservation: NonceReservation): Promise<ReserveOutcome> {
  const key = ledgerKeys.nonceReservation(reservation.address, reservation.nonce);
  try {
    await ledger.ddb.send(
      new PutCommand({
        TableName: ledger.tableName,
        Item: {
          ...key,
          ...reservation,
          address: reservation.address.toLowerCase(),
          ...(reservation.kind === 'void' ? ledgerIndexKeys.voidedNonce(reservation.address, reservation.nonce) : {}),
          ...schemaStamp(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { reserved: true, reservation };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
  const existing = await getReservation(ledger, reservation.address, reservation.nonce);
  const same =
    existing !== undefined &&
    existing.txId === reservation.txId &&
    existing.digest === reservation.digest &&
    existing.kind === reservation.kind;
  return same ? { reserved: true, reservation: existing } : { reserved: false, reservation: existing };
}

export async function getReservation(
  ledger: Ledger,
  address: string,
  nonce: number,
): Promise<NonceReservation | undefined> {
  return getItem<NonceReservation>(ledger, ledgerKeys.nonceReservation(address, nonce), true);
}

/**
 * Stores the signed void filler on its reservation (only if the digest still matches). Returns
 * the raw transaction now stored: ours, or (if another run stored first) theirs. A reply lost
 * after the write applied makes the SDK retry fail its condition; reading back tells "mine" (our
 * raw is stored) from "someone else's", and either way the caller broadcasts what is stored.
 */
export async function recordVoidSignature(
  ledger: Ledger,
  reservation: NonceReservation,
  signed: { raw: string; hash: string },
): Promise<{ raw: string; hash: string; mine: boolean }> {
  try {
    await ledger.ddb.send(
      new UpdateCommand({
        TableName: ledger.tableName,
        Key: ledgerKeys.nonceReservation(reservation.address, reservation.nonce),
        UpdateExpression: 'SET signedRaw = :raw, txHash = :hash',
        ConditionExpression: 'kind = :void AND digest = :d AND attribute_not_exists(signedRaw)',
        ExpressionAttributeValues: {
          ':raw': signed.raw,
          ':hash': signed.hash,
          ':void': 'void',
          ':d': reservation.digest,
        },
      }),
    );
    return { ...signed, mine: true };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
  const stored = await getReservation(ledger, reservation.address, reservation.nonce);
  if (stored?.kind !== 'void' || stored.digest !== reservation.digest || stored.signedRaw === undefined) {
    throw new Error(
      `void reservation of nonce ${reservation.nonce} no longer names digest ${reservation.digest} (now ${stored?.kind ?? 'nothing'} ${stored?.digest ?? ''}); not storing a second payload`,
    );
  }
  return { raw: stored.signedRaw, hash: stored.txHash ?? '', mine: stored.signedRaw === signed.raw };
}

/**
 * Turns the reservation of a CANCELLED transaction into a void filler (the operator's fill-gap):
 * only while it still names that transaction and payload. Returns false if it changed meanwhile.
 */
export async function replaceCancelledReservation(
  ledger: Ledger,
  existing: NonceReservation,
  filler: NonceReservation,
): Promise<boolean> {
  return conditionalUpdate(ledger, {
    TableName: ledger.tableName,
    Key: ledgerKeys.nonceReservation(existing.address, existing.nonce),
    UpdateExpression:
      'SET kind = :void, txId = :owner, digest = :d, epoch = :e, #region = :r, reservedAt = :at, maxFeePerGas = :mf, maxPriorityFeePerGas = :mp, replaces = :was, gsi1pk = :g1, gsi1sk = :g2 REMOVE signedRaw, txHash',
    ConditionExpression: 'kind = :tx AND txId = :was AND digest = :seen',
    ExpressionAttributeNames: { '#region': 'region' },
    ExpressionAttributeValues: {
      ':void': 'void',
      ':owner': filler.txId,
      ':d': filler.digest,
      ':e': filler.epoch,
      ':r': filler.region,
      ':at': filler.reservedAt,
      ':mf': filler.maxFeePerGas,
      ':mp': filler.maxPriorityFeePerGas,
      ':was': existing.txId,
      ':tx': 'tx',
      ':seen': existing.digest,
      ...Object.fromEntries(
        Object.entries(ledgerIndexKeys.voidedNonce(existing.address, existing.nonce)).map(([k, v]) => [
          k === 'gsi1pk' ? ':g1' : ':g2',
          v,
        ]),
      ),
    },
  });
}

/** Void reservations of an address (gsi1 `NONCEVOID#`; eventually consistent). */
export async function listVoidReservations(ledger: Ledger, address: string): Promise<NonceReservation[]> {
  const out: NonceReservation[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ledger.ddb.send(
      new QueryCommand({
        TableName: ledger.tableName,
        IndexName: LEDGER_GSI1,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': ledgerIndexKeys.voidedNonce(address, 0).gsi1pk },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) out.push(strip<NonceReservation>(item));
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

/**
 * Stores the signature: only from nonce-assigned at the same nonce and digest. Of two concurrent
 * signers of the same payload, the first stores its raw transaction and the second gets `false`
 * (its signature is discarded, never broadcast).
 *
 * Self-identifying: the write carries a fresh token. If the reply is lost after the write applied,
 * the SDK's retry fails the condition; reading back our token tells "mine applied" (true) from
 * "another delivery's" (false), instead of taking our own write for someone else's (issue 15,
 * scenario 5).
 */
export async function markSigned(
  ledger: Ledger,
  tx: TransactionRecord,
  signed: {
    nonce: number;
    digest: string;
    raw: string;
    hash: string;
    epoch: number;
    region: string;
    /** The fees signed, when the signer chose them from the fee market (else the request's). */
    maxFeePerGas?: string;
    maxPriorityFeePerGas?: string;
  },
  at: string,
): Promise<boolean> {
  const signToken = randomUUID();
  const input = statusUpdate(
    ledger,
    tx,
    'signed',
    at,
    {
      digest: signed.digest,
      signedRaw: signed.raw,
      txHash: signed.hash,
      signedAt: at,
      signedEpoch: signed.epoch,
      signedRegion: signed.region,
      signToken,
      ...(signed.maxFeePerGas === undefined
        ? {}
        : { signedMaxFeePerGas: signed.maxFeePerGas, signedMaxPriorityFeePerGas: signed.maxPriorityFeePerGas }),
    },
    '#status = :assigned AND nonce = :n',
    { ':assigned': 'nonce-assigned', ':n': signed.nonce },
  );
  if (await conditionalUpdate(ledger, input)) return true;
  const now = await getTransaction(ledger, tx.walletId, tx.txId, true);
  return now?.signToken === signToken;
}

/**
 * Stores a canary transaction's signature: only from queued (a canary never gets a real nonce or a
 * reservation; lib/contract/canary.ts). First writer wins, as for markSigned.
 */
export async function markCanarySigned(
  ledger: Ledger,
  tx: TransactionRecord,
  signed: { nonce: bigint; digest: string; raw: string; hash: string; epoch: number; region: string },
  at: string,
): Promise<boolean> {
  const input = statusUpdate(
    ledger,
    tx,
    'signed',
    at,
    {
      canaryNonce: signed.nonce.toString(),
      digest: signed.digest,
      signedRaw: signed.raw,
      txHash: signed.hash,
      signedAt: at,
      signedEpoch: signed.epoch,
      signedRegion: signed.region,
    },
    '#status = :queued AND attribute_not_exists(nonce)',
    { ':queued': 'queued' },
  );
  return conditionalUpdate(ledger, input);
}

export async function markBroadcast(ledger: Ledger, tx: TransactionRecord, at: string): Promise<boolean> {
  const input = statusUpdate(ledger, tx, 'broadcast', at, { broadcastAt: at }, '#status = :signed AND txHash = :h', {
    ':signed': 'signed',
    ':h': tx.txHash,
  });
  return conditionalUpdate(ledger, input);
}

/**
 * Moves an open transaction to quarantined, conditional on the status it was seen in. Returns
 * false if it moved on meanwhile (the caller re-reads and decides again).
 */
export async function quarantineTransaction(
  ledger: Ledger,
  tx: TransactionRecord,
  reason: string,
  at: string,
): Promise<boolean> {
  const input = statusUpdate(
    ledger,
    tx,
    'quarantined',
    at,
    { quarantineReason: reason, quarantinedAt: at, quarantinedFrom: tx.status },
    '#status = :seen',
    { ':seen': tx.status },
  );
  return conditionalUpdate(ledger, input);
}

/** Records that reconciliation kept this transaction in `epoch` (the intake fence lets it pass). */
export async function markKept(ledger: Ledger, tx: TransactionRecord, epoch: number): Promise<boolean> {
  return conditionalUpdate(ledger, {
    TableName: ledger.tableName,
    Key: ledgerKeys.transaction(tx.walletId, tx.txId),
    UpdateExpression: 'SET keptEpoch = :e',
    ConditionExpression: '#status = :seen',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':e': epoch, ':seen': tx.status },
  });
}

/** An operator's way out of quarantine (lambda/shared/reconcile.ts resolveQuarantined). */
export async function releaseFromQuarantine(
  ledger: Ledger,
  tx: TransactionRecord,
  to: TxStatus,
  epoch: number,
  at: string,
  extra: Record<string, unknown> = {},
): Promise<boolean> {
  const input = statusUpdate(
    ledger,
    tx,
    to,
    at,
    { releasedEpoch: epoch, releasedAt: at, ...extra },
    '#status = :q',
    { ':q': 'quarantined' },
    to === 'nonce-assigned' || to === 'queued' ? ['signedRaw', 'txHash', 'signedAt'] : [],
  );
  return conditionalUpdate(ledger, input);
}

/** Transactions of an address in one status (gsi1; eventually consistent, as every GSI read). */
export async function listTransactionsByStatus(
  ledger: Ledger,
  address: string,
  status: TxStatus,
): Promise<TransactionRecord[]> {
  const out: TransactionRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ledger.ddb.send(
      new QueryCommand({
        TableName: ledger.tableName,
        IndexName: LEDGER_GSI1,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': txStatusPartition(address, status) },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) out.push(strip<TransactionRecord>(item));
    start = res.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

/** Writes an audit item (who, when, why, what). Never overwrites. */
export async function putAudit(
  ledger: Ledger,
  subject: string,
  at: string,
  id: string,
  record: Record<string, unknown>,
): Promise<{ pk: string; sk: string }> {
  const key = ledgerKeys.audit(subject, at, id);
  await ledger.ddb.send(
    new PutCommand({
      TableName: ledger.tableName,
      Item: { ...key, ...record, at, ...schemaStamp() },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return key;
}
