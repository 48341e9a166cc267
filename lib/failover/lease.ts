import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../contract/ledger';

/**
 * The signer lease: one writer per signing address. The lease item also carries the address's
 * nonce counter, so "am I the lease holder at epoch E?" and "give me the next nonce" are ONE
 * single-item conditional write. That is correct under MRSC (which has no transactions) and,
 * within a region, under MREC (docs/lease-and-nonce.md explains what MREC adds).
 *
 * The same write also records WHICH transaction got the nonce (an `alloc_<txId>` attribute), so
 * a signer that crashes after allocating and retries gets the same nonce back instead of a new one
 * (no gap); the entry is removed once the nonce is recorded on the transaction item. The nonce
 * writes live in lib/failover/nonce.ts; this module owns the lease itself (who may sign, at which
 * epoch) and is the half of the failover protocol that pairs with the switch (./switch.ts).
 */
export interface Lease {
  readonly address: string;
  readonly activeRegion: string;
  readonly epoch: number;
  /** The next nonce this address will use. */
  readonly nextNonce: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly reason: string;
  /**
   * The epoch whose nonces were last reconciled with the chain. Under MREC the signer signs only
   * while `reconciledEpoch === epoch` (lambda/shared/reconcile.ts); MRSC does not need it.
   */
  readonly reconciledEpoch?: number;
  /** Nonces allocated but not yet recorded on their transaction item, by txId. */
  readonly allocations: Readonly<Record<string, number>>;
}

/** Lease attributes `alloc_<txId>` record a nonce allocated but not yet recorded (lib/failover/nonce.ts). */
export const ALLOCATION_PREFIX = 'alloc_';
/** The target region is not healthy enough to take the lease. */
export class LeaseRefusedError extends Error {
  constructor(
    message: string,
    public readonly reasons: readonly string[],
  ) {
    super(message);
    this.name = 'LeaseRefusedError';
  }
}

/** Another actor changed the lease between our read and our write. */
export class LeaseConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseConflictError';
  }
}

/** This region does not hold the lease (or holds an older epoch) and must not sign. */
export class NotLeaseHolderError extends Error {
  constructor(
    message: string,
    public readonly lease: Lease | undefined,
  ) {
    super(message);
    this.name = 'NotLeaseHolderError';
  }
}

export interface LeaseStore {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A verdict on whether a region may take the lease. */
export interface RegionHealth {
  readonly healthy: boolean;
  readonly reasons: readonly string[];
}

function toLease(item: Record<string, unknown>): Lease {
  const allocations: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(ALLOCATION_PREFIX)) allocations[name.slice(ALLOCATION_PREFIX.length)] = Number(value);
  }
  return {
    address: String(item.address),
    activeRegion: String(item.activeRegion),
    epoch: Number(item.epoch),
    nextNonce: Number(item.nextNonce),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
    reason: String(item.reason),
    reconciledEpoch: item.reconciledEpoch === undefined ? undefined : Number(item.reconciledEpoch),
    allocations,
  };
}

/** Reads the lease with a strongly consistent read. */
export async function readLease(store: LeaseStore, address: string): Promise<Lease | undefined> {
  const res = await store.ddb.send(
    new GetCommand({ TableName: store.tableName, Key: ledgerKeys.lease(address), ConsistentRead: true }),
  );
  return res.Item === undefined ? undefined : toLease(res.Item);
}

export interface InitLeaseOptions {
  readonly address: string;
  readonly region: string;
  readonly actor: string;
  /** The chain's next nonce for the address when it is first registered. @default 0 */
  readonly nextNonce?: number;
  readonly now?: Date;
}

/** Creates the lease for a new signing address (epoch 1). Fails if one exists. */
export async function initLease(store: LeaseStore, options: InitLeaseOptions): Promise<Lease> {
  const lease: Lease = {
    address: options.address.toLowerCase(),
    activeRegion: options.region,
    epoch: 1,
    nextNonce: options.nextNonce ?? 0,
    updatedAt: (options.now ?? new Date()).toISOString(),
    updatedBy: options.actor,
    reason: 'initial lease',
    // The initial nextNonce comes from the chain, so epoch 1 starts reconciled.
    reconciledEpoch: 1,
    allocations: {},
  };
  const attributes = {
    address: lease.address,
    activeRegion: lease.activeRegion,
    epoch: lease.epoch,
    nextNonce: lease.nextNonce,
    updatedAt: lease.updatedAt,
    updatedBy: lease.updatedBy,
    reason: lease.reason,
    reconciledEpoch: lease.reconciledEpoch,
  };
  try {
    await store.ddb.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { ...ledgerKeys.lease(options.address), ...attributes },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      throw new LeaseConflictError(`a lease for ${lease.address} already exists; read it with readLease instead`);
    }
    throw err;
  }
  return lease;
}

export interface MoveLeaseOptions {
  readonly address: string;
  /** The region that takes the lease. */
  readonly toRegion: string;
  /** Who moves it (operator ARN, `drill`, `remediation:<alarm>`). */
  readonly actor: string;
  /** Why, for the audit record. */
  readonly reason: string;
  /** Asked before the move; a region that is not healthy never takes the lease. */
  readonly isTargetHealthy: (region: string) => Promise<RegionHealth>;
  /**
   * Refuse unless the lease is still at this epoch (what the caller saw when it planned).
   * @default - the epoch read just before the move
   */
  readonly expectedEpoch?: number;
  readonly now?: Date;
}

export interface LeaseMove {
  readonly changed: boolean;
  readonly before: Lease;
  readonly after: Lease;
  readonly auditKey?: { pk: string; sk: string };
}

/**
 * Moves the lease to `toRegion` with epoch + 1, refusing if the target is not healthy or the
 * lease changed under us, and records who, when and why in an audit item. Moving to the region
 * that already holds it changes nothing. The old holder's next conditional write (nonce or
 * state transition naming the old epoch) fails, so it cannot sign after the move.
 */
export async function moveLease(store: LeaseStore, options: MoveLeaseOptions): Promise<LeaseMove> {
  const before = await readLease(store, options.address);
  if (before === undefined) {
    throw new LeaseConflictError(`no lease exists for ${options.address}; create it with initLease first`);
  }
  if (options.expectedEpoch !== undefined && before.epoch !== options.expectedEpoch) {
    throw new LeaseConflictError(
      `lease for ${before.address} is at epoch ${before.epoch} (held by ${before.activeRegion}), not the expected ${options.expectedEpoch}; re-plan`,
    );
  }
  if (before.activeRegion === options.toRegion) {
    return { changed: false, before, after: before };
  }
  const health = await options.isTargetHealthy(options.toRegion);
  if (!health.healthy) {
    throw new LeaseRefusedError(
      `refusing to move the lease for ${before.address} to ${options.toRegion}: the region is not healthy (${health.reasons.join('; ') || 'no reason given'})`,
      health.reasons,
    );
  }
  const at = (options.now ?? new Date()).toISOString();
  const after: Lease = {
    ...before,
    activeRegion: options.toRegion,
    epoch: before.epoch + 1,
    updatedAt: at,
    updatedBy: options.actor,
    reason: options.reason,
  };
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: ledgerKeys.lease(options.address),
        UpdateExpression: 'SET activeRegion = :to, epoch = :next, updatedAt = :at, updatedBy = :by, reason = :why',
        ConditionExpression: 'epoch = :seen AND activeRegion = :from',
        ExpressionAttributeValues: {
          ':to': after.activeRegion,
          ':next': after.epoch,
          ':at': at,
          ':by': options.actor,
          ':why': options.reason,
          ':seen': before.epoch,
          ':from': before.activeRegion,
        },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      throw new LeaseConflictError(
        `lease for ${before.address} changed while moving it from ${before.activeRegion}@${before.epoch}; read it again and re-plan`,
      );
    }
    throw err;
  }
  const auditKey = ledgerKeys.audit(`lease#${after.address}`, at, `epoch-${after.epoch}`);
  await store.ddb.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        ...auditKey,
        kind: 'lease-move',
        address: after.address,
        from: before.activeRegion,
        to: after.activeRegion,
        fromEpoch: before.epoch,
        toEpoch: after.epoch,
        actor: options.actor,
        reason: options.reason,
        targetHealth: health.reasons,
        at,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { changed: true, before, after, auditKey };
}

/**
 * Returns the lease if `region` holds it; throws NotLeaseHolderError otherwise. Signers call this
 * before any work, and every later write names the returned epoch.
 */
export async function requireLease(store: LeaseStore, address: string, region: string): Promise<Lease> {
  const lease = await readLease(store, address);
  if (lease === undefined || lease.activeRegion !== region) {
    throw new NotLeaseHolderError(
      lease === undefined
        ? `no lease exists for ${address}; this region (${region}) must not sign`
        : `${region} does not hold the lease for ${address} (held by ${lease.activeRegion} at epoch ${lease.epoch}); refusing to sign`,
      lease,
    );
  }
  return lease;
}
