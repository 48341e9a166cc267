import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { WalletConfig } from '../config/schema';
import {
  STATUS_SITE_PREFIX,
  STATUS_STATE_PREFIX,
  statusBucketName,
  statusSubscribersTopicName,
  statusWebhookQueueName,
} from '../contract/status';
import { SubscriberNotifier } from './notify';
import { S3StatusReplica } from './store';

/**
 * `wallet-status --target aws`: the real status buckets of both wallet regions (primary's first, the
 * arbiter while it answers), written with the same conditional PutObject as the updater
 * (lib/status/store.ts), and the subscribers reached through the status stack's SNS topic and webhook
 * queue in one wallet region. Names are the stack's own (lib/contract/status.ts: the bucket, topic and
 * queue names are built from the environment, account and region, exactly as the status stack names
 * them), so no stack lookup is needed; `--bucket region=name`, `--topic-arn` and `--webhook-queue-url`
 * override them.
 */
export interface AwsStatusTargetOptions {
  /** `region=bucket` pairs (flags); every wallet region not named keeps the stack's name. */
  readonly buckets?: readonly string[];
  readonly topicArn?: string;
  readonly webhookQueueUrl?: string;
  /** Where subscribers are notified from. @default - the primary region */
  readonly notifyRegion?: string;
  /** A loopback endpoint (moto_server in tests). @default - the AWS endpoints */
  readonly endpoint?: string;
  /** Static credentials or a provider. @default - the standard credential provider chain */
  readonly credentials?: NonNullable<ConstructorParameters<typeof S3Client>[0]>['credentials'];
}

/** The problems with the target's flags, all at once (the CLI exits 2 with them). */
export class AwsTargetUsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`--target aws: ${problems.join('; ')}`);
    this.name = 'AwsTargetUsageError';
  }
}

/** The standard credential chain found nothing: the message names what to set and the permissions needed. */
export class StatusCredentialsError extends Error {
  constructor(cause: string, permissions: readonly string[]) {
    super(
      `no AWS credentials were found by the standard chain (${cause}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ` +
        "(or run `aws sso login`) with a role listed in the config's status.operatorRoleArns (the status buckets deny every other writer), " +
        `allowed: ${permissions.join('; ')}. Or rehearse offline with --state-dir (the default target).`,
    );
    this.name = 'StatusCredentialsError';
  }
}

export interface ResolvedAwsTarget {
  readonly buckets: ReadonlyArray<{ readonly region: string; readonly name: string }>;
  readonly notifyRegion: string;
  readonly topicArn: string;
  readonly webhookQueueUrl: string;
}

export function resolveAwsTarget(config: WalletConfig, o: AwsStatusTargetOptions): ResolvedAwsTarget {
  const { primary, standby } = config.regions;
  const problems: string[] = [];
  const names = new Map<string, string>([
    [primary, statusBucketName(config.envName, config.account, primary)],
    [standby, statusBucketName(config.envName, config.account, standby)],
  ]);
  for (const flag of o.buckets ?? []) {
    const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)=([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/.exec(flag);
    if (m === null) {
      problems.push(
        `--bucket ${JSON.stringify(flag)} is not <region>=<bucket name> (e.g. ${primary}=${names.get(primary)})`,
      );
    } else if (!names.has(m[1])) {
      problems.push(
        `--bucket ${JSON.stringify(flag)} names ${m[1]}, which is neither wallet region (${primary}, ${standby})`,
      );
    } else names.set(m[1], m[2]);
  }
  const notifyRegion = o.notifyRegion ?? primary;
  if (notifyRegion !== primary && notifyRegion !== standby)
    problems.push(`--notify-region ${JSON.stringify(notifyRegion)} is neither wallet region (${primary}, ${standby})`);
  if (o.topicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(o.topicArn))
    problems.push(`--topic-arn ${JSON.stringify(o.topicArn)} is not an SNS topic ARN`);
  if (o.webhookQueueUrl !== undefined && !/^https?:\/\/\S+\/\d{12}\/[\w-]+$/.test(o.webhookQueueUrl))
    problems.push(`--webhook-queue-url ${JSON.stringify(o.webhookQueueUrl)} is not an SQS queue URL`);
  if (problems.length > 0) throw new AwsTargetUsageError(problems);
  return {
    buckets: [primary, standby].map((region) => ({ region, name: names.get(region)! })),
    notifyRegion,
    topicArn:
      o.topicArn ?? `arn:aws:sns:${notifyRegion}:${config.account}:${statusSubscribersTopicName(config.envName)}`,
    webhookQueueUrl:
      o.webhookQueueUrl ??
      `https://sqs.${notifyRegion}.amazonaws.com/${config.account}/${statusWebhookQueueName(config.envName)}`,
  };
}

/** The IAM permissions the CLI needs on the resolved target (named in the no-credentials message). */
export function requiredPermissions(t: ResolvedAwsTarget): string[] {
  return [
    ...t.buckets.map(
      (b) =>
        `s3:GetObject and s3:PutObject on arn:aws:s3:::${b.name}/${STATUS_SITE_PREFIX}/* and arn:aws:s3:::${b.name}/${STATUS_STATE_PREFIX}/*`,
    ),
    `sns:Publish on ${t.topicArn}`,
    `sqs:SendMessage on the queue ${t.webhookQueueUrl}`,
    `kms:GenerateDataKey and kms:Decrypt on the status key in ${t.notifyRegion} (through SNS and SQS)`,
  ];
}

export function awsStatusClients(t: ResolvedAwsTarget, o: AwsStatusTargetOptions) {
  const base = {
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
    ...(o.credentials !== undefined ? { credentials: o.credentials } : {}),
    maxAttempts: 2,
  };
  return {
    s3: new Map(
      t.buckets.map((b) => [
        b.region,
        new S3Client({ ...base, region: b.region, forcePathStyle: o.endpoint !== undefined }),
      ]),
    ),
    sns: new SNSClient({ ...base, region: t.notifyRegion }),
    sqs: new SQSClient({ ...base, region: t.notifyRegion }),
  };
}

/** Replicas, notifier and a credentials check for the CLI (lib/status/cli.ts StatusTarget). */
export function awsStatusTarget(config: WalletConfig, o: AwsStatusTargetOptions) {
  const t = resolveAwsTarget(config, o);
  const clients = awsStatusClients(t, o);
  const first = clients.s3.get(t.buckets[0].region)!;
  return {
    resolved: t,
    replicas: t.buckets.map((b) => new S3StatusReplica(clients.s3.get(b.region)!, b.name, b.region)),
    notifier: new SubscriberNotifier(clients.sns, clients.sqs, {
      topicArn: t.topicArn,
      webhookQueueUrl: t.webhookQueueUrl,
      webhooks: config.status.webhooks,
    }),
    webhooks: config.status.webhooks,
    ready: async () => {
      try {
        await first.config.credentials();
      } catch (err) {
        throw new StatusCredentialsError((err as Error).message.split('\n')[0], requiredPermissions(t));
      }
    },
  };
}
