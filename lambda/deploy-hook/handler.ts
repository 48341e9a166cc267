import { randomBytes } from 'node:crypto';
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Hex } from 'viem';
import * as z from 'zod/mini';
import { DEPLOY_CHECK_KIND, DEPLOY_HOOK_ENV, type DeployCheckRequest } from '../../lib/contract/deployment';
import type { Logger } from '../shared/logger';
import { addressFromSpki, deployCheckProblems } from './verify';

/**
 * The signer's pre-traffic hook (CodeDeploy `BeforeAllowTraffic`): before any traffic shifts to the
 * new signer version, invoke THAT version's deploy check, verify the signature independently
 * (lambda/deploy-hook/verify.ts) against the key's own address and the configured chain id, and
 * report Succeeded or Failed with PutLifecycleEventHookExecutionStatus. A Failed report stops the
 * deployment and CodeDeploy rolls the alias back: no user request reaches the new code.
 *
 * The hook cannot sign: its role may invoke only the version under deployment, read the key's public
 * key, and report to its deployment group; the key policy denies kms:Sign to every role but the signer's.
 */
export interface DeployHookEnv {
  readonly targetVersionArn: string;
  readonly signingKeyArn: string;
  readonly chainId: number;
}

const envSchema = z.object({
  [DEPLOY_HOOK_ENV.targetVersionArn]: z
    .string('is missing')
    .check(
      z.regex(
        /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+:\d+$/,
        'must be a qualified Lambda version ARN',
      ),
    ),
  [DEPLOY_HOOK_ENV.signingKeyArn]: z
    .string('is missing')
    .check(z.regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/, 'must be a KMS key ARN')),
  [DEPLOY_HOOK_ENV.chainId]: z
    .string('is missing')
    .check(z.regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number')),
});

/** Reads the hook's environment once; every problem in one error. */
export function loadDeployHookEnv(source: Readonly<Record<string, string | undefined>>): DeployHookEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const why = parsed.error.issues
      .map((i) => `${String(i.path[0])} ${i.message} (received ${JSON.stringify(source[String(i.path[0])])})`)
      .join('; ');
    throw new Error(`deploy hook: environment problems: ${why}. Fix: redeploy the stack, which sets them`);
  }
  return {
    targetVersionArn: parsed.data[DEPLOY_HOOK_ENV.targetVersionArn],
    signingKeyArn: parsed.data[DEPLOY_HOOK_ENV.signingKeyArn],
    chainId: Number(parsed.data[DEPLOY_HOOK_ENV.chainId]),
  };
}

/** What CodeDeploy sends a Lambda lifecycle hook. */
const hookEventSchema = z.object({
  DeploymentId: z.string().check(z.minLength(1)),
  LifecycleEventHookExecutionId: z.string().check(z.minLength(1)),
});

export interface DeployHookDeps {
  readonly env: DeployHookEnv;
  readonly lambda: LambdaClient;
  readonly codeDeploy: CodeDeployClient;
  readonly kms: KMSClient;
  readonly logger: Logger;
  /** @default 32 random bytes */
  readonly challenge?: () => Hex;
}

export type HookVerdict = { readonly status: 'Succeeded' } | { readonly status: 'Failed'; readonly problems: string[] };

export function createDeployHook(deps: DeployHookDeps) {
  const { env, logger } = deps;
  const challenge = deps.challenge ?? ((): Hex => `0x${randomBytes(32).toString('hex')}`);

  /** Runs the check; never throws (an error is a failed check with its reason). */
  async function check(): Promise<HookVerdict> {
    try {
      const key = await deps.kms.send(new GetPublicKeyCommand({ KeyId: env.signingKeyArn }));
      if (key.PublicKey === undefined) return { status: 'Failed', problems: ['GetPublicKey returned no public key'] };
      const address = addressFromSpki(key.PublicKey);
      const request: DeployCheckRequest = { kind: DEPLOY_CHECK_KIND, challenge: challenge() };
      const out = await deps.lambda.send(
        new InvokeCommand({
          FunctionName: env.targetVersionArn,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(request)),
        }),
      );
      const body = out.Payload === undefined ? '' : Buffer.from(out.Payload).toString('utf8');
      if (out.FunctionError !== undefined) {
        return {
          status: 'Failed',
          problems: [`the version failed the deploy check (${out.FunctionError}): ${body.slice(0, 300)}`],
        };
      }
      let answer: unknown;
      try {
        answer = JSON.parse(body);
      } catch {
        return { status: 'Failed', problems: [`the version's answer is not JSON: ${body.slice(0, 200)}`] };
      }
      const problems = await deployCheckProblems(answer, {
        address,
        chainId: env.chainId,
        challenge: request.challenge,
      });
      return problems.length === 0 ? { status: 'Succeeded' } : { status: 'Failed', problems };
    } catch (err) {
      return {
        status: 'Failed',
        problems: [`the deploy check could not run: ${(err as Error).name}: ${(err as Error).message}`],
      };
    }
  }

  /**
   * The Lambda handler. Reporting is the one step allowed to throw: if the report is lost, Lambda
   * retries the asynchronous invocation and the check runs and reports again; if it never arrives,
   * CodeDeploy fails the deployment when the hook times out (1 hour) and rolls back.
   */
  async function handler(event: unknown): Promise<HookVerdict> {
    const parsed = hookEventSchema.safeParse(event);
    if (!parsed.success) {
      // Without the ids there is nothing to report to; CodeDeploy never sends this.
      logger.error('not a CodeDeploy lifecycle hook event; ignoring it', {
        event: JSON.stringify(event).slice(0, 300),
      });
      return { status: 'Failed', problems: ['not a CodeDeploy lifecycle hook event'] };
    }
    const verdict = await check();
    const ids = {
      deploymentId: parsed.data.DeploymentId,
      lifecycleEventHookExecutionId: parsed.data.LifecycleEventHookExecutionId,
    };
    if (verdict.status === 'Succeeded') logger.info('deploy check passed', { ...ids, version: env.targetVersionArn });
    else
      logger.error('deploy check failed; the deployment will roll back', {
        ...ids,
        version: env.targetVersionArn,
        problems: verdict.problems,
      });
    try {
      await deps.codeDeploy.send(new PutLifecycleEventHookExecutionStatusCommand({ ...ids, status: verdict.status }));
    } catch (err) {
      // A retried invocation whose first report did arrive (its response was lost): already done.
      if ((err as Error).name !== 'LifecycleEventAlreadyCompletedException') throw err;
      logger.warn('the lifecycle event was already reported; nothing to do', ids);
    }
    return verdict;
  }

  return { handler, check };
}
