import type { APIGatewayProxyEvent } from 'aws-lambda';
import { API_PATHS } from '../../lib/contract/api';
import { IDEMPOTENCY_HEADER } from '../../lib/contract/canary';
import type { ApiHandler } from '../api/handler';
import type { TxRequest } from '../shared/signing';
import type { SweepIntake } from './handler';

/**
 * The sweep goes through the API's own intake code: the API handler (lambda/api/handler.ts
 * createApiHandler, with the same spending gate the API function builds) runs in-process on a
 * `POST /v1/wallets/{walletId}/transactions` event. So a sweep meets exactly what a client request
 * meets: validation, degraded mode, the MREC intake fence, the idempotency claim, the spending policy
 * at intake (cold-only: to the cold address only), the transaction's creation and its signing-queue
 * message; the signer then evaluates the policy again before it signs.
 *
 * `initiator`: the sweeper function's ARN (the API records it as the request's initiator).
 */
export function apiIntake(api: ApiHandler, initiator: () => string): SweepIntake {
  return {
    async submit(walletId, idempotencyKey, request: TxRequest) {
      const event = {
        httpMethod: 'POST',
        resource: API_PATHS.transactions,
        path: `/v1/wallets/${walletId}/transactions`,
        pathParameters: { walletId },
        headers: { [IDEMPOTENCY_HEADER]: idempotencyKey, 'Content-Type': 'application/json' },
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        body: JSON.stringify(request),
        isBase64Encoded: false,
        requestContext: {
          requestId: `sweep-${idempotencyKey}`,
          identity: { userArn: initiator() },
        } as unknown as APIGatewayProxyEvent['requestContext'],
      } as APIGatewayProxyEvent;
      const answer = await api(event);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(answer.body) as Record<string, unknown>;
      } catch {
        // a non-JSON answer: reported by its status code
      }
      const txId = typeof body.txId === 'string' ? body.txId : undefined;
      const error =
        answer.statusCode === 202
          ? undefined
          : typeof body.error === 'object'
            ? JSON.stringify(body.error)
            : answer.body;
      return { statusCode: answer.statusCode, ...(txId ? { txId } : {}), ...(error ? { error } : {}) };
    },
  };
}
