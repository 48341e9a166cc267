import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../../../lib/contract/ledger';
import {
  conditionalUpdate,
  createTransaction,
  getTransaction,
  getWallet,
  Ledger,
  listTransactionsByStatus,
  putAudit,
  statusUpdate,
  TransactionRecord,
} from '../ledger';
import { TransactionNotFoundError } from '../errors';
import { ApprovalForbiddenError, ApprovalRefusedError } from './errors';
import { approvalSaw, countApprovals, principalKey } from './rule';
import type { ApprovalRecord, ApprovalSettings, RejectionRecord } from './types';

/**
 * Approval writes on the ledger. Every state change is one conditional UpdateItem on the
 * transaction item (MRSC tables have no TransactWriteItems):
 *
 * - approve: `SET approvals.<principal>` only while `status = pending-approval`, the request hash is
 *   the one the approver saw, the request has not expired, the principal has not approved it yet and
 *   is not the initiator. A lost reply (the SDK retry fails its own condition) is told apart by the
 *   write token.
 * - promote: pending-approval -> queued only while still pending: exactly one caller moves it; every
 *   caller that finds it queued (re)sends the signing message, which SQS FIFO deduplicates and the
 *   signer treats idempotently per txId, so a crash between the two is finished by the next call.
 * - reject / expire: pending-approval -> rejected | expired, same condition style.
 *
 * Each decision's audit item (putAudit, `AUDIT#approval#<walletId>#<txId>`) has a key derived from
 * the stored record (its time and token), so a retry that finds its record re-puts the same key and
 * a crash between the two writes is completed, never duplicated.
 */

export const PENDING = 'pending-approval' as const;

export type Enqueue = (message: { walletId: string; txId: string }) => Promise<unknown>;

export interface DecisionInput {
  readonly walletId: string;
  readonly txId: string;
  /** The verified caller (API Gateway `requestContext.identity.userArn`). */
  readonly principal: string;
  readonly requestHash: string;
  readonly reason?: string;
  readonly now: Date;
  readonly enqueue: Enqueue;
}

export interface DecisionOutcome {
  readonly tx: TransactionRecord;
  /** False when this call found its own earlier write (a retry after a lost reply). */
  readonly fresh: boolean;
}

const auditSubject = (walletId: string, txId: string) => `approval#${walletId}#${txId}`;

async function readTx(ledger: Ledger, walletId: string, txId: string): Promise<TransactionRecord> {
  const tx = await getTransaction(ledger, walletId, txId, true);
  if (tx === undefined) throw new TransactionNotFoundError(walletId, txId);
  return tx;
}

async function auditOnce(ledger: Ledger, tx: TransactionRecord, at: string, id: string, record: object) {
  try {
    await putAudit(ledger, auditSubject(tx.walletId, tx.txId), at, id, { ...record });
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err; // already audited
  }
}

/** pending-approval -> expired once its time is up (conditional; false if it moved on). */
export async function expireIfDue(ledger: Ledger, tx: TransactionRecord, now: Date): Promise<boolean> {
  if (tx.status !== PENDING || tx.approvalExpiresAt === undefined || now.toISOString() < tx.approvalExpiresAt) {
    return false;
  }
  const at = now.toISOString();
  const applied = await conditionalUpdate(
    ledger,
    statusUpdate(ledger, tx, 'expired', at, { expiredAt: at }, '#status = :pending AND approvalExpiresAt <= :now', {
      ':pending': PENDING,
      ':now': at,
    }),
  );
  if (applied) {
    await auditOnce(ledger, tx, at, 'expired', {
      decision: 'expired',
      walletId: tx.walletId,
      txId: tx.txId,
      expiresAt: tx.approvalExpiresAt,
      saw: approvalSaw(tx),
    });
  }
  return applied;
}

/** Refuses a decision on `tx` for a reason a caller can act on (after expiring it if its time is up). */
async function refuseIfClosed(ledger: Ledger, tx: TransactionRecord, input: DecisionInput): Promise<void> {
  if (await expireIfDue(ledger, tx, input.now)) {
    throw new ApprovalRefusedError(
      'expired',
      `request ${tx.txId} expired at ${tx.approvalExpiresAt}; nothing was recorded. The client must submit it again`,
    );
  }
  if (tx.approvalRequired === undefined) {
    throw new ApprovalRefusedError(
      tx.status,
      `request ${tx.txId} does not need approval (it was never held for it); nothing was recorded`,
    );
  }
  if (tx.status !== PENDING) {
    const why: Record<string, string> = {
      expired: `it expired at ${tx.approvalExpiresAt}`,
      rejected: `it was rejected by ${tx.rejection?.principal} at ${tx.rejection?.at}`,
      queued: 'it has its approvals already and is queued for signing',
    };
    throw new ApprovalRefusedError(
      tx.status,
      `request ${tx.txId} is ${tx.status}, not pending-approval: ${why[tx.status] ?? 'it is past approval'}; nothing was recorded`,
    );
  }
  if (tx.requestHash !== input.requestHash) {
    throw new ApprovalRefusedError(
      tx.status,
      `request ${tx.txId} has hash ${tx.requestHash}; the decision names ${input.requestHash}. Fix: show it again and decide on what it is now`,
    );
  }
}

/**
 * Finishes an approved request: audit the principal's approval (idempotent), move it to queued if
 * the rule is satisfied, and send the signing message whenever it is queued.
 */
async function finish(ledger: Ledger, tx: TransactionRecord, record: ApprovalRecord | undefined, input: DecisionInput) {
  if (record !== undefined) {
    await auditOnce(ledger, tx, record.at, `approve-${record.token}`, {
      decision: 'approve',
      walletId: tx.walletId,
      txId: tx.txId,
      actor: record.principal,
      initiator: tx.initiator,
      saw: record.saw,
      ...(record.reason !== undefined ? { reason: record.reason } : {}),
    });
  }
  let current = tx;
  if (current.status === PENDING && countApprovals(current, current.approvalRequired ?? 0).satisfied) {
    const at = input.now.toISOString();
    await conditionalUpdate(
      ledger,
      statusUpdate(ledger, current, 'queued', at, { approvedAt: at }, '#status = :pending AND requestHash = :h', {
        ':pending': PENDING,
        ':h': current.requestHash,
      }),
    );
    current = await readTx(ledger, tx.walletId, tx.txId);
  }
  if (current.status === 'queued') await input.enqueue({ walletId: current.walletId, txId: current.txId });
  return current;
}

/** Records `input.principal`'s approval of exactly `input.requestHash` (see the module comment). */
export async function approve(ledger: Ledger, input: DecisionInput): Promise<DecisionOutcome> {
  const key = principalKey(input.principal);
  let tx = await readTx(ledger, input.walletId, input.txId);
  const earlier = tx.approvals?.[key];
  if (earlier !== undefined) {
    await finish(ledger, tx, earlier, input); // an earlier call may have stopped before its audit or the queue
    throw new ApprovalForbiddenError(
      `${input.principal} already approved request ${tx.txId} at ${earlier.at}; a second approval must come from another principal`,
    );
  }
  await refuseIfClosed(ledger, tx, input);
  if (tx.initiator === undefined || principalKey(tx.initiator) === key) {
    throw new ApprovalForbiddenError(
      tx.initiator === undefined
        ? `request ${tx.txId} records no initiator, so no approval can be shown to come from someone else; cancel it and submit it again`
        : `${input.principal} submitted request ${tx.txId}; the initiator may not approve it. Fix: ask two other approvers`,
    );
  }
  const at = input.now.toISOString();
  const record: ApprovalRecord = {
    principal: input.principal,
    at,
    token: randomUUID(),
    saw: approvalSaw(tx),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
  };
  let fresh = true;
  try {
    await ledger.ddb.send(
      new UpdateCommand({
        TableName: ledger.tableName,
        Key: ledgerKeys.transaction(tx.walletId, tx.txId),
        UpdateExpression: 'SET approvals.#p = :rec, updatedAt = :at',
        ConditionExpression:
          '#status = :pending AND requestHash = :h AND approvalExpiresAt > :at AND attribute_not_exists(approvals.#p) AND approvalInitiator <> :p',
        ExpressionAttributeNames: { '#status': 'status', '#p': key },
        ExpressionAttributeValues: {
          ':rec': record,
          ':at': at,
          ':pending': PENDING,
          ':h': input.requestHash,
          ':p': key,
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    tx = await readTx(ledger, input.walletId, input.txId);
    if (tx.approvals?.[key]?.token !== record.token) {
      // Someone else's write got in between (a reject, the expiry, our own earlier approval): say which.
      if (tx.approvals?.[key] !== undefined) {
        throw new ApprovalForbiddenError(
          `${input.principal} already approved request ${tx.txId} at ${tx.approvals[key].at}`,
        );
      }
      await refuseIfClosed(ledger, tx, input);
      throw new ApprovalRefusedError(
        tx.status,
        `request ${tx.txId} changed while recording the approval; show it again`,
      );
    }
    fresh = false; // our write applied and its reply was lost
  }
  tx = await readTx(ledger, input.walletId, input.txId);
  return { tx: await finish(ledger, tx, record, input), fresh };
}

/** Records a rejection: pending-approval -> rejected (the request ends there). */
export async function reject(
  ledger: Ledger,
  input: DecisionInput & { readonly reason: string },
): Promise<DecisionOutcome> {
  let tx = await readTx(ledger, input.walletId, input.txId);
  await refuseIfClosed(ledger, tx, input);
  const at = input.now.toISOString();
  const rejection: RejectionRecord = {
    principal: input.principal,
    at,
    token: randomUUID(),
    reason: input.reason,
    saw: approvalSaw(tx),
  };
  let fresh = true;
  const applied = await conditionalUpdate(
    ledger,
    statusUpdate(
      ledger,
      tx,
      'rejected',
      at,
      { rejection },
      '#status = :pending AND requestHash = :h AND approvalExpiresAt > :at2',
      {
        ':pending': PENDING,
        ':h': input.requestHash,
        ':at2': at,
      },
    ),
  );
  tx = await readTx(ledger, input.walletId, input.txId);
  if (!applied) {
    if (tx.rejection?.token !== rejection.token) {
      await refuseIfClosed(ledger, tx, input);
      throw new ApprovalRefusedError(
        tx.status,
        `request ${tx.txId} changed while recording the rejection; show it again`,
      );
    }
    fresh = false;
  }
  await auditOnce(ledger, tx, at, `reject-${rejection.token}`, {
    decision: 'reject',
    walletId: tx.walletId,
    txId: tx.txId,
    actor: rejection.principal,
    initiator: tx.initiator,
    reason: rejection.reason,
    saw: rejection.saw,
  });
  return { tx, fresh };
}

/** A wallet's requests waiting for approval (gsi1, eventually consistent); the expired ones are moved to expired. */
export async function listPending(ledger: Ledger, walletId: string, now: Date): Promise<TransactionRecord[]> {
  const wallet = await getWallet(ledger, walletId);
  if (wallet === undefined) return [];
  const out: TransactionRecord[] = [];
  for (const tx of await listTransactionsByStatus(ledger, wallet.address, PENDING)) {
    if (tx.walletId !== walletId) continue;
    if (await expireIfDue(ledger, tx, now)) continue;
    out.push(tx);
  }
  return out;
}

/**
 * Stores a request the policy holds for approval: the candidate transaction (with its `initiator`)
 * as `pending-approval`, with the count and expiry of `settings` and the policy's reasons, created
 * once (`attribute_not_exists`, like createTransaction) and never queued. Returns what is stored
 * (the first writer's item on a retry). Refuses when the initiator is unknown: "neither the
 * initiator" could not be checked.
 */
export async function holdForApproval(
  ledger: Ledger,
  candidate: TransactionRecord,
  reasons: readonly string[],
  settings: ApprovalSettings,
): Promise<TransactionRecord> {
  if (candidate.initiator === undefined) {
    throw new ApprovalForbiddenError(
      'this request needs two-person approval, and approval needs the initiator known; the caller has no verified identity. Fix: call the API with SigV4 (IAM authorization)',
    );
  }
  const held: TransactionRecord = {
    ...candidate,
    status: PENDING,
    approvalRequired: settings.required,
    approvalExpiresAt: new Date(Date.parse(candidate.createdAt) + settings.expiresAfterHours * 3_600_000).toISOString(),
    approvalReasons: [...reasons],
    approvalInitiator: principalKey(candidate.initiator),
    approvals: {},
  };
  if (await createTransaction(ledger, held)) return held;
  return readTx(ledger, candidate.walletId, candidate.txId);
}

/**
 * The signer's approval check for the policy engine (lambda/shared/policy/gate.ts `ApprovalCheck`):
 * true only when the approvals recorded on the transaction satisfy the rule, with the larger of
 * the count recorded at intake and the count in force now.
 */
export function approvalCheck(ledger: Ledger, settings: () => ApprovalSettings | undefined) {
  return {
    async approved(ref: { walletId: string; txId: string }): Promise<boolean> {
      const tx = await getTransaction(ledger, ref.walletId, ref.txId, true);
      if (tx === undefined || tx.initiator === undefined) return false;
      const required = Math.max(tx.approvalRequired ?? 0, settings()?.required ?? 0);
      return countApprovals(tx, required).satisfied;
    },
  };
}
