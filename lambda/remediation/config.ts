import * as z from 'zod/mini';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';
import { RemediationContext } from './decide';

// zod/mini (the same zod 4, functional API), as in lambda/shared/tx-request.ts: the classic `zod`
// build alone put the remediation bundle over the 500 KB handler target (test/bundling).

export interface RemediationConfig extends RemediationContext {
  readonly tableName: string;
  readonly topicArn: string;
  /** Standby only: this region's copy of the signing key, read with kms:GetPublicKey for the address. */
  readonly signingKeyArn?: string;
  /**
   * Standby only: the queues of the hand-off after a lease move (lib/failover/handoff.ts). Absent:
   * no automatic hand-off (the operator runs `wallet-ops hand-off`).
   */
  readonly handOffQueues?: {
    readonly signingQueueUrl: string;
    readonly deadLetterQueueUrl: string;
    readonly peerDeadLetterQueueUrl: string;
  };
}

const matching = (pattern: RegExp, message: string) => z.string().check(z.regex(pattern, message));
const region = matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'is not a region code (e.g. "us-east-2")');
const wholeNumber = z.pipe(
  matching(/^[1-9]\d*$/, 'is not a whole number of 1 or more'),
  z.transform((v: string) => Number(v)),
);
const nonEmpty = z.string().check(z.minLength(1, 'is empty'));
const queueUrl = matching(/^https:\/\/\S+\/\d{12}\/[\w-]+(\.fifo)?$/, 'is not an SQS queue URL');

const schema = z.object({
  AWS_REGION: region,
  [RUNTIME_ENV.envName]: nonEmpty,
  [RUNTIME_ENV.tableName]: nonEmpty,
  [RUNTIME_ENV.regionRole]: z.enum(['primary', 'standby'], 'must be "primary" or "standby"'),
  [RUNTIME_ENV.primaryRegion]: region,
  [RUNTIME_ENV.standbyRegion]: region,
  [RUNTIME_ENV.consistency]: z.enum(['MRSC', 'MREC'], 'must be "MRSC" or "MREC"'),
  [RUNTIME_ENV.notificationTopicArn]: matching(
    /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/,
    'is not an SNS topic ARN',
  ),
  [RUNTIME_ENV.remediationMode]: z.enum(['auto', 'notify-only'], 'must be "auto" or "notify-only"'),
  [RUNTIME_ENV.maxFailoversPerWindow]: wholeNumber,
  [RUNTIME_ENV.failoverWindowMinutes]: wholeNumber,
  [RUNTIME_ENV.signingKeyArn]: z.optional(
    matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'is not a KMS key ARN'),
  ),
  [RUNTIME_ENV.signingQueueUrl]: z.optional(queueUrl),
  [RUNTIME_ENV.signingDeadLetterQueueUrl]: z.optional(queueUrl),
  [RUNTIME_ENV.peerSigningDeadLetterQueueUrl]: z.optional(queueUrl),
});

/**
 * Reads the remediation function's environment once, at start. Every problem is reported at once
 * with the variable, the value received, and what the CDK remediation construct must set.
 */
export function loadRemediationConfig(env: Readonly<Record<string, string | undefined>>): RemediationConfig {
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      problems.push(
        `${name} ${issue.code === 'invalid_type' ? 'is not set' : issue.message} (received ${JSON.stringify(env[name])})`,
      );
    }
  } else {
    const e = parsed.data;
    const self = e.AWS_REGION;
    const expected =
      e[RUNTIME_ENV.regionRole] === 'primary' ? e[RUNTIME_ENV.primaryRegion] : e[RUNTIME_ENV.standbyRegion];
    if (self !== expected) {
      problems.push(
        `${RUNTIME_ENV.regionRole} is "${e[RUNTIME_ENV.regionRole]}" but the function runs in ${self}, not ${expected} (received AWS_REGION ${JSON.stringify(self)})`,
      );
    }
    if (e[RUNTIME_ENV.primaryRegion] === e[RUNTIME_ENV.standbyRegion]) {
      problems.push(
        `${RUNTIME_ENV.primaryRegion} and ${RUNTIME_ENV.standbyRegion} are the same region (received ${JSON.stringify(e[RUNTIME_ENV.primaryRegion])})`,
      );
    }
    const queues = [
      RUNTIME_ENV.signingQueueUrl,
      RUNTIME_ENV.signingDeadLetterQueueUrl,
      RUNTIME_ENV.peerSigningDeadLetterQueueUrl,
    ] as const;
    const set = queues.filter((q) => e[q] !== undefined);
    if (set.length !== 0 && set.length !== queues.length) {
      problems.push(`the hand-off needs all of ${queues.join(', ')} or none; received only ${set.join(', ')}`);
    }
    if (e[RUNTIME_ENV.regionRole] === 'standby' && e[RUNTIME_ENV.signingKeyArn] === undefined) {
      problems.push(
        `${RUNTIME_ENV.signingKeyArn} is not set (received undefined); the standby's remediation needs it to find the signing lease`,
      );
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new Error(
      `remediation: invalid environment: ${problems.join('; ')}. The CDK remediation construct sets these (lib/contract/runtime-env.ts RUNTIME_ENV).`,
    );
  }
  const e = parsed.data;
  return {
    envName: e[RUNTIME_ENV.envName],
    region: e.AWS_REGION,
    role: e[RUNTIME_ENV.regionRole],
    primaryRegion: e[RUNTIME_ENV.primaryRegion],
    standbyRegion: e[RUNTIME_ENV.standbyRegion],
    consistency: e[RUNTIME_ENV.consistency],
    mode: e[RUNTIME_ENV.remediationMode],
    maxFailoversPerWindow: e[RUNTIME_ENV.maxFailoversPerWindow],
    windowMinutes: e[RUNTIME_ENV.failoverWindowMinutes],
    tableName: e[RUNTIME_ENV.tableName],
    topicArn: e[RUNTIME_ENV.notificationTopicArn],
    ...(e[RUNTIME_ENV.signingKeyArn] !== undefined ? { signingKeyArn: e[RUNTIME_ENV.signingKeyArn] } : {}),
    ...(e[RUNTIME_ENV.signingQueueUrl] !== undefined &&
    e[RUNTIME_ENV.signingDeadLetterQueueUrl] !== undefined &&
    e[RUNTIME_ENV.peerSigningDeadLetterQueueUrl] !== undefined
      ? {
          handOffQueues: {
            signingQueueUrl: e[RUNTIME_ENV.signingQueueUrl] as string,
            deadLetterQueueUrl: e[RUNTIME_ENV.signingDeadLetterQueueUrl] as string,
            peerDeadLetterQueueUrl: e[RUNTIME_ENV.peerSigningDeadLetterQueueUrl] as string,
          },
        }
      : {}),
  };
}
