import { createHash } from 'node:crypto';
import { isAddress } from 'viem/utils';
import * as z from 'zod/mini';
import { CANARY_TX_FLAG } from '../../lib/contract/canary';
import { RequestProblem } from './errors';
import type { TxRequest } from './signing';

/**
 * The body of `POST /v1/wallets/{walletId}/transactions`, validated at the edge.
 *
 * zod/mini (the same zod 4, functional API) instead of `zod`: it bundles to ~12 KB instead of ~85 KB
 * and keeps the API handler's cold start small.
 */
const UINT256_MAX = (1n << 256n) - 1n;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** What to do about each field; shown as the "Fix" of a problem. */
export const FIELD_HINTS: Record<string, string> = {
  to: 'send the recipient as a 0x-prefixed 20-byte hex address (all lower-case, all upper-case, or EIP-55 checksummed)',
  value:
    'send the amount in wei as a decimal string, e.g. "1000000000000000000" for 1 ether (JSON numbers lose precision)',
  data: 'send call data as 0x-prefixed hex with an even number of digits, or leave it out for a plain transfer',
  gasLimit: 'send the gas limit as a decimal string between 21000 and 30000000, e.g. "21000" for a plain transfer',
  maxFeePerGas: 'send the max fee per gas in wei as a decimal string, e.g. "30000000000" (30 gwei)',
  maxPriorityFeePerGas:
    'send the priority fee per gas in wei as a decimal string no larger than maxFeePerGas, e.g. "1000000000"',
  chainId: 'send the chain id as a JSON number, the one this deployment signs for',
};

const uint = (min = 0n, max = UINT256_MAX) =>
  z.string().check(
    z.regex(DECIMAL, `must be a decimal string of digits without sign, point or leading zeros`),
    z.refine((v) => !DECIMAL.test(v) || (BigInt(v) >= min && BigInt(v) <= max), {
      message: `must be between ${min} and ${max === UINT256_MAX ? '2^256-1' : max}`,
      path: [],
    }),
  );

export const txRequestSchema = z
  .strictObject({
    to: z.string().check(
      z.regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address'),
      // EIP-55: "all-uppercase or all-lowercase" hex carries no checksum and is valid as is (viem's
      // strict check accepts only the lower-case form, so the upper-case one is admitted here).
      z.refine(
        (v) => !/^0x[0-9a-fA-F]{40}$/.test(v) || /^0x[0-9A-F]{40}$/.test(v) || isAddress(v, { strict: true }),
        'has a wrong EIP-55 checksum',
      ),
      z.refine((v) => !/^0x0{40}$/.test(v), 'is the zero address (funds sent there are burned)'),
    ),
    value: uint(),
    data: z.optional(
      z
        .string()
        .check(
          z.regex(/^0x([0-9a-fA-F]{2})*$/, 'must be 0x-prefixed hex with an even number of digits'),
          z.maxLength(2 + 2 * 8192, 'must be at most 8192 bytes'),
        ),
    ),
    gasLimit: uint(21000n, 30000000n),
    maxFeePerGas: uint(1n),
    maxPriorityFeePerGas: uint(),
    chainId: z.number().check(z.int('must be a whole number'), z.positive('must be greater than 0')),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (DECIMAL.test(body.maxFeePerGas) && DECIMAL.test(body.maxPriorityFeePerGas)) {
        if (BigInt(body.maxPriorityFeePerGas) > BigInt(body.maxFeePerGas)) {
          ctx.addIssue({
            code: 'custom',
            path: ['maxPriorityFeePerGas'],
            message: `must not exceed maxFeePerGas (${body.maxFeePerGas})`,
            input: body.maxPriorityFeePerGas,
          });
        }
      }
    }),
  );

/**
 * The canary transaction body (lib/contract/canary.ts canaryTransactionRequest): `to`, `value` and
 * `canary: true` only. It is never broadcast and never gets a real nonce, so the fees and gas are
 * fixed placeholders and the chain is the deployment's.
 */
export const canaryRequestSchema = z.strictObject({
  to: txRequestSchema.shape.to,
  value: txRequestSchema.shape.value,
  [CANARY_TX_FLAG]: z.literal(true, 'must be true for a canary transaction'),
});

const CANARY_FIELD_HINTS: Record<string, string> = {
  to: FIELD_HINTS.to,
  value: FIELD_HINTS.value,
  [CANARY_TX_FLAG]: 'send "canary": true (lib/contract/canary.ts)',
};

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function toProblems(
  raw: unknown,
  issues: readonly z.core.$ZodIssue[],
  hints: Record<string, string>,
): RequestProblem[] {
  const problems: RequestProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      problems.push({
        field: 'body',
        message: `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
        received: issue.keys,
        fix: `remove it; the accepted fields are ${Object.keys(hints).join(', ')}`,
      });
      continue;
    }
    const field = String(issue.path[0] ?? '');
    const received = valueAt(raw, issue.path);
    problems.push({
      field: `body.${issue.path.map(String).join('.')}`,
      message:
        received === undefined
          ? 'is required'
          : issue.code === 'invalid_type'
            ? `must be a ${issue.expected}`
            : issue.message,
      received,
      fix: hints[field] ?? 'see docs/api.md',
    });
  }
  return problems;
}

const notAnObject = (raw: unknown): RequestProblem[] =>
  raw === null || typeof raw !== 'object' || Array.isArray(raw)
    ? [
        {
          field: 'body',
          message: 'must be a JSON object',
          received: raw,
          fix: 'send {"to":…,"value":…,"gasLimit":…,"maxFeePerGas":…,"maxPriorityFeePerGas":…,"chainId":…}',
        },
      ]
    : [];

/** Validates a canary transaction body; the request carries the deployment's chain id. */
export function parseCanaryRequest(
  raw: unknown,
  chainId: number,
): { ok: true; request: TxRequest } | { ok: false; problems: RequestProblem[] } {
  const shape = notAnObject(raw);
  if (shape.length > 0) return { ok: false, problems: shape };
  const parsed = canaryRequestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: toProblems(raw, parsed.error.issues, CANARY_FIELD_HINTS) };
  return {
    ok: true,
    request: {
      to: parsed.data.to.toLowerCase(),
      value: parsed.data.value,
      gasLimit: '21000',
      maxFeePerGas: '1',
      maxPriorityFeePerGas: '1',
      chainId,
      canary: true,
    },
  };
}

/**
 * Validates and normalizes a parsed body. Returns the request (addresses and hex lower-case) or
 * every problem found.
 */
export function parseTxRequest(
  raw: unknown,
): { ok: true; request: TxRequest } | { ok: false; problems: RequestProblem[] } {
  const shape = notAnObject(raw);
  if (shape.length > 0) return { ok: false, problems: shape };
  const parsed = txRequestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: toProblems(raw, parsed.error.issues, FIELD_HINTS) };
  const b = parsed.data;
  return {
    ok: true,
    request: {
      to: b.to.toLowerCase(),
      value: b.value,
      ...(b.data !== undefined && b.data !== '0x' ? { data: b.data.toLowerCase() } : {}),
      gasLimit: b.gasLimit,
      maxFeePerGas: b.maxFeePerGas,
      maxPriorityFeePerGas: b.maxPriorityFeePerGas,
      chainId: b.chainId,
    },
  };
}

/**
 * SHA-256 of the normalized request with sorted keys: two bodies that mean the same transaction
 * (key order, address case, whitespace) have the same hash; any difference in meaning changes it.
 */
export function requestHash(request: TxRequest): string {
  const canonical = JSON.stringify(
    Object.fromEntries(Object.entries(request).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
  return createHash('sha256').update(canonical).digest('hex');
}
