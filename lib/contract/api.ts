import { DEEP_HEALTH_PATH, HEALTH_PATH } from './health';

/**
 * The regional wallet API's contract as the infrastructure sees it: the stage, the routes, the
 * required header, the body limit WAF enforces, and the request model API Gateway validates.
 */

/** The one stage of each regional REST API. A custom domain's base path mapping points at it. */
export const API_STAGE_NAME = 'live';

/** Resource paths, as API Gateway and the handlers' routers name them. */
export const API_PATHS = {
  health: HEALTH_PATH,
  deepHealth: DEEP_HEALTH_PATH,
  transactions: '/v1/wallets/{walletId}/transactions',
  transaction: '/v1/wallets/{walletId}/transactions/{txId}',
} as const;

/** Required on `POST /v1/wallets/{walletId}/transactions`: the same key twice returns the same transaction. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The largest request body that reaches the API: the WAF web ACL's AWS Common rule set blocks
 * bodies over 8 KB (its `SizeRestrictions_BODY` rule, kept in block mode). A handler limit above
 * this is never reached through the API.
 */
export const MAX_REQUEST_BODY_BYTES = 8192;

const DECIMAL = '^(0|[1-9][0-9]*)$';

/**
 * The API Gateway model (JSON Schema draft 4) of the `POST /v1/wallets/{walletId}/transactions`
 * body: an EIP-1559 transaction request.
 *
 * It mirrors the handler's schema (field names, required fields, no other fields) and is
 * deliberately looser: it checks shapes (hex, decimal strings, an integer chain id), not ranges,
 * checksums or the fee ordering. The handler is the authoritative validator and returns every
 * problem with a fix; the edge model only stops malformed requests before they cost an invocation.
 * It must never reject a body the handler accepts: change both together.
 */
export const TRANSACTION_REQUEST_MODEL = {
  type: 'object',
  required: ['to', 'value', 'gasLimit', 'maxFeePerGas', 'maxPriorityFeePerGas', 'chainId'],
  additionalProperties: false,
  properties: {
    to: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
    // uint256 has at most 78 decimal digits.
    value: { type: 'string', pattern: DECIMAL, maxLength: 78 },
    data: { type: 'string', pattern: '^0x([0-9a-fA-F]{2})*$', maxLength: 2 + 2 * 8192 },
    gasLimit: { type: 'string', pattern: DECIMAL, maxLength: 78 },
    maxFeePerGas: { type: 'string', pattern: DECIMAL, maxLength: 78 },
    maxPriorityFeePerGas: { type: 'string', pattern: DECIMAL, maxLength: 78 },
    chainId: { type: 'integer', minimum: 1 },
  },
} as const;
