import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  deployAlarmName,
  DeployAlarmKind,
  deployApplicationName,
  deploymentGroupName,
  FUNCTION_VERSION_LOG_FIELD,
  LIVE_ALIAS,
} from '../contract/deployment';
import { WalletFunctionPurpose } from '../contract/names';
import { deploymentConfigName, TrafficShifting, trafficShiftingProblems } from '../deploy/traffic-shifting';
import { PropProblem, throwIfProblems } from './prop-problems';
import { ManagedPolicyRole } from './managed-policy-role';
import { WalletFunction } from './wallet-function';

/** One function deployed through CodeDeploy. */
export interface DeployedFunction {
  /** Which wallet function (names the deployment group and its alarms). */
  readonly purpose: WalletFunctionPurpose;
  /** The function; its `live` alias is what CodeDeploy shifts. */
  readonly fn: WalletFunction;
  /** How traffic moves to a new version (lib/deploy/traffic-shifting.ts: only what CodeDeploy accepts). */
  readonly shifting: TrafficShifting;
  /** A new version whose p99 Duration exceeds this (2 of 3 minutes) rolls back. */
  readonly p99DurationThresholdMs: number;
  /**
   * Failures the function logs instead of throwing (the signer reports failed messages to SQS and
   * returns normally, so Lambda's Errors never sees them): a metric filter counts the log line per
   * version (the field {@link FUNCTION_VERSION_LOG_FIELD}), and a new version with any rolls back.
   * @default - none (Errors and Duration only)
   */
  readonly failureLog?: {
    readonly logGroup: logs.ILogGroup;
    /** The exact `$.message` of the failure line (lib/contract/deployment.ts). */
    readonly message: string;
    readonly metricNamespace: string;
    readonly metricName: string;
  };
  /**
   * A Lambda function CodeDeploy runs before shifting any traffic; it must report with
   * PutLifecycleEventHookExecutionStatus.
   * @default - no pre-traffic hook
   */
  readonly preTrafficHook?: lambda.IFunction;
}

/** Props of {@link SafeDeployment}. */
export interface SafeDeploymentProps {
  /** The environment name (config `envName`). */
  readonly envName: string;
  /** Every function whose alias CodeDeploy shifts (one deployment group each). */
  readonly functions: readonly DeployedFunction[];
  /** On-call topic: every deploy alarm notifies it on ALARM and OK (a rollback pages someone). */
  readonly topic: sns.ITopic;
  /**
   * The CodeDeploy application's name (one per region and name).
   * @default deployApplicationName(envName)
   */
  readonly applicationName?: string;
}

/**
 * Gradual, self-reverting code deploys (docs/safe-deploys.md): one CodeDeploy application per region
 * and one deployment group per function, each shifting the function's `live` alias from the old version
 * to the new one and rolling it back on deployment failure, on a manual stop and on any of its alarms.
 *
 * The alarms watch the NEW version only: Lambda publishes, for invocations through an alias, metrics
 * with the dimensions `FunctionName`, `Resource` = `<function>:<alias>` and `ExecutedVersion` = the
 * version that ran (Lambda Developer Guide, "Types of metrics for Lambda functions": "ExecutedVersion
 * – ... only for alias invocations"). Each alarm names the version this synth publishes, so the old
 * version's errors never roll back a good deploy, and a new version's errors always do.
 *
 * The deployment groups are the L1 resource, with a role of our own, because CDK's
 * LambdaDeploymentGroup always attaches the AWS managed policy AWSCodeDeployRoleForLambdaLimited
 * (`Resource: "*"`); the role here holds exactly that policy's Lambda and CloudWatch actions, on
 * these aliases, alarms and hook only (no S3: CloudFormation passes the AppSpec inline).
 */
export class SafeDeployment extends Construct {
  public readonly application: codedeploy.CfnApplication;
  public readonly role: ManagedPolicyRole;
  public readonly groups: Readonly<Partial<Record<WalletFunctionPurpose, codedeploy.CfnDeploymentGroup>>>;
  /** The alarms of each group, by purpose. */
  public readonly alarms: Readonly<Partial<Record<WalletFunctionPurpose, readonly cloudwatch.Alarm[]>>>;

  constructor(scope: Construct, id: string, props: SafeDeploymentProps) {
    super(scope, id);
    throwIfProblems(this, 'SafeDeployment', safeDeploymentProblems(props));
    const stack = Stack.of(this);
    const region = stack.region;
    const notify = new actions.SnsAction(props.topic);

    this.application = new codedeploy.CfnApplication(this, 'Application', {
      applicationName: props.applicationName ?? deployApplicationName(props.envName),
      computePlatform: 'Lambda',
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: `CodeDeploy service role of the ${props.envName} wallet functions in ${region}`,
    });

    const groups: Partial<Record<WalletFunctionPurpose, codedeploy.CfnDeploymentGroup>> = {};
    const alarmsByPurpose: Partial<Record<WalletFunctionPurpose, cloudwatch.Alarm[]>> = {};
    for (const d of props.functions) {
      const name = d.fn.function.functionName;
      const newVersion = {
        FunctionName: name,
        Resource: `${name}:${LIVE_ALIAS}`,
        ExecutedVersion: d.fn.version.version,
      };
      const alarm = (
        kind: DeployAlarmKind,
        description: string,
        metric: cloudwatch.IMetric,
        threshold: number,
        m = 1,
        n = 1,
      ) => {
        const a = new cloudwatch.Alarm(this, `${pascal(d.purpose)}${pascal(kind)}`, {
          alarmName: deployAlarmName(props.envName, region, d.purpose, kind),
          alarmDescription: `${description} CodeDeploy rolls the ${d.purpose} alias back while this alarm is in ALARM during a deployment (docs/runbooks/rollback.md).`,
          metric,
          threshold,
          comparisonOperator:
            kind === 'duration-p99'
              ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
              : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: n,
          datapointsToAlarm: m,
          // No invocation of the new version yet is not a failure.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        a.addAlarmAction(notify);
        a.addOkAction(notify);
        return a;
      };
      const lambdaMetric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: newVersion,
          statistic,
          period: Duration.minutes(1),
        });
      const alarms = [
        alarm(
          'errors',
          `The new ${d.purpose} version (through the ${LIVE_ALIAS} alias) returned an error.`,
          lambdaMetric('Errors', 'Sum'),
          1,
        ),
        alarm(
          'duration-p99',
          `The new ${d.purpose} version's p99 duration is above ${d.p99DurationThresholdMs} ms in 2 of 3 minutes.`,
          lambdaMetric('Duration', 'p99'),
          d.p99DurationThresholdMs,
          2,
          3,
        ),
      ];
      if (d.failureLog !== undefined) {
        const f = d.failureLog;
        new logs.MetricFilter(this, `${pascal(d.purpose)}FailuresFilter`, {
          logGroup: f.logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', f.message),
          metricNamespace: f.metricNamespace,
          metricName: f.metricName,
          metricValue: '1',
          // The version that wrote the line: the alarm below watches the new one only.
          dimensions: { ExecutedVersion: `$.${FUNCTION_VERSION_LOG_FIELD}` },
        });
        alarms.push(
          alarm(
            'signer-failures',
            `The new ${d.purpose} version failed to process a message ("${f.message}").`,
            new cloudwatch.Metric({
              namespace: f.metricNamespace,
              metricName: f.metricName,
              dimensionsMap: { ExecutedVersion: d.fn.version.version },
              statistic: 'Sum',
              period: Duration.minutes(1),
            }),
            1,
          ),
        );
      }
      alarmsByPurpose[d.purpose] = alarms;

      const group = new codedeploy.CfnDeploymentGroup(this, `${pascal(d.purpose)}Group`, {
        applicationName: this.application.ref,
        deploymentGroupName: deploymentGroupName(props.envName, d.purpose),
        serviceRoleArn: this.role.roleArn,
        deploymentConfigName: deploymentConfigName(d.shifting),
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        alarmConfiguration: {
          enabled: true,
          // A failed DescribeAlarms must not let a deployment continue unwatched.
          ignorePollAlarmFailure: false,
          alarms: alarms.map((a) => ({ name: a.alarmName })),
        },
        autoRollbackConfiguration: {
          enabled: true,
          events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'],
        },
      });
      // The role's permissions must exist before CodeDeploy uses it.
      group.node.addDependency(this.role.policy);
      groups[d.purpose] = group;

      const cfnAlias = d.fn.alias.node.defaultChild as lambda.CfnAlias;
      cfnAlias.cfnOptions.updatePolicy = {
        codeDeployLambdaAliasUpdate: {
          applicationName: this.application.ref,
          deploymentGroupName: group.ref,
          beforeAllowTrafficHook: d.preTrafficHook?.functionName,
        },
      };
      // The Refs in the update policy order the alias after its group and hook (CloudFormation
      // treats them as dependencies; cfn-lint W3005 flags an explicit DependsOn as redundant).

      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: `ShiftThe${pascal(d.purpose)}Alias`,
          actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
          // Built from the function's ARN, not a Ref to the alias: the alias depends on this group,
          // whose role must not depend on the alias.
          resources: [`${d.fn.function.functionArn}:${LIVE_ALIAS}`],
        }),
      );
      if (d.preTrafficHook !== undefined) {
        this.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: `RunThe${pascal(d.purpose)}PreTrafficHook`,
            actions: ['lambda:InvokeFunction'],
            resources: [d.preTrafficHook.functionArn],
          }),
        );
      }
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDeploymentAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: Object.values(alarmsByPurpose)
          .flat()
          .map((a) =>
            stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: a.alarmName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
      }),
    );
    this.groups = groups;
    this.alarms = alarmsByPurpose;
  }
}

const pascal = (s: string): string =>
  s
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** Every problem with the props, at once. */
export function safeDeploymentProblems(props: SafeDeploymentProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const seen = new Set<string>();
  props.functions.forEach((d, i) => {
    for (const p of trafficShiftingProblems(`functions[${i}].shifting`, d.shifting)) {
      problems.push({ prop: p.path, message: p.message, received: p.received, fix: p.fix });
    }
    if (seen.has(d.purpose)) {
      problems.push({
        prop: `functions[${i}].purpose`,
        message: 'names a function that already has a deployment group',
        received: d.purpose,
        fix: 'list each function once',
      });
    }
    seen.add(d.purpose);
    if (!Number.isFinite(d.p99DurationThresholdMs) || d.p99DurationThresholdMs <= 0) {
      problems.push({
        prop: `functions[${i}].p99DurationThresholdMs`,
        message: 'must be a positive number of milliseconds',
        received: d.p99DurationThresholdMs,
        fix: "use a latency budget below the function's timeout, e.g. 2000",
      });
    }
  });
  return problems;
}
