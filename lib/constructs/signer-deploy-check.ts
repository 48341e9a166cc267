import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEPLOY_HOOK_ENV,
  deployApplicationName,
  deployHookFunctionName,
  deployHookRoleName,
  deploymentGroupName,
} from '../contract/deployment';
import { acknowledge, acknowledgeCrossStackQueueKey } from '../security/nag';
import { handlerEntry, WalletFunction } from './wallet-function';

/** Props of {@link SignerDeployCheck}. */
export interface SignerDeployCheckProps {
  /** The environment name (config `envName`): names the function, its role and the deployment group it reports to. */
  readonly envName: string;
  /** The signer under deployment: the hook may invoke exactly its new version. */
  readonly signer: WalletFunction;
  /** This region's signing key ARN: the hook reads its public key (the key policy allows this role GetPublicKey only). */
  readonly signingKeyArn: string;
  /** The chain id from config: what the signed canary transaction must name. */
  readonly chainId: number;
  /** This region's data key: encrypts the hook's logs and its failure queue. */
  readonly dataKey: kms.IKey;
}

/**
 * The signer's pre-traffic hook (lambda/deploy-hook): CodeDeploy runs it before shifting any traffic
 * to a new signer version; it invokes that version's deploy check, verifies the signature
 * independently and reports Succeeded or Failed.
 *
 * Least privilege (tested in test/constructs/safe-deployment.suite.ts):
 * - `lambda:InvokeFunction` on exactly the new version's ARN (a new statement each deploy);
 * - `kms:GetPublicKey` on this region's signing key (the key policy names this role for it, and
 *   denies `kms:Sign` to every role but the signer's: the hook can never sign);
 * - `codedeploy:PutLifecycleEventHookExecutionStatus` on the signer's deployment group only.
 *
 * CodeDeploy invokes hooks asynchronously: a failure that outlasts Lambda's retries lands in the
 * hook's failure queue, and CodeDeploy fails (and rolls back) the deployment when the hook does not
 * report within its one-hour limit.
 */
export class SignerDeployCheck extends Construct {
  public readonly function: WalletFunction;
  public readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SignerDeployCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      queueName: `${props.envName}-wallet-deploy-check-failures`,
      encryptionMasterKey: props.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const dlqReason =
      "This queue is itself a dead-letter queue: the deploy hook's on-failure destination (invocation records of " +
      'checks that failed every retry, for diagnosis). A dead-letter queue of a dead-letter queue would have no consumer; ' +
      'the deployment itself fails and rolls back when the hook does not report.';
    acknowledge(this.failureQueue, 'AwsSolutions-SQS3', dlqReason);
    acknowledge(this.failureQueue, 'Serverless-SQSRedrivePolicy', dlqReason);
    acknowledge(this.failureQueue, 'cdk-validator-cfnguard::sqs_dlq_check', dlqReason);
    if (stack !== Stack.of(props.dataKey)) acknowledgeCrossStackQueueKey(this.failureQueue);

    this.function = new WalletFunction(this, 'Function', {
      functionName: deployHookFunctionName(props.envName),
      description:
        'Signer pre-traffic hook: the new version signs a canary payload, verified before any traffic shifts',
      entry: handlerEntry('deploy-hook'),
      environment: {
        [DEPLOY_HOOK_ENV.targetVersionArn]: props.signer.version.functionArn,
        [DEPLOY_HOOK_ENV.signingKeyArn]: props.signingKeyArn,
        [DEPLOY_HOOK_ENV.chainId]: String(props.chainId),
        POWERTOOLS_SERVICE_NAME: 'wallet-deploy-hook',
      },
      logEncryptionKey: props.dataKey,
      memorySize: 256,
      // The signer's own KMS retries are bounded (a few seconds); the check is one signature.
      timeout: Duration.seconds(60),
      reservedConcurrency: 1,
      roleName: deployHookRoleName(props.envName, stack.region),
      // CodeDeploy invokes the hook by the function name in the alias's update policy: unqualified.
      invocation: { kind: 'asynchronous', failureQueue: this.failureQueue, retryAttempts: 2, unqualifiedCaller: true },
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeOnlyTheVersionUnderDeployment',
        actions: ['lambda:InvokeFunction'],
        resources: [props.signer.version.functionArn],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSigningPublicKey',
        actions: ['kms:GetPublicKey'],
        resources: [props.signingKeyArn],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReportToTheSignerDeploymentGroup',
        actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
        resources: [
          stack.formatArn({
            service: 'codedeploy',
            resource: 'deploymentgroup',
            resourceName: `${deployApplicationName(props.envName)}/${deploymentGroupName(props.envName, 'signer')}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
}
