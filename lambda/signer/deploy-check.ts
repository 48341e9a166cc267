// zod/mini, like the rest of the signer: the full zod would quadruple the bundle (docs/benchmarks.md).
import * as z from 'zod/mini';
import { CANARY_SINK_ADDRESS } from '../../lib/contract/canary';
import { DEPLOY_CHECK_KIND, type DeployCheckRequest } from '../../lib/contract/deployment';
import type { TxRequest } from '../shared/signing';

/**
 * The signer's deploy check (lib/contract/deployment.ts): the pre-traffic hook invokes the version
 * under deployment directly with `{ kind: "deploy-check", challenge }`. The version signs a canary
 * transaction through the same code as the canary path (prepare, KMS Sign, low-s, recovery id,
 * serialize) at CANARY_SIGNING_NONCE, with the challenge as its data, and returns it. No ledger read
 * or write, no lease, no nonce, no broadcast: it works in the standby (which holds no lease) and can
 * never produce a transaction valid on chain.
 */
const deployCheckSchema = z.strictObject({
  kind: z.literal(DEPLOY_CHECK_KIND, `must be "${DEPLOY_CHECK_KIND}"`),
  challenge: z.string('must be a string').check(z.regex(/^0x[0-9a-f]{64}$/, 'must be 32 bytes of lower-case 0x-hex')),
});

/** True for an event shaped like a deploy check (anything else is an SQS event for the signer). */
export function isDeployCheckEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { kind?: unknown }).kind === DEPLOY_CHECK_KIND;
}

/** Validates a deploy-check event; throws with what was wrong (the hook reports it as a failed check). */
export function parseDeployCheck(event: unknown): DeployCheckRequest {
  const parsed = deployCheckSchema.safeParse(event);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    throw new Error(`deploy-check event is invalid (${why}); send {"kind":"deploy-check","challenge":"0x<64 hex>"}`);
  }
  return parsed.data as DeployCheckRequest;
}

/** The canary transaction the deploy check signs: a 0-value transfer to the sink, the challenge as data. */
export function deployCheckTxRequest(chainId: number, challenge: `0x${string}`): TxRequest {
  return {
    to: CANARY_SINK_ADDRESS.toLowerCase(),
    value: '0',
    data: challenge,
    gasLimit: '21000',
    maxFeePerGas: '1',
    maxPriorityFeePerGas: '1',
    chainId,
    canary: true,
  };
}
