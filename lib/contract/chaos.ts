/**
 * Fault-injection experiments (AWS FIS): their names, what each injects where, the Lambda extension's
 * wiring, and the guard alarm. Owned here and imported by the CDK code (lib/constructs/fault-experiments.ts
 * renders the templates), the chaos command (lib/drill/chaos/) and the simulated AWS (which models the
 * same faults), so an experiment means the same thing in all three.
 */
import { RegionRole } from './names';

/** The experiments, by the name an operator types (`wallet-drill chaos <experiment>`). */
export const EXPERIMENT_NAMES = ['primary-down', 'signer-failing', 'api-latency', 'replication-paused'] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

export const isExperimentName = (value: string): value is ExperimentName =>
  (EXPERIMENT_NAMES as readonly string[]).includes(value);

/** The FIS action ids used (FIS actions reference). */
export const FIS_ACTIONS = {
  invocationError: 'aws:lambda:invocation-error',
  invocationAddDelay: 'aws:lambda:invocation-add-delay',
  pauseReplication: 'aws:dynamodb:global-table-pause-replication',
} as const;

/** The functions a Lambda action can target (lib/contract/names.ts walletFunctionName purposes). */
export type FaultTargetFunction = 'api' | 'health' | 'signer';

/** One experiment: where it runs, what it injects, and what it is expected to do to the service. */
export interface ExperimentSpec {
  readonly name: ExperimentName;
  /** The region whose resources it targets (and whose FIS runs it). */
  readonly regionRole: RegionRole;
  /** Only under this consistency mode (replication pause is for MREC tables only). */
  readonly consistency?: 'MREC';
  readonly description: string;
  /** The FIS action. */
  readonly action: (typeof FIS_ACTIONS)[keyof typeof FIS_ACTIONS];
  /** Lambda actions: the functions targeted. */
  readonly functions?: readonly FaultTargetFunction[];
  /** FIS action parameters other than `duration`. */
  readonly parameters: Readonly<Record<string, string>>;
  /** How long the action runs unless stopped, in minutes (FIS `duration`). */
  readonly durationMinutes: number;
  /** What a healthy design does in response: the outcome the chaos command measures. */
  readonly expectation: 'unplanned-failover' | 'degraded-no-failover' | 'replication-lag';
}

/** Delay added to the API by `api-latency`, in ms: above the p99 alarm (2000 ms) and under the 10 s timeout. */
export const API_LATENCY_DELAY_MS = 3000;

/**
 * How long `replication-paused` may pause replication. DynamoDB: "If a replica in a global table configured
 * for multi-Region eventual consistency (MREC) remains in the REPLICATION_NOT_AUTHORIZED state for more than
 * 20 hours, the replica is irreversibly converted to a single-Region DynamoDB table" (DynamoDB global tables
 * security). The FIS action pauses replication through the replica's resource policy, so a pause is kept
 * far below that limit: 30 minutes.
 */
export const MAX_REPLICATION_PAUSE_MINUTES = 30;

export const EXPERIMENTS: Readonly<Record<ExperimentName, ExperimentSpec>> = {
  'primary-down': {
    name: 'primary-down',
    regionRole: 'primary',
    description:
      "Every invocation of the primary's health and API functions fails, so Route 53's endpoint check sees the " +
      'primary sick and the unplanned failover runs: detection, DNS cut-over, standby serving.',
    action: FIS_ACTIONS.invocationError,
    functions: ['health', 'api'],
    parameters: { invocationPercentage: '100', preventExecution: 'true' },
    durationMinutes: 20,
    expectation: 'unplanned-failover',
  },
  'signer-failing': {
    name: 'signer-failing',
    regionRole: 'primary',
    description:
      "Every invocation of the primary's signer fails without running: queued transactions wait and retry (then " +
      'dead-letter); nothing is signed twice, reads stay up, the signer alarms fire; no DNS failover is expected.',
    action: FIS_ACTIONS.invocationError,
    functions: ['signer'],
    parameters: { invocationPercentage: '100', preventExecution: 'true' },
    durationMinutes: 10,
    expectation: 'degraded-no-failover',
  },
  'api-latency': {
    name: 'api-latency',
    regionRole: 'primary',
    description: `Every invocation of the primary's API function starts ${API_LATENCY_DELAY_MS} ms late: the latency alarm and the latency SLO burn; no DNS failover is expected (health stays green).`,
    action: FIS_ACTIONS.invocationAddDelay,
    functions: ['api'],
    parameters: { invocationPercentage: '100', startupDelayMilliseconds: String(API_LATENCY_DELAY_MS) },
    durationMinutes: 10,
    expectation: 'degraded-no-failover',
  },
  'replication-paused': {
    name: 'replication-paused',
    regionRole: 'standby',
    consistency: 'MREC',
    description:
      "Replication into the standby's ledger replica pauses (MREC only): the replication-latency alarm fires and a " +
      'failover pre-check must refuse (or reconcile) while the standby lags; no DNS failover is expected.',
    action: FIS_ACTIONS.pauseReplication,
    parameters: {},
    durationMinutes: 15,
    expectation: 'replication-lag',
  },
};

/** The experiments a config can run (replication pause needs MREC: "for eventually consistent tables"). */
export function experimentsFor(consistency: 'MRSC' | 'MREC'): readonly ExperimentSpec[] {
  return EXPERIMENT_NAMES.map((n) => EXPERIMENTS[n]).filter(
    (e) => e.consistency === undefined || e.consistency === consistency,
  );
}

/** ISO 8601 duration FIS takes (`PT20M`). */
export const fisDuration = (minutes: number): string => `PT${minutes}M`;

/** Tag keys of an experiment template: the chaos command finds a template by them (ListExperimentTemplates). */
export const EXPERIMENT_TAGS = {
  name: 'Name',
  experiment: 'wallet:experiment',
  environment: 'wallet:environment',
} as const;

/** The Name tag of an experiment template (templates have no name of their own). */
export const experimentTemplateName = (envName: string, experiment: ExperimentName): string =>
  `${envName}-wallet-${experiment}`;

/**
 * The FIS Lambda extension. FIS: "To use aws:lambda:function actions, you will need to attach the extension
 * as a layer to your Lambda functions and configure an Amazon S3 bucket to communicate between AWS FIS and
 * the extension." Its layer ARN per region is published as a public SSM parameter (FIS, "Available versions
 * of the AWS FIS extension for Lambda": `/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x`);
 * the stacks resolve it at deploy time (a CloudFormation SSM parameter), never at synth.
 */
export const FIS_EXTENSION_LAYER_PARAMETER = {
  arm64: '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x',
  x86_64: '/aws/service/fis/lambda-extension/AWS-FIS-extension-x86_64/1.x.x',
} as const;

/**
 * The environment the extension reads: `AWS_LAMBDA_EXEC_WRAPPER=/opt/aws-fis/bootstrap` starts the function
 * through the extension's wrapper, and `AWS_FIS_CONFIGURATION_LOCATION` is the S3 location
 * (`arn:aws:s3:::<bucket>/<prefix>/`) where FIS writes the fault configuration the extension polls.
 * Lambda lets a function set AWS_LAMBDA_EXEC_WRAPPER ("wrapper scripts", Lambda's "Modifying the runtime
 * environment"); the AWS_FIS_ names belong to the extension, not to Lambda.
 */
export const FIS_EXTENSION_ENV = {
  execWrapper: 'AWS_LAMBDA_EXEC_WRAPPER',
  configurationLocation: 'AWS_FIS_CONFIGURATION_LOCATION',
} as const;
export const FIS_EXEC_WRAPPER = '/opt/aws-fis/bootstrap';

/** Prefix of the fault configurations FIS writes and the extension reads. */
export const FIS_CONFIG_PREFIX = 'FisConfigs/';
/** Prefix of the experiment reports FIS writes. */
export const FIS_REPORT_PREFIX = 'experiment-reports/';

/** `arn:<partition>:s3:::<bucket>/FisConfigs/`: the value of AWS_FIS_CONFIGURATION_LOCATION. */
export const fisConfigurationLocation = (partition: string, bucketName: string): string =>
  `arn:${partition}:s3:::${bucketName}/${FIS_CONFIG_PREFIX}`;

/**
 * The guard alarm of a region: the public-name canary has failed for longer than the RTO target, which no
 * rehearsed failover should cause. It is a stop condition of every experiment; named like the regional
 * alarms (`<env>-wallet-<region>-<suffix>`) but owned here, because only the experiments use it.
 */
export const CHAOS_GUARD_ALARM_SUFFIX = 'chaos-guard-public-name';
export const chaosGuardAlarmName = (envName: string, region: string): string =>
  `${envName}-wallet-${region}-${CHAOS_GUARD_ALARM_SUFFIX}`;

/** FIS allows at most this many stop conditions per experiment template (FIS quotas). */
export const MAX_STOP_CONDITIONS = 5;

/**
 * What CloudFormation's handler for AWS::FIS::ExperimentTemplate calls, so what the deploying principal (the
 * CDK CloudFormation execution role) needs: the resource provider schema's `handlers.<op>.permissions`
 * (aws-cloudformation-resource-providers-fis, AWS::FIS::ExperimentTemplate). `iam:PassRole` is on the
 * experiment roles, passed to fis.amazonaws.com. The same schema makes `Tags` create-only
 * ("createOnlyProperties": ["/properties/Tags", "/properties/ExperimentOptions/AccountTargeting"]): changing a
 * template's tags (its Name, environment or experiment tag) REPLACES the template.
 */
export const FIS_TEMPLATE_HANDLER_PERMISSIONS = {
  create: ['fis:CreateExperimentTemplate', 'fis:TagResource', 'iam:PassRole'],
  read: ['fis:GetExperimentTemplate', 'fis:ListTagsForResource'],
  update: ['fis:UpdateExperimentTemplate', 'fis:TagResource', 'fis:UntagResource', 'iam:PassRole'],
  delete: ['fis:DeleteExperimentTemplate'],
  list: ['fis:ListExperimentTemplates', 'fis:ListTagsForResource'],
} as const;
