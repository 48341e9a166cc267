import { ArnFormat, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { NON_STATE_DATA_CLASSES } from '../backup/coverage';
import { API_STAGE_NAME } from '../contract/api';
import {
  CANARY_ENV,
  CANARY_KINDS,
  CANARY_METRIC_NAMESPACE,
  CANARY_RUNTIME,
  CANARY_TIMEOUTS,
  CANARY_WALLET_ID,
  CanaryKind,
  canaryName,
  canaryRoutes,
} from '../contract/canary';
import { publicApiDomain, regionalApiDomain } from '../contract/health';
import { TAG_KEYS } from '../contract/names';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { CANARY_HANDLER, CanaryCode } from './canary-code';
import { ManagedPolicyRole } from './managed-policy-role';
import { isResolved, PropProblem, throwIfProblems } from './prop-problems';

/**
 * The Synthetics runtime of every canary. It must be the one the canary scripts are written for
 * (`CANARY_RUNTIME` in lib/contract/canary.ts); the wallet rule CanaryRuntimeCurrent rejects
 * deprecated runtimes.
 */
export const CANARY_SYNTHETICS_RUNTIME = new synthetics.Runtime(CANARY_RUNTIME, synthetics.RuntimeFamily.NODEJS);

/** Synthetics' smallest canary memory; the canaries make a few HTTPS calls and need no browser. */
export const CANARY_MEMORY = Size.mebibytes(960);

/** How long run artifacts and run records are kept (Synthetics' default retention). */
export const CANARY_ARTIFACT_RETENTION = Duration.days(31);

/** The `wallet:data-classification` of the artifacts bucket: run reports, no wallet state (no backup). */
export const CANARY_ARTIFACTS_DATA_CLASS: (typeof NON_STATE_DATA_CLASSES)[number] = 'canary-artifacts';

/** CloudWatch metric namespace the Synthetics runtime publishes run metrics (SuccessPercent) to. */
export const SYNTHETICS_METRIC_NAMESPACE = 'CloudWatchSynthetics';

/** A REST API the transaction canary may call, by region. */
export interface CanaryApiTarget {
  readonly region: string;
  /**
   * The REST API id.
   * @default - any REST API of that region (for a peer API whose stack deploys later, so its id cannot be referenced)
   */
  readonly restApiId?: string;
}

/** Props of {@link WalletCanaries}. */
export interface WalletCanariesProps {
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The hosted zone name and the API label: the canaries call `<region>.<api>.<zone>` and `<api>.<zone>`. */
  readonly zoneName: string;
  readonly apiSubdomain: string;
  /** A `rate(...)` expression (config `canary.schedule`). */
  readonly schedule: string;
  /** A correct health answer slower than this fails the health canaries. */
  readonly maxLatencyMs: number;
  /** Each HTTP request is abandoned after this. */
  readonly requestTimeoutMs: number;
  /** The canary transaction must be signed within this. */
  readonly signBoundMs: number;
  /** This region's data key: artifacts are encrypted with it. */
  readonly dataKey: kms.IKey;
  /** The REST APIs the transaction canary signs requests for: this region's and the peer's. */
  readonly apis: readonly CanaryApiTarget[];
}

/**
 * The three canaries of one region (docs/observability-wiring.md), on the browserless
 * `syn-nodejs-5.4` runtime (CANARY_RUNTIME), each with its own least-privilege role and artifacts prefix:
 *
 * - `deep-health`: its own region's `https://<region>.<api>.<zone>/health/deep`, and the peer's as
 *   evidence (custom metric `Wallet/Canary PeerDeepHealth`);
 * - `public-name`: `https://<api>.<zone>/health` as users see it, recording which region answered;
 * - `transaction`: a SigV4-signed canary transaction on the public name, signed within a bound.
 *
 * The artifacts bucket is encrypted with the data key (with an S3 bucket key), versioned,
 * lifecycle-expired, TLS-only (1.2+), private, and retained (its reports are incident evidence).
 */
export class WalletCanaries extends Construct {
  public readonly artifactsBucket: s3.Bucket;
  public readonly canaries: Readonly<Record<CanaryKind, synthetics.Canary>>;
  public readonly roles: Readonly<Record<CanaryKind, ManagedPolicyRole>>;

  constructor(scope: Construct, id: string, props: WalletCanariesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const region = stack.region;
    throwIfProblems(this, 'WalletCanaries', canaryProblems(props, region));
    const peer = region === props.primaryRegion ? props.standbyRegion : props.primaryRegion;

    this.artifactsBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.dataKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-run-artifacts',
          expiration: CANARY_ARTIFACT_RETENTION,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          // No expiredObjectDeleteMarker here: S3's LifecycleExpiration says it "cannot be specified
          // with Days or Date in a Lifecycle Expiration Policy" (S3 may answer MalformedXML). With
          // Days set, S3 removes expired delete markers itself. Rule ServiceRefusesValues checks it.
        },
      ],
    });
    Tags.of(this.artifactsBucket).add(TAG_KEYS.dataClass, CANARY_ARTIFACTS_DATA_CLASS);
    // Object events go to the region's default event bus (AWS service events cost nothing there), so
    // a deleted or overwritten report can be observed. Set on the L1: the L2's eventBridgeEnabled
    // adds a custom-resource Lambda for what CloudFormation supports natively.
    (this.artifactsBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    this.acknowledgeBucket();

    const https = (host: string) => `https://${host}`;
    const regional = (r: string) => https(regionalApiDomain(r, props.apiSubdomain, props.zoneName));
    const publicUrl = https(publicApiDomain(props.apiSubdomain, props.zoneName));
    const both = `${props.primaryRegion},${props.standbyRegion}`;
    const common = {
      [CANARY_ENV.envName]: props.envName,
      [CANARY_ENV.requestTimeoutMs]: String(props.requestTimeoutMs),
    };
    const environment: Record<CanaryKind, Record<string, string>> = {
      'deep-health': {
        ...common,
        [CANARY_ENV.baseUrl]: regional(region),
        [CANARY_ENV.expectedRegions]: region,
        [CANARY_ENV.peerBaseUrl]: regional(peer),
        [CANARY_ENV.peerRegion]: peer,
        [CANARY_ENV.maxLatencyMs]: String(props.maxLatencyMs),
      },
      'public-name': {
        ...common,
        [CANARY_ENV.baseUrl]: publicUrl,
        [CANARY_ENV.expectedRegions]: both,
        [CANARY_ENV.maxLatencyMs]: String(props.maxLatencyMs),
      },
      // The signing region is left unset: the canary asks /health which region serves the public name.
      transaction: {
        ...common,
        [CANARY_ENV.baseUrl]: publicUrl,
        [CANARY_ENV.expectedRegions]: both,
        [CANARY_ENV.signBoundMs]: String(props.signBoundMs),
      },
    };

    const canaries: Partial<Record<CanaryKind, synthetics.Canary>> = {};
    const roles: Partial<Record<CanaryKind, ManagedPolicyRole>> = {};
    for (const kind of CANARY_KINDS) {
      const name = canaryName(props.envName, kind);
      const role = new ManagedPolicyRole(this, `${pascal(kind)}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of the ${name} canary`,
      });
      this.grantRun(role, kind, props.dataKey);
      if (kind === 'transaction') this.grantCanaryRoutes(role, props.apis);
      const canary = new synthetics.Canary(this, pascal(kind), {
        canaryName: name,
        runtime: CANARY_SYNTHETICS_RUNTIME,
        test: synthetics.Test.custom({ code: new CanaryCode(kind), handler: CANARY_HANDLER }),
        schedule: synthetics.Schedule.expression(props.schedule),
        timeout: Duration.seconds(
          kind === 'transaction' ? CANARY_TIMEOUTS.transactionSeconds : CANARY_TIMEOUTS.healthSeconds,
        ),
        memory: CANARY_MEMORY,
        environmentVariables: environment[kind],
        role,
        artifactsBucketLocation: { bucket: this.artifactsBucket, prefix: kind },
        provisionedResourceCleanup: true,
        successRetentionPeriod: CANARY_ARTIFACT_RETENTION,
        failureRetentionPeriod: CANARY_ARTIFACT_RETENTION,
        startAfterCreation: true,
      });
      // Artifacts are encrypted with the data key, set here rather than with artifactS3KmsKey, which
      // would grant the role kms:ReEncrypt* and kms:GenerateDataKey* (see grantRun for the exact grant).
      (canary.node.defaultChild as synthetics.CfnCanary).artifactConfig = {
        s3Encryption: { encryptionMode: 'SSE_KMS', kmsKeyArn: props.dataKey.keyArn },
      };
      // The run depends on its permissions: the canary's first run starts at creation.
      canary.node.addDependency(role.policy);
      canaries[kind] = canary;
      roles[kind] = role;
    }
    this.canaries = canaries as Record<CanaryKind, synthetics.Canary>;
    this.roles = roles as Record<CanaryKind, ManagedPolicyRole>;
  }

  /** What every canary needs to run: its artifacts prefix, run metrics, its logs, its custom metrics. */
  private grantRun(role: ManagedPolicyRole, kind: CanaryKind, dataKey: kms.IKey): void {
    const stack = Stack.of(this);
    const add = (statement: iam.PolicyStatement) => role.addToPrincipalPolicy(statement);
    add(
      new iam.PolicyStatement({
        sid: 'WriteRunArtifacts',
        actions: ['s3:PutObject'],
        resources: [this.artifactsBucket.arnForObjects(`${kind}/*`)],
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: 'LocateArtifactsBucket',
        actions: ['s3:GetBucketLocation'],
        resources: [this.artifactsBucket.bucketArn],
      }),
    );
    add(new iam.PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
    add(
      new iam.PolicyStatement({
        sid: 'EncryptRunArtifacts',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    const metrics = (sid: string, namespace: string) =>
      new iam.PolicyStatement({
        sid,
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
      });
    add(metrics('SyntheticsRunMetrics', SYNTHETICS_METRIC_NAMESPACE));
    add(metrics('CanaryMetrics', CANARY_METRIC_NAMESPACE));
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws/lambda/cwsyn-*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    add(
      new iam.PolicyStatement({
        sid: 'WriteCanaryLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroups],
      }),
    );
    acknowledge(
      role.policy,
      'AwsSolutions-IAM5[Resource::*]',
      'The Synthetics runtime lists buckets (s3:ListAllMyBuckets) to find its artifacts bucket, and publishes its run metrics ' +
        `(and the canaries their ${CANARY_METRIC_NAMESPACE} metrics) with cloudwatch:PutMetricData; neither supports ` +
        'resource-level permissions. PutMetricData is bound by a cloudwatch:namespace condition per statement.',
    );
    acknowledge(
      role.policy,
      `AwsSolutions-IAM5[Resource::${nagResourceString(stack.resolve(this.artifactsBucket.arnForObjects(`${kind}/*`)))}]`,
      `The canary writes one object per run under its own prefix (${kind}/); the object names are generated by the Synthetics runtime.`,
    );
    acknowledge(
      role.policy,
      `AwsSolutions-IAM5[Resource::${logGroups}]`,
      'Synthetics runs each canary as a Lambda function named cwsyn-<canary name>-<generated id>, whose log group name is only ' +
        "known after the canary is created; cwsyn-* is the narrowest pattern (it is the CDK Canary default role's own grant).",
    );
  }

  /** SigV4 `execute-api:Invoke` on exactly the canary wallet's two routes, in both regions' APIs. */
  private grantCanaryRoutes(role: ManagedPolicyRole, apis: readonly CanaryApiTarget[]): void {
    const stack = Stack.of(this);
    const routes = [`POST${canaryRoutes.submit(CANARY_WALLET_ID)}`, `GET${canaryRoutes.get(CANARY_WALLET_ID, '*')}`];
    const resources = apis.flatMap((api) =>
      routes.map((route) =>
        stack.formatArn({
          service: 'execute-api',
          region: api.region,
          resource: api.restApiId ?? '*',
          resourceName: `${API_STAGE_NAME}/${route}`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'InvokeCanaryWalletRoutes', actions: ['execute-api:Invoke'], resources }),
    );
    for (const arn of resources.map((r) => nagResourceString(stack.resolve(r))).filter((r) => r.includes('*'))) {
      acknowledge(
        role.policy,
        `AwsSolutions-IAM5[Resource::${arn}]`,
        `Only the reserved canary wallet (${CANARY_WALLET_ID}) routes of the live stage: the transaction id in the status ` +
          'route is generated per run, and a peer API whose stack deploys after this one is named by region, not id.',
      );
    }
  }

  private acknowledgeBucket(): void {
    const reason =
      "The bucket holds only the canaries' own run reports (no wallet or customer data, no credentials). Server access " +
      'logs would need a second bucket per region that cannot use SSE-KMS and cannot log itself; every canary result is ' +
      "also in the CloudWatch metrics and the canary's log group, and the canary roles are the only roles this app grants to write it.";
    acknowledge(this.artifactsBucket, 'AwsSolutions-S1', reason);
    acknowledgeInPacks(
      this.artifactsBucket,
      'S3BucketLoggingEnabled',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      reason,
    );
    acknowledge(this.artifactsBucket, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason);
    acknowledge(
      this.artifactsBucket,
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'Object Lock (WORM) protects records that must not change; these are short-lived run reports that the lifecycle ' +
        'rule must be able to expire, with versioning against accidental overwrites. Wallet records live in the ledger ' +
        'table (PITR, backups in a locked vault).',
    );
    acknowledgeInPacks(
      this.artifactsBucket,
      'S3BucketReplicationEnabled',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      "Run reports of this region's canaries, about this region's view: the peer region runs its own canaries into its " +
        'own bucket, and a lost report loses no wallet state (the results are also CloudWatch metrics and logs). ' +
        'Replication would copy every run report across regions for no recovery purpose.',
    );
  }
}

/** `deep-health` -> `DeepHealth` (construct ids). */
const pascal = (kind: string): string =>
  kind
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

/**
 * How cdk-nag writes a resolved resource in an IAM5 finding id: Fn::Join flattened, a same-stack
 * `Ref` as `<LogicalId>`, `Fn::GetAtt` as `<LogicalId.Attribute>`.
 */
function nagResourceString(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join !== undefined) return join[1].map(nagResourceString).join(join[0]);
  const ref = (resolved as { Ref?: string }).Ref;
  if (ref !== undefined) return `<${ref}>`;
  const getAtt = (resolved as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
  if (getAtt !== undefined) return `<${getAtt.join('.')}>`;
  throw new Error(`nagResourceString: cannot render ${JSON.stringify(resolved)} (a cross-stack reference?)`);
}

/** Every problem with the props, at once. */
export function canaryProblems(props: WalletCanariesProps, region: string): PropProblem[] {
  const problems: PropProblem[] = [];
  if (CANARY_SYNTHETICS_RUNTIME.name !== CANARY_RUNTIME) {
    problems.push({
      prop: 'runtime',
      message: `is ${CANARY_SYNTHETICS_RUNTIME.name}, but the canary scripts are written for ${CANARY_RUNTIME}`,
      received: CANARY_SYNTHETICS_RUNTIME.name,
      fix: 'change CANARY_RUNTIME in lib/contract/canary.ts and the runtime here together',
    });
  }
  if (isResolved(region) && region !== props.primaryRegion && region !== props.standbyRegion) {
    problems.push({
      prop: 'primaryRegion',
      message: `and standbyRegion (${props.primaryRegion}, ${props.standbyRegion}) do not include the stack's region ${region}`,
      received: props.primaryRegion,
      fix: 'build the canaries in the primary or the standby stack',
    });
  }
  if (!/^rate\(\d+ (minute|minutes|hour)\)$/.test(props.schedule)) {
    problems.push({
      prop: 'schedule',
      message: 'is not a rate expression',
      received: props.schedule,
      fix: 'use e.g. "rate(1 minute)" (config canary.schedule)',
    });
  }
  const apiRegions = props.apis.map((a) => a.region).sort();
  if (JSON.stringify(apiRegions) !== JSON.stringify([props.primaryRegion, props.standbyRegion].sort())) {
    problems.push({
      prop: 'apis',
      message:
        'must name the API of each region of the pair once: the transaction canary signs for whichever region serves the public name',
      received: apiRegions,
      fix: `pass one entry for ${props.primaryRegion} and one for ${props.standbyRegion}`,
    });
  }
  if (props.requestTimeoutMs <= props.maxLatencyMs) {
    problems.push({
      prop: 'requestTimeoutMs',
      message: `must be longer than maxLatencyMs (${props.maxLatencyMs}), so a slow answer is reported as slow`,
      received: props.requestTimeoutMs,
      fix: 'raise requestTimeoutMs (config canary.requestTimeoutMs)',
    });
  }
  return problems;
}
