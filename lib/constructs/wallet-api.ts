import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_STAGE_NAME, API_TLS, TRANSACTION_REQUEST_MODEL } from '../contract/api';
import { APPROVAL_PATHS } from '../contract/approvals';
import { IDEMPOTENCY_HEADER } from '../contract/canary';
import { acknowledge, acknowledgeInPacks } from '../security/nag';
import { ApiGatewayAccountLogging } from './api-gateway-account-logging';
import { WalletLogGroup } from './wallet-log-group';

/** A steady-state rate (requests per second) and a burst (requests). */
export interface ThrottleSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * `/health/deep` reads the table and the signing key, unauthenticated: its own, lower throttle
 * bounds what a flood of it can cost (canaries call it about once a minute per region).
 */
export const DEEP_HEALTH_THROTTLE: ThrottleSettings = { rateLimit: 10, burstLimit: 20 };

/**
 * Access log fields (JSON, one object per request). Every value is quoted so a line is valid JSON
 * even when a variable is empty. No header values and no bodies: requests carry wallet data.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  wafResponseCode: '$context.wafResponseCode',
  xrayTraceId: '$context.xrayTraceId',
};

/** Props of {@link WalletApi}. */
export interface WalletApiProps {
  /** The REST API's name. */
  readonly restApiName: string;
  /** Serves `GET /health` and `GET /health/deep`. */
  readonly healthFunction: lambda.IFunction;
  /** Serves the `/v1` wallet routes. */
  readonly apiFunction: lambda.IFunction;
  /** The stage's default throttle, applied to every method. */
  readonly throttle: ThrottleSettings;
  /**
   * The throttle of `GET /health/deep`.
   * @default DEEP_HEALTH_THROTTLE
   */
  readonly deepHealthThrottle?: ThrottleSettings;
  /** The region's data key; the access and execution log groups are encrypted with it. */
  readonly logEncryptionKey: kms.IKey;
  /**
   * Set API Gateway's account-level CloudWatch role in this region (needed once per account and
   * region before any stage can log; see {@link ApiGatewayAccountLogging}).
   * @default true
   */
  readonly manageAccountLogging?: boolean;
}

/**
 * The regional wallet API: a REGIONAL REST API with one stage, JSON access logs and ERROR execution
 * logs (no data tracing: bodies carry wallet data) in KMS-encrypted log groups, X-Ray tracing,
 * stage throttling, and request validation.
 *
 * - `GET /health`, `GET /health/deep`: no authorization (Route 53 health checkers and canaries).
 * - `POST /v1/wallets/{walletId}/transactions`: IAM (SigV4), a JSON body validated against the
 *   transaction request model, a required `Idempotency-Key` header.
 * - `GET /v1/wallets/{walletId}/transactions/{txId}`: IAM (SigV4).
 * - `GET /v1/wallets/{walletId}/approvals`, `GET|POST /v1/wallets/{walletId}/approvals/{txId}`
 *   (two-person approval, lib/contract/approvals.ts): IAM (SigV4), so API Gateway verifies the
 *   approver and hands the handler its ARN (`requestContext.identity.userArn`). Separate resources,
 *   so an account grants `execute-api:Invoke` on them to approvers and not to the services that
 *   submit withdrawals (docs/runbooks/approvals.md).
 *
 * A custom domain (and its base path mapping to {@link stage}) is added by the DNS work.
 */
export class WalletApi extends Construct {
  public readonly restApi: apigw.RestApi;
  public readonly stage: apigw.Stage;
  public readonly accessLogGroup: logs.ILogGroup;
  /** `API-Gateway-Execution-Logs_<api id>/<stage>`, created here so it is encrypted and expires. */
  public readonly executionLogGroup: logs.ILogGroup;
  public readonly accountLogging?: ApiGatewayAccountLogging;
  public readonly methods: {
    readonly health: apigw.Method;
    readonly deepHealth: apigw.Method;
    readonly createTransaction: apigw.Method;
    readonly getTransaction: apigw.Method;
    readonly listApprovals: apigw.Method;
    readonly showApproval: apigw.Method;
    readonly decideApproval: apigw.Method;
  };

  constructor(scope: Construct, id: string, props: WalletApiProps) {
    super(scope, id);
    validateProps(this, props);
    const deepHealthThrottle = props.deepHealthThrottle ?? DEEP_HEALTH_THROTTLE;
    this.accessLogGroup = new WalletLogGroup(this, 'AccessLogs', { encryptionKey: props.logEncryptionKey });
    const executionLogging = {
      loggingLevel: apigw.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: true,
    };

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.restApiName,
      description: 'Wallet regional API (health, transaction intake and status)',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Clients, Route 53 and canaries use the custom domains (RegionalApiDomain); the default
      // execute-api host would bypass their TLS policy and the failover name.
      disableExecuteApiEndpoint: true,
      cloudWatchRole: false,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        tracingEnabled: true,
        ...executionLogging,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        methodOptions: {
          '/health/deep/GET': {
            ...executionLogging,
            throttlingRateLimit: deepHealthThrottle.rateLimit,
            throttlingBurstLimit: deepHealthThrottle.burstLimit,
          },
        },
      },
    });
    // The API's own security policy decides the handshake on its custom domains (API_TLS in
    // lib/contract/api.ts quotes the doc); the L2 does not expose these properties yet.
    const cfnApi = this.restApi.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = API_TLS.securityPolicy;
    cfnApi.endpointAccessMode = API_TLS.endpointAccessMode;
    this.stage = this.restApi.deploymentStage;
    this.executionLogGroup = new WalletLogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${API_STAGE_NAME}`,
      encryptionKey: props.logEncryptionKey,
    });
    // Created before the stage, or API Gateway creates it itself: unencrypted and kept forever.
    this.stage.node.addDependency(this.executionLogGroup);
    if (props.manageAccountLogging ?? true) {
      this.accountLogging = new ApiGatewayAccountLogging(this, 'AccountLogging');
      this.stage.node.addDependency(this.accountLogging.account);
    }

    const healthIntegration = new apigw.LambdaIntegration(props.healthFunction, { allowTestInvoke: false });
    const apiIntegration = new apigw.LambdaIntegration(props.apiFunction, { allowTestInvoke: false });
    const validateAll = this.restApi.addRequestValidator('BodyAndParameters', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const validateParameters = this.restApi.addRequestValidator('Parameters', {
      validateRequestBody: false,
      validateRequestParameters: true,
    });
    const transactionRequest = this.restApi.addModel('TransactionRequest', {
      modelName: 'TransactionRequest',
      contentType: 'application/json',
      description: 'EIP-1559 transaction request (lib/contract/api.ts TRANSACTION_REQUEST_MODEL)',
      schema: jsonSchemaDraft4(TRANSACTION_REQUEST_MODEL),
    });

    const health = this.restApi.root.addResource('health');
    const deep = health.addResource('deep');
    const transactions = this.restApi.root
      .addResource('v1')
      .addResource('wallets')
      .addResource('{walletId}')
      .addResource('transactions');
    const transaction = transactions.addResource('{txId}');
    const approvals = transactions.parentResource!.addResource('approvals');
    const approval = approvals.addResource('{txId}');
    if (approvals.path !== APPROVAL_PATHS.approvals || approval.path !== APPROVAL_PATHS.approval) {
      throw new Error(
        `WalletApi: approval resources ${approvals.path}, ${approval.path} differ from lib/contract/approvals.ts`,
      );
    }
    const walletPath = { 'method.request.path.walletId': true };
    const approvalPath = { ...walletPath, 'method.request.path.txId': true };
    const open = { authorizationType: apigw.AuthorizationType.NONE };
    const iam = { authorizationType: apigw.AuthorizationType.IAM };
    this.methods = {
      health: health.addMethod('GET', healthIntegration, open),
      deepHealth: deep.addMethod('GET', healthIntegration, open),
      createTransaction: transactions.addMethod('POST', apiIntegration, {
        ...iam,
        requestValidator: validateAll,
        requestModels: { 'application/json': transactionRequest },
        requestParameters: {
          [`method.request.header.${IDEMPOTENCY_HEADER}`]: true,
          'method.request.path.walletId': true,
        },
      }),
      getTransaction: transaction.addMethod('GET', apiIntegration, {
        ...iam,
        requestValidator: validateParameters,
        requestParameters: { 'method.request.path.walletId': true, 'method.request.path.txId': true },
      }),
      // The handler validates the decision body (every problem at once, lambda/api/approvals.ts).
      listApprovals: approvals.addMethod('GET', apiIntegration, {
        ...iam,
        requestValidator: validateParameters,
        requestParameters: walletPath,
      }),
      showApproval: approval.addMethod('GET', apiIntegration, {
        ...iam,
        requestValidator: validateParameters,
        requestParameters: approvalPath,
      }),
      decideApproval: approval.addMethod('POST', apiIntegration, {
        ...iam,
        requestValidator: validateParameters,
        requestParameters: approvalPath,
      }),
    };
    this.restrictInvokePermissionsToAccount();
    this.acknowledgeFindings();
  }

  /**
   * The Lambda permissions LambdaIntegration adds name the method by `SourceArn` (built with
   * Fn::Join). Adding `SourceAccount` pins them to this account as well, and lets Control Tower's
   * CT.LAMBDA.PR.2 (which cannot evaluate a joined ARN) see that the function is not public.
   */
  private restrictInvokePermissionsToAccount(): void {
    const account = Stack.of(this).account;
    for (const method of Object.values(this.methods)) {
      for (const child of method.node.findAll()) {
        if (child instanceof lambda.CfnPermission) child.addPropertyOverride('SourceAccount', account);
      }
    }
  }

  private acknowledgeFindings(): void {
    const { health, deepHealth, createTransaction, getTransaction, listApprovals, showApproval, decideApproval } =
      this.methods;
    for (const method of [health, deepHealth]) {
      acknowledge(
        method,
        'AwsSolutions-APIG4',
        'Health endpoint for Route 53 health checkers and synthetic canaries, which cannot sign requests. It returns ' +
          'only the region role and health verdicts, no wallet data; WAF and its own throttle bound abuse.',
      );
      acknowledge(
        method,
        'AwsSolutions-COG4',
        'Health endpoint, deliberately unauthenticated for Route 53 health checkers and canaries (see APIG4 on the ' +
          'same method); a Cognito authorizer would make the failover health check depend on Cognito.',
      );
    }
    for (const method of [createTransaction, getTransaction, listApprovals, showApproval, decideApproval]) {
      acknowledge(
        method,
        'AwsSolutions-COG4',
        "Authorized with IAM (SigV4): the wallet API is called by the operator's own services with their IAM roles, " +
          'not by end users, so there is no Cognito user pool; IAM authorization is checked before the integration.',
      );
    }
    acknowledgeInPacks(
      this.stage,
      'APIGWCacheEnabledAndEncrypted',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      'Caching is deliberately off: responses are live transaction state and live health. A cache would serve stale ' +
        'transaction status and stale health (delaying failover), and its key would not include the IAM caller.',
    );
    acknowledgeInPacks(
      this.stage,
      'APIGWSSLEnabled',
      ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'],
      'A stage client certificate authenticates API Gateway to an HTTP backend; every integration here is a Lambda ' +
        'proxy integration, which API Gateway invokes through the Lambda API with SigV4 over TLS.',
    );
  }
}

/** A plain JSON Schema object as CDK's JsonSchema (draft 4, the dialect API Gateway models use). */
function jsonSchemaDraft4(schema: object): apigw.JsonSchema {
  return { schema: apigw.JsonSchemaVersion.DRAFT4, ...(schema as apigw.JsonSchema) };
}

function validateProps(scope: Construct, props: WalletApiProps): void {
  const problems: string[] = [];
  const check = (name: string, t: ThrottleSettings) => {
    if (!(t.rateLimit > 0) || t.rateLimit > 10000) {
      problems.push(
        `${name}.rateLimit is ${t.rateLimit}; use a number of requests per second above 0 and at most 10000`,
      );
    }
    if (!Number.isInteger(t.burstLimit) || t.burstLimit < 1 || t.burstLimit > 5000) {
      problems.push(`${name}.burstLimit is ${t.burstLimit}; use a whole number of requests from 1 to 5000`);
    }
  };
  check('throttle', props.throttle);
  if (props.deepHealthThrottle !== undefined) check('deepHealthThrottle', props.deepHealthThrottle);
  if (problems.length > 0) {
    throw new Error(`WalletApi ${scope.node.path}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}
