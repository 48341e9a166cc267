import { CANARY_TX_FLAG } from './canary';
import { DEEP_HEALTH_PATH, HEALTH_PATH } from './health';

/**
 * The regional wallet API's contract as the infrastructure sees it: the stage, the routes, the body
 * limit WAF enforces, and the request model API Gateway validates. The required `Idempotency-Key`
 * header is IDEMPOTENCY_HEADER in lib/contract/canary.ts.
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
 * The handler is the authoritative validator (it returns every problem with a fix); this model
 * only stops malformed requests before they cost an invocation, so it must never reject a body the
 * handler accepts. It therefore checks shapes (hex, decimal strings, an integer chain id, no
 * unknown fields), not ranges, checksums or the fee ordering, and requires only the fields every
 * caller sends: the handler's schema also requires the fee fields and the chain id, while the
 * transaction canary sends `{ to, value, canary: true }` (lib/contract/canary.ts). Tighten
 * `required` once those two agree.
 */
export const TRANSACTION_REQUEST_MODEL = {
  type: 'object',
  required: ['to', 'value'],
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
    [CANARY_TX_FLAG]: { type: 'boolean' },
  },
} as const;

/**
 * The TLS policy clients meet, on the custom domains AND on the REST API itself. API Gateway's
 * "Choose a security policy for your custom domain in API Gateway", Considerations: "Your API can be
 * mapped to a custom domain name that has a different security policy than your API. When you invoke
 * that custom domain name, API Gateway uses the API's security policy to negotiate the TLS
 * handshake." So a domain with an enhanced policy in front of an API left on the legacy default
 * would negotiate the API's (TLS 1.0) policy. Enhanced policies need an endpoint access mode too
 * ("When you use an enhanced security policy, you must also set the endpoint access mode").
 * `npm run verify` checks the result with real handshakes (TLS 1.0/1.1 refused, 1.2/1.3 accepted).
 */
export const API_TLS = {
  securityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
  endpointAccessMode: 'STRICT',
  /** What the policy must accept and refuse, as node:tls names the versions. */
  accepted: ['TLSv1.2', 'TLSv1.3'],
  refused: ['TLSv1', 'TLSv1.1'],
} as const;
