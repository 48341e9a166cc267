import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Logger } from '@aws-lambda-powertools/logger';
import { STATUS_UPDATER_ENV } from '../../lib/contract/status';
import { cloudWatchHistorySource } from '../../lib/status/history';
import { createHandler, parseUpdaterEnv, wireUpdater } from './handler';

/** The status updater (one per wallet region). Its role may write only the status objects. */
const logger = new Logger({ serviceName: 'wallet-status-updater' });
const env = parseUpdaterEnv(process.env[STATUS_UPDATER_ENV], STATUS_UPDATER_ENV);
const region = process.env.AWS_REGION ?? env.primaryRegion;
const deps = wireUpdater(env, region);

export const handler = createHandler(
  deps,
  cloudWatchHistorySource((r) => new CloudWatchClient({ region: r }), env.envName, [
    env.primaryRegion,
    env.standbyRegion,
  ]),
  { info: (m, f) => logger.info(m, f ?? {}), warn: (m, f) => logger.warn(m, f ?? {}) },
);
