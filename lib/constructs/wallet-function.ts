import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LIVE_ALIAS } from '../contract/deployment';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { ManagedPolicyRole } from './managed-policy-role';
import { WalletLogGroup } from './wallet-log-group';

/**
 * The Node.js runtime of every wallet function: the newest GA Lambda runtime aws-cdk-lib knows
 * (`NODEJS_LATEST` resolves to the same version today, but it moves with the library, and a
 * runtime change should be a reviewed diff, not a side effect of an upgrade).
 */
export const WALLET_FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The esbuild target matching {@link WALLET_FUNCTION_RUNTIME}. */
export const WALLET_FUNCTION_ESBUILD_TARGET = 'node24';

/** The repository root: the esbuild project root and the lock file's directory. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** The entry file of a handler: `lambda/<name>/index.ts`, exporting `handler`. */
export const handlerEntry = (name: string): string => path.join(PROJECT_ROOT, 'lambda', name, 'index.ts');

/** How a function is invoked, which decides whether it needs an asynchronous failure path. */
export type WalletFunctionInvocation =
  | {
      /**
       * Only synchronous callers (an API Gateway proxy integration, an SQS event source mapping):
       * a failure is returned to the caller, which owns the retry (SQS: the queue's redrive policy).
       */
      readonly kind: 'synchronous';
      /** Who invokes it, e.g. "API Gateway (Lambda proxy integration)"; quoted in the security review. */
      readonly by: string;
    }
  | {
      /** Asynchronous callers (SNS, EventBridge, CloudWatch alarms): failed events go to a queue. */
      readonly kind: 'asynchronous';
      /** The on-failure destination: receives the invocation record of every event that failed all retries. */
      readonly failureQueue: sqs.IQueue;
      /**
       * Events older than this are not retried but sent to the failure queue.
       * @default - 6 hours (Lambda's maximum)
       */
      readonly maxEventAge?: Duration;
      /**
       * Retries after the first failed attempt (0-2).
       * @default ASYNC_RETRY_ATTEMPTS
       */
      readonly retryAttempts?: number;
      /**
       * The caller invokes the function by name, unqualified (`$LATEST`): only a CodeDeploy lifecycle
       * hook, which CodeDeploy invokes by the name in the alias's update policy. Then the failure
       * destination and retries are set on `$LATEST`; otherwise on the `live` alias, which is what
       * every other caller invokes (an EventInvokeConfig applies only to the qualifier it names).
       * @default false
       */
      readonly unqualifiedCaller?: boolean;
    };

/** Props of {@link WalletFunction}. */
export interface WalletFunctionProps {
  /** The function's name; its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** What the function does (shown in the console). */
  readonly description: string;
  /** The handler's entry file (see {@link handlerEntry}); it must export `handler`. */
  readonly entry: string;
  /** Environment variables (names from lib/contract/runtime-env.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** The region's data key; the log group is encrypted with it. */
  readonly logEncryptionKey: kms.IKey;
  /** The longest an invocation may run. */
  readonly timeout: Duration;
  /** Memory in MB (CPU scales with it). */
  readonly memorySize: number;
  /**
   * Concurrency reserved for, and capped at, this value: it bounds the blast radius of a bug or a
   * flood (and the cost), and guarantees the function capacity the rest of the account cannot take.
   */
  readonly reservedConcurrency: number;
  /** Synchronous only, or asynchronous with a failure queue. */
  readonly invocation: WalletFunctionInvocation;
  /**
   * A fixed role name, for roles a key policy names (signer, health).
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * How long the function's logs are kept.
   * @default - one year (WalletLogGroup's default)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Actions other than X-Ray's that the caller grants on the resource "*" (because they support no
   * resource-level permission), with the reason; quoted in the acknowledgement of
   * `AwsSolutions-IAM5[Resource::*]` so the review sees every "*" and why.
   * @default - X-Ray is the only action on "*"
   */
  readonly starResourceGrants?: { readonly actions: readonly string[]; readonly reason: string };
}

/** Asynchronous invocations are retried this often before the event goes to the failure queue. */
export const ASYNC_RETRY_ATTEMPTS = 2;

/**
 * The base of every wallet Lambda function: a NodejsFunction bundled with esbuild (minified,
 * source maps), on ARM64 and the current Node.js runtime, with X-Ray tracing, JSON logs in its
 * own KMS-encrypted log group with an explicit retention, a timeout, reserved concurrency, and a
 * role whose every permission is in one customer-managed policy (see {@link ManagedPolicyRole}).
 *
 * Add permissions with {@link addToRolePolicy} (or CDK grants on {@link role}); they all land in
 * the role's managed policy.
 */
export class WalletFunction extends Construct {
  /**
   * The function itself. Callers never invoke it unqualified: wire API integrations, event sources
   * and rule targets to {@link alias} (test/constructs/live-alias.suite.ts walks the app for this).
   */
  public readonly function: nodejs.NodejsFunction;
  /**
   * The version of the code and configuration in this synth: a new one is published whenever either
   * changes, and CodeDeploy shifts {@link alias} to it (lib/constructs/safe-deployment.ts).
   */
  public readonly version: lambda.Version;
  /**
   * The `live` alias (lib/contract/deployment.ts `LIVE_ALIAS`): what every caller invokes. Without a
   * deployment group CloudFormation moves it to the new version at once; with one, CodeDeploy shifts
   * it gradually and moves it back on an alarm.
   */
  public readonly alias: lambda.Alias;
  public readonly role: ManagedPolicyRole;
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: WalletFunctionProps) {
    super(scope, id);
    validateProps(this, props);
    const stack = Stack.of(this);
    const logGroupName = `/aws/lambda/${props.functionName}`;
    this.logGroup = new WalletLogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: props.logEncryptionKey,
      retention: props.logRetention,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      roleName: props.roleName,
      description: `Execution role of the ${props.functionName} Lambda function`,
    });
    const logStreams = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${logGroupName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logStreams],
      }),
    );
    const async = props.invocation.kind === 'asynchronous' ? props.invocation : undefined;

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: WALLET_FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: WALLET_FUNCTION_ESBUILD_TARGET,
      },
      ...(async?.unqualifiedCaller === true ? asyncOptions(async) : {}),
      // Keep every published version: a manual rollback re-points the alias at the previous one
      // (docs/runbooks/rollback.md), which CloudFormation would otherwise delete after the update.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });

    this.version = this.function.currentVersion;
    this.alias = new lambda.Alias(this, 'Live', {
      aliasName: LIVE_ALIAS,
      version: this.version,
      description: 'What every caller invokes; CodeDeploy shifts it to a new version (docs/safe-deploys.md)',
      // Asynchronous callers invoke the alias, so its EventInvokeConfig is the one that applies.
      ...(async !== undefined && async.unqualifiedCaller !== true ? asyncOptions(async) : {}),
    });

    // CDK makes the function depend on the whole role construct: DependsOn [role, policy]. The role
    // is already a GetAtt dependency (cfn-lint W3005 flags the repeat), so keep only the policy:
    // the function, and an SQS event source mapping on it, are created after its permissions exist.
    (this.function.node.defaultChild as lambda.CfnFunction).addOverride('DependsOn', [
      stack.getLogicalId(this.role.policy.node.defaultChild as iam.CfnManagedPolicy),
    ]);

    if (async !== undefined) {
      // The destination is bound without CDK's grantSendMessages, whose KMS actions are wildcards
      // (kms:GenerateDataKey*, kms:ReEncrypt*); these are exactly what an SQS producer needs.
      const queue = async.failureQueue;
      this.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'SendFailedEvents', actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
      );
      if (queue.encryptionMasterKey !== undefined) {
        this.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'EncryptFailedEvents',
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [queue.encryptionMasterKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
          }),
        );
      }
    }
    this.acknowledgeFindings(props, logStreams);
  }

  /** Adds a statement to the function role's managed policy. */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }

  /**
   * Optional hook for fault injection (lib/constructs/fault-experiments.ts): adds a layer and environment
   * variables that the function's own props may not set (names starting with AWS_ are refused there), and
   * the statements the layer needs on the role. Nothing changes for a function that is never hooked.
   */
  public addRuntimeHook(hook: {
    readonly layer: lambda.ILayerVersion;
    readonly environment: Readonly<Record<string, string>>;
    readonly statements: readonly iam.PolicyStatement[];
  }): void {
    this.function.addLayers(hook.layer);
    for (const [name, value] of Object.entries(hook.environment)) this.function.addEnvironment(name, value);
    for (const statement of hook.statements) this.addToRolePolicy(statement);
  }

  private acknowledgeFindings(props: WalletFunctionProps, logStreams: string): void {
    const xray =
      'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so ' +
      'their resource must be "*" (AWS X-Ray service authorization reference).';
    const others = props.starResourceGrants;
    acknowledge(
      this.role.policy,
      'AwsSolutions-IAM5[Resource::*]',
      others === undefined
        ? `${xray} No other action has a "*" resource.`
        : `${xray} The only other actions on "*" are ${others.actions.join(', ')}: ${others.reason}`,
    );
    acknowledge(
      this.role.policy,
      `AwsSolutions-IAM5[Resource::${logStreams}]`,
      'The function writes only to its own log group; Lambda names a new log stream per execution environment, so ' +
        'the stream part of the ARN cannot be known in advance.',
    );
    acknowledgeInPacks(
      this.function,
      'LambdaInsideVPC',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      'The function reaches AWS regional service APIs (such as DynamoDB, KMS, SQS, X-Ray) over TLS with SigV4 and, only ' +
        "where it has the chain's settings (CHAIN_SETTINGS: the chain watcher, the signer, the API), the configured " +
        'JSON-RPC providers over HTTPS; it serves no resource inside a VPC. The signing key never leaves KMS, so a ' +
        'compromised function is bounded by its IAM permissions, not its network path. Accepted trade-off: a VPC ' +
        'without internet egress would also block exfiltration to the internet, but the chain providers need internet ' +
        'egress (a NAT gateway per AZ in both regions) on top of KMS/SQS/X-Ray interface endpoints.',
    );
    acknowledge(
      this.function,
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'Control Tower CT.LAMBDA.PR.3 (Lambda in a VPC): the function reaches AWS regional APIs over TLS with SigV4 ' +
        '(and, with CHAIN_SETTINGS, the JSON-RPC providers over HTTPS) and serves nothing inside a VPC; see the ' +
        'LambdaInsideVPC acknowledgement on the same function.',
    );
    const dlqReason =
      props.invocation.kind === 'synchronous'
        ? `Invoked synchronously only, by ${props.invocation.by}: a Lambda dead-letter queue receives failed ` +
          'asynchronous invocations only, so it would never receive anything; the caller sees every failure.'
        : 'Failed asynchronous events go to an on-failure destination (an SQS queue in the EventInvokeConfig), which AWS ' +
          'recommends over a dead-letter queue: it carries the invocation record (request, response, error). A DLQ as ' +
          'well would deliver every failure twice.';
    acknowledgeInPacks(this.function, 'LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless'], dlqReason);
  }
}

/** Failure destination, retries and event age of an asynchronously invoked function (on the qualifier its callers invoke). */
function asyncOptions(
  async: Extract<WalletFunctionInvocation, { kind: 'asynchronous' }>,
): lambda.EventInvokeConfigOptions {
  return {
    onFailure: queueDestination(async.failureQueue),
    retryAttempts: async.retryAttempts ?? ASYNC_RETRY_ATTEMPTS,
    maxEventAge: async.maxEventAge,
  };
}

/** An SQS on-failure destination without CDK's grant (the function adds exact permissions). */
function queueDestination(queue: sqs.IQueue): lambda.IDestination {
  return { bind: () => ({ destination: queue.queueArn }) };
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function validateProps(scope: Construct, props: WalletFunctionProps): void {
  const problems: string[] = [];
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    problems.push(
      `the stack ${stack.stackName} has no concrete account and region (received ${stack.account}/${stack.region}); ` +
        'give it an explicit env, as lib/app.ts does',
    );
  }
  if (!Token.isUnresolved(props.functionName) && !FUNCTION_NAME.test(props.functionName)) {
    problems.push(
      `functionName "${props.functionName}" is not a Lambda function name; use 1-64 letters, digits, hyphens or underscores`,
    );
  }
  if (!/\.(ts|js|mjs|cjs)$/.test(props.entry)) {
    problems.push(`entry "${props.entry}" is not a TypeScript or JavaScript file; point it at lambda/<name>/index.ts`);
  }
  const seconds = props.timeout.toSeconds();
  if (seconds < 1 || seconds > 900) {
    problems.push(`timeout is ${seconds} s; Lambda allows 1 to 900 seconds`);
  }
  if (!Number.isInteger(props.memorySize) || props.memorySize < 128 || props.memorySize > 10240) {
    problems.push(`memorySize is ${props.memorySize}; use a whole number of MB from 128 to 10240`);
  }
  if (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1) {
    problems.push(
      `reservedConcurrency is ${props.reservedConcurrency}; use a whole number of 1 or more (0 would throttle every invocation)`,
    );
  }
  if (props.invocation.kind === 'asynchronous') {
    const { retryAttempts, maxEventAge } = props.invocation;
    if (retryAttempts !== undefined && (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2)) {
      problems.push(`invocation.retryAttempts is ${retryAttempts}; Lambda allows 0, 1 or 2`);
    }
    const age = maxEventAge?.toSeconds();
    if (age !== undefined && (age < 60 || age > 21600)) {
      problems.push(`invocation.maxEventAge is ${age} s; Lambda allows 60 s to 6 hours`);
    }
  }
  const reserved = Object.keys(props.environment).filter((k) => k.startsWith('AWS_') || k === 'NODE_OPTIONS');
  if (reserved.length > 0) {
    problems.push(
      `environment sets ${reserved.join(', ')}; names starting with AWS_ are reserved by Lambda and NODE_OPTIONS is set by this construct`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `WalletFunction ${scope.node.path}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`,
    );
  }
}
