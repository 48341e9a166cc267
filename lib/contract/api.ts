import { z } from 'zod';
import { DEEP_HEALTH_PATH, HEALTH_PATH } from './health';

/**
 * The regional wallet API's contract, shared by the CDK code (API Gateway resources, request
 * validation, WAF) and the runtime code (handlers, canaries, the drill CLI).
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
 * The largest request body the API accepts. The WAF web ACL's AWS Common rule set blocks bodies
 * over 8 KB (its `SizeRestrictions_BODY` rule), so this is enforced at the edge; the handler
 * enforces the same limit so a request that bypasses WAF (e.g. a test invoke) is held to it too.
 */
export const MAX_REQUEST_BODY_BYTES = 8192;

/** A uint256 as a decimal string (JSON numbers lose precision above 2^53). */
const uint256 = (field: string, meaning: string) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,77})$/, `${field} must be a non-negative decimal integer string`)
    .describe(`${meaning}, as a decimal string`);

/**
 * The body of `POST /v1/wallets/{walletId}/transactions`: an EIP-1559 transaction request. The
 * signer fills in the chain id (config), the nonce (lease-fenced allocation) and, when absent,
 * the gas fields. API Gateway validates bodies against the JSON Schema generated from this schema
 * ({@link transactionRequestJsonSchema}); handlers validate with the schema itself.
 */
export const transactionRequestSchema = z
  .object({
    to: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'to must be a 0x-prefixed 20-byte hex address')
      .describe('recipient address'),
    value: uint256('value', 'amount in wei'),
    data: z
      .string()
      .regex(/^0x([0-9a-fA-F]{2})*$/, 'data must be 0x-prefixed hex bytes')
      .max(6146, 'data must be at most 3072 bytes')
      .optional()
      .describe('call data, 0x-prefixed hex (at most 3072 bytes, so the body stays under 8 KB)'),
    gasLimit: uint256('gasLimit', 'gas limit in gas units').optional(),
    maxFeePerGas: uint256('maxFeePerGas', 'EIP-1559 max fee per gas in wei').optional(),
    maxPriorityFeePerGas: uint256('maxPriorityFeePerGas', 'EIP-1559 priority fee per gas in wei').optional(),
  })
  .strict();

export type TransactionRequest = z.infer<typeof transactionRequestSchema>;

/** {@link transactionRequestSchema} as JSON Schema draft 4, the dialect API Gateway models use. */
export function transactionRequestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(transactionRequestSchema, { target: 'draft-04' }) as Record<string, unknown>;
}
