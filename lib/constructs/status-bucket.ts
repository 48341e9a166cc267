import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../contract/names';
import { STATUS_SITE_PREFIX, STATUS_STATE_PREFIX, statusBucketName } from '../contract/status';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { dataKeyServiceUsers } from './data-key-users';
import { walletKeyPolicy } from './key-policy';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/** Props of {@link StatusBucket}. */
export interface StatusBucketProps {
  readonly envName: string;
  /** The break-glass role: the only principal that may disable or delete the status key. */
  readonly breakGlassRoleArn: string;
  /**
   * ARNs of the status updater roles (both regions) that may write the status objects here. Named
   * by `aws:PrincipalArn`, so the roles need not exist when this policy is created.
   */
  readonly writerRoleArns: readonly string[];
}

/**
 * One region's status bucket: versioned, encrypted at rest (SSE-S3), TLS 1.2+ only, no public
 * access; CloudFront reads it through Origin Access Control, and only its `site/` prefix. The
 * region's status key (KMS) encrypts the subscriber topic, queues, secrets and logs, which never
 * leave the region; the bucket is SSE-S3 so neither CloudFront nor the other region's updater
 * depends on a KMS key (see the acknowledgement for the full reason).
 * `state/` (the model, audit) is readable and writable only by the status updaters.
 *
 * The distribution lives in another stack (us-east-1) and is created after this bucket, so the
 * bucket and key policies cannot name its ARN: they allow CloudFront for any distribution OF THIS
 * ACCOUNT (`AWS:SourceArn` like `arn:aws:cloudfront::<account>:distribution/*`), per the
 * CloudFront Developer Guide, "Restricting access to an Amazon S3 origin" (the condition may use
 * a wildcard). Anyone who can create distributions in this account could read the public site
 * objects through their own distribution: they are public anyway; `state/` is never granted.
 */
export class StatusBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  public readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: StatusBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwIfProblems(this, 'StatusBucket', problems(props));
    const distributions = `arn:${stack.partition}:cloudfront::${stack.account}:distribution/*`;

    this.key = new kms.Key(this, 'Key', {
      description: `${props.envName} wallet status page: encrypts the subscriber topic, queues, secrets and logs (${stack.region})`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: walletKeyPolicy({
        purpose: 'data',
        partition: stack.partition,
        account: stack.account,
        region: stack.region,
        breakGlassRoleArn: props.breakGlassRoleArn,
        allowedReplicaRegions: [],
        serviceUsers: [
          ...dataKeyServiceUsers(stack.partition, stack.account, stack.region, { eventBridgeDeadLetters: true }),
        ],
      }),
    });

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs can be delivered only to SSE-S3 buckets (S3 User Guide, "Enabling Amazon S3 server access logging").
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const logReason =
      "This bucket receives the status bucket's server access logs; logging it to itself would loop, and to another bucket would need a third bucket for the same purpose.";
    const noReplication =
      'Access logs are kept in the region they describe; the status site itself is in two regions (one bucket each), not replicated.';
    acknowledgeInPacks(
      this.accessLogs,
      'S3BucketReplicationEnabled',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      noReplication,
    );
    const sseS3 =
      'S3 delivers server access logs only to buckets encrypted with SSE-S3 (S3 User Guide, "Enabling Amazon S3 server access logging"); SSE-KMS is not supported for the target bucket.';
    acknowledgeInPacks(
      this.accessLogs,
      'S3DefaultEncryptionKMS',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      sseS3,
    );
    acknowledge(this.accessLogs, 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', sseS3);
    acknowledge(this.accessLogs, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', logReason);
    Tags.of(this.accessLogs).add(TAG_KEYS.dataClass, 'access-logs');

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: statusBucketName(props.envName, stack.account, stack.region),
      // SSE-S3, deliberately (see the class comment and the acknowledgement below).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'status/',
      removalPolicy: RemovalPolicy.RETAIN,
      // Every change writes new versions; keep 90 days of history (the page shows 90 days).
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    const twoBuckets =
      'The status site is written by the updaters to a bucket in EACH wallet region (lib/status/publish.ts) and CloudFront fails over between them (an origin group); S3 replication would add a lagging copy of what is already written twice.';
    acknowledgeInPacks(
      this.bucket,
      'S3BucketReplicationEnabled',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      twoBuckets,
    );
    Tags.of(this.bucket).add(TAG_KEYS.dataClass, 'status-page');
    const sseS3Site =
      "Encrypted at rest with SSE-S3, not SSE-KMS: the content is the public status page; with SSE-KMS every CloudFront origin fetch would also need KMS in that region (one more dependency of the page during an outage), and the other region's updater would need kms:GenerateDataKey on a key whose ARN it cannot know, i.e. a key/* grant that the IAM invariants (test/security/iam-invariants.suite.ts) forbid next to the signing keys.";
    acknowledgeInPacks(
      this.bucket,
      'S3DefaultEncryptionKMS',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      sseS3Site,
    );
    acknowledge(this.bucket, 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', sseS3Site);
    for (const b of [this.bucket, this.accessLogs]) {
      acknowledge(
        b,
        'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        'Object Lock (WORM) is for records that must never change; the status documents are overwritten on every change and old versions expire by lifecycle (versioning keeps 90 days against a bad write). The audit trail of status changes is written once per change (If-None-Match).',
      );
      acknowledge(
        b,
        'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
        'Nothing reacts to writes here: the updaters that write are the only producers and they notify subscribers themselves; an S3 event notification would have no consumer.',
      );
    }

    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsTheSiteOnly',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${STATUS_SITE_PREFIX}/*`)],
        conditions: { ArnLike: { 'AWS:SourceArn': distributions } },
      }),
    );
    // Nobody but the updaters writes status objects (an IAM policy elsewhere in the account cannot add a writer).
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyStatusUpdatersWrite',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [
          this.bucket.arnForObjects(`${STATUS_SITE_PREFIX}/*`),
          this.bucket.arnForObjects(`${STATUS_STATE_PREFIX}/*`),
        ],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...props.writerRoleArns, props.breakGlassRoleArn] } },
      }),
    );
  }
}

function problems(props: StatusBucketProps): PropProblem[] {
  const out: PropProblem[] = [];
  if (props.writerRoleArns.length === 0) {
    out.push({
      prop: 'writerRoleArns',
      message: 'is empty',
      received: props.writerRoleArns,
      fix: 'name the status updater role of each wallet region',
    });
  }
  for (const arn of props.writerRoleArns) {
    if (isResolved(arn) && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) {
      out.push({
        prop: 'writerRoleArns',
        message: 'has a value that is not an IAM role ARN',
        received: arn,
        fix: 'pass role ARNs such as arn:aws:iam::111111111111:role/name',
      });
    }
  }
  return out;
}
