import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { API_PATHS, MAX_REQUEST_BODY_BYTES } from '../../lib/contract/api';
import { IDEMPOTENCY_KEY_PATTERN, REPLAYED_HEADER } from '../../lib/contract/api-wire';
import { CANARY_TX_FLAG, CANARY_WALLET_ID, IDEMPOTENCY_HEADER } from '../../lib/contract/canary';
import type { ApiEnv } from '../shared/env';
import {
  IdempotencyConflictError,
  IntakeNotProvenError,
  MalformedJsonError,
  PayloadTooLargeError,
  RequestProblem,
  RequestValidationError,
  RouteNotFoundError,
  ServiceDegradedError,
  TransactionNotFoundError,
  UnsupportedMediaTypeError,
  WalletError,
  WalletNotActiveError,
  WalletNotFoundError,
} from '../shared/errors';
import { bodyText, errorResponse, header, jsonResponse } from '../shared/http';
import {
  claimIdempotencyKey,
  createTransaction,
  getIdempotencyRecord,
  getTransaction,
  getWallet,
  IdempotencyRecord,
  Ledger,
  TransactionRecord,
} from '../shared/ledger';
import type { Logger } from '../shared/logger';
import { readLease } from '../../lib/failover/lease';
import { chainView } from './chain-view';
import { readRegionControl } from '../../lib/failover/region-control';
import { approvalUnavailable, PolicyRefusedError } from '../shared/policy/errors';
import type { SpendingGate } from '../shared/policy/gate';
import { enqueueForSigning } from '../shared/queue';
import { callerArn, serveApprovalRoute } from './approvals';
import { parseCanaryRequest, parseTxRequest, requestHash } from '../shared/tx-request';

/**
 * Largest accepted request body: the same 8 KB the WAF web ACL enforces in front of the API
 * (lib/contract/api.ts), so a direct invocation is held to the same limit. A withdrawal is a few
 * hundred bytes.
 */
export const MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

export { IDEMPOTENCY_HEADER };
export { REPLAYED_HEADER };

const WALLET_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IDEMPOTENCY_KEY = IDEMPOTENCY_KEY_PATTERN;

/** API Gateway resources (lib/contract/api.ts) by route. */
export const ROUTES = {
  createTransaction: API_PATHS.transactions,
  getTransaction: API_PATHS.transaction,
} as const;

export interface ApiDeps {
  readonly env: ApiEnv;
  readonly ledger: Ledger;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newTxId?: () => string;
  /**
   * The spending policy's early check (lambda/shared/policy/gate.ts): a refusal is 403
   * `policy-refused`. index.ts always sets it (from WALLET_SPENDING_POLICY).
   * @default - no policy check (library tests of intake only)
   */
  readonly spending?: SpendingGate;
  /**
   * HOOK for p-approve (lambda/shared/approvals): stores a request the policy holds for approval as
   * `pending-approval` (created once, like createTransaction; never queued) and returns it.
   * @default - none: a request that needs approval is refused (403 policy-refused), never queued
   */
  readonly holdForApproval?: (candidate: TransactionRecord, reasons: readonly string[]) => Promise<TransactionRecord>;
}

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** What a client sees of a transaction. The signed raw transaction only while it may be broadcast. */
export function transactionView(tx: TransactionRecord) {
  const releasable =
    tx.status === 'signed' || tx.status === 'broadcast' || tx.status === 'mined' || tx.status === 'confirmed';
  return {
    txId: tx.txId,
    walletId: tx.walletId,
    status: tx.status,
    from: tx.address,
    request: tx.request,
    createdAt: tx.createdAt,
    updatedAt: tx.updatedAt,
    ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
    ...(releasable ? { signedRawTransaction: tx.signedRaw, transactionHash: tx.txHash, signedAt: tx.signedAt } : {}),
    ...(tx.broadcastAt !== undefined ? { broadcastAt: tx.broadcastAt } : {}),
    ...(tx.status === 'quarantined' ? { quarantine: { reason: tx.quarantineReason, at: tx.quarantinedAt } } : {}),
    ...chainView(tx),
  };
}

const PATH_ROUTE = /^\/v1\/wallets\/([^/]+)\/transactions(?:\/([^/]+))?\/?$/;

/**
 * The route and path parameters: from the API Gateway resource when it names one of ours, else
 * (a greedy `{proxy+}` resource) from the request path.
 */
function resolveRoute(
  event: APIGatewayProxyEvent,
): { route: keyof typeof ROUTES; event: APIGatewayProxyEvent } | undefined {
  const byResource = (Object.keys(ROUTES) as Array<keyof typeof ROUTES>).find((r) => ROUTES[r] === event.resource);
  let route = byResource;
  let params = event.pathParameters;
  if (route === undefined) {
    const m = PATH_ROUTE.exec(event.path ?? '');
    if (m === null) return undefined;
    route = m[2] === undefined ? 'createTransaction' : 'getTransaction';
    params = {
      walletId: decodeURIComponent(m[1]),
      ...(m[2] === undefined ? {} : { txId: decodeURIComponent(m[2]) }),
    };
  }
  const method = route === 'createTransaction' ? 'POST' : 'GET';
  return event.httpMethod === method ? { route, event: { ...event, pathParameters: params } } : undefined;
}

function pathProblem(name: string, value: string | undefined, pattern: RegExp, fix: string): RequestProblem[] {
  return value !== undefined && pattern.test(value)
    ? []
    : [{ field: `path ${name}`, message: `must match ${pattern}`, received: value, fix }];
}

export function createApiHandler(deps: ApiDeps): ApiHandler {
  const now = deps.now ?? (() => new Date());
  const newTxId = deps.newTxId ?? randomUUID;
  const { env, ledger, logger } = deps;

  async function createTx(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const walletId = event.pathParameters?.walletId;
    const problems: RequestProblem[] = pathProblem(
      'walletId',
      walletId,
      WALLET_ID,
      'use the wallet id you were given (1-64 letters, digits, "-" or "_")',
    );
    const idempotencyKey = header(event, IDEMPOTENCY_HEADER);
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      problems.push({
        field: `header ${IDEMPOTENCY_HEADER}`,
        message:
          idempotencyKey === undefined
            ? 'is required'
            : 'must be 8-128 characters of letters, digits, "_", ".", ":", "-"',
        received: idempotencyKey,
        fix: 'send a unique key per intended transaction, e.g. a UUID, and reuse it only to retry that same request',
      });
    }
    const contentType = header(event, 'Content-Type');
    if (contentType !== undefined && !/^application\/([a-z.+-]*\+)?json\b/i.test(contentType.trim())) {
      throw new UnsupportedMediaTypeError(contentType);
    }
    const text = bodyText(event);
    const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_BODY_BYTES) throw new PayloadTooLargeError(bytes, MAX_BODY_BYTES);
    let raw: unknown;
    if (text === undefined || text.trim() === '') {
      problems.push({
        field: 'body',
        message: 'is required',
        received: undefined,
        fix: 'send the transaction as a JSON object (see docs/api.md)',
      });
    } else {
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new MalformedJsonError((err as Error).message, text);
      }
    }
    let request;
    const canaryFlag =
      raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[CANARY_TX_FLAG] : undefined;
    if (raw !== undefined && walletId === CANARY_WALLET_ID) {
      // The reserved test wallet takes canary transactions only (lib/contract/canary.ts).
      const parsed = parseCanaryRequest(raw, env.chainId);
      if (parsed.ok) request = parsed.request;
      else problems.push(...parsed.problems);
    } else if (raw !== undefined && canaryFlag !== undefined) {
      problems.push({
        field: `body.${CANARY_TX_FLAG}`,
        message: `is only accepted for the canary wallet "${CANARY_WALLET_ID}"`,
        received: canaryFlag,
        fix: `remove "${CANARY_TX_FLAG}" from a real withdrawal`,
      });
    } else if (raw !== undefined) {
      const parsed = parseTxRequest(raw);
      if (parsed.ok) {
        request = parsed.request;
        if (request.chainId !== env.chainId) {
          problems.push({
            field: 'body.chainId',
            message: `must be ${env.chainId}, the chain this deployment signs for`,
            received: request.chainId,
            fix: `send "chainId": ${env.chainId}, or use the deployment for chain ${request.chainId}`,
          });
        }
      } else {
        problems.push(...parsed.problems);
      }
    }
    if (problems.length > 0 || request === undefined || walletId === undefined || idempotencyKey === undefined) {
      throw new RequestValidationError(problems);
    }

    const hash = requestHash(request);
    const at = now().toISOString();
    // A retry of an accepted request is answered from its record FIRST: degraded mode and the MREC
    // intake gate refuse new work, never the replay of work already accepted.
    const known = await getIdempotencyRecord(ledger, walletId, idempotencyKey);
    if (known !== undefined) {
      return answer(walletId, idempotencyKey, known, false, request, hash, at, undefined, undefined, callerArn(event));
    }

    // Degraded mode suspends withdrawals. A canary transaction is not one (never broadcast, signed
    // at a nonce no chain accepts), so it still goes through and keeps measuring the signing path;
    // blocking it would keep region-impaired in ALARM and the degraded mode from ever lifting.
    if (request.canary !== true) {
      const control = await readRegionControl(ledger, env.region, true);
      if (control.degraded) throw new ServiceDegradedError(env.region, control.updatedAt, control.reason);
    }

    const wallet = await activeWallet(walletId);

    // The intake fence: the request records the epoch and region that accepted it. Under MREC a
    // region mints a NEW key only while it holds the lease in an epoch whose reconciliation
    // attributed every nonce the chain used (lease.intakeOpenEpoch): otherwise the key may already
    // have a transaction in a replica it has not seen (issue 15, scenario 2).
    const lease = await readLease(ledger, wallet.address);
    if (env.consistency === 'MREC' && request.canary !== true) {
      if (lease === undefined || lease.activeRegion !== env.region) {
        throw new IntakeNotProvenError(
          env.region,
          lease === undefined
            ? 'no signing lease is visible here'
            : `the signing lease is held by ${lease.activeRegion} at epoch ${lease.epoch}; send new requests to the API name, which points there`,
        );
      }
      if (lease.intakeOpenEpoch !== lease.epoch) {
        throw new IntakeNotProvenError(
          env.region,
          `the lease moved here at epoch ${lease.epoch} and reconciliation has not yet attributed every nonce the chain used to a known request`,
        );
      }
    }

    const claim = await claimIdempotencyKey(ledger, {
      walletId,
      idempotencyKey,
      txId: newTxId(),
      requestHash: hash,
      createdAt: at,
    });
    return answer(
      walletId,
      idempotencyKey,
      claim.record,
      claim.created,
      request,
      hash,
      at,
      wallet.address,
      lease?.epoch,
      callerArn(event),
    );
  }

  async function activeWallet(walletId: string) {
    const wallet = await getWallet(ledger, walletId);
    if (wallet === undefined) throw new WalletNotFoundError(walletId);
    if (wallet.status !== 'active') throw new WalletNotActiveError(walletId, wallet.status);
    return wallet;
  }

  /**
   * Completes and answers a claimed (or already known) key. The idempotency record is the
   * authority; creating the transaction and queueing it are both idempotent, so a request that
   * crashed after the claim is completed by its retry.
   */
  async function answer(
    walletId: string,
    idempotencyKey: string,
    record: IdempotencyRecord,
    created: boolean,
    request: TransactionRecord['request'],
    hash: string,
    at: string,
    knownAddress?: string,
    intakeEpoch?: number,
    initiator?: string,
  ): Promise<APIGatewayProxyResult> {
    const txId = record.txId;
    if (record.requestHash !== hash) {
      const existing = await getTransaction(ledger, walletId, txId, true);
      throw new IdempotencyConflictError(idempotencyKey, existing === undefined ? undefined : txId);
    }
    const stored = await getTransaction(ledger, walletId, txId, true);
    if (stored !== undefined) return accepted(stored, !created, false);
    // The first request claimed the key and stopped before creating its transaction: finish it here.
    const address = knownAddress ?? (await activeWallet(walletId)).address;
    // The spending policy's early check, where a transaction is about to be created (a replay of a
    // created one is answered above, whatever the policy says now).
    const verdict = request.canary === true ? undefined : await deps.spending?.atIntake({ walletId, address, request });
    if (verdict?.kind === 'refuse') throw new PolicyRefusedError(verdict, verdict.policyVersion);
    if (verdict?.kind === 'approval-required' && deps.holdForApproval === undefined) {
      throw new PolicyRefusedError(approvalUnavailable(verdict.reasons), verdict.policyVersion);
    }
    const epoch = intakeEpoch ?? (await readLease(ledger, address))?.epoch;
    const candidate: TransactionRecord = {
      walletId,
      txId,
      address,
      status: 'queued',
      request,
      requestHash: hash,
      idempotencyKey,
      intakeRegion: env.region,
      ...(epoch !== undefined ? { intakeEpoch: epoch } : {}),
      createdAt: record.createdAt,
      updatedAt: at,
      // The caller as API Gateway's IAM authorization verified it (the approval rule's "not the initiator").
      ...(initiator !== undefined ? { initiator } : {}),
    };
    if (verdict?.kind === 'approval-required' && deps.holdForApproval !== undefined) {
      return accepted(await deps.holdForApproval(candidate, verdict.reasons), !created, false);
    }
    const didCreate = await createTransaction(ledger, candidate);
    const tx = didCreate ? candidate : await getTransaction(ledger, walletId, txId, true);
    if (tx === undefined) throw new Error(`transaction ${txId} exists by condition but cannot be read back`);
    return accepted(tx, !created, didCreate);
  }

  async function accepted(tx: TransactionRecord, replayed: boolean, created: boolean): Promise<APIGatewayProxyResult> {
    const { walletId, txId } = tx;
    if (tx.status === 'queued') {
      await enqueueForSigning(deps.sqs, env.signingQueueUrl, { walletId, txId });
    }
    logger.info('transaction accepted', { walletId, txId, replayed, created, status: tx.status });
    const self = `/v1/wallets/${walletId}/transactions/${txId}`;
    return jsonResponse(
      202,
      { txId, walletId, status: tx.status, createdAt: tx.createdAt, links: { self } },
      { Location: self, [REPLAYED_HEADER]: String(replayed) },
    );
  }

  async function getTx(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const walletId = event.pathParameters?.walletId;
    const txId = event.pathParameters?.txId;
    const problems = [
      ...pathProblem('walletId', walletId, WALLET_ID, 'use the wallet id you were given'),
      ...pathProblem('txId', txId, TX_ID, 'use the txId returned when the transaction was created (a lower-case UUID)'),
    ];
    if (problems.length > 0 || walletId === undefined || txId === undefined) {
      throw new RequestValidationError(problems);
    }
    const [wallet, tx] = await Promise.all([getWallet(ledger, walletId), getTransaction(ledger, walletId, txId, true)]);
    if (wallet === undefined) throw new WalletNotFoundError(walletId);
    if (tx === undefined) throw new TransactionNotFoundError(walletId, txId);
    return jsonResponse(200, transactionView(tx));
  }

  return async (event) => {
    const requestId = event.requestContext?.requestId;
    try {
      const approval = await serveApprovalRoute(event, {
        ledger,
        region: env.region,
        consistency: env.consistency,
        now,
        enqueue: (m) => enqueueForSigning(deps.sqs, env.signingQueueUrl, m),
      });
      if (approval !== undefined) return approval;
      const resolved = resolveRoute(event);
      if (resolved?.route === 'createTransaction') return await createTx(resolved.event);
      if (resolved?.route === 'getTransaction') return await getTx(resolved.event);
      throw new RouteNotFoundError(event.httpMethod, event.path);
    } catch (err) {
      if (err instanceof WalletError) {
        logger.info('request refused', { code: err.code, status: err.statusCode, message: err.message });
      } else {
        logger.error('request failed', { error: err as Error, requestId });
      }
      return errorResponse(err, requestId);
    }
  };
}
