/**
 * Entry of the standby's failover-switch re-publisher (EventBridge schedule). IAM:
 * cloudwatch:GetMetricData, and cloudwatch:PutMetricData only in the switch's namespace. It never
 * throws a released switch (lib/failover/switch-republisher.ts decides).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RUNTIME_ENV } from '../../lib/contract/runtime-env';
import { republishSwitch } from '../../lib/failover/switch-republisher';
import { createLogger } from '../shared/logger';

const region = process.env.AWS_REGION;
const envName = process.env[RUNTIME_ENV.envName];
if (region === undefined || envName === undefined || envName === '') {
  throw new Error('switch-republisher: AWS_REGION and WALLET_ENV_NAME must be set (the CDK sets WALLET_ENV_NAME)');
}
const cloudwatch = new CloudWatchClient({ region });
const logger = createLogger('wallet-switch-republisher');

export const handler = async (): Promise<void> => {
  const decision = await republishSwitch({ cloudwatch, region, envName });
  logger.info('switch re-publisher run', { ...decision });
};
