import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { APPROVAL_DECISIONS, APPROVAL_PATHS, ApprovalView } from '../../lib/contract/approvals';
import { RequestProblem, RequestValidationError, TransactionNotFoundError } from '../shared/errors';
import { bodyText, jsonResponse } from '../shared/http';
import { getTransaction, Ledger, TransactionRecord } from '../shared/ledger';
import { ApprovalElsewhereError, ApprovalForbiddenError } from '../shared/approvals/errors';
import type { Consistency } from '../../lib/contract/ledger';
import { readLease } from '../../lib/failover/lease';
import { approvalSaw } from '../shared/approvals/rule';
import { approve, Enqueue, listPending, reject } from '../shared/approvals/store';

/**
 * The approval routes of the wallet API (lib/contract/approvals.ts), IAM-authorized like every /v1
 * route. The approver is whoever API Gateway verified: `requestContext.identity.userArn` ("the
 * Amazon Resource Name (ARN) of the effective user identified after authentication", API Gateway
 * $context variables); a body never names the principal.
 */

const WALLET_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HASH = /^[0-9a-f]{64}$/;

/** The verified caller of an IAM-authorized request, or undefined (unauthenticated, direct invoke). */
export function callerArn(event: APIGatewayProxyEvent): string | undefined {
  const arn = event.requestContext?.identity?.userArn;
  return typeof arn === 'string' && arn.startsWith('arn:') ? arn : undefined;
}

export function approvalView(tx: TransactionRecord): ApprovalView {
  const saw = approvalSaw(tx);
  return {
    walletId: tx.walletId,
    txId: tx.txId,
    status: tx.status,
    from: tx.address,
    to: saw.to,
    value: saw.value,
    ...(tx.request.data !== undefined ? { data: tx.request.data } : {}),
    chainId: tx.request.chainId,
    gasLimit: saw.gasLimit,
    maxFeePerGas: saw.maxFeePerGas,
    maxPriorityFeePerGas: saw.maxPriorityFeePerGas,
    feeCapWei: saw.feeCapWei,
    requestHash: tx.requestHash,
    initiator: tx.initiator ?? 'unknown',
    createdAt: tx.createdAt,
    expiresAt: tx.approvalExpiresAt ?? '',
    required: tx.approvalRequired ?? 0,
    reasons: tx.approvalReasons ?? [],
    approvals: Object.values(tx.approvals ?? {})
      .map((a) => ({ principal: a.principal, at: a.at }))
      .sort((a, b) => a.at.localeCompare(b.at)),
    ...(tx.rejection !== undefined
      ? { rejection: { principal: tx.rejection.principal, at: tx.rejection.at, reason: tx.rejection.reason } }
      : {}),
  };
}

const PATH = /^\/v1\/wallets\/([^/]+)\/approvals(?:\/([^/]+))?\/?$/;

export interface ApprovalRouteDeps {
  readonly ledger: Ledger;
  /** This region and the table's consistency: under MREC only the lease holder records decisions. */
  readonly region: string;
  readonly consistency: Consistency;
  readonly enqueue: Enqueue;
  readonly now: () => Date;
}

/** Serves the request if it is an approval route; undefined if it is not one. */
export async function serveApprovalRoute(
  event: APIGatewayProxyEvent,
  deps: ApprovalRouteDeps,
): Promise<APIGatewayProxyResult | undefined> {
  const byResource = event.resource === APPROVAL_PATHS.approvals || event.resource === APPROVAL_PATHS.approval;
  const m = PATH.exec(event.path ?? '');
  if (!byResource && m === null) return undefined;
  const walletId = event.pathParameters?.walletId ?? (m ? decodeURIComponent(m[1]) : undefined);
  const txId = event.pathParameters?.txId ?? (m?.[2] !== undefined ? decodeURIComponent(m[2]) : undefined) ?? undefined;
  const problems: RequestProblem[] = [];
  if (walletId === undefined || !WALLET_ID.test(walletId)) {
    problems.push({
      field: 'path walletId',
      message: `must match ${WALLET_ID}`,
      received: walletId,
      fix: 'use the wallet id',
    });
  }
  if (txId !== undefined && !TX_ID.test(txId)) {
    problems.push({
      field: 'path txId',
      message: `must match ${TX_ID}`,
      received: txId,
      fix: 'use the txId from the list',
    });
  }
  if (problems.length > 0 || walletId === undefined) throw new RequestValidationError(problems);

  if (txId === undefined) {
    if (event.httpMethod !== 'GET') return undefined;
    const pending = await listPending(deps.ledger, walletId, deps.now());
    return jsonResponse(200, { walletId, pending: pending.map(approvalView) });
  }
  if (event.httpMethod === 'GET') {
    const tx = await getTransaction(deps.ledger, walletId, txId, true);
    if (tx === undefined || tx.approvalRequired === undefined) throw new TransactionNotFoundError(walletId, txId);
    return jsonResponse(200, approvalView(tx));
  }
  if (event.httpMethod !== 'POST') return undefined;

  const principal = callerArn(event);
  if (principal === undefined) {
    throw new ApprovalForbiddenError(
      'an approval needs the caller verified by IAM (requestContext.identity.userArn is missing). Fix: call the API with SigV4',
    );
  }
  let body: Record<string, unknown> = {};
  const text = bodyText(event);
  try {
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // reported below as missing fields
  }
  if (!APPROVAL_DECISIONS.includes(body.decision as never)) {
    problems.push({
      field: 'body.decision',
      message: `must be one of ${APPROVAL_DECISIONS.join(', ')}`,
      received: body.decision,
      fix: 'send {"decision":"approve","requestHash":"0x..."}',
    });
  }
  if (typeof body.requestHash !== 'string' || !HASH.test(body.requestHash)) {
    problems.push({
      field: 'body.requestHash',
      message: 'must be the request hash shown for the request (64 lower-case hex digits)',
      received: body.requestHash,
      fix: 'copy requestHash from GET of this path (wallet-approve show)',
    });
  }
  if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 500)) {
    problems.push({
      field: 'body.reason',
      message: 'must be text of at most 500 characters',
      received: body.reason,
      fix: 'shorten it',
    });
  }
  if (body.decision === 'reject' && (typeof body.reason !== 'string' || body.reason.trim() === '')) {
    problems.push({
      field: 'body.reason',
      message: 'is required to reject',
      received: body.reason,
      fix: 'say why (it is audited)',
    });
  }
  if (problems.length > 0) throw new RequestValidationError(problems);
  if (deps.consistency === 'MREC') {
    const tx = await getTransaction(deps.ledger, walletId, txId, true);
    if (tx === undefined) throw new TransactionNotFoundError(walletId, txId);
    const lease = await readLease(deps.ledger, tx.address);
    if (lease?.activeRegion !== deps.region) throw new ApprovalElsewhereError(deps.region, lease?.activeRegion);
  }
  const input = {
    walletId,
    txId,
    principal,
    requestHash: body.requestHash as string,
    ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
    now: deps.now(),
    enqueue: deps.enqueue,
  };
  const outcome =
    body.decision === 'approve'
      ? await approve(deps.ledger, input)
      : await reject(deps.ledger, { ...input, reason: body.reason as string });
  const view = approvalView(outcome.tx);
  return jsonResponse(200, {
    decision: body.decision,
    status: outcome.tx.status,
    approvals: view.approvals.length,
    required: view.required,
    view,
  });
}
