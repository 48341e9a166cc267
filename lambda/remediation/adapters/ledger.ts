import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../../../lib/contract/ledger';
import { changeRegionControl, readRegionControl } from '../../../lib/failover/region-control';
import {
  AuditLog,
  ClaimHolder,
  FailoverBudget,
  FailoverBudgetConflictError,
  FailoverBudgetExhaustedError,
  FailoverRecord,
  RegionControl,
  RegionControlState,
  TransitionClaims,
} from '../ports';

/** DynamoDB implementations of the remediation ports, all on the ledger table (single-table design). */
export interface LedgerStore {
  readonly ddb: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** How many past failovers the budget item keeps (the audit records keep all of them). */
const BUDGET_HISTORY = 20;

export function ledgerClaims(store: LedgerStore, deciderRegion: string): TransitionClaims {
  const key = (transitionId: string) => ledgerKeys.remediationClaim(deciderRegion, transitionId);
  return {
    async claim(transitionId, requestId, now, expiresAt) {
      try {
        await store.ddb.send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              ...key(transitionId),
              kind: 'remediation-claim',
              transitionId,
              status: 'in-progress',
              requestId,
              claimedAt: now.toISOString(),
              expiresAt: expiresAt.getTime(),
            },
            // New, or a retry taking over a failed claim, or one whose holder ran out of time.
            ConditionExpression:
              'attribute_not_exists(pk) OR #status = :failed OR (#status = :inProgress AND expiresAt < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed', ':inProgress': 'in-progress', ':now': now.getTime() },
          }),
        );
        return { claimed: true } as const;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const res = await store.ddb.send(
          new GetCommand({ TableName: store.tableName, Key: key(transitionId), ConsistentRead: true }),
        );
        const item = res.Item;
        return {
          claimed: false,
          ...(item !== undefined
            ? {
                holder: {
                  status: item.status as ClaimHolder['status'],
                  requestId: String(item.requestId),
                  claimedAt: String(item.claimedAt),
                  ...(item.verdict !== undefined ? { verdict: String(item.verdict) } : {}),
                },
              }
            : {}),
        } as const;
      }
    },
    async complete(transitionId, requestId, verdict) {
      await store.ddb.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: key(transitionId),
          UpdateExpression: 'SET #status = :done, verdict = :verdict',
          ConditionExpression: 'requestId = :me',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'done', ':verdict': verdict, ':me': requestId },
        }),
      );
    },
    async release(transitionId, requestId, error) {
      await store.ddb.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: key(transitionId),
          UpdateExpression: 'SET #status = :failed, lastError = :error',
          ConditionExpression: 'requestId = :me',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':error': error.slice(0, 2000), ':me': requestId },
        }),
      );
    },
  };
}

interface BudgetItem {
  readonly entries: FailoverRecord[];
  readonly version: number;
}

async function readBudget(store: LedgerStore): Promise<BudgetItem | undefined> {
  const res = await store.ddb.send(
    new GetCommand({ TableName: store.tableName, Key: ledgerKeys.failoverBudget(), ConsistentRead: true }),
  );
  if (res.Item === undefined) return undefined;
  return { entries: (res.Item.entries ?? []) as FailoverRecord[], version: Number(res.Item.version) };
}

export function ledgerFailoverBudget(store: LedgerStore): FailoverBudget {
  return {
    async recent() {
      return (await readBudget(store))?.entries ?? [];
    },
    async reserve(record, windowMinutes, max, now) {
      const current = await readBudget(store);
      const entries = current?.entries ?? [];
      if (entries.some((e) => e.transitionId === record.transitionId)) return;
      const windowStart = now.getTime() - windowMinutes * 60000;
      const inWindow = entries.filter((e) => new Date(e.at).getTime() >= windowStart);
      if (inWindow.length >= max) {
        throw new FailoverBudgetExhaustedError(
          `${inWindow.length} automatic failover(s) already in the last ${windowMinutes} min (limit ${max}): ${inWindow.map((e) => e.at).join(', ')}`,
        );
      }
      try {
        await store.ddb.send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              ...ledgerKeys.failoverBudget(),
              kind: 'failover-budget',
              entries: [...entries, record].slice(-BUDGET_HISTORY),
              version: (current?.version ?? 0) + 1,
              updatedAt: now.toISOString(),
            },
            ConditionExpression: current === undefined ? 'attribute_not_exists(pk)' : 'version = :seen',
            ...(current === undefined ? {} : { ExpressionAttributeValues: { ':seen': current.version } }),
          }),
        );
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) {
          throw new FailoverBudgetConflictError(
            'the failover budget changed while reserving (another failover is being decided); not acting',
          );
        }
        throw err;
      }
    },
  };
}

/** The region-control port, through the item's one reader and writer (lib/failover/region-control.ts). */
export function ledgerRegionControl(store: LedgerStore, now: () => Date = () => new Date()): RegionControl {
  return {
    async get(region) {
      const control = await readRegionControl(store, region, true);
      if (!control.exists) return undefined;
      const state: RegionControlState = {
        region,
        degraded: control.degraded,
        ...(control.reason !== undefined ? { reason: control.reason } : {}),
        ...(control.setBy !== undefined ? { setBy: control.setBy } : {}),
        ...(control.updatedAt !== undefined ? { updatedAt: control.updatedAt } : {}),
      };
      return state;
    },
    async setDegraded(region, degraded, reason, actor, options = {}) {
      const change = await changeRegionControl(store, {
        region,
        degraded,
        reason,
        actor,
        now: now(),
        // The remediation role may write audit items only under its own subject.
        auditSubject: `remediation#${region}`,
        ...(options.onlyIfSetByPrefix !== undefined ? { onlyIfSetByPrefix: options.onlyIfSetByPrefix } : {}),
      });
      return { changed: change.outcome === 'changed' };
    },
  };
}

export function ledgerAudit(store: LedgerStore, region: string): AuditLog {
  return {
    async write(record, at, id) {
      const key = ledgerKeys.audit(`remediation#${region}`, at.toISOString(), id);
      await store.ddb.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { ...key, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return key;
    },
  };
}
