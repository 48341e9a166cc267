/**
 * Entry of the signer's pre-traffic hook (invoked asynchronously by CodeDeploy).
 * IAM: lambda:InvokeFunction on exactly the signer version under deployment; kms:GetPublicKey on this
 * region's signing key; codedeploy:PutLifecycleEventHookExecutionStatus on the signer's deployment
 * group. No kms:Sign (and the key policy denies it to this role).
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createKmsClient } from '../shared/clients';
import { AWS_REGION_VAR } from '../shared/env';
import { createLogger } from '../shared/logger';
import { createDeployHook, loadDeployHookEnv } from './handler';

const env = loadDeployHookEnv(process.env);
const region = process.env[AWS_REGION_VAR];

export const handler = createDeployHook({
  env,
  lambda: new LambdaClient({ region }),
  codeDeploy: new CodeDeployClient({ region }),
  kms: createKmsClient(region ?? '', { sdkRetries: true }),
  logger: createLogger('wallet-deploy-hook'),
}).handler;
